"""Retention and erasure: anonymising what we no longer need, everywhere it is kept.

One service does it (``anonymise_case`` / ``erase_subject`` / ``anonymise_volunteer``, all
through ``_anonymise_case_records``), in one transaction per case or volunteer, audited with
counts only. What it KEEPS are the statistics: a case's reference, dispute type, referral source
(and referring organisation), dates, status and outcome; sessions' kinds, modes, times and
status; who mediated; how many parties, consents, log entries, sessions and agreements there
were. What it REMOVES is everything that identifies or describes a person: names, contact
details, addresses, the referrer's name and contact, free text (case summary, risk notes,
contact log, session notes and venues, consent notes, agreement introductions and terms,
signature notes, assignment override reasons, trainee reflections and feedback), the equality
answers, the generated PDFs (files and rows), the bytes of the case's uploaded files (their rows
kept without names or descriptions, ``removed_at`` set), reminders' addresses and context, and
the django-pghistory event rows holding earlier versions of all of these. Which fields of each
record those are is declared on its model (``personal_data``, wkm.personal_data); this module
decides which records, and what replaces a name or a text that a page expects to find.

The equality-monitoring answers are removed too, although the reports use them only in
aggregate: left on an anonymised party they would still sit next to a case reference and exact
dates that the person, the referrer and our own old letters and emails know, so the row would be
pseudonymous rather than anonymous, and it would keep special-category data (ethnicity,
disability) about a findable person. The reports for those years were produced at the time;
re-running one for a period older than the retention period shows those parties as "not
answered".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pgtrigger
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, COORDINATOR
from audit.models import AuditEvent
from audit.services import record_event
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseAssignment,
    ContactLogEntry,
    Status,
)
from documents.models import CaseFile, GeneratedDocument
from notifications.models import OutboxMessage, PartyReply
from notifications.outbox import cancel_messages_to
from notifications.retention import scrub_old_messages
from parties.areas import refresh_case_district
from parties.models import Consent, Party
from sessions.models import CalendarFeed, MediationSession
from surveys import services as surveys
from volunteers.models import (
    Accreditation,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
)

from .models import Anonymisation, SubjectAccessRequest
from .status import party_erased

logger = logging.getLogger(__name__)

# What replaces free text that a page expects to find (a log entry, a term): says why it is empty.
REMOVED = "(anonymised)"

# --- The policy ---------------------------------------------------------------------------------


def case_cutoff(today=None):
    """Cases closed on or before this date are past retention (RETENTION_CLOSED_CASE_YEARS)."""
    today = today or timezone.localdate()
    return today - relativedelta(years=settings.RETENTION_CLOSED_CASE_YEARS)


def application_cutoff(now=None):
    """Unsuccessful applications made before this moment are past retention."""
    now = now or timezone.now()
    return now - relativedelta(months=settings.RETENTION_APPLICATION_MONTHS)


def _case_done():
    return Exists(
        Anonymisation.objects.filter(case=OuterRef("pk"), party__isnull=True, volunteer=None)
    )


def cases_due(today=None):
    """Closed cases whose retention period has ended and that are not anonymised yet."""
    return (
        Case.objects.filter(status=Status.CLOSED, closed_on__lte=case_cutoff(today))
        .exclude(_case_done())
        .order_by("closed_on", "pk")
    )


def volunteers_due(now=None):
    """Unsuccessful applications past retention, not anonymised yet: volunteers still
    *applicant*, or *inactive* without ever having been assigned a case, whose record was
    created more than RETENTION_APPLICATION_MONTHS ago."""
    ever_assigned = Exists(CaseAssignment.objects.filter(volunteer=OuterRef("pk")))
    trainee = Exists(TraineeCase.objects.filter(Q(trainee=OuterRef("pk"))))
    done = Exists(Anonymisation.objects.filter(volunteer=OuterRef("pk")))
    return (
        Volunteer.objects.filter(
            created_at__lt=application_cutoff(now),
            status__in=[Volunteer.Status.APPLICANT, Volunteer.Status.INACTIVE],
        )
        .exclude(ever_assigned)
        .exclude(trainee)
        .exclude(done)
        .order_by("created_at", "pk")
    )


def _clear(rows, **replacements) -> int:
    """Clear the personal fields (as the model declares them, wkm.personal_data) of those of
    ``rows`` that hold any; return how many did."""
    declared = rows.model.personal_data
    return rows.exclude(**declared.cleared()).update(**declared.cleared(**replacements))


# --- History ------------------------------------------------------------------------------------


def _delete_history(specs: list[tuple[str, Q]]) -> int:
    """Delete django-pghistory event rows: ``specs`` is [(event model label, condition)].

    Retention must reach history. Every version of a tracked row (names, addresses, notes) is
    kept as a full snapshot in its event table, which an append-only trigger protects so that the
    application cannot rewrite its own history. Data past its retention period, or erased at the
    person's request, has to go from there too, or the anonymisation would only be cosmetic. So
    here, and only here, the ``append_only`` trigger of exactly these event tables is bypassed,
    inside the caller's transaction, for rows selected by object; every other table (and the
    audit trail, which holds no personal data) stays protected.
    """
    uris = sorted({f"{label}:append_only" for label, _ in specs})
    deleted = 0
    with pgtrigger.ignore(*uris):
        for label, condition in specs:
            model = apps.get_model(label)
            count, _ = model.objects.filter(condition).delete()
            deleted += count
    return deleted


# --- Cases --------------------------------------------------------------------------------------


@dataclass
class CaseCounts:
    """How much one anonymisation touched: numbers only, for the audit trail and the command."""

    values: dict = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        if number:
            self.values[name] = self.values.get(name, 0) + number


def _party_number(case: Case) -> dict[int, int]:
    """Each party's position in its case (1, 2, …), for "Party 2 (anonymised)"."""
    return {
        pk: n for n, pk in enumerate(case.parties.order_by("pk").values_list("pk", flat=True), 1)
    }


def _anonymise_parties(case: Case, parties: list[Party], counts: CaseCounts) -> None:
    numbers = _party_number(case)
    for party in parties:
        Party.objects.filter(pk=party.pk).update(
            **Party.personal_data.cleared(
                full_name=f"Party {numbers.get(party.pk, party.pk)} (anonymised)"
            )
        )
    # Their postcodes are gone: the case's area is the next party's, or none (parties.areas).
    refresh_case_district(case)
    ids = [p.pk for p in parties]
    counts.add("parties", len(ids))
    # Nothing more goes to them, of any kind: cancelled before their addresses are cleared, so
    # that no message is left waiting with an empty address (which would match their now empty
    # contact details at send time).
    for party in parties:
        counts.add("messages_cancelled", cancel_messages_to(party=party, reason="Erased"))
    counts.add("consents", _clear(Consent.objects.filter(party__in=ids)))
    counts.add("reminders", _clear(OutboxMessage.objects.filter(party__in=ids)))
    counts.add("replies", _clear(PartyReply.objects.filter(party__in=ids)))
    # Their survey answers' comments, and nothing more about the surveys sent to them.
    counts.add("survey_answers", surveys.forget(ids))


def _clear_case_narrative(case: Case, counts: CaseCounts, *, reason: str) -> None:
    """Every piece of free text in the case. It describes the dispute and may name anyone in
    it, so none of it can be kept for one party and dropped for another."""
    # The referrer's person goes with the referrer's name: a link kept would show the name on
    # the organisation's page, and a rename of that person would write it back
    # (referrers.services._rename_on_cases).
    Case.objects.filter(pk=case.pk).update(
        referrer_person=None, **Case.personal_data.cleared(summary=REMOVED)
    )
    counts.add(
        "log_entries",
        ContactLogEntry.objects.filter(case=case).update(
            **ContactLogEntry.personal_data.cleared(text=REMOVED)
        ),
    )
    sessions = MediationSession.objects.filter(case=case)
    counts.add("sessions", sessions.update(**MediationSession.personal_data.cleared()))
    counts.add("reminders", _clear(OutboxMessage.objects.filter(session__case=case)))
    # A party's words answering a reminder are free text too, whoever wrote them.
    counts.add("replies", _clear(PartyReply.objects.filter(session__case=case)))
    # So are a party's comments in a survey (surveys.models), whoever wrote them.
    counts.add("survey_answers", surveys.clear_comments(invitation__case=case))
    agreements = Agreement.objects.filter(case=case)
    counts.add("agreements", agreements.update(**Agreement.personal_data.cleared()))
    counts.add(
        "agreement_terms",
        AgreementTerm.objects.filter(agreement__case=case).update(
            **AgreementTerm.personal_data.cleared(what=REMOVED)
        ),
    )
    _clear(AgreementSignature.objects.filter(agreement__case=case))
    _clear(CaseAssignment.objects.filter(case=case), override_reason=REMOVED)
    trainee_cases = TraineeCase.objects.filter(case=case)
    if reason == Anonymisation.Reason.ERASURE:
        # A trainee still waiting for sign-off needs their reflection read first; retention
        # (years later) clears it regardless.
        trainee_cases = trainee_cases.filter(status=TraineeCase.Status.SIGNED_OFF)
    trainee_cases.update(**TraineeCase.personal_data.cleared())
    _clear(VolunteerHours.objects.filter(case=case))
    _delete_documents(GeneratedDocument.objects.filter(case=case), counts)
    _remove_case_files(CaseFile.objects.filter(case=case), counts)


def _delete_documents(documents, counts: CaseCounts) -> None:
    """Delete generated PDFs: the rows now, the files once the transaction has committed (so a
    rollback never leaves rows pointing at missing files)."""
    storage = GeneratedDocument._meta.get_field("file").storage
    names = [name for name in documents.values_list("file", flat=True) if name]
    deleted, _ = documents.delete()
    counts.add("documents", deleted)

    def remove_files():
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not delete a generated document file")

    if names:
        transaction.on_commit(remove_files)


def _remove_case_files(files, counts: CaseCounts) -> None:
    """Remove the bytes of uploaded case files (documents.CaseFile) and clear what names or
    describes them, keeping each row (kind, dates, size, SHA-256) as the record that there was
    a file. Every file of the case goes, whoever it is about and soft-deleted or not: a letter
    from one party or a referral form names the others too, as the case's notes do
    (``_clear_case_narrative``), and a soft-deleted file is still held.

    The bytes go once the transaction has committed, as the generated PDFs do; one already
    missing from the disk is no error (FileSystemStorage.delete ignores it), and one that cannot
    be deleted is logged without undoing the anonymisation, which has committed by then."""
    storage = CaseFile._meta.get_field("file").storage
    names = list(files.exclude(file="").values_list("file", flat=True))
    counts.add(
        "case_files",
        files.filter(removed_at__isnull=True).update(
            file="", removed_at=timezone.now(), **CaseFile.personal_data.cleared(name=REMOVED)
        ),
    )

    def remove_files():
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not delete a case file's bytes")

    if names:
        transaction.on_commit(remove_files)


def _case_history(case: Case, party_ids: set[int]) -> list[tuple[str, Q]]:
    """The event rows to delete for a case whose narrative is cleared, and for ``party_ids``.
    Selected by the case's id held in each snapshot, so versions of rows since deleted (a term
    removed from a draft) go too."""
    agreement_event = apps.get_model("cases", "AgreementEvent")
    agreement_ids = set(Agreement.objects.filter(case=case).values_list("pk", flat=True))
    agreement_ids |= set(
        agreement_event.objects.filter(case_id=case.pk).values_list("pgh_obj_id", flat=True)
    )
    return [
        ("cases.CaseEvent", Q(pgh_obj_id=case.pk)),
        ("cases.CaseAssignmentEvent", Q(case_id=case.pk)),
        ("cases.ContactLogEntryEvent", Q(case_id=case.pk)),
        ("cases.AgreementEvent", Q(case_id=case.pk)),
        ("cases.AgreementTermEvent", Q(agreement_id__in=agreement_ids)),
        ("mediation_sessions.MediationSessionEvent", Q(case_id=case.pk)),
        ("volunteers.TraineeCaseEvent", Q(case_id=case.pk)),
        ("parties.PartyEvent", Q(pgh_obj_id__in=party_ids)),
        ("parties.ConsentEvent", Q(party_id__in=party_ids)),
    ]


def _anonymise_case_records(
    case: Case, *, parties: list[Party] | None, reason: str, counts: CaseCounts
) -> None:
    """Clear the case's narrative and anonymise ``parties`` (None: every party, including ones
    since removed from the case, whose old versions are in the history)."""
    _clear_case_narrative(case, counts, reason=reason)
    if parties is None:
        parties = list(case.parties.all())
        party_event = apps.get_model("parties", "PartyEvent")
        party_ids = set(
            party_event.objects.filter(case_id=case.pk).values_list("pgh_obj_id", flat=True)
        )
        party_ids |= {p.pk for p in parties}
    else:
        party_ids = {p.pk for p in parties}
    _anonymise_parties(case, parties, counts)
    counts.add("history_rows", _delete_history(_case_history(case, party_ids)))


@transaction.atomic
def anonymise_case(*, case: Case, by=None, today=None) -> dict | None:
    """Anonymise a closed case past its retention period. Returns the counts, or None when
    there was nothing to do (already anonymised, or not due: reopened since, say)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not cases_due(today).filter(pk=case.pk).exists():
        return None
    counts = CaseCounts()
    _anonymise_case_records(
        case, parties=None, reason=Anonymisation.Reason.RETENTION, counts=counts
    )
    Anonymisation.objects.create(
        case=case, reason=Anonymisation.Reason.RETENTION, counts=counts.values, performed_by=by
    )
    record_event(
        action=AuditEvent.Action.DELETE,
        actor=by,
        obj=case,
        detail={"anonymised": Anonymisation.Reason.RETENTION, **counts.values},
    )
    return counts.values


# --- Volunteers ---------------------------------------------------------------------------------


def _release_login(volunteer: Volunteer) -> None:
    """An applicant's login (rare) is unlinked; if it is nobody's staff account it is also
    switched off and stripped of its name and email. A coordinator's or administrator's own
    account is left alone."""
    user = volunteer.user
    if user is None:
        return
    Volunteer.objects.filter(pk=volunteer.pk).update(user=None)
    staff = (
        user.is_staff
        or user.is_superuser
        or user.groups.filter(name__in=[COORDINATOR, ADMINISTRATOR]).exists()
    )
    if not staff:
        get_user_model().objects.filter(pk=user.pk).update(
            first_name="",
            last_name="",
            email="",
            is_active=False,
            username=f"anonymised-volunteer-{volunteer.pk}",
            password=make_password(None),
        )


@transaction.atomic
def anonymise_volunteer(
    *, volunteer: Volunteer, by=None, reason=Anonymisation.Reason.RETENTION,
    sar=None, check_due=True,
) -> dict | None:  # fmt: skip
    """Anonymise a volunteer who never mediated: an unsuccessful application past retention,
    or on request. Returns the counts, or None when there was nothing to do."""
    volunteer = Volunteer.objects.select_for_update(no_key=True).get(pk=volunteer.pk)
    if Anonymisation.objects.filter(volunteer=volunteer).exists():
        return None
    if check_due and not volunteers_due().filter(pk=volunteer.pk).exists():
        return None
    if volunteer.assignments.exists() or volunteer.trainee_cases.exists():
        raise ValidationError("A volunteer who has mediated cases is kept (see the policy).")
    counts = CaseCounts()
    _release_login(volunteer)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        **Volunteer.personal_data.cleared(
            first_name="Volunteer", last_name=f"{volunteer.pk} (anonymised)"
        )
    )
    counts.add("volunteers", 1)
    counts.add("dbs_checks", volunteer.dbs_checks.update(**DBSCheck.personal_data.cleared()))
    _clear(TrainingRecord.objects.filter(volunteer=volunteer))
    _clear(Accreditation.objects.filter(volunteer=volunteer))
    counts.add(
        "declared_connections", DeclaredConnection.objects.filter(volunteer=volunteer).delete()[0]
    )
    _clear(VolunteerHours.objects.filter(volunteer=volunteer))
    CalendarFeed.objects.filter(volunteer=volunteer).delete()
    counts.add(
        "reminders",
        OutboxMessage.objects.filter(volunteer=volunteer).update(
            **OutboxMessage.personal_data.cleared()
        ),
    )
    counts.add(
        "history_rows",
        _delete_history(
            [
                ("volunteers.VolunteerEvent", Q(pgh_obj_id=volunteer.pk)),
                ("volunteers.DBSCheckEvent", Q(volunteer_id=volunteer.pk)),
                ("volunteers.TrainingRecordEvent", Q(volunteer_id=volunteer.pk)),
                ("volunteers.AccreditationEvent", Q(volunteer_id=volunteer.pk)),
                ("volunteers.DeclaredConnectionEvent", Q(volunteer_id=volunteer.pk)),
            ]
        ),
    )
    Anonymisation.objects.create(
        volunteer=volunteer, reason=reason, counts=counts.values, performed_by=by, request=sar
    )
    record_event(
        action=AuditEvent.Action.DELETE,
        actor=by,
        obj=volunteer,
        detail={
            "anonymised": reason,
            **({"subject_access_request": sar.pk} if sar else {}),
            **counts.values,
        },
    )
    return counts.values


# --- The daily run ------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    cases: list[str] = field(default_factory=list)  # references
    volunteers: list[int] = field(default_factory=list)  # ids
    # Messages that had gone, cleared of address and context (notifications.retention), by kind.
    outbox_messages: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def apply_retention(*, by=None, today=None) -> RetentionResult:
    """Anonymise everything past retention, one transaction per case or volunteer, so one
    failure neither undoes nor blocks the rest (it is logged and reported); then clear the
    messages that went more than OUTBOX_RETENTION_DAYS ago (one statement, its own
    transaction). Running it again does nothing more: what was anonymised is recorded
    (``Anonymisation``), and a cleared message has its ``scrubbed_at``."""
    result = RetentionResult()
    for case in list(cases_due(today).only("pk", "reference")):
        try:
            if anonymise_case(case=case, by=by, today=today) is not None:
                result.cases.append(case.reference)
        except Exception:  # noqa: BLE001 - report and carry on with the next case
            logger.exception("retention: could not anonymise case %s", case.reference)
            result.failed.append(case.reference)
    for volunteer in list(volunteers_due().only("pk")):
        try:
            if anonymise_volunteer(volunteer=volunteer, by=by) is not None:
                result.volunteers.append(volunteer.pk)
        except Exception:  # noqa: BLE001
            logger.exception("retention: could not anonymise volunteer #%s", volunteer.pk)
            result.failed.append(f"Volunteer #{volunteer.pk}")
    try:
        result.outbox_messages = scrub_old_messages(by=by, today=today)
    except Exception:  # noqa: BLE001
        logger.exception("retention: could not clear old outbox messages")
        result.failed.append("Outbox messages")
    return result


def preview_case(case: Case) -> dict:
    """What anonymising ``case`` would touch, counted without changing anything (--dry-run)."""
    return {
        "parties": case.parties.count(),
        "log_entries": ContactLogEntry.objects.filter(case=case).count(),
        "sessions": MediationSession.objects.filter(case=case).count(),
        "agreements": Agreement.objects.filter(case=case).count(),
        "documents": GeneratedDocument.objects.filter(case=case).count(),
        "case_files": CaseFile.objects.filter(case=case, removed_at__isnull=True).count(),
    }


# --- Erasure on request -------------------------------------------------------------------------


@dataclass
class ErasurePlan:
    """For each record of a subject access request: whether erasure may anonymise it now, and
    if not, why it is kept."""

    erase_parties: list[Party] = field(default_factory=list)
    keep_parties: list[tuple[Party, str]] = field(default_factory=list)
    done_parties: list[Party] = field(default_factory=list)
    erase_volunteers: list[Volunteer] = field(default_factory=list)
    keep_volunteers: list[tuple[Volunteer, str]] = field(default_factory=list)
    done_volunteers: list[Volunteer] = field(default_factory=list)

    @property
    def anything_to_erase(self) -> bool:
        return bool(self.erase_parties or self.erase_volunteers)


OPEN_CASE_REASON = (
    "The case is still open: the mediators need these details to contact this person and to "
    "finish the mediation they agreed to. Close the case first (or ask again once it closes); "
    "it will in any case be anonymised when its retention period ends."
)
VOLUNTEER_KEPT_REASON = (
    "They have mediated cases: who mediated, and their DBS checks, training and accreditation "
    "at the time, are kept as safeguarding evidence for as long as those cases are kept."
)


def erasure_plan(sar: SubjectAccessRequest) -> ErasurePlan:
    plan = ErasurePlan()
    erased_parties = set(
        Anonymisation.objects.filter(party__isnull=False).values_list("party", flat=True)
    )
    whole_cases = set(
        Anonymisation.objects.filter(party__isnull=True, case__isnull=False).values_list(
            "case", flat=True
        )
    )
    for party in sar.parties.select_related("case").order_by("case__received_on", "pk"):
        if party.pk in erased_parties or party.case_id in whole_cases:
            plan.done_parties.append(party)
        elif party.case.status == Status.CLOSED:
            plan.erase_parties.append(party)
        else:
            plan.keep_parties.append((party, OPEN_CASE_REASON))
    erased_volunteers = set(
        Anonymisation.objects.filter(volunteer__isnull=False).values_list("volunteer", flat=True)
    )
    for volunteer in sar.volunteers.order_by("pk"):
        if volunteer.pk in erased_volunteers:
            plan.done_volunteers.append(volunteer)
        elif volunteer.assignments.exists() or volunteer.trainee_cases.exists():
            plan.keep_volunteers.append((volunteer, VOLUNTEER_KEPT_REASON))
        else:
            plan.erase_volunteers.append(volunteer)
    return plan


@transaction.atomic
def erase_party(*, party: Party, by, sar=None) -> dict | None:
    """Anonymise one person's records in a closed case, at their request: their own details,
    consents' notes, reminders and letters, and the case's free text (which may name them).
    Other parties' names and contact details are kept until the case's retention ends."""
    case = Case.objects.select_for_update().get(pk=party.case_id)
    party = Party.objects.get(pk=party.pk)
    if case.status != Status.CLOSED:
        raise ValidationError(OPEN_CASE_REASON)
    if party_erased(party):
        return None
    counts = CaseCounts()
    _anonymise_case_records(
        case, parties=[party], reason=Anonymisation.Reason.ERASURE, counts=counts
    )
    Anonymisation.objects.create(
        case=case,
        party=party,
        reason=Anonymisation.Reason.ERASURE,
        counts=counts.values,
        performed_by=by,
        request=sar,
    )
    record_event(
        action=AuditEvent.Action.DELETE,
        actor=by,
        obj=case,
        detail={
            "anonymised": Anonymisation.Reason.ERASURE,
            "party": party.pk,
            **({"subject_access_request": sar.pk} if sar else {}),
            **counts.values,
        },
    )
    return counts.values


def erase_subject(*, sar: SubjectAccessRequest, by) -> ErasurePlan:
    """Erase what the policy allows for the records of ``sar``: the parties in closed cases
    and volunteers who never mediated. All of it or nothing. Returns the plan it followed."""
    plan = erasure_plan(sar)
    if not plan.anything_to_erase:
        raise ValidationError("Nothing here can be erased now.")
    with transaction.atomic():
        for party in plan.erase_parties:
            erase_party(party=party, by=by, sar=sar)
        for volunteer in plan.erase_volunteers:
            anonymise_volunteer(
                volunteer=volunteer,
                by=by,
                reason=Anonymisation.Reason.ERASURE,
                sar=sar,
                check_due=False,
            )
    return plan


# --- Subject access requests --------------------------------------------------------------------


@transaction.atomic
def request_open(*, by, fields: dict, parties=(), volunteers=()) -> SubjectAccessRequest:
    """Open a subject access request for a named person, with the records found to be theirs
    (none is fine: the answer is then that we hold nothing)."""
    sar = SubjectAccessRequest(created_by=by, **fields)
    sar.due_on = sar.requested_on  # set properly by save(); full_clean needs a value
    sar.full_clean(exclude=["due_on"])
    sar.save()
    sar.parties.set(parties)
    sar.volunteers.set(volunteers)
    record_event(
        action=AuditEvent.Action.CREATE,
        actor=by,
        obj=sar,
        detail={"parties": len(parties), "volunteers": len(volunteers)},
    )
    return sar


@transaction.atomic
def request_add_records(
    *, sar: SubjectAccessRequest, by, parties=(), volunteers=()
) -> SubjectAccessRequest:
    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if not sar.is_open:
        raise ValidationError("This request is closed; open a new one.")
    sar.parties.add(*parties)
    sar.volunteers.add(*volunteers)
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=sar,
        detail={"added_parties": len(parties), "added_volunteers": len(volunteers)},
    )
    return sar


@transaction.atomic
def request_close(
    *, sar: SubjectAccessRequest, by, status: str, completed_on, notes: str = ""
) -> SubjectAccessRequest:
    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if not sar.is_open:
        raise ValidationError("This request is already closed.")
    if status not in (SubjectAccessRequest.Status.COMPLETED, SubjectAccessRequest.Status.REFUSED):
        raise ValidationError({"status": "Choose completed or refused."})
    if status == SubjectAccessRequest.Status.REFUSED and not notes.strip():
        raise ValidationError({"notes": "Give the reason for refusing."})
    if completed_on < sar.requested_on:
        raise ValidationError({"completed_on": "This is before the request was received."})
    sar.status = status
    sar.completed_on = completed_on
    if notes.strip():
        sar.notes = f"{sar.notes}\n\n{notes.strip()}".strip()
    sar.save()
    record_event(
        action=AuditEvent.Action.TRANSITION,
        actor=by,
        obj=sar,
        detail={"to": status, "late": completed_on > sar.due_on},
    )
    return sar


def request_export(*, sar: SubjectAccessRequest, by, fmt: str, include_safeguarding=False) -> bytes:
    """The PDF, JSON or ZIP copy of everything held about the person (the ZIP: both, and the
    files about them); audited as an export (counts only: nothing about the person goes in the
    audit trail)."""
    from documents.rendering import render_pdf

    from .export import as_json, subject_access_data, zip_copy

    extra = {}
    if fmt == "zip":
        copy = zip_copy(sar, include_safeguarding=include_safeguarding, render_pdf=render_pdf)
        content, data = copy.content, copy.data
        extra = {"files": copy.files, "files_unreadable": copy.unreadable}
    else:
        data = subject_access_data(sar, include_safeguarding=include_safeguarding)
        if fmt == "pdf":
            content, _html = render_pdf("subject_access.html", {"data": data})
        elif fmt == "json":
            content = as_json(data)
        else:
            raise ValueError(fmt)
    record_event(
        action=AuditEvent.Action.EXPORT,
        actor=by,
        obj=sar,
        detail={
            "format": fmt,
            "cases": len(data["cases"]),
            "volunteer_records": len(data["volunteer_records"]),
            "safeguarding_notes": include_safeguarding,
            **extra,
        },
    )
    return content
