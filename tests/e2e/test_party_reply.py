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
    # The problems are summed up at the top, and the focus is on the field to put right.
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Tell us what would suit you better"
    )
    expect(page.get_by_label("Anything we should know")).to_be_focused()
    scan(page, "reply page with an error (375 px)")
    # Line breaks count as one character each, as the browser counts them: 500 typed are taken.
    page.get_by_label("Anything we should know").fill("\n".join(["x" * 59] * 8) + "\n" + "y" * 20)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: we have your answer")
    assert len(PartyReply.objects.get().reason) == 500
    page.get_by_label("I need to rearrange").check()
    page.get_by_label("Anything we should know").fill("Any weekday after 5pm")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("status")).to_contain_text("Thank you: we have your answer")
    expect(page.locator("p strong", has_text="I need to rearrange")).to_be_visible()
    assert PartyReply.objects.first().reason == "Any weekday after 5pm"

    # A link that is not one: the service's own page, nothing about the case.
    page.goto("/r/not-a-link/")
    expect(page.get_by_role("heading", name="This page is not here")).to_be_visible()
    scan(page, "404 page (375 px)")
    assert not violations
