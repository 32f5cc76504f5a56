from django.apps import AppConfig


class RulesConfig(AppConfig):
    """The invariant checker: what breaks a rule now, however it came about (rules.checker)."""

    name = "rules"
    verbose_name = "Rules"

    def ready(self):
        # Its part of the case page (cases.panels).
        from . import panels  # noqa: F401
