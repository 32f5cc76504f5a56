"""The world the URLs are asked about."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import MEDIATOR
from cases.models import Agreement, AgreementTerm, Case, ContactLogEntry
from documents.case_files import files_add
from exports.models import Export
from imports.models import ImportBatch
from notifications.models import ManualContact
from parties.models import Consent
from privacy.models import SubjectAccessRequest
from sessions.models import CalendarFeed, MediationSession
from surveys.models import SurveyInvitation
from tests.factories import (
    AccreditationFactory,
    AssignmentFactory,
    CaseFactory,
    PartyFactory,
    ReferrerContactFactory,
    UserFactory,
    eligible_volunteer,
    ready_case,
)
from volunteers.models import DBSCheck, TraineeCase

# --- The world the URLs are asked about -------------------------------------------------------


@pytest.fixture
def world(coordinator, supervisor, administrator, other_mediator, settings, tmp_path):
    """One active neighbour case (Alice Carter and Bob Dunn) paired with an accredited mediator
    and a trainee supervised by ``supervisor``; ``other_mediator`` works another case. Every
    object a URL can name exists: a party, consent, session, agreement and term, a draft note,
    the trainee's volunteer record, DBS check and trainee case, a subject access request and
    the lead's calendar feed."""
    from volunteers.services import assign_pair

    settings.MEDIA_ROOT = tmp_path / "media"  # PDFs made on the way go nowhere that lasts
    lead_user = UserFactory(username="lead", roles=[MEDIATOR])
    trainee_user = UserFactory(username="trainee", roles=[MEDIATOR])
    lead = eligible_volunteer(lead_user, postcode="ME15 6RT")
    trainee = eligible_volunteer(
        trainee_user, status="trainee", supervisor=supervisor, postcode="TN4 9LH"
    )
    case = ready_case(summary="Confidential: the hedge dispute at number 14 turned to threats.")
    assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    case.refresh_from_db()

    other_case = CaseFactory(status="active")
    PartyFactory(case=other_case, full_name="Dan Ellis", postcode="ME14 1XX")
    AssignmentFactory(case=other_case, volunteer=eligible_volunteer(other_mediator))

    party = case.parties.order_by("pk").first()
    start = timezone.now() + datetime.timedelta(days=3)
    session = MediationSession.objects.create(
        case=case,
        kind="separate",
        mode="office",
        venue="WKM office",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    session.mediators.set([lead, trainee])
    session.parties.set([party])
    manual_contact = ManualContact.objects.create(
        case=case,
        party=party,
        session=session,
        kind="session_reminder",
        method="phone",
        due_at=start - datetime.timedelta(hours=48),
        dedupe_key="world",
    )
    agreement = Agreement.objects.create(case=case, version=1, created_by=coordinator)
    term = AgreementTerm.objects.create(
        agreement=agreement, position=1, who="Mr Dunn", what="trim the hedge"
    )
    draft = ContactLogEntry.objects.create(
        case=case,
        text="Left a voicemail; will try again on Friday.",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        is_draft=True,
        author=lead_user,
    )
    sar = SubjectAccessRequest.objects.create(
        subject_name="Pat Example",
        requester="The person themselves, by letter",
        requested_on=timezone.localdate(),
        created_by=coordinator,
    )
    sar.parties.set([party])
    survey = SurveyInvitation.objects.create(
        kind="feedback", case=case, party=party, via="email", expires_at=start
    )
    export = Export.objects.create(
        requester=coordinator, kind="trustees_summary", status="ready", content=b"%PDF-",
        parameters={"start": "2025-10-01", "end": "2025-12-31"}, file_name="summary.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    (case_file,) = files_add(
        case=case, by=coordinator, kind="correspondence", description="A letter from Mr Dunn",
        uploads=[SimpleUploadedFile("letter.txt", b"Dear WKM, about the hedge.\n")],
    )  # fmt: skip
    referrer_contact = ReferrerContactFactory(name="Pat Jones")
    Case.objects.filter(pk=case.pk).update(
        referrer=referrer_contact.referrer, referrer_person=referrer_contact
    )
    return SimpleNamespace(
        case=case,
        party=party,
        consent=Consent.objects.filter(party=party).first(),
        session=session,
        manual_contact=manual_contact,
        survey=survey,
        agreement=agreement,
        term=term,
        draft=draft,
        trainee=trainee,
        dbs_check=DBSCheck.objects.filter(volunteer=trainee).first(),
        accreditation=AccreditationFactory(volunteer=trainee, kind="restorative"),
        trainee_case=TraineeCase.objects.get(case=case, trainee=trainee),
        sar=sar,
        feed=CalendarFeed.objects.create(volunteer=lead),
        export=export,
        import_batch=ImportBatch.objects.create(
            kind="volunteers",
            file_name="v.csv",
            format="csv",
            sha256="0" * 64,
            size=1,
            uploaded_by=administrator,
            status="imported",
            rest_content=b"volunteer_id\n",
        ),
        referrer_contact=referrer_contact,
        case_file=case_file,
        users={
            "other_mediator": other_mediator,
            "trainee": trainee_user,
            "supervisor": supervisor,
            "coordinator": coordinator,
            "administrator": administrator,
            "admin_coordinator": UserFactory(
                username="admin_coordinator", roles=["Administrator", "Coordinator"], is_staff=True
            ),
        },
        # What nobody out of the case's scope may ever see.
        secrets=[case.summary, "Alice Carter", "Bob Dunn"],
    )
