"""Response headers: a strict Content-Security-Policy (django-csp), HSTS over HTTPS, no framing,
no sniffing, a same-origin referrer and opener policy; secure, HTTP-only cookies in production."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(header: str) -> dict:
    """``"a 'x'; b 'y' z"`` → ``{"a": "'x'", "b": "'y' z"}`` (django-csp picks the order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


PRODUCTION_LIKE = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.parametrize("who", [None, "mediator", "coordinator"])
def test_every_page_sends_the_strict_content_security_policy(client, login, request, who):
    if who:
        client = login(request.getfixturevalue(who))

    response = client.get("/" if who else "/accounts/login/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert directives(policy) == CSP
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "*" not in policy and "http:" not in policy and "https:" not in policy


def test_the_policy_covers_redirects_and_errors_too(client):
    assert "Content-Security-Policy" in client.get("/cases/")  # a redirect to log in
    assert directives(client.get("/no-such-page/")["Content-Security-Policy"]) == CSP


def test_the_other_security_headers(client):
    response = client.get("/accounts/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(**PRODUCTION_LIKE)
def test_https_sends_strict_transport_security(client):
    response = client.get("/accounts/login/", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


@override_settings(**PRODUCTION_LIKE)
def test_plain_http_is_sent_to_https_except_the_health_check(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/health/").status_code in (200, 503)


@override_settings(**PRODUCTION_LIKE)
def test_cookies_are_secure_and_the_session_cookie_is_http_only(client, mediator):
    from tests.factories import TEST_PASSWORD

    page = client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/", {"username": "mediator", "password": TEST_PASSWORD}, secure=True
    )

    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert page.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_the_production_defaults_are_the_secure_ones():
    """What wkm/settings.py gives when DEBUG is off (tests/security/test_check_deploy.py runs
    ``check --deploy`` on exactly that)."""
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.SESSION_COOKIE_HTTPONLY


# --- No inline script or style in our templates: the policy would block it ------------------

INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def web_templates():
    """Every template served to a browser: not templates/documents/ (PDFs only, WeasyPrint)."""
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if (TEMPLATES / "documents") not in path.parents
    )


def test_there_are_templates_to_check():
    names = {p.relative_to(TEMPLATES).as_posix() for p in web_templates()}
    assert "base.html" in names and "accounts/two_factor_enrol.html" in names


@pytest.mark.parametrize("path", web_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_template_has_inline_script_or_style(path):
    text = path.read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{path.relative_to(TEMPLATES)}: {', '.join(found)}"
