"""Login is required in one place: LoginRequiredMiddleware. A view opts out with
``@login_not_required``, and this names every one that does, so a new public page is a choice
made here, in review, and never an accident of a forgotten decorator."""

from django.urls import URLPattern, URLResolver, get_resolver

# url name -> why it is open to anybody
PUBLIC = {
    "health": "monitors call it without an account",
    "calendar_feed": "calendar apps fetch it; the token in the address is the secret",
    "public:index": "the public pages for people asking for help or to volunteer",
    "public:status": "",
    "public:refer": "",
    "public:volunteer": "",
    "public:thanks_referral": "",
    "public:thanks_volunteer": "",
    "notifications:reply": "a party's answer to a reminder; the signed token is the key",
    "notifications:sms_inbound": "the SMS provider posts texts sent back, with a shared secret",
    "surveys:answer": "a party's survey; the signed token is the key",
    "login": "Django's login page",
    "two_factor:link": "a set-up link is opened before logging in (it then asks for the login)",
    # Django's admin login (it sends non-administrators back; see accounts.admin_site).
    "admin:login": "",
}


def _patterns(resolvers, namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_only_the_listed_pages_are_open_without_a_login():
    open_views = {
        name
        for name, callback in _patterns(get_resolver().url_patterns)
        if getattr(callback, "login_required", True) is False
    }

    assert open_views == set(PUBLIC)


def test_a_page_without_a_decorator_sends_anonymous_visitors_to_log_in(client, settings):
    """The middleware, not a decorator, does it: /attention/ carries none."""
    response = client.get("/attention/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/attention/"
