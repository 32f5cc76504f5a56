"""The surveys' part of the case page (cases.panels)."""

from cases.panels import case_panel

from .selectors import case_panel as survey_panel


@case_panel
def surveys(case, access) -> dict:
    """The parties' surveys and answers (feedback about the mediators): coordinators only, once
    the case has closed (no query on an open case's page)."""
    return {"surveys": survey_panel(case) if access.can_manage and not case.is_open else []}
