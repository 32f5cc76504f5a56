"""Every page a coordinator can reach by following links, with a hostile query string, and every
form on those pages posted back with a NUL in each field: never a 500.

This catches the pages and forms the property tests do not name (and new ones as they appear).
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import verified_login

pytestmark = pytest.mark.django_db

# Not followed: leaving, the admin (its own tests), static files, the public site and calendars.
SKIP = ("/accounts/logout", "/admin/", "/static/", "/help/", "/calendar/")
DOWNLOADS = re.compile(r"(\.pdf|/pdf/)$")  # rendered once each elsewhere (test_inert_content)
MAX_PAGES = 120
HOSTILE_QUERY = "q=%00%FF&page=%FF%FE&received_from=0000-00-00&order=%00&status=\x00"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms = [], []
        self._form, self._select = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(),
                          "action": attrs.get("action") or "", "fields": []}  # fmt: skip
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            if name:
                kind = attrs.get("type", tag).lower()
                self._form["fields"].append((name, kind, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _shape(path: str) -> str:
    """One page or form of each kind: /volunteers/12/edit/ and /volunteers/13/edit/ are alike."""
    return re.sub(r"\d+", "N", path)


def _junk(kind: str, value: str) -> str:
    if kind == "hidden" and value:
        return value  # the CSRF token, a term's id: kept, so the post reaches the view
    if kind in ("checkbox", "radio"):
        return value or "on"
    if kind in ("submit", "button"):
        return value
    return f"{value}\x00x"


def _post_data(form) -> dict:
    data = {}
    for name, kind, value in form["fields"]:
        data.setdefault(name, _junk(kind, value))
    return data


def test_no_page_or_form_answers_500(client, coordinator, active_case, mediator):
    from cases import agreements
    from sessions.services import session_book
    from tests.factories import assign

    from .conftest import local

    # Something on every kind of page: a session, an agreement draft with a term, a volunteer
    # with a login (the mediator's), so that their pages are linked from the case.
    session_book(case=active_case, by=coordinator, kind="separate", mode="office",
                 starts_at=local(4, 10), ends_at=local(4, 11),
                 parties=list(active_case.parties.all()))  # fmt: skip
    draft = agreements.agreement_start(case=active_case, by=coordinator)
    agreements.term_add(agreement=draft, by=coordinator, who="Both", what="talk first")
    assign(active_case, mediator, role="trainee")

    client = verified_login(client, coordinator)
    queue, seen, posted = ["/", f"/cases/{active_case.reference}/"], set(), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue  # a download (PDFs: test_inert_content), a redirect or a refusal
        hostile = client.get(url, QUERY_STRING=HOSTILE_QUERY)
        assert hostile.status_code < 500, f"{url}?{HOSTILE_QUERY}"
        page = _Page()
        page.feed(response.content.decode())
        for href in page.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc or not target.path.startswith("/") or target.path.startswith(SKIP):
                continue
            if DOWNLOADS.search(target.path):
                continue
            queue.append(target.path)
        for form in page.forms:
            action = urlsplit(urljoin(url, form["action"] or url)).path
            if form["method"] != "post" or action.startswith(SKIP) or _shape(action) in posted:
                continue
            posted.add(_shape(action))
            response = client.post(action, _post_data(form))
            assert response.status_code < 500, f"POST {action}"
            client = verified_login(client, coordinator)  # in case the form logged us out
    assert len(seen) > 20 and len(posted) > 15, (len(seen), len(posted))
