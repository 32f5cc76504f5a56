"""Review of issue 19, finding 7a: the survey letter. The letter task said "Post them the
feedback survey, with their link and QR code" but nothing made a letter. Now a PDF, from the
task on the case page: to that party only (rule 10), with their short link and its QR code, the
questions' gist and the office's number; coordinators only; audited with its SHA-256."""

import hashlib
import io

import pypdf
import pytest
from django.conf import settings

from audit.models import AuditEvent
from documents.models import GeneratedDocument
from surveys.links import survey_url
from surveys.models import SurveyInvitation
from surveys.services import record_answers
from tests.factories import assign
from tests.surveys.test_rules import details_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(case, close):
    """Alice asked for letters; the case closed after a meeting: her feedback letter to do."""
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    close(case)
    return SurveyInvitation.objects.get(party=alice, kind="feedback")


def letter_url(invitation):
    return f"/cases/{invitation.case.reference}/surveys/{invitation.pk}/letter/"


def text_of(response) -> str:
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_case_page_offers_the_letter_on_its_task(letter, login, coordinator):
    page = login(coordinator).get(letter.case.get_absolute_url()).content.decode()

    assert f'href="{letter_url(letter)}">Download the letter' in page


def test_the_letter_is_to_that_party_only_with_the_link_and_the_questions(
    letter, login, coordinator
):
    response = login(coordinator).get(letter_url(letter))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert letter.case.reference in disposition and "Alice" not in disposition
    text = text_of(response)
    alice, bob = letter.party, letter.case.parties.get(full_name="Bob Dunn")
    assert "Alice Carter" in text and alice.address_line1 in text and alice.postcode in text
    assert survey_url(letter.pk) in text.replace(" ", "")
    assert "I felt listened to" in text and "The mediators did not take sides" in text
    assert "01732" in text or settings.SERVICE_PHONE.replace(" ", "")[-6:] in text.replace(" ", "")
    # Nothing of anyone else (rule 10), nothing of the dispute or its outcome.
    for detail in details_of(bob):
        assert detail not in text, detail
    for secret in (letter.case.summary, "No agreement", "no agreement"):
        assert secret not in text


def test_the_letter_has_its_qr_code_from_our_own_files(letter, monkeypatch, login, coordinator):
    from documents import rendering

    rendered = {}
    real = rendering.render_pdf

    def spy(template_name, context, **kw):
        pdf, html = real(template_name, context, **kw)
        rendered["html"] = html
        return pdf, html

    monkeypatch.setattr("surveys.letters.render_pdf", spy)
    login(coordinator).get(letter_url(letter))

    html = rendered["html"]
    assert '<svg class="qr-code" role="img" aria-label="QR code of your survey link"' in html
    assert "http" not in html.replace(survey_url(letter.pk), "").replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_the_download_is_audited_with_its_digest_and_not_kept(letter, login, coordinator):
    response = login(coordinator).get(letter_url(letter))

    event = AuditEvent.objects.get(action="download", object_type="surveys.surveyinvitation")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.detail["letter"] == "survey"
    assert (event.actor, event.case_reference) == (coordinator, letter.case.reference)
    # A live personal link is not left lying in the media folder.
    assert not GeneratedDocument.objects.exists()


def test_a_mediator_of_the_case_may_not_make_it(letter, login, mediator):
    assign(letter.case, mediator)

    assert login(mediator).get(letter_url(letter)).status_code == 403
    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_letter_for_another_cases_invitation_is_not_found(letter, login, coordinator):
    from tests.factories import CaseFactory

    other = CaseFactory()
    url = f"/cases/{other.reference}/surveys/{letter.pk}/letter/"

    assert login(coordinator).get(url).status_code == 404


def test_no_letter_once_answered_or_without_an_address(letter, login, coordinator):
    client = login(coordinator)
    alice = letter.party
    alice.address_line1 = ""
    alice.save()
    response = client.get(letter_url(letter), follow=True)
    assert "There is no postal address on record for Alice Carter." in response.content.decode()

    record_answers(invitation=letter, answers={"felt_heard": 4})
    response = client.get(letter_url(letter), follow=True)
    assert "Alice Carter has already answered this survey." in response.content.decode()
    assert not AuditEvent.objects.filter(action="download").exists()
