"""Hostile content is inert: markup typed into a party's name, a note, a session's venue or an
agreement's terms is shown as text on every page and printed as text in every PDF; the PDF
renderer fetches nothing but our own static files; and what one document may cost is bounded."""

import io
import socket
import time

import pytest
from django.utils.html import escape
from pypdf import PdfReader

from audit.models import AuditEvent
from cases import agreements
from cases.agreement_forms import MAX_INTRODUCTION_CHARS, MAX_TERM_CHARS
from cases.models import AgreementTerm
from cases.services import log_entry_add
from documents import rendering
from documents.models import GeneratedDocument
from documents.rendering import BASE_URL, STATIC_PREFIX, DocumentTooLarge, StaticOnlyFetcher
from sessions.services import session_book

from .checks import assert_refused_clearly, counts
from .conftest import local
from .strategies import IMG, SCRIPT

pytestmark = pytest.mark.django_db

NAME = f"Eve {SCRIPT} {IMG}"
NOTE = f"Said {SCRIPT} and {IMG} on the phone"
VENUE = f"Room {IMG} {SCRIPT}"
WHO = f"Mr {SCRIPT}"
WHAT = f"keep {IMG} quiet"
INTRO = f"We want {SCRIPT} peace"
RAW = (SCRIPT, IMG)


@pytest.fixture
def hostile(active_case, coordinator):
    """``active_case`` with markup in a party's name, a note, a session's venue and an
    agreement's introduction and term."""
    case = active_case
    party = case.parties.order_by("id").first()
    party.full_name = NAME
    party.address_line1 = f"1 {IMG} Road"
    party.save()
    log_entry_add(case=case, by=coordinator, kind="call", text=NOTE, party=party,
                  occurred_at=local(-1))  # fmt: skip
    session = session_book(case=case, by=coordinator, kind="separate", mode="neutral_venue",
                           venue=VENUE, starts_at=local(5, 10), ends_at=local(5, 11),
                           parties=list(case.parties.all()))  # fmt: skip
    draft = agreements.agreement_start(case=case, by=coordinator)
    agreements.agreement_update(agreement=draft, by=coordinator, introduction=INTRO, review_on=None)
    agreements.term_add(agreement=draft, by=coordinator, who=WHO, what=WHAT, by_when="tonight")
    return {"case": case, "party": party, "session": session, "agreement": draft}


def pages(h) -> dict[str, tuple[str, ...]]:
    """Each page that shows hostile text, and the texts it shows."""
    ref, party, session, agreement = (
        h["case"].reference,
        h["party"].pk,
        h["session"].pk,
        h["agreement"].pk,
    )
    return {
        "/cases/": (NAME,),
        f"/cases/?q={ref}": (NAME,),
        f"/cases/{ref}/": (NAME, NOTE),
        f"/cases/{ref}/parties/{party}/": (NAME, NOTE),
        f"/cases/{ref}/parties/{party}/edit/": (NAME,),
        f"/cases/{ref}/parties/{party}/consent/": (NAME,),
        f"/cases/{ref}/log/": (NAME,),
        f"/cases/{ref}/sessions/new/": (NAME,),
        f"/cases/{ref}/sessions/{session}/": (VENUE, NAME),
        f"/cases/{ref}/sessions/{session}/reschedule/": (VENUE,),
        f"/cases/{ref}/agreements/": (),
        f"/cases/{ref}/agreements/{agreement}/": (WHO, WHAT, INTRO),
        f"/cases/{ref}/close/": (),
        f"/cases/{ref}/audit/": (),
        "/": (),
    }


def test_markup_is_escaped_on_every_page_that_shows_it(staff, hostile):
    for url, shown in pages(hostile).items():
        response = staff.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, f"{url} carries raw {raw!r}"
        for text in shown:
            assert escape(text) in html, f"{url} does not show {text!r} escaped"


def test_markup_in_the_timeline_is_escaped_for_the_cases_mediator(client, hostile, mediator):
    from tests.factories import assign

    from .conftest import verified_login

    assign(hostile["case"], mediator, role="co_mediator")
    client = verified_login(client, mediator)
    for url in (f"/cases/{hostile['case'].reference}/", "/"):
        html = client.get(url).content.decode()
        assert SCRIPT not in html and IMG not in html


def test_the_ics_file_carries_the_venue_as_text(staff, hostile):
    ref, session = hostile["case"].reference, hostile["session"].pk
    response = staff.get(f"/cases/{ref}/sessions/{session}/ics/")

    assert response.status_code == 200
    text = response.content.decode().replace("\r\n ", "")  # unfold iCalendar lines
    assert "file:///etc/passwd" in text and "&lt;" not in text  # text, not HTML


# --- PDFs -------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def flat(text: str) -> str:
    return " ".join(text.split())


def test_markup_is_printed_literally_in_the_agreement(staff, hostile):
    ref, agreement = hostile["case"].reference, hostile["agreement"].pk

    response = staff.get(f"/cases/{ref}/agreements/{agreement}/pdf/")

    assert response.status_code == 200
    text = pdf_text(response.content)
    for literal in (NAME, WHO, WHAT, INTRO):
        assert flat(literal) in text, literal
    assert "&lt;" not in text and "root:" not in text


@pytest.mark.parametrize("kind", ["invitation", "outcome"])
def test_markup_is_printed_literally_in_letters(staff, hostile, kind):
    case, party = hostile["case"], hostile["party"]
    if kind == "outcome":
        case.status, case.outcome, case.closed_on = "closed", "withdrawn", local(0).date()
        case.save()

    response = staff.get(f"/cases/{case.reference}/parties/{party.pk}/letters/{kind}.pdf")

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert flat(NAME) in text and flat(f"1 {IMG} Road") in text
    assert "&lt;" not in text and "root:" not in text


def test_the_renderer_fetches_only_static_files(hostile, coordinator, monkeypatch):
    from documents.services import agreement_document, letter_document

    fetched = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    agreement_document(agreement=hostile["agreement"], by=coordinator)
    letter_document(case=hostile["case"], party=hostile["party"], kind="invitation", by=coordinator)

    assert fetched
    assert all(url.startswith(STATIC_PREFIX) for url in fetched), fetched


REFUSED = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file://localhost/etc/passwd",
    "http://127.0.0.1:9/x.css",
    "https://example.org/static/documents/print.css",
    "https://documents.wkm.invalid.example.org/static/documents/print.css",
    "https://documents.wkm.invalid@example.org/static/documents/print.css",
    "ftp://example.org/x",
    "data:text/plain;base64,aGVsbG8=",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
    "javascript:alert(1)",
    "/etc/passwd",
    "etc/passwd",
    "static/documents/print.css",  # relative: not resolved against our base
    "../static/documents/print.css",
    f"{BASE_URL}etc/passwd",
    f"{BASE_URL}wkm/settings.py",
    f"{BASE_URL}media/x.pdf",
    f"{STATIC_PREFIX}",
    f"{STATIC_PREFIX}../../etc/passwd",
    f"{STATIC_PREFIX}documents/../../../wkm/settings.py",
    f"{STATIC_PREFIX}%2e%2e/%2e%2e/wkm/settings.py",
    f"{STATIC_PREFIX}/etc/passwd",
    f"{STATIC_PREFIX}//etc/passwd",
    f"{STATIC_PREFIX}documents\\..\\..\\wkm\\settings.py",
    f"{STATIC_PREFIX}no-such-file.css",
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_our_static_files():
    response = StaticOnlyFetcher().fetch(f"{STATIC_PREFIX}documents/print.css")

    assert b"@font-face" in response.read()


def test_markup_that_reached_the_html_still_loads_nothing(monkeypatch):
    """Even unescaped (say, a template's mistake), an image or stylesheet pointing at a file,
    the network or a data: URL is not loaded: the document has no images at all."""
    from weasyprint import HTML

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<img src="file:///etc/passwd"><img src="/static/../../etc/passwd">'
        '<img src="https://example.org/x.png">'
        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4'
        '2mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">'
        "<p>text</p>"
    )

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()

    reader = PdfReader(io.BytesIO(pdf))
    resources = reader.pages[0].get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    assert "text" in reader.pages[0].extract_text()


# --- Bounds on what a document may cost --------------------------------------------------------


def test_an_over_long_term_or_introduction_is_refused_on_the_form(staff, hostile):
    ref, agreement = hostile["case"].reference, hostile["agreement"].pk
    url = f"/cases/{ref}/agreements/{agreement}/"
    before = counts([AgreementTerm, AuditEvent])

    response = staff.post(
        url,
        {"introduction": INTRO, "action": "add_term", "term-who": "Mr Fowler",
         "term-what": "x" * (MAX_TERM_CHARS + 1)},
    )  # fmt: skip
    assert response.status_code == 200
    assert f"at most {MAX_TERM_CHARS} characters" in " ".join(assert_refused_clearly(response))

    response = staff.post(url, {"introduction": "x" * (MAX_INTRODUCTION_CHARS + 1)})
    assert response.status_code == 200
    messages = assert_refused_clearly(response)
    assert f"at most {MAX_INTRODUCTION_CHARS} characters" in " ".join(messages)

    assert counts([AgreementTerm, AuditEvent]) == before
    hostile["agreement"].refresh_from_db()
    assert hostile["agreement"].introduction == INTRO  # nothing already saved is lost


def test_an_agreement_has_at_most_max_terms(staff, hostile, coordinator):
    draft = hostile["agreement"]
    for number in range(agreements.MAX_TERMS - draft.terms.count()):
        agreements.term_add(agreement=draft, by=coordinator, who="Both", what=f"term {number}")

    response = staff.post(
        f"/cases/{hostile['case'].reference}/agreements/{draft.pk}/",
        {
            "introduction": draft.introduction,
            "action": "add_term",
            "term-who": "Both",
            "term-what": "one more",
        },  # fmt: skip
    )

    assert response.status_code == 200
    assert f"at most {agreements.MAX_TERMS} terms" in " ".join(assert_refused_clearly(response))
    assert draft.terms.count() == agreements.MAX_TERMS


def test_a_document_over_the_page_limit_is_refused_with_a_message(staff, hostile, monkeypatch):
    """The limit is checked after layout and before the PDF is written; the page says why."""
    draft, ref = hostile["agreement"], hostile["case"].reference
    for number in range(30):
        AgreementTerm.objects.create(agreement=draft, position=number + 2, who="Both",
                                     what="keep the peace " * 20)  # fmt: skip
    monkeypatch.setattr(rendering, "MAX_PAGES", 1)

    response = staff.get(f"/cases/{ref}/agreements/{draft.pk}/pdf/", follow=True)

    assert response.redirect_chain[-1][0] == f"/cases/{ref}/agreements/{draft.pk}/"
    html = response.content.decode()
    assert "pages; the most we print is 1" in html
    assert not GeneratedDocument.objects.filter(agreement=draft).exists()


def test_html_over_the_size_limit_is_refused_before_any_layout(hostile, monkeypatch):
    from documents.services import agreement_document

    def no_layout(*args, **kwargs):
        raise AssertionError("laid out a document that was already too long")

    monkeypatch.setattr(rendering, "MAX_HTML_CHARS", 1000)
    monkeypatch.setattr(rendering, "HTML", no_layout)

    with pytest.raises(DocumentTooLarge, match="too long to print"):
        agreement_document(agreement=hostile["agreement"], by=None)


def test_a_letter_over_the_limit_is_refused_with_a_message(staff, hostile, monkeypatch):
    case, party = hostile["case"], hostile["party"]
    monkeypatch.setattr(rendering, "MAX_HTML_CHARS", 1000)

    response = staff.get(
        f"/cases/{case.reference}/parties/{party.pk}/letters/invitation.pdf", follow=True
    )

    assert response.status_code == 200
    assert "too long to print" in response.content.decode()


def test_the_largest_agreement_the_forms_allow_prints_within_the_limits(hostile, coordinator):
    """Every text at its longest, as many terms as allowed: under the page limit, in seconds."""
    from documents.services import agreement_document

    draft, case = hostile["agreement"], hostile["case"]
    case.parties.update(full_name="W" * 200)
    agreements.agreement_update(
        agreement=draft, by=coordinator, introduction="word " * (MAX_INTRODUCTION_CHARS // 5),
        review_on=None,
    )  # fmt: skip
    AgreementTerm.objects.filter(agreement=draft).delete()
    AgreementTerm.objects.bulk_create(
        AgreementTerm(
            agreement=draft,
            position=n,
            who="w" * 200,
            by_when="b" * 200,
            what="word " * (MAX_TERM_CHARS // 5),
        )  # fmt: skip
        for n in range(1, agreements.MAX_TERMS + 1)
    )

    started = time.perf_counter()
    document = agreement_document(agreement=draft, by=coordinator)
    elapsed = time.perf_counter() - started

    with document.file.open("rb") as file:
        pages = len(PdfReader(file).pages)
    assert pages <= rendering.MAX_PAGES
    assert elapsed < 15, f"{elapsed:.1f} s for {pages} pages"


# --- Texts and emails -------------------------------------------------------------------------


def test_text_messages_and_emails_carry_the_words_as_typed(active_case, coordinator):
    """Plain text is not HTML: a name with an apostrophe and a venue with "&" and markup are
    sent as typed in texts and plain-text emails, and escaped only in the HTML part."""
    from notifications.messages import render_message
    from notifications.models import OutboxMessage

    party = active_case.parties.order_by("id").first()
    party.full_name = "Siobhán O'Brien"
    party.save()
    venue = f"Smith & Sons Hall, O'Brien's Lane {IMG}"
    session = session_book(case=active_case, by=coordinator, kind="separate",
                           mode="neutral_venue", venue=venue, starts_at=local(6, 10),
                           ends_at=local(6, 11), parties=[party])  # fmt: skip

    for channel in ("sms", "email"):
        reminder = OutboxMessage(kind="session_reminder", channel=channel, session=session,
                            party=party, address="x", due_at=local(5), context={})  # fmt: skip
        message = render_message(reminder)
        assert venue in message.text, message.text
        assert "&amp;" not in message.text + message.subject
        assert "&#x27;" not in message.text + message.subject
        if channel == "email":
            assert "Siobhán" in message.text
            assert IMG not in message.html and escape(venue) in message.html


def test_the_running_header_prints_the_service_name_as_written(hostile, coordinator, settings):
    """The header is a CSS string inside <style>, where HTML escapes are not decoded."""
    from documents.services import letter_document

    settings.SERVICE_NAME = 'St John\'s & Mediation <Kent> "Trust"'
    document = letter_document(case=hostile["case"], party=hostile["party"], kind="invitation",
                               by=coordinator)  # fmt: skip

    with document.file.open("rb") as file:
        first_page = PdfReader(file).pages[0].extract_text()
    assert first_page.count(settings.SERVICE_NAME) >= 2  # the running header and the letterhead
    assert "&amp;" not in first_page and "&#x27;" not in first_page
