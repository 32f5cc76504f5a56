"""The strict Content-Security-Policy (README, Security) blocks nothing the pages use: Chromium
reports no violation on the pages each role opens, including the two-factor set-up page with
its inline SVG QR code and the Django admin."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.session_store import SessionStore
from tests.factories import ready_case

pytestmark = pytest.mark.django_db(transaction=True)


def violations_on(page, paths) -> list[str]:
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    return seen


def test_no_page_breaks_the_policy(open_page, coordinator, mediator, administrator):
    case = ready_case()
    pages = {
        None: ["/accounts/login/", "/help/", "/help/refer/", "/help/volunteer/"],
        coordinator: ["/", "/cases/", case.get_absolute_url(), "/cases/new/", "/volunteers/"],
        mediator: ["/", "/accounts/password/", "/accounts/2fa/enrol/"],
        administrator: ["/admin/", "/admin/auth/user/", "/admin/volunteers/volunteer/", "/audit/"],
    }

    found = []
    for user, paths in pages.items():
        found += violations_on(open_page(user), paths)

    assert not found, "\n".join(found)


def test_the_code_pages_keep_to_the_policy(open_page, coordinator):
    from django_otp import DEVICE_ID_SESSION_KEY

    TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    page = open_page(coordinator)
    # Back to "password given, code not yet" for the browser's session.
    store = SessionStore(page.context.cookies()[0]["value"])
    store.pop(DEVICE_ID_SESSION_KEY)
    store.save()

    assert not violations_on(page, ["/", "/accounts/2fa/verify/"])
    assert "/accounts/2fa/" in page.url
