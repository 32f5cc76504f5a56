"""Files kept on a case: adding them, deleting them (softly), handing them out.

Conventions as in cases.services. What a file is was decided from its content
(documents.uploads); here are the rules around it:

- an upload is all or nothing: if one of the files chosen together is refused, none is kept,
  and every refusal is said at once (the kind, description and party were given for all of
  them; keeping some would leave the uploader to work out which);
- nothing is filed on a case anonymised at the end of its retention period: retention never
  comes back to it, so a file added then would be kept for ever;
- a file about one party is about a party of this case whose records have not been erased;
- a signed agreement goes in from its version's page (cases.agreements.signed_scan_add), where
  it marks that version signed, never as a loose file;
- deleting keeps the bytes and the row (who, when, why) until the case's retention or the
  party's erasure removes them (privacy); a coordinator may delete any file, anyone else only
  a file they uploaded;
- every upload (with its SHA-256), download and deletion is in the audit trail.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import COORDINATOR, has_role
from audit.models import AuditEvent
from audit.services import record_event
from cases import timeline
from cases.models import Case, CaseAssignment
from privacy.status import case_anonymised, erased_party_ids

from .models import CaseFile
from .uploads import MAX_FILES_PER_UPLOAD, CheckedFile, check_upload

# The kinds a file may be given on the case page (a signed agreement belongs to its version).
LOOSE_KINDS = tuple(k for k in CaseFile.Kind.values if k != CaseFile.Kind.SIGNED_AGREEMENT)
NOTHING_KEPT = "Nothing was uploaded: choose the files again, leaving out those refused."
RETAINED_NO_MORE = (
    "This case's records were removed under the retention policy when its retention period "
    "ended: nothing more can be filed on it."
)


def _check_party(case, party) -> None:
    if party is None:
        return
    if party.case_id != case.pk:
        raise ValidationError({"party": "Choose a party of this case."})
    if party.pk in erased_party_ids(case):
        raise ValidationError(
            {"party": "This party's records have been erased: nothing more is filed about them."}
        )


def check_all(uploads) -> list[CheckedFile]:
    """Every upload checked, or one ValidationError on ``files`` naming every refusal."""
    if not uploads:
        raise ValidationError({"files": "Choose at least one file."})
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError({"files": f"Choose at most {MAX_FILES_PER_UPLOAD} files at a time."})
    checked, refused = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            refused.extend(error.messages)
    if refused:
        if len(uploads) > 1:
            refused.append(NOTHING_KEPT)
        raise ValidationError({"files": refused})
    return checked


def store(*, case, checked: CheckedFile, by, kind, description="", party=None, agreement=None):
    """Write the bytes under a random name and the row, and audit the upload. Called in the
    caller's transaction, after every check has passed."""
    case_file = CaseFile(
        case=case,
        kind=kind,
        description=description,
        party=party,
        agreement=agreement,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    case_file.file.save("upload", checked.upload, save=False)  # named by models._random_name
    try:
        case_file.save()
    except Exception:
        case_file.file.delete(save=False)
        raise
    record_event(
        action=AuditEvent.Action.CREATE, actor=by, obj=case_file,
        case_reference=case.reference,
        detail={"sha256": case_file.sha256, "kind": kind, "size": case_file.size,
                "content_type": case_file.content_type,
                **({"party": party.pk} if party else {}),
                **({"agreement_version": agreement.version} if agreement else {})},
    )  # fmt: skip
    return case_file


@transaction.atomic
def files_add(*, case, by, uploads, kind: str, description: str = "", party=None):
    """Keep ``uploads`` on the case, all of the one kind and description, optionally about one
    party (rule 10: shown to staff with that badge, never sent where another party could see
    it)."""
    if kind not in LOOSE_KINDS:
        if kind == CaseFile.Kind.SIGNED_AGREEMENT:
            raise ValidationError(
                {"kind": "Upload a signed agreement on its version's page (Agreements): it marks "
                 "that version signed."}
            )  # fmt: skip
        raise ValidationError({"kind": "Choose what kind of file this is."})
    # Locked as retention and erasure lock it (privacy.services): a file filed while either
    # runs would be committed after it had removed the case's files, and kept for ever.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case_anonymised(case):
        raise ValidationError(RETAINED_NO_MORE)
    description = description.strip()
    if len(description) > CaseFile._meta.get_field("description").max_length:
        raise ValidationError({"description": "Keep the description to 200 characters."})
    _check_party(case, party)
    checked = check_all(uploads)
    stored = []
    try:
        for each in checked:
            stored.append(
                store(case=case, checked=each, by=by, kind=kind, description=description,
                      party=party)
            )  # fmt: skip
    except Exception:
        for case_file in stored:
            case_file.file.delete(save=False)
        raise
    return stored


REASON_MISSING = "Say why the file is being deleted."
REASON_TOO_LONG = "Keep the reason to 500 characters."
NOT_YOURS_TO_DELETE = "A file can be deleted by a coordinator, or by whoever uploaded it."


def may_delete(case_file: CaseFile, by) -> bool:
    """A coordinator, or whoever uploaded the file while they are still on the case (a mediator
    taken off it no longer acts on it, whatever the entry point). Asked by the service and,
    before showing the form, by the page (which refuses then, rather than after the reason has
    been typed)."""
    if has_role(by, COORDINATOR):
        return True
    return (
        case_file.uploaded_by_id == by.pk
        and CaseAssignment.objects.current()
        .filter(case_id=case_file.case_id, volunteer__user=by)
        .exists()
    )


@transaction.atomic
def file_delete(*, case_file: CaseFile, by, reason: str) -> CaseFile:
    """Take a file off the case, saying why. The reason stays with the file (it may name
    someone, so the audit trail, which can never be anonymised, only says it was given)."""
    locked = (
        CaseFile.objects.select_for_update(of=("self",))
        .select_related("case", "agreement")
        .get(pk=case_file.pk)
    )
    if locked.deleted_at or locked.removed_at:
        raise ValidationError("This file has already been deleted.")
    if not may_delete(locked, by):
        raise ValidationError(NOT_YOURS_TO_DELETE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_MISSING})
    if len(reason) > CaseFile._meta.get_field("deletion_reason").max_length:
        raise ValidationError({"reason": REASON_TOO_LONG})
    locked.deleted_at = timezone.now()
    locked.deleted_by = by
    locked.deletion_reason = reason
    locked.save(update_fields=["deleted_at", "deleted_by", "deletion_reason"])
    record_event(
        action=AuditEvent.Action.DELETE, actor=by, obj=locked,
        detail={"sha256": locked.sha256, "kind": locked.kind, "reason_given": True},
    )  # fmt: skip
    if locked.agreement_id:
        # The version stays signed (its signatures were recorded from the scan), but the
        # timeline says its evidence was taken off, and by whom.
        timeline.log(
            locked.case,
            f"Scan of the signed agreement (version {locked.agreement.version}, SHA-256 "
            f"{locked.sha256[:12]}…) deleted; the version stays signed.",
            by=by,
        )
    return locked


def file_open(*, case_file: CaseFile, by):
    """The file's bytes, opened for a download, which is audited (rule 12)."""
    handle = case_file.file.open("rb")
    record_event(
        action=AuditEvent.Action.DOWNLOAD, actor=by, obj=case_file,
        detail={"sha256": case_file.sha256, "kind": case_file.kind},
    )  # fmt: skip
    return handle
