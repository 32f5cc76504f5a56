"""Everything we hold about the person of a subject access request, as one structure that the
PDF (templates/documents/subject_access.html) and the JSON download both render.

Rule 10 holds here as everywhere a document is addressed to a party: for each case the person is
a party in, what they get is what ``cases.disclosure`` lets *that party* see, narrowed to what is
theirs — their own details, the timeline entries with them, private to them or about the case as
a whole (never another party's private notes, never notes of contact with another party, never
anyone's drafts). Other parties appear by name only: their contact details are not the person's
data, and a consent to share them was given for the mediation, not for this.

Uploaded case files (documents.CaseFile) go in when they are *about this person* (``party``),
soft-deleted ones included: deleting takes a file off the case page, but we still hold it until
the case's retention, and the right of access is to what we hold. Files about another party are
that party's, and files about the case as a whole (a referral form, a letter) may hold other
people's information, so neither is included: the request's page counts the case-wide ones for
a coordinator to review by hand. The PDF and the JSON list the files; the ZIP copy holds them
too (``zip_copy``).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import capfirst, get_valid_filename

from cases.disclosure import contact_details_for, log_entries_for
from documents.models import CaseFile, GeneratedDocument
from notifications.models import ManualContact, OutboxMessage, PartyReply
from parties.models import Party
from parties.validators import display_phone
from sessions.models import MediationSession
from surveys.export import survey_answers_of
from volunteers.models import Volunteer

from .models import Anonymisation, SubjectAccessRequest

# A party's and a volunteer's details: every field their model declares to be about them
# (wkm.personal_data), in the order of the model's forms. A party's safeguarding notes are added
# only when asked for (SAFEGUARDING_WITHHELD).
PARTY_FIELDS = tuple(
    name for name in Party.personal_data.in_subject_access if name != "safeguarding_notes"
)
VOLUNTEER_FIELDS = Volunteer.personal_data.in_subject_access

NOT_INCLUDED = [
    "Other people's contact details, and what another person said in a meeting of their own "
    "(notes private to them), are their information, not yours, and are not included.",
    "Notes of sessions that other people attended with you are not included, because they "
    "record what other people said; ask us if you would like us to consider releasing them.",
    "Unpublished drafts written by our staff are not included.",
]
CASE_WIDE_FILES = (
    "Files kept on a case as a whole (such as a referral form or a letter) may hold other "
    "people's information, so they are not included as they are: we review them separately "
    "and send you what in them is about you."
)
FILES_IN_THE_ZIP = "The files themselves are in the ZIP copy, in its files folder."
TAKEN_OFF_FILES = (
    "A file taken off a case (uploaded there by mistake, or replaced) is listed but not "
    "included as it is: it may be about someone else, so we review it separately and send you "
    "what in it is about you."
)
SAFEGUARDING_WITHHELD = (
    "Safeguarding notes are not included in this copy. They are reviewed separately, because "
    "releasing them could put someone at risk."
)


def _value(obj, name):
    model_field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if model_field.is_relation:
        if value is None:
            return ""
        get_full_name = getattr(value, "get_full_name", None)
        return (get_full_name() or value.get_username()) if get_full_name else str(value)
    if model_field.choices and value not in (None, ""):
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value)
    if name == "phone":
        return display_phone(value)
    return value


def _details(obj, names) -> list[dict]:
    """[{field, label, value}]: self-describing in the JSON, a table in the PDF."""
    return [
        {
            "field": name,
            "label": "Record made on"
            if name == "created_at"
            else capfirst(obj._meta.get_field(name).verbose_name),
            "value": _value(obj, name),
        }
        for name in names
    ]


def _local(value):
    return timezone.localtime(value) if value else None


def files_about(parties):
    """The uploaded files about these parties whose bytes we still hold: present and
    soft-deleted, not those removed by retention or erasure (nothing of them is left but the
    record that there was a file)."""
    return (
        CaseFile.objects.filter(party__in=parties, removed_at__isnull=True)
        .select_related("case")
        .order_by("uploaded_at", "pk")
    )


def path_in_zip(case_file: CaseFile) -> str:
    """Where the ZIP copy holds a file: by case, numbered so that two files of one name never
    collide, and the name made safe once more (it is written into an archive the person opens)."""
    try:
        name = get_valid_filename(case_file.name)
    except SuspiciousFileOperation:  # nothing usable left of it ("???")
        name = "file"
    return f"files/{case_file.case.reference}/{case_file.pk}-{name}"


def _file_entry(case_file: CaseFile, *, in_zip: set | None) -> dict:
    held = in_zip is not None and case_file.pk in in_zip
    return {
        "name": case_file.name,
        "kind": case_file.get_kind_display(),
        "description": case_file.description,
        "uploaded_at": _local(case_file.uploaded_at),
        "type": case_file.content_type,
        "size_bytes": case_file.size,
        "sha256": case_file.sha256,
        # Listed (we still hold it) with why, as the staff's other notes about the person are,
        # but never in the ZIP: a file taken off is often one filed on the wrong case, about
        # someone else (TAKEN_OFF_FILES).
        "taken_off_the_case_at": _local(case_file.deleted_at),
        "why_taken_off": case_file.deletion_reason,
        # Where the ZIP copy holds it; empty in the PDF and JSON downloads, and for a file whose
        # bytes could not be read.
        "in_the_zip_at": path_in_zip(case_file) if held else "",
    }


def _party_section(
    party: Party, *, include_safeguarding: bool, anonymised: bool, in_zip: set | None = None
) -> dict:
    case = party.case
    entries = (
        log_entries_for(case, audience=party)
        # With them, private to them, or about the case as a whole; not notes of contact with
        # another party (that is the other party's information), even when not private.
        .filter(Q(party=party) | Q(private_to=party) | Q(party__isnull=True))
        .order_by("occurred_at", "pk")
    )
    sessions = (
        MediationSession.objects.filter(case=case, parties=party)
        .prefetch_related(Prefetch("parties", queryset=Party.objects.only("pk", "case_id")))
        .order_by("starts_at", "pk")
    )
    details = _details(party, PARTY_FIELDS)
    # Their own contact details, through the same rule every letter to them uses (rule 10).
    own = contact_details_for(party, audience=party)
    for row in details:
        if row["field"] in Party.personal_data.contact and row["field"] not in own:
            row["value"] = ""
    if include_safeguarding:
        details.append(
            {
                "field": "safeguarding_notes",
                "label": "Safeguarding notes",
                "value": party.safeguarding_notes,
            }
        )
    agreements = []
    for agreement in case.agreements.prefetch_related("terms", "signatures").order_by("version"):
        signature = next((s for s in agreement.signatures.all() if s.party_id == party.pk), None)
        agreements.append(
            {
                "version": agreement.version,
                "status": agreement.get_status_display(),
                "introduction": agreement.introduction,
                "review_on": agreement.review_on,
                "agreed_at": _local(agreement.agreed_at),
                "signed_at": _local(agreement.signed_at),
                "terms": [
                    {"number": t.position, "who": t.who, "what": t.what, "by_when": t.by_when}
                    for t in agreement.terms.all()
                ],
                "your_signature": {
                    "signed_on": signature.signed_on,
                    "agreed_verbally": signature.verbal,
                    "note": signature.note,
                }
                if signature
                else None,
            }
        )
    return {
        "case": {
            "reference": case.reference,
            "dispute_type": case.get_dispute_type_display(),
            "referral_source": case.get_referral_source_display(),
            "received_on": case.received_on,
            "status": case.get_status_display(),
            "outcome": case.get_outcome_display() if case.outcome else "",
            "closed_on": case.closed_on,
        },
        "anonymised": anonymised,
        "your_details": details,
        "consents": [
            {
                "consent": c.get_kind_display(),
                "given_at": _local(c.given_at),
                "how": c.get_method_display(),
                "withdrawn_at": _local(c.withdrawn_at),
                "withdrawal_note": c.withdrawal_note,
                "notes": c.notes,
            }
            for c in party.consents.order_by("given_at", "pk")
        ],
        "other_people_in_the_case": [
            p.full_name for p in case.parties.exclude(pk=party.pk).order_by("pk")
        ],
        "timeline": [
            {
                "when": _local(e.occurred_at),
                "kind": e.get_kind_display(),
                "what": e.text,
                "private_to_you": e.private_to_id == party.pk,
            }
            for e in entries
        ],
        "sessions": [
            {
                "kind": s.get_kind_display(),
                "mode": s.get_mode_display(),
                "venue": s.venue,
                "starts_at": _local(s.starts_at),
                "ends_at": _local(s.ends_at),
                "status": s.get_status_display(),
                # Only the notes of meetings with this person alone: a joint meeting's notes
                # record what others said.
                "notes": s.notes if {p.pk for p in s.parties.all()} == {party.pk} else None,
            }
            for s in sessions
        ],
        "agreements": agreements,
        "letters": [
            {"letter": d.get_kind_display(), "made_at": _local(d.created_at)}
            for d in GeneratedDocument.objects.filter(party=party).order_by("created_at")
        ],
        "messages": [
            {
                "message": r.get_kind_display(),
                "channel": r.get_channel_display(),
                "to": display_phone(r.address) if r.channel == "sms" else r.address,
                "due_at": _local(r.due_at),
                "status": r.get_status_display(),
                "sent_at": _local(r.sent_at),
            }
            for r in OutboxMessage.objects.filter(party=party).order_by("due_at", "pk")
        ],
        # What they answered from their reminders, in their own words.
        "answers_to_reminders": [
            {
                "about_the_session_at": _local(r.for_starts_at),
                "answer": r.get_answer_display(),
                "reason": r.reason,
                "by": r.get_channel_display(),
                "received_at": _local(r.received_at),
            }
            for r in PartyReply.objects.filter(party=party).order_by("received_at", "pk")
        ],
        # The calls and letters the office was to make to them in place of a message.
        "calls_and_letters": [
            {
                "what": f"{c.get_method_display()}: {c.get_kind_display().lower()}",
                "why": c.reason,
                "due_at": _local(c.due_at),
                "status": c.get_status_display(),
                "done_at": _local(c.done_at),
            }
            for c in ManualContact.objects.filter(party=party).order_by("due_at", "pk")
        ],
        # Their answers to the feedback and follow-up surveys, in their words.
        "survey_answers": survey_answers_of(party),
        # Files about them uploaded to the case (see the module's docstring).
        "files": [_file_entry(f, in_zip=in_zip) for f in files_about([party])],
    }


def _volunteer_section(volunteer: Volunteer, *, anonymised: set) -> dict:
    return {
        "anonymised": volunteer.pk in anonymised,
        "record": _details(volunteer, VOLUNTEER_FIELDS),
        "dbs_checks": [
            {
                "certificate_number": d.certificate_number,
                "enhanced": d.enhanced,
                "issued_on": d.issued_on,
                "update_service": d.update_service,
                "last_status_check_on": d.last_status_check_on,
                "current_until": d.current_until,
            }
            for d in volunteer.dbs_checks.order_by("issued_on", "pk")
        ],
        "training": [
            {
                "course": t.get_course_display(),
                "hours": t.hours,
                "completed_on": t.completed_on,
                "notes": t.notes,
            }
            for t in volunteer.training.order_by("completed_on", "pk")
        ],
        "accreditations": [
            {
                "accreditation": a.get_kind_display(),
                "granted_on": a.granted_on,
                "accredited_before_joining": a.prior_evidence,
                "revoked_on": a.revoked_on,
                "why_revoked": a.revoked_reason,
            }
            for a in volunteer.accreditations.order_by("granted_on", "pk")
        ],
        "assignments": [
            {
                "case": a.case.reference,
                "role": a.get_role_display(),
                "from": a.started_on,
                "to": a.ended_on,
            }
            for a in volunteer.assignments.select_related("case").order_by("started_on", "pk")
        ],
        "supervised_cases": [
            {
                "case": t.case.reference,
                "status": t.get_status_display(),
                "your_reflection": t.reflection,
                "co_mediators_feedback": t.feedback,
                "supervisors_comments": t.supervisor_comments,
                "signed_off_at": _local(t.signed_at),
            }
            for t in volunteer.trainee_cases.select_related("case").order_by("created_at")
        ],
        "hours": [
            {
                "date": h.date,
                "activity": h.get_activity_display(),
                "case": h.case.reference if h.case else "",
                "hours": h.hours,
                "miles": h.miles,
                "note": h.note,
            }
            for h in volunteer.hours.select_related("case").order_by("date", "pk")
        ],
        "availability": [str(a) for a in volunteer.availability.all()],
        "declared_connections": [
            {"person": c.person_name, "street": c.street, "postcode": c.postcode, "note": c.note}
            for c in volunteer.connections.all()
        ],
    }


def subject_access_data(
    sar: SubjectAccessRequest, *, include_safeguarding: bool = False, in_zip: set | None = None
) -> dict:
    """The copy's data. ``in_zip``: the ids of the files the ZIP copy holds (None for the PDF
    and JSON alone, which list the files without them)."""
    anonymised_cases = set(
        Anonymisation.objects.filter(party__isnull=True, case__isnull=False).values_list(
            "case", flat=True
        )
    )
    anonymised_parties = set(
        Anonymisation.objects.filter(party__isnull=False).values_list("party", flat=True)
    )
    anonymised_volunteers = set(
        Anonymisation.objects.filter(volunteer__isnull=False).values_list("volunteer", flat=True)
    )
    parties = sar.parties.select_related("case").order_by("case__received_on", "pk")
    notes = list(NOT_INCLUDED)
    if not include_safeguarding and any(p.safeguarding_notes for p in parties):
        notes.append(SAFEGUARDING_WITHHELD)
    if case_wide_files(sar).exists():
        notes.append(CASE_WIDE_FILES)
    if files_about(parties).filter(deleted_at__isnull=False).exists():
        notes.append(TAKEN_OFF_FILES)
    return {
        "service": {"name": settings.SERVICE_NAME, "phone": settings.SERVICE_PHONE},
        "request": {
            "id": sar.pk,
            "about": sar.subject_name,
            "received_on": sar.requested_on,
            "due_on": sar.due_on,
            "produced_at": timezone.localtime(),
        },
        "cases": [
            _party_section(
                p,
                include_safeguarding=include_safeguarding,
                anonymised=p.case_id in anonymised_cases or p.pk in anonymised_parties,
                in_zip=in_zip,
            )
            for p in parties
        ],
        "files_note": FILES_IN_THE_ZIP if in_zip is None and files_about(parties).exists() else "",
        "volunteer_records": [
            _volunteer_section(v, anonymised=anonymised_volunteers)
            for v in sar.volunteers.order_by("pk")
        ],
        "not_included": notes,
    }


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def case_wide_files(sar: SubjectAccessRequest):
    """Files held on the person's cases as a whole (about no one party): not in the copy, for a
    coordinator to review by hand."""
    return CaseFile.objects.filter(
        case__in=sar.parties.values("case"), party__isnull=True, removed_at__isnull=True
    )


@dataclass
class ZipCopy:
    content: bytes
    files: int  # how many files it holds
    unreadable: int  # missing from storage or not matching their SHA-256: listed, not held
    data: dict


def zip_copy(sar: SubjectAccessRequest, *, include_safeguarding: bool, render_pdf) -> ZipCopy:
    """The copy as one ZIP: the PDF and the JSON, and the files about the person under files/
    (those still on their case: one taken off is listed, reviewed by hand, TAKEN_OFF_FILES).

    A file whose bytes are missing from storage (or do not match the SHA-256 recorded when it
    was uploaded) is listed without them rather than failing the whole copy; the audit counts
    it, for someone to look into."""
    contents = {}
    unreadable = 0
    storage = CaseFile._meta.get_field("file").storage
    for case_file in files_about(sar.parties.all()).filter(deleted_at__isnull=True):
        try:
            with storage.open(case_file.file.name, "rb") as handle:
                content = handle.read()
        except (OSError, ValueError):
            unreadable += 1
            continue
        if hashlib.sha256(content).hexdigest() != case_file.sha256:
            unreadable += 1
            continue
        contents[case_file] = content
    data = subject_access_data(
        sar, include_safeguarding=include_safeguarding, in_zip={f.pk for f in contents}
    )
    pdf, _html = render_pdf("subject_access.html", {"data": data})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"subject-access-request-{sar.pk}.pdf", pdf)
        archive.writestr(f"subject-access-request-{sar.pk}.json", as_json(data))
        for case_file, content in contents.items():
            archive.writestr(path_in_zip(case_file), content)
    return ZipCopy(out.getvalue(), files=len(contents), unreadable=unreadable, data=data)
