"""The rules' part of the case page (cases.panels)."""

from cases.panels import case_panel

from .selectors import breaches_of_case


@case_panel
def breaches(case, access) -> dict:
    """What breaks a rule on this case now: for those who manage it."""
    return {"breaches": breaches_of_case(case) if access.can_manage else []}
