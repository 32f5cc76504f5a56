"""A party answers their reminder in a browser, on a phone: the page from the link in the
text, a request to rearrange refused without a reason and then taken, with axe-core and no
Content-Security-Policy violation."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import PartyReply
from notifications.reply_links import reply_token
from sessions.models import MediationSession
from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.factories import ready_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_party_asks_to_rearrange_from_their_phone(open_page):
    case = ready_case(status="active")
    alice = case.parties.get(full_name="Alice Carter")
    start = timezone.now() + datetime.timedelta(days=3)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", venue="WKM office, 1 High Street",
        starts_at=start, ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    session.parties.set([alice])
    page = open_page(width=375, height=700)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(f"/r/{reply_token(party_id=alice.pk, session_id=session.pk)}/")

    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    expect(page.get_by_text("WKM office, 1 High Street")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "reply page (375 px)")
    page.get_by_label("I need to rearrange").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Tell us what would suit you better")).to_be_visible()
    page.get_by_label("Anything we should know").fill("Any weekday after 5pm")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("status")).to_contain_text("Thank you: we have your answer")
    expect(page.locator("p strong", has_text="I need to rearrange")).to_be_visible()
    assert PartyReply.objects.get().reason == "Any weekday after 5pm"
    assert not violations
