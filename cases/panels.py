"""The case page's panels that the apps above cases keep (rules' breaches, the office's calls and
letters, the parties' answers to reminders, their surveys): each app registers a function giving
its part of the page's context as it is ready (``<app>/panels.py``), so cases imports none of
them (the layers: README, "Architecture in a few lines")."""

_PANELS: list = []


def case_panel(provider):
    """Register ``provider(case, access) -> dict``, merged into the case page's context."""
    if provider not in _PANELS:
        _PANELS.append(provider)
    return provider


def panels_for(case, access) -> dict:
    context: dict = {}
    for provider in _PANELS:
        context.update(provider(case, access))
    return context
