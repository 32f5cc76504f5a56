"""A scan of the signed agreement: kept beside the generated PDF with its SHA-256, it marks an
agreed version signed (each party not yet signed is recorded as signing on the date given);
refused on a draft or a superseded version; audited and on the timeline."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import agreements as services
from cases.models import Agreement, ContactLogEntry
from documents.case_files import file_delete
from documents.models import CaseFile
from privacy.models import Anonymisation
from tests.documents.samples import HOSTILE, image_bytes, pdf_bytes, upload
from tests.documents.test_agreements import draft_with_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(coordinator, mediator_active_case):
    """Overrides the root ``case``: scans are of the root ``mediator_active_case``."""
    return mediator_active_case


@pytest.fixture
def agreed(case, coordinator):
    draft = draft_with_terms(case, coordinator)
    return services.agreement_mark_agreed(agreement=draft, by=coordinator)


def scan_url(agreement):
    return reverse("cases:agreement_scan", args=[agreement.case.reference, agreement.pk])


def send_scan(client, agreement, content=None, name="signed.pdf", signed_on=None):
    return client.post(
        scan_url(agreement),
        {
            "scan-file": upload(name, pdf_bytes(2) if content is None else content),
            "scan-signed_on": (signed_on or timezone.localdate()).isoformat(),
        },
    )


def test_a_scan_marks_an_agreed_version_signed_and_is_kept_with_its_sha256(
    login, coordinator, case, agreed
):
    client = login(coordinator)
    alice, bob = case.parties.order_by("id")
    services.signature_record(
        agreement=agreed, by=coordinator, party=alice, signed_on=timezone.localdate(), verbal=True
    )
    content = pdf_bytes(2)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    agreed_on = timezone.localdate(agreed.agreed_at)
    signed_on = max(yesterday, agreed_on)

    response = send_scan(client, agreed, content, signed_on=signed_on)

    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.status == Agreement.Status.SIGNED and agreed.signed_at is not None
    scan = CaseFile.objects.get()
    assert (scan.kind, scan.agreement, scan.case) == ("signed_agreement", agreed, case)
    assert scan.sha256 == hashlib.sha256(content).hexdigest()
    # Alice's verbal agreement stands; Bob, not yet recorded, signed on the date given.
    signatures = {s.party: s for s in agreed.signatures.all()}
    assert signatures[alice].verbal is True
    assert signatures[bob].signed_on == signed_on and signatures[bob].verbal is False
    assert signatures[bob].note == services.SCAN_NOTE
    assert not agreed.signatures.filter(volunteer__isnull=False).exists()
    # Audited: the upload with its SHA-256, and the version's move to signed.
    assert AuditEvent.objects.get(object_type="documents.casefile").detail["sha256"] == scan.sha256
    moves = AuditEvent.objects.filter(object_type="cases.agreement", action="transition")
    move = moves.order_by("id").last()
    assert move.detail == {"to": "signed", "scan": scan.pk, "sha256": scan.sha256}
    entry = ContactLogEntry.objects.filter(case=case).order_by("-id").first()
    assert f"Scan of agreement version {agreed.version}" in entry.text
    assert "signed by every party" in entry.text and scan.sha256[:12] in entry.text

    page = client.get(agreed.get_absolute_url()).content.decode()
    assert "Signed by every party" in page
    assert scan.sha256 in page
    download = reverse("cases:file_download", args=[case.reference, scan.pk])
    assert download in page
    # Beside the generated PDF.
    assert reverse("cases:agreement_pdf", args=[case.reference, agreed.pk]) in page
    response = client.get(download)
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_scan_of_a_signed_version_is_kept_and_its_signatures_stand(
    login, coordinator, case, agreed
):
    today = timezone.localdate()
    for party in case.parties.all():
        services.signature_record(agreement=agreed, by=coordinator, party=party, signed_on=today)
    agreed.refresh_from_db()
    assert agreed.status == "signed"
    before = list(agreed.signatures.values_list("pk", flat=True))

    response = send_scan(login(coordinator), agreed, image_bytes("JPEG"), name="photo.jpeg")

    assert response.status_code == 302
    assert list(agreed.signatures.values_list("pk", flat=True)) == before
    assert CaseFile.objects.get().name == "photo.jpg"
    event = AuditEvent.objects.filter(object_type="cases.agreement").order_by("id").last()
    assert event.action == "change" and "to" not in event.detail


def test_it_is_refused_on_a_draft_with_a_clear_message(login, coordinator, case, settings):
    draft = draft_with_terms(case, coordinator)
    client = login(coordinator)

    response = send_scan(client, draft)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Version {draft.version} is a draft: mark it agreed before keeping a signed" in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not CaseFile.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("case-files/*"))


def test_it_is_refused_on_a_superseded_version(login, coordinator, case, agreed):
    second = services.agreement_start(case=case, by=coordinator)
    services.agreement_mark_agreed(agreement=second, by=coordinator)
    agreed.refresh_from_db()
    assert agreed.status == "superseded"
    client = login(coordinator)

    response = send_scan(client, agreed)

    page = client.get(response["Location"]).content.decode()
    assert "has been superseded by a later version" in page
    assert not CaseFile.objects.exists()


@pytest.mark.parametrize("name", ["script.pdf", "drawing.svg", "polyglot.pdf", "empty.pdf"])
def test_a_hostile_scan_is_refused_next_to_the_field_and_nothing_changes(
    login, coordinator, agreed, name, settings
):
    content, words = HOSTILE[name]
    response = send_scan(login(coordinator), agreed, content, name=name)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{name}” was not accepted" in html and words in html
    agreed.refresh_from_db()
    assert agreed.status == "agreed" and not agreed.signatures.exists()
    assert not CaseFile.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("case-files/*"))


def test_the_date_cannot_be_in_the_future_or_before_it_was_agreed(login, coordinator, agreed):
    client = login(coordinator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert (
        "cannot be in the future" in send_scan(client, agreed, signed_on=tomorrow).content.decode()
    )
    Agreement.objects.filter(pk=agreed.pk).update(agreed_at=timezone.now())
    long_ago = timezone.localdate() - datetime.timedelta(days=30)
    html = send_scan(client, agreed, signed_on=long_ago).content.decode()
    assert "cannot have been signed before it was agreed" in html
    assert not CaseFile.objects.exists()


def test_no_scan_chosen_is_said(login, coordinator, agreed):
    response = login(coordinator).post(
        scan_url(agreed), {"scan-signed_on": timezone.localdate().isoformat()}
    )
    assert "Choose at least one file." in response.content.decode()


def test_the_form_is_offered_to_those_who_record_on_an_agreed_version_only(
    login, coordinator, mediator, case, agreed
):
    assert "Keep the signed copy" in login(mediator).get(agreed.get_absolute_url()).content.decode()
    draft = services.agreement_start(case=case, by=coordinator)
    html = login(coordinator).get(draft.get_absolute_url()).content.decode()
    assert "Keep the signed copy" not in html


@pytest.mark.parametrize("who", ["other_mediator", "no_role_user", "administrator"])
def test_out_of_scope_users_get_404_and_change_nothing(request, login, agreed, who):
    response = send_scan(login(request.getfixturevalue(who)), agreed)
    assert response.status_code == 404
    agreed.refresh_from_db()
    assert agreed.status == "agreed" and not CaseFile.objects.exists()


def test_the_cases_mediator_keeps_the_scan(login, mediator, agreed):
    assert send_scan(login(mediator), agreed).status_code == 302
    agreed.refresh_from_db()
    assert agreed.status == "signed"
    assert CaseFile.objects.get().uploaded_by == mediator


def test_a_get_is_not_allowed(login, coordinator, agreed):
    assert login(coordinator).get(scan_url(agreed)).status_code == 405


def test_the_agreement_page_with_both_forms_has_no_duplicate_ids(login, coordinator, agreed):
    import re
    from collections import Counter

    html = login(coordinator).get(agreed.get_absolute_url()).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert {name for name, count in ids.items() if count > 1} == set()
    assert 'id="id_scan-file"' in html and 'id="id_signed_on"' in html


def scan(agreement, by):
    return services.signed_scan_add(
        agreement=agreement, by=by, upload=upload("signed.pdf", pdf_bytes(2)),
        signed_on=timezone.localdate(),
    )  # fmt: skip


def test_the_service_itself_refuses_a_draft_and_a_superseded_version(coordinator, case, agreed):
    """Not only the page: any caller of the service."""
    second = services.agreement_start(case=case, by=coordinator)
    with pytest.raises(ValidationError, match="is a draft"):
        scan(second, coordinator)
    services.agreement_mark_agreed(agreement=second, by=coordinator)
    agreed.refresh_from_db()
    with pytest.raises(ValidationError, match="superseded"):
        scan(agreed, coordinator)
    assert not CaseFile.objects.exists()
    assert agreed.status == "superseded" and not agreed.signatures.exists()


def test_no_signature_is_written_for_a_party_whose_records_were_erased(coordinator, case, agreed):
    alice, bob = case.parties.order_by("id")
    Anonymisation.objects.create(case=case, party=bob, reason=Anonymisation.Reason.ERASURE)

    scan(agreed, coordinator)

    assert list(agreed.signatures.values_list("party", flat=True)) == [alice.pk]


def test_deleting_the_scan_keeps_the_version_signed_and_says_so_on_the_timeline(
    coordinator, case, agreed
):
    kept = scan(agreed, coordinator)

    file_delete(case_file=kept, by=coordinator, reason="A clearer copy is coming")

    agreed.refresh_from_db()
    assert agreed.status == "signed"
    entry = ContactLogEntry.objects.filter(case=case).order_by("id").last()
    assert entry.text == (
        f"Scan of the signed agreement (version {agreed.version}, SHA-256 {kept.sha256[:12]}…) "
        "deleted; the version stays signed."
    )
    assert entry.author == coordinator
