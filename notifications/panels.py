"""The messages' part of the case page (cases.panels)."""

from cases.panels import case_panel

from . import manual
from .replies import latest_by_session


@case_panel
def office_and_answers(case, access) -> dict:
    return {
        # Calls and letters in place of messages: the office's to do, not the mediators'.
        "manual_contacts": manual.to_do_for_case(case) if access.can_manage else [],
        # What each party answered from their reminders (notifications.replies): one query.
        "party_replies": latest_by_session(case),
    }
