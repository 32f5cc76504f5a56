"""The role home pages: what a coordinator, mediator, supervisor or administrator sees first.

The top layer of the apps (pyproject.toml, [tool.importlinter]): a home page gathers panels from
every app below it, so no app imports this one."""
