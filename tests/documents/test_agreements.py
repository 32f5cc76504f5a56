"""Agreements: versions, rule 7, signatures, and the confidential PDF (issue: agreements)."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from cases import agreements as services
from cases.models import Agreement
from documents.models import GeneratedDocument
from parties.models import Consent
from tests.factories import ConsentFactory, assign, consent_all

pytestmark = pytest.mark.django_db

TERMS = [
    ("Mr Fowler", "keep music below a normal speaking level after 10pm", "from tonight"),
    ("Mr Sandhu", "put the bins out only on collection day", "every Tuesday"),
    ("Both", "knock and talk before complaining to the landlord", "from now on"),
]


@pytest.fixture
def case(coordinator, mediator_active_case):
    """Overrides the root ``case``: agreements are for the root ``mediator_active_case``."""
    return mediator_active_case


def draft_with_terms(case, by, terms=TERMS):
    draft = services.agreement_start(case=case, by=by)
    services.agreement_update(
        agreement=draft, by=by, introduction="We want to live peaceably.", review_on=None
    )
    for who, what, when in terms:
        services.term_add(agreement=draft, by=by, who=who, what=what, by_when=when)
    return draft


def pdf_pages(source) -> list[str]:
    """The text of each page of a download response or a stored document."""
    if hasattr(source, "content"):
        data = source.content
    else:
        with source.file.open("rb") as file:
            data = file.read()
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_rule_7_an_agreement_is_not_agreed_while_consent_is_missing(case, coordinator):
    draft = draft_with_terms(case, coordinator)
    bob = case.parties.get(full_name="Bob Dunn")
    Consent.objects.filter(party=bob, kind="mediate").update(withdrawn_at=timezone.now())

    with pytest.raises(ValidationError, match="cannot be agreed while consent is missing"):
        services.agreement_mark_agreed(agreement=draft, by=coordinator)

    ConsentFactory(party=bob, kind="mediate")
    assert services.agreement_mark_agreed(agreement=draft, by=coordinator).status == "agreed"


def test_it_versions_agreements_and_supersedes_the_old_one(case, coordinator):
    first = draft_with_terms(case, coordinator)
    services.agreement_mark_agreed(agreement=first, by=coordinator)

    with pytest.raises(ValidationError, match="revise it"):
        services.term_add(agreement=first, by=coordinator, who="x", what="y")
    second = services.agreement_start(case=case, by=coordinator)
    assert second.version == 2
    assert [t.what for t in second.terms.all()] == [t[1] for t in TERMS]
    services.agreement_mark_agreed(agreement=second, by=coordinator)

    first.refresh_from_db()
    assert first.status == Agreement.Status.SUPERSEDED
    assert [t.who for t in first.terms.all()] == [t[0] for t in TERMS]  # still readable


def test_it_becomes_signed_when_every_party_has_signed_or_agreed_verbally(case, coordinator):
    agreement = draft_with_terms(case, coordinator)
    services.agreement_mark_agreed(agreement=agreement, by=coordinator)
    alice, bob = case.parties.order_by("id")
    today = timezone.localdate()

    services.signature_record(agreement=agreement, by=coordinator, party=alice, signed_on=today)
    agreement.refresh_from_db()
    assert agreement.status == "agreed"
    services.signature_record(
        agreement=agreement, by=coordinator, party=bob, signed_on=today, verbal=True
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"


def test_terms_can_be_reordered_and_removed_in_a_draft(case, coordinator):
    draft = draft_with_terms(case, coordinator)
    first, second, third = draft.terms.all()

    services.term_move(term=third, by=coordinator, up=True)
    services.term_delete(term=first, by=coordinator)

    assert [(t.position, t.who) for t in draft.terms.all()] == [(1, "Both"), (2, "Mr Sandhu")]


def test_the_pdf_is_marked_confidential_on_every_page_with_every_term(case, coordinator, login):
    many = TERMS * 12  # enough for more than one page
    draft = draft_with_terms(case, coordinator, terms=many)
    response = login(coordinator).get(f"/cases/{case.reference}/agreements/{draft.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert f'filename="{case.reference}-agreement-v1.pdf"' in disposition
    assert disposition.startswith("attachment")
    pages = pdf_pages(response)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "CONFIDENTIAL" in text and "WITHOUT PREJUDICE" in text
        assert "DRAFT" in text
        assert f"Page {number} of {len(pages)}" in text
        assert case.reference in text
    everything = " ".join(" ".join(pages).split())
    for _who, what, _when in TERMS:
        assert what in everything
    assert "Alice Carter" in everything and "Bob Dunn" in everything


def test_only_drafts_say_draft(case, coordinator):
    from documents.services import agreement_document

    draft = draft_with_terms(case, coordinator)
    agreed = services.agreement_mark_agreed(agreement=draft, by=coordinator)

    document = agreement_document(agreement=agreed, by=coordinator)

    text = " ".join(pdf_pages(document))
    assert "DRAFT" not in text and "Mr Fowler" in text


def test_re_rendering_a_version_gives_the_same_document(case, coordinator):
    from documents.services import agreement_document

    agreement = draft_with_terms(case, coordinator)
    services.agreement_mark_agreed(agreement=agreement, by=coordinator)

    first = agreement_document(agreement=agreement, by=coordinator)
    second = agreement_document(agreement=agreement, by=coordinator)

    assert first.pk == second.pk
    assert first.sha256 == second.sha256 and len(first.sha256) == 64
    assert GeneratedDocument.objects.filter(agreement=agreement).count() == 1
    assert first.agreement_version == 1


def test_rule_10_contact_details_appear_only_with_consent_to_share(case, coordinator):
    from documents.services import agreement_document
    from parties.validators import display_phone

    alice, bob = case.parties.order_by("id")
    bob.phone = "+441622987654"  # a number of his own, so its absence means something
    bob.save()
    ConsentFactory(party=alice, kind="share_details")
    agreement = draft_with_terms(case, coordinator)

    text = " ".join(pdf_pages(agreement_document(agreement=agreement, by=coordinator)))

    assert alice.email in text and display_phone(alice.phone) in text
    assert bob.email not in text
    assert bob.phone not in text and display_phone(bob.phone) not in text


def test_hostile_text_is_printed_not_run(case, coordinator):
    from documents.services import agreement_document

    hostile = [("<script>alert(1)</script>", '<img src="file:///etc/passwd">', "")]
    agreement = draft_with_terms(case, coordinator, terms=hostile)

    text = " ".join(pdf_pages(agreement_document(agreement=agreement, by=coordinator)))

    assert "<script>alert(1)</script>" in text
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text


def test_the_download_is_audited_and_hidden_from_other_mediators(
    case, coordinator, other_mediator, login
):
    from tests.factories import CaseFactory

    draft = draft_with_terms(case, coordinator)
    url = f"/cases/{case.reference}/agreements/{draft.pk}/pdf/"
    assign(CaseFactory(), other_mediator)  # a mediator, of another case

    assert login(other_mediator).get(url).status_code == 404
    response = login(coordinator).get(url)
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="download", case_reference=case.reference)
    assert event.object_type == "documents.generateddocument"
    assert event.actor == coordinator


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by .ci/run")
def test_the_pdf_passes_qpdf_check(case, coordinator, tmp_path):
    from documents.services import agreement_document

    document = agreement_document(agreement=draft_with_terms(case, coordinator), by=coordinator)
    path = tmp_path / "agreement.pdf"
    with document.file.open("rb") as file:
        path.write_bytes(file.read())

    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_the_fonts_are_embedded(case, coordinator):
    from documents.services import agreement_document

    document = agreement_document(agreement=draft_with_terms(case, coordinator), by=coordinator)
    with document.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))

    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [
        f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for f in fonts.values()
    ]
    assert all("/FontFile2" in d or "/FontFile3" in d for d in descriptors)
    assert any("Source-Sans-3" in d["/FontName"] for d in descriptors)


def test_it_drafts_through_the_pages_as_the_cases_mediator(case, mediator, login):
    client = login(mediator)
    url = f"/cases/{case.reference}/agreements/"

    client.post(f"{url}new/")
    draft = case.agreements.get()
    client.post(
        f"{url}{draft.pk}/",
        {"action": "add_term", "term-who": "Mr Fowler", "term-what": "stop the music"},
    )
    refused = client.post(f"{url}{draft.pk}/", {"action": "add_term", "term-who": ""})
    assert "Will do what — This field is required." in refused.content.decode()
    for party in case.parties.all():
        consent_all(party) if not party.consents.exists() else None
    confirm = client.get(f"{url}{draft.pk}/agree/").content.decode()
    assert "Has every party agreed to these terms?" in confirm
    assert "can no longer be changed" in confirm and "will stop the music" in confirm
    draft.refresh_from_db()
    assert draft.status == "draft"  # looking at the question changes nothing
    response = client.post(f"{url}{draft.pk}/agree/", follow=True)

    assert "is agreed by every party" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "agreed" and [t.what for t in draft.terms.all()] == ["stop the music"]


def test_adding_a_term_keeps_the_introduction_and_date_typed_above_it(case, mediator, login):
    client = login(mediator)
    client.post(f"/cases/{case.reference}/agreements/new/")
    draft = case.agreements.get()
    review = timezone.localdate() + datetime.timedelta(days=90)

    client.post(
        draft.get_absolute_url(),
        {"introduction": "We want to be good neighbours.", "review_on": f"{review:%Y-%m-%d}",
         "action": "add_term", "term-who": "Both", "term-what": "Talk before a party"},
    )  # fmt: skip

    draft.refresh_from_db()
    assert (draft.introduction, draft.review_on) == ("We want to be good neighbours.", review)
    assert [t.what for t in draft.terms.all()] == ["Talk before a party"]
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "<strong>Both</strong> will talk before a party." in page  # no capital mid-sentence


def test_a_bad_term_keeps_the_introduction_typed_and_saves_nothing(case, mediator, login):
    client = login(mediator)
    client.post(f"/cases/{case.reference}/agreements/new/")
    draft = case.agreements.get()

    response = client.post(
        draft.get_absolute_url(),
        {"introduction": "Typed but not yet saved", "action": "add_term", "term-who": "Both"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and "Typed but not yet saved" in html
    assert 'value="Both"' in html and 'href="#id_term-what"' in html
    draft.refresh_from_db()
    assert draft.introduction == "" and not draft.terms.exists()


def test_saving_the_draft_also_adds_a_term_typed_below(case, mediator, login):
    client = login(mediator)
    client.post(f"/cases/{case.reference}/agreements/new/")
    draft = case.agreements.get()

    client.post(
        draft.get_absolute_url(),
        {"introduction": "Hello", "action": "save", "term-who": "Ann", "term-what": "wave"},
    )

    assert [t.who for t in draft.terms.all()] == ["Ann"]


def test_the_pdf_page_runs_the_same_queries_however_many_parties_sign(
    case, coordinator, login, django_assert_num_queries
):
    """Each party's consents decide whether their details are shown (rule 10): read once for
    all of them, not once per party (83 queries for a five-party agreement before)."""
    from tests.factories import PartyFactory

    client = login(coordinator)
    draft = draft_with_terms(case, coordinator)
    url = f"/cases/{case.reference}/agreements/{draft.pk}/pdf/"
    client.get(url)
    with CaptureQueriesContext(connection) as two_parties:
        assert client.get(url).status_code == 200
    queries = len(two_parties)  # now: the log it reads is cleared by the next request
    assert queries <= 12
    for n in range(3):
        party = PartyFactory(case=case, full_name=f"Party {n}", role="other_party")
        ConsentFactory(party=party, kind=Consent.Kind.SHARE_DETAILS)
    client.get(url)  # stores the new version of the document, as the first request did

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert "Party 2" in " ".join(pdf_pages(response))


def test_phone_numbers_print_in_their_national_form(case, coordinator):
    from documents.services import agreement_document

    alice = case.parties.get(full_name="Alice Carter")
    alice.phone = "+441732123456"
    alice.save()
    ConsentFactory(party=alice, kind="share_details")

    text = " ".join(
        pdf_pages(agreement_document(agreement=draft_with_terms(case, coordinator), by=coordinator))
    )

    assert "01732 123456" in text
    assert "+44" not in text


@pytest.mark.parametrize(
    "typed, printed",
    [
        ("turn the music down after 10pm", "turn the music down after 10pm"),
        # Typed as a sentence (a phone keyboard capitalises it): no capital mid-sentence.
        ("Turn the music down after 10pm", "turn the music down after 10pm"),
        # Kept: an acronym, "I", a name with capitals inside.
        ("BBC licence to be shared", "BBC licence to be shared"),
        ("McDonald's bins go out on Monday", "McDonald's bins go out on Monday"),
    ],
)
def test_terms_read_on_after_will_as_typed(case, coordinator, typed, printed):
    """A term reads as the mediator typed it, except the capital a sentence would start with
    ("Daniel Okoro will Turn music down" read wrong); the page says the same."""
    from documents.services import agreement_document

    agreement = draft_with_terms(case, coordinator, terms=[("Daniel Okoro", typed, "")])

    text = " ".join(
        " ".join(pdf_pages(agreement_document(agreement=agreement, by=coordinator))).split()
    )

    assert f"Daniel Okoro will {printed}." in text


def test_the_signature_blocks_stay_on_one_page_with_their_heading(case, coordinator):
    """However many terms push them down, the heading and every signature block go on one page
    (before, the last mediator's line could sit alone on a page of its own)."""
    from documents.rendering import render_pdf
    from documents.services import agreement_context

    labels = [f"{party.full_name} · date" for party in case.parties.all()] + [
        f"{a.volunteer.full_name}, mediator · date" for a in case.current_assignments()
    ]
    draft = draft_with_terms(case, coordinator, terms=TERMS[:1] * 4)
    page_counts = []
    for terms in range(5, 13):  # from a one-page agreement to one whose signatures are on page 2
        services.term_add(agreement=draft, by=coordinator, who="Both", what="keep the peace")
        pdf, _html = render_pdf("agreement.html", agreement_context(draft))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        page_counts.append(len(pages))
        heading = next(i for i, text in enumerate(pages) if "Signatures" in text)
        for label in labels:
            assert label in pages[heading], f"{terms} terms: {label!r} is not with the heading"
        for number, text in enumerate(pages, start=1):
            assert "CONFIDENTIAL" in text and "WITHOUT PREJUDICE" in text, f"page {number}"
    assert page_counts[0] == 1 and page_counts[-1] == 2  # the sweep crossed a page break


def test_the_agree_page_says_first_when_consent_is_missing(case, mediator, login):
    from tests.factories import PartyFactory

    client = login(mediator)
    draft = draft_with_terms(case, mediator)
    PartyFactory(case=case, full_name="Carol Evans")  # joined, has not consented

    html = client.get(f"/cases/{case.reference}/agreements/{draft.pk}/agree/").content.decode()

    assert "It cannot be agreed yet: consent is missing or withdrawn for Carol Evans" in html
    assert "Yes, every party agrees" not in html
