"""Review of issue 19: a survey call or letter (notifications.ManualContact, kind
survey_feedback / survey_follow_up) on the coordinator's home "To phone or write" panel read
"Remind them of their session" (notifications/home.py only knows the session kinds), on a
closed case with no session: the case page says "Ask them the feedback survey questions…" /
"Post them the feedback survey, with their link and QR code" (ManualContact.about). Fails on
main at b4c6e10."""

import pytest
from django.utils import timezone

from notifications.home import office_panels
from notifications.models import ManualContact
from surveys.services import invite
from tests.factories import CaseFactory, ConsentFactory, PartyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["phone", "letter"])
def test_a_survey_task_on_the_home_page_says_what_it_is(method):
    case = CaseFactory(status="closed", outcome="full_agreement", closed_on=timezone.localdate())
    party = PartyFactory(
        case=case,
        preferred_contact=method,
        phone="01732 123456",
        email="",
        address_line1="1 High Street",
        postcode="TN9 1AA",
    )
    ConsentFactory(party=party, kind="data_processing")
    assert invite(case=case, party=party, kind="feedback") is not None
    task = ManualContact.objects.get(party=party, kind=ManualContact.Kind.SURVEY_FEEDBACK)
    assert task.method == method

    (row,) = office_panels()["manual_contacts_due"]["rows"]

    assert "session" not in row.about
    assert row.about == task.about
