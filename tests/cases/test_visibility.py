"""Rule 11 of DESIGN.md: a case out of the user's scope answers 404 at every one of its URLs.

The URLs are enumerated from ``cases.urls.urlpatterns`` (and the pairing page in
``volunteers.urls``): a new pattern with a ``reference`` fails
``test_it_knows_how_to_build_every_case_url`` until this file is told what its ``pk`` is and which
methods it accepts, so no case page can escape the matrix below.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Agreement, AgreementTerm, ContactLogEntry
from cases.urls import urlpatterns
from parties.models import Consent
from sessions.models import MediationSession
from sessions.urls import case_patterns as session_case_patterns
from tests.factories import ConsentFactory
from volunteers.urls import urlpatterns as volunteer_urlpatterns

pytestmark = pytest.mark.django_db

# What the ``pk`` of each case URL names (None: the URL has only the reference).
PARTY, CONSENT, OWN_DRAFT, SESSION = "party", "consent", "own draft", "session"
AGREEMENT, TERM, LETTER = "agreement", "agreement term", "letter"
CASE_FILE = "case file"
MANUAL_CONTACT = "call or letter to make"

# Every pattern with a reference: (kind of pk, methods the view answers).
CASE_URLS = {
    "detail": (None, ("GET",)),
    "edit": (None, ("GET", "POST")),
    "transition": (None, ("POST",)),
    "close": (None, ("GET", "POST")),
    "reopen": (None, ("GET", "POST")),
    "follow_up_done": (None, ("POST",)),
    "manual_contact_done": (MANUAL_CONTACT, ("POST",)),
    "log_add": (None, ("GET", "POST")),
    "log_edit": (OWN_DRAFT, ("GET", "POST")),
    "audit": (None, ("GET",)),
    "party_add": (None, ("GET", "POST")),
    "party_detail": (PARTY, ("GET",)),
    "party_edit": (PARTY, ("GET", "POST")),
    "consent_add": (PARTY, ("GET", "POST")),
    "consent_withdraw": (CONSENT, ("GET", "POST")),
    "assign": (None, ("GET", "POST")),
    "session_new": (None, ("GET", "POST")),
    "session_detail": (SESSION, ("GET",)),
    "session_reschedule": (SESSION, ("GET", "POST")),
    "session_cancel": (SESSION, ("POST",)),
    "session_outcome": (SESSION, ("GET", "POST")),
    "session_ics": (SESSION, ("GET",)),
    "agreements": (None, ("GET",)),
    "agreement_start": (None, ("POST",)),
    "agreement_detail": (AGREEMENT, ("GET", "POST")),
    "agreement_agree": (AGREEMENT, ("GET", "POST")),
    "agreement_signature": (AGREEMENT, ("POST",)),
    "agreement_pdf": (AGREEMENT, ("GET",)),
    "agreement_term": (TERM, ("POST",)),
    "letter_pdf": (LETTER, ("GET",)),
    "agreement_scan": (AGREEMENT, ("POST",)),
    "files_upload": (None, ("GET", "POST")),
    "file_download": (CASE_FILE, ("GET",)),
    "file_delete": (CASE_FILE, ("GET", "POST")),
}

# Patterns without a reference, tested on their own below.
OTHER_URLS = {"list", "new", "export"}


def _flattened(patterns, converters=frozenset(), namespace=None):
    """(namespace, name, converters) of every pattern, into those included (the sessions' case
    pages)."""
    for p in patterns:
        found = converters | set(p.pattern.converters)
        if hasattr(p, "url_patterns"):
            yield from _flattened(p.url_patterns, found, p.namespace or namespace)
        else:
            yield namespace, p.name, found


PATTERN_NAMES = [name for _, name, _ in _flattened(urlpatterns)] + [
    name for _, name, _ in _flattened(session_case_patterns)
]
# A case's pages, with the namespace of the URLconf that holds them: the cases app's, and the
# pairing page, which lives with the volunteers (the surveys' pages are tested with them).
NAMESPACES = {
    **{name: "cases" for _, name, found in _flattened(urlpatterns) if "reference" in found},
    # The sessions' pages under a case (wkm/urls.py puts them in the cases namespace).
    **{name: "cases" for _, name, _ in _flattened(session_case_patterns)},
    **{
        name: "volunteers"
        for _, name, found in _flattened(volunteer_urlpatterns)
        if "reference" in found
    },
}
CASE_PATTERN_NAMES = list(NAMESPACES)

# Every (pattern, method) pair a case URL answers: the rows of the matrix.
REQUESTS = [
    (name, method)
    for name in CASE_PATTERN_NAMES
    for method in CASE_URLS.get(name, (None, ("GET", "POST")))[1]
]

# What a coordinator gets (an empty POST: a form shown again, or a redirect back to the case).
COORDINATOR_GETS = {
    ("transition", "POST"): 302,
    # The case is open: reopening sends the coordinator back to it with a message.
    ("reopen", "GET"): 302,
    ("reopen", "POST"): 302,
    # The case is open (no follow-up to mark done): back to the case with a message.
    ("follow_up_done", "POST"): 302,
    # A call marked as made: back to the case with a message.
    ("manual_contact_done", "POST"): 302,
    # Cancelling answers with the session page and a message.
    ("session_cancel", "POST"): 302,
    # Opening a draft, agreeing, changing a term: back to the agreement with a message.
    ("agreement_start", "POST"): 302,
    ("agreement_detail", "POST"): 302,
    ("agreement_agree", "POST"): 302,
    ("agreement_term", "POST"): 302,
    # The agreement is a draft: back to it, with why it cannot take a signed copy.
    ("agreement_scan", "POST"): 302,
}

# What the mediator assigned to the case gets: they record, coordinators manage.
ASSIGNED_MEDIATOR_GETS = {
    ("detail", "GET"): 200,
    ("edit", "GET"): 403,
    ("edit", "POST"): 403,
    ("transition", "POST"): 403,
    ("close", "GET"): 403,
    ("close", "POST"): 403,
    ("reopen", "GET"): 403,
    ("reopen", "POST"): 403,
    ("follow_up_done", "POST"): 403,
    # Calls and letters in place of messages are the office's, not the mediators'.
    ("manual_contact_done", "POST"): 403,
    ("log_add", "GET"): 200,
    ("log_add", "POST"): 200,
    ("log_edit", "GET"): 200,
    ("log_edit", "POST"): 200,
    ("audit", "GET"): 403,
    ("party_add", "GET"): 403,
    ("party_add", "POST"): 403,
    ("party_detail", "GET"): 200,
    ("party_edit", "GET"): 200,
    ("party_edit", "POST"): 200,
    ("consent_add", "GET"): 200,
    ("consent_add", "POST"): 200,
    ("consent_withdraw", "GET"): 200,
    ("consent_withdraw", "POST"): 200,
    ("assign", "GET"): 403,
    ("assign", "POST"): 403,
    ("session_new", "GET"): 403,
    ("session_new", "POST"): 403,
    ("session_detail", "GET"): 200,
    ("session_reschedule", "GET"): 403,
    ("session_reschedule", "POST"): 403,
    ("session_cancel", "POST"): 403,
    ("session_outcome", "GET"): 200,
    ("session_outcome", "POST"): 200,
    ("session_ics", "GET"): 200,
    ("agreements", "GET"): 200,
    ("agreement_start", "POST"): 302,
    ("agreement_detail", "GET"): 200,
    ("agreement_detail", "POST"): 302,
    ("agreement_agree", "GET"): 200,
    ("agreement_agree", "POST"): 302,
    ("agreement_signature", "POST"): 200,
    ("agreement_pdf", "GET"): 200,
    ("agreement_term", "POST"): 302,
    ("letter_pdf", "GET"): 200,
    # Files: they add them, download them, and delete what they uploaded (another's file, as
    # here, is refused before its form: 403); an empty form comes back with what is missing,
    # and a draft agreement refuses a signed copy (back to it, with why).
    ("agreement_scan", "POST"): 302,
    ("files_upload", "GET"): 200,
    ("files_upload", "POST"): 200,
    ("file_download", "GET"): 200,
    ("file_delete", "GET"): 403,
    ("file_delete", "POST"): 403,
}

OUT_OF_SCOPE = ["other_mediator", "ended_mediator", "no_role_user", "supervisor", "administrator"]


def case_url(name, case, user=None):
    """The URL ``name`` for ``case``, with a ``pk`` of the right kind (created if need be)."""
    kind, _methods = CASE_URLS[name]
    kwargs = {"reference": case.reference}
    if kind == PARTY:
        kwargs["pk"] = case.parties.order_by("id").first().pk
    elif kind == CONSENT:
        party = case.parties.order_by("id").first()
        consent = Consent.objects.filter(party=party, withdrawn_at__isnull=True).first()
        kwargs["pk"] = (consent or ConsentFactory(party=party)).pk
    elif kind == OWN_DRAFT:
        author = user if user is not None and user.is_authenticated else None
        draft = ContactLogEntry.objects.create(
            case=case,
            text="Left a voicemail; will try again on Friday.",
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            is_draft=True,
            author=author,
        )
        kwargs["pk"] = draft.pk
    elif kind == SESSION:
        start = timezone.now() + datetime.timedelta(days=3)
        session = MediationSession.objects.create(
            case=case,
            kind="separate",
            mode="office",
            venue="WKM office",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )
        session.mediators.set([a.volunteer for a in case.assignments.all()])
        session.parties.set(case.parties.all())
        kwargs["pk"] = session.pk
    elif kind in (AGREEMENT, TERM):
        agreement = case.agreements.first() or Agreement.objects.create(case=case, version=1)
        if kind == AGREEMENT:
            kwargs["pk"] = agreement.pk
        else:
            term = agreement.terms.first() or AgreementTerm.objects.create(
                agreement=agreement, position=1, who="Mr Dunn", what="trim the hedge"
            )
            kwargs["pk"] = term.pk
    elif kind == LETTER:
        kwargs["pk"] = case.parties.order_by("id").first().pk
        kwargs["kind"] = "invitation"
    elif kind == MANUAL_CONTACT:
        from notifications.models import ManualContact

        party = case.parties.order_by("id").first()
        task = ManualContact.objects.create(
            case=case,
            party=party,
            kind="session_reminder",
            method="phone",
            due_at=timezone.now() + datetime.timedelta(days=1),
            dedupe_key=f"test:{case.pk}:{ManualContact.objects.count()}",
        )
        kwargs["pk"] = task.pk
    elif kind == CASE_FILE:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from documents.case_files import files_add

        (case_file,) = files_add(
            case=case, by=None, kind="correspondence", description="A letter",
            uploads=[SimpleUploadedFile("letter.txt", b"Dear WKM, about the hedge.\n")],
        )  # fmt: skip
        kwargs["pk"] = case_file.pk
    else:
        assert kind is None, f"unknown pk kind {kind!r} for {name}"
    return reverse(f"{NAMESPACES[name]}:{name}", kwargs=kwargs)


def send(client, method, url):
    response = client.get(url) if method == "GET" else client.post(url, {})
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a download: read, which closes its file
    return response


def user_out_of_scope(request, role):
    """A user who may not see ``case`` (the mediator once their assignment has ended)."""
    if role != "ended_mediator":
        return request.getfixturevalue(role)
    request.getfixturevalue("my_case").assignments.update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    return request.getfixturevalue("mediator")


def test_it_knows_how_to_build_every_case_url():
    assert set(CASE_PATTERN_NAMES) == set(CASE_URLS)
    assert set(PATTERN_NAMES) - set(CASE_PATTERN_NAMES) == OTHER_URLS

    assert len(PATTERN_NAMES) == len(set(PATTERN_NAMES)), "pattern names must be unique"


def test_it_expects_something_of_every_case_request():
    assert set(ASSIGNED_MEDIATOR_GETS) == set(REQUESTS)


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_it_answers_404_to_anyone_out_of_scope(request, login, case, role, name, method):
    user = user_out_of_scope(request, role)
    client = login(user)
    url = case_url(name, case, user)

    response = send(client, method, url)

    assert response.status_code == 404
    html = response.content.decode()
    for party in case.parties.all():
        assert party.full_name not in html


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_it_answers_404_as_it_would_for_a_case_that_does_not_exist(
    login, case, other_mediator, name, method
):
    client = login(other_mediator)
    url = case_url(name, case, other_mediator)
    missing = url.replace(case.reference, "WKM-2026-9999")

    hidden, absent = send(client, method, url), send(client, method, missing)

    assert hidden.status_code == absent.status_code == 404
    assert hidden.content == absent.content


POST_ONLY = [name for name, (_kind, methods) in CASE_URLS.items() if "GET" not in methods]


@pytest.mark.parametrize("name", POST_ONLY)
def test_it_refuses_get_on_post_only_urls_without_revealing_the_case(
    login, case, other_mediator, name
):
    client = login(other_mediator)
    url = case_url(name, case, other_mediator)

    hidden = client.get(url)
    absent = client.get(url.replace(case.reference, "WKM-2026-9999"))

    assert hidden.status_code == absent.status_code == 405


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_it_sends_anonymous_visitors_to_the_login_page(client, case, name, method):
    url = case_url(name, case)

    response = send(client, method, url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_it_lets_a_coordinator_reach_every_case_url(login, case, coordinator, name, method):
    client = login(coordinator)
    url = case_url(name, case, coordinator)

    response = send(client, method, url)

    assert response.status_code == COORDINATOR_GETS.get((name, method), 200)


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_it_lets_the_assigned_mediator_record_but_not_manage(
    login, my_case, mediator, name, method
):
    client = login(mediator)
    url = case_url(name, my_case, mediator)

    response = send(client, method, url)

    assert response.status_code == ASSIGNED_MEDIATOR_GETS[(name, method)]


def test_it_hides_a_mediators_ended_assignment_on_the_next_request(login, my_case, mediator):
    client = login(mediator)
    url = case_url("detail", my_case)
    assert client.get(url).status_code == 200

    my_case.assignments.update(ended_on=timezone.localdate())

    assert client.get(url).status_code == 404


def test_it_leaves_other_cases_out_of_a_mediators_list(login, case, other_mediator):
    client = login(other_mediator)

    response = client.get(reverse("cases:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "0 cases" in html
    assert case.reference not in html
    for party in case.parties.all():
        assert party.full_name not in html


def test_it_finds_nothing_when_a_mediator_searches_for_a_party_of_another_case(
    login, case, other_mediator
):
    client = login(other_mediator)

    response = client.get(reverse("cases:list"), {"q": "Alice Carter"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "0 cases" in html
    assert case.reference not in html
    assert "Bob Dunn" not in html


def test_it_finds_the_case_when_its_mediator_searches_for_a_party(login, my_case, mediator):
    client = login(mediator)

    response = client.get(reverse("cases:list"), {"q": "Alice Carter"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 case<" in html
    assert my_case.reference in html


@pytest.mark.parametrize(
    ("cast", "status"),
    [
        ("mediator", 403),
        ("other_mediator", 403),
        ("supervisor", 403),
        ("administrator", 403),
        ("no_role_user", 403),
        ("coordinator", 200),
    ],
)
def test_it_lets_only_coordinators_log_a_new_referral(login, request, cast, status):
    client = login(request.getfixturevalue(cast))

    assert client.get(reverse("cases:new")).status_code == status


@pytest.mark.parametrize("name", sorted(OTHER_URLS))
def test_it_sends_anonymous_visitors_from_the_list_and_intake_to_the_login_page(client, name):
    url = reverse(f"cases:{name}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
