"""A realistic world for the data-protection tests.

Carol Evans has been a party in two neighbour cases: one closed seven years ago (past the
six-year retention period) and one closed last year. In each she had a dispute with someone
else who told the mediators things in confidence; each case has consents with notes, a timeline
with entries about and private to each party (and a coordinator's unpublished draft), a separate
meeting with Carol alone and a joint meeting, reminders sent to phones and emails, an agreement
with terms and signatures, generated PDFs on disk, and uploaded files on disk: one about each
party, one taken off the case (soft-deleted) about Carol, and a referral form about the case as a
whole.
"""

import datetime
import hashlib
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import agreements
from cases.models import CaseAssignment, ContactLogEntry
from documents.models import CaseFile, GeneratedDocument
from documents.services import agreement_document, letter_document
from notifications.models import OutboxMessage, PartyReply
from parties.models import Consent
from sessions.models import MediationSession
from tests.factories import CaseFactory, PartyFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Generated PDFs go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _when(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def case_file(case, *, party=None, kind="correspondence", name, description, content: bytes,
              uploaded_by=None, **fields) -> CaseFile:  # fmt: skip
    """A file as the upload service stores it (random name under MEDIA_ROOT, SHA-256, size)."""
    return CaseFile.objects.create(
        case=case, party=party, kind=kind, name=name, description=description,
        content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), file=ContentFile(content, name="upload"),
        uploaded_by=uploaded_by, **fields,
    )  # fmt: skip


def build_case(*, coordinator, carol_email, other, closed_on, received_on, pair, secret):
    """A closed neighbour case between Carol Evans and ``other`` (name, phone, postcode)."""
    case = CaseFactory(
        received_on=received_on,
        status="active",
        referrer_name="Priya Shah",
        referrer_contact="priya.shah@example-housing.org.uk",
        summary=f"Carol Evans and {other['name']} disagree about a fence and late-night noise.",
        risk_notes=f"{other['name']} has shouted at Carol in the street.",
        risk_violence=True,
        coordinator=coordinator,
    )
    carol = PartyFactory(
        case=case,
        full_name="Carol Evans",
        address_line1="14 Quarry Hill Road",
        town="Tonbridge",
        postcode="TN9 2RJ",
        phone="+447700900123",
        email=carol_email,
        preferred_contact="sms",
        safeguarding_notes="Carol mentioned her son is frightened to go outside.",
        age_band="45_64",
        ethnicity="white",
        gender="woman",
        disability="no",
        language="English",
    )
    them = PartyFactory(
        case=case,
        full_name=other["name"],
        role="other_party",
        address_line1=other["address"],
        town="Tonbridge",
        postcode=other["postcode"],
        phone=other["phone"],
        email=other["email"],
        preferred_contact="email",
    )
    given = _when(received_on + datetime.timedelta(days=3))
    for party in (carol, them):
        for kind in ("mediate", "data_processing", "share_details"):
            Consent.objects.create(
                party=party, kind=kind, given_at=given, method="verbal",
                notes=f"Given on the phone to the coordinator by {party.full_name}",
            )  # fmt: skip

    def note(text, *, party=None, private_to=None, draft=False, days=5):
        return ContactLogEntry.objects.create(
            case=case, text=text, party=party, private_to=private_to, is_draft=draft,
            occurred_at=_when(received_on + datetime.timedelta(days=days)), author=coordinator,
        )  # fmt: skip

    entries = SimpleNamespace(
        about_carol=note("Called Carol: she can meet on Tuesday evenings.", party=carol),
        private_carol=note(
            "Carol privately: she is worried about her tenancy.", party=carol, private_to=carol
        ),
        private_other=note(secret, party=them, private_to=them, days=6),
        general=note("Letters sent to both households.", days=4),
        draft=note("Draft: Carol may be exaggerating the noise.", party=carol, draft=True),
    )
    first, second = pair
    CaseAssignment.objects.create(
        case=case, volunteer=first, role="lead", started_on=received_on,
        ended_on=closed_on, override_reason="Martin lives two streets from Carol Evans.",
    )  # fmt: skip
    CaseAssignment.objects.create(
        case=case, volunteer=second, role="co_mediator", started_on=received_on, ended_on=closed_on
    )
    separate = MediationSession.objects.create(
        case=case, kind="separate", mode="home_visit", status="held",
        starts_at=_when(received_on + datetime.timedelta(days=10)),
        ends_at=_when(received_on + datetime.timedelta(days=10), 11),
        notes="Carol talked about the fence and her son.",
    )  # fmt: skip
    joint = MediationSession.objects.create(
        case=case, kind="joint", mode="neutral_venue", status="held",
        venue="Angel Centre, Angel Lane, Tonbridge",
        starts_at=_when(received_on + datetime.timedelta(days=20)),
        ends_at=_when(received_on + datetime.timedelta(days=20), 12),
        notes=f"{other['name']} said he works nights and sleeps in the day.",
    )  # fmt: skip
    separate.parties.set([carol])
    joint.parties.set([carol, them])
    for session in (separate, joint):
        session.mediators.set([first, second])
    for party, channel, address in ((carol, "sms", carol.phone), (them, "email", them.email)):
        OutboxMessage.objects.create(
            kind="session_reminder", channel=channel, session=joint, party=party,
            address=address, context={"first_name": party.full_name.split()[0]},
            due_at=joint.starts_at - datetime.timedelta(days=2), status="sent",
            sent_at=joint.starts_at - datetime.timedelta(days=2),
        )  # fmt: skip
        PartyReply.objects.create(
            party=party, session=joint, answer="rearrange", channel="web",
            reason=f"{party.full_name} can only come in the evening", ip_hash="0" * 64,
            received_at=joint.starts_at - datetime.timedelta(days=1),
            for_starts_at=joint.starts_at,
        )  # fmt: skip

    draft = agreements.agreement_start(case=case, by=coordinator)
    agreements.agreement_update(
        agreement=draft, by=coordinator, introduction="We want to be good neighbours again.",
        review_on=None,
    )  # fmt: skip
    agreements.term_add(
        agreement=draft, by=coordinator, who="Carol Evans", what="repair the fence panel",
        by_when="by the end of the month",
    )  # fmt: skip
    agreements.term_add(
        agreement=draft, by=coordinator, who=other["name"], what="keep music down after 10pm"
    )
    agreement = agreements.agreement_mark_agreed(agreement=draft, by=coordinator)
    for party in (carol, them):
        agreements.signature_record(
            agreement=agreement, by=coordinator, party=party,
            signed_on=received_on + datetime.timedelta(days=21),
            note=f"Signed at the Angel Centre by {party.full_name}",
        )  # fmt: skip
    agreement_document(agreement=agreement, by=coordinator)

    files = SimpleNamespace(
        carol=case_file(
            case,
            party=carol,
            name="carol-letter.pdf",
            description="Carol's letter about the fence",
            content=b"%PDF-1.4 Carol wrote about the fence " + case.reference.encode(),
            uploaded_by=coordinator,
        ),
        carol_deleted=case_file(
            case,
            party=carol,
            name="carol-photo.pdf",
            description="Photo of the fence",
            content=b"%PDF-1.4 a photo of the fence " + case.reference.encode(),
            deleted_at=_when(received_on + datetime.timedelta(days=8)),
            deleted_by=coordinator,
            deletion_reason="Uploaded twice",
        ),
        other=case_file(
            case,
            party=them,
            name="their-letter.pdf",
            description=f"Letter from {other['name']}",
            content=b"%PDF-1.4 private letter: " + secret.encode(),
        ),
        referral=case_file(
            case,
            kind="referral_form",
            name="referral.pdf",
            description="Referral form from the housing provider",
            content=b"%PDF-1.4 referral naming both households",
        ),
    )
    case.status, case.outcome, case.closed_on = "closed", "full_agreement", closed_on
    case.status_before_close = "active"
    case.save()
    letter_document(case=case, party=carol, kind="outcome", by=coordinator)
    # Their answers to the surveys, in their own words (surveys).
    from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation

    answered = _when(closed_on + datetime.timedelta(days=3))
    for party in (carol, them):
        invitation = SurveyInvitation.objects.create(
            kind="feedback", case=case, party=party, via="email", answered_at=answered,
            expires_at=answered + datetime.timedelta(days=28),
        )  # fmt: skip
        FeedbackAnswer.objects.create(
            invitation=invitation, felt_heard=4, answered_at=answered,
            comments=f"{party.full_name}: the mediators were kind about my neighbour's drinking.",
        )  # fmt: skip
    follow_up = SurveyInvitation.objects.create(
        kind="follow_up", case=case, party=carol, via="sms", answered_at=answered,
        expires_at=answered + datetime.timedelta(days=28),
    )  # fmt: skip
    FollowUpAnswer.objects.create(
        invitation=follow_up, agreement_holding="partly", contacted_police=True,
        answered_at=answered, comments="Carol: the music started again in March.",
    )  # fmt: skip
    return SimpleNamespace(
        case=case, carol=carol, other=them, entries=entries, separate=separate, joint=joint,
        agreement=agreement, files=files,
    )  # fmt: skip


@pytest.fixture
def world(coordinator, pair, monkeypatch):
    """Carol's two cases: ``old`` closed seven years ago, ``recent`` closed last year."""
    # The case documents are made and stored by the real services; only WeasyPrint is skipped
    # (tests/documents covers it), as here what matters is that the files exist.
    monkeypatch.setattr(
        "documents.services.render_pdf", lambda name, context: (b"%PDF-1.7 " + name.encode(), "")
    )
    today = timezone.localdate()
    old_closed = today - relativedelta(years=7)
    recent_closed = today - relativedelta(years=1)
    old = build_case(
        coordinator=coordinator, carol_email="carol.evans@example.org", pair=pair,
        other={"name": "Dan Fowler", "address": "16 Quarry Hill Road", "postcode": "TN9 2RL",
               "phone": "+447700900456", "email": "dan.fowler@example.org"},
        received_on=old_closed - relativedelta(months=3), closed_on=old_closed,
        secret="Dan privately: he is in debt and drinks at night.",
    )  # fmt: skip
    recent = build_case(
        coordinator=coordinator, carol_email="carol.evans@example.org", pair=pair,
        other={"name": "Erin Green", "address": "2 Lodge Oak Lane", "postcode": "TN9 2SA",
               "phone": "+447700900789", "email": "erin.green@example.org"},
        received_on=recent_closed - relativedelta(months=2), closed_on=recent_closed,
        secret="Erin privately: she is expecting a baby and has not told anyone.",
    )  # fmt: skip
    assert GeneratedDocument.objects.filter(case=old.case).count() == 2
    return SimpleNamespace(old=old, recent=recent, pair=pair)
