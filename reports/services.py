"""Writes to the reports' own table: the postcode district → local authority lookup. Audited,
because a change moves cases from one local authority's figures to another's in every area
report run from then on (the reports are worked out when asked, never stored)."""

from django.db import transaction

from audit.models import AuditEvent
from audit.services import record_event

from .models import PostcodeDistrict


@transaction.atomic
def district_save(*, by, district: str, local_authority: str, existing=None) -> PostcodeDistrict:
    """Add a district or give one another local authority. ``district`` is upper-cased and
    stripped ("me14 " → "ME14"); the district of an existing row is not changed (add the new
    one, delete the old)."""
    district = (district or "").strip().upper()
    local_authority = " ".join((local_authority or "").split())
    if existing is not None:
        row = PostcodeDistrict.objects.select_for_update().get(pk=existing.pk)
        before = row.local_authority
        row.local_authority = local_authority
        row.full_clean()
        row.save()
        if before != local_authority:
            record_event(
                action=AuditEvent.Action.CHANGE,
                actor=by,
                obj=row,
                detail={"district": row.district, "from": before, "to": local_authority},
            )
        return row
    row = PostcodeDistrict(district=district, local_authority=local_authority)
    row.full_clean()  # a district already in the table is refused here, next to the field
    row.save(force_insert=True)
    record_event(
        action=AuditEvent.Action.CREATE,
        actor=by,
        obj=row,
        detail={"district": district, "local_authority": local_authority},
    )
    return row


@transaction.atomic
def district_delete(*, by, row: PostcodeDistrict) -> None:
    """Remove a district: its cases report as "Not in the table" from then on."""
    record_event(
        action=AuditEvent.Action.DELETE,
        actor=by,
        obj=row,
        detail={"district": row.district, "local_authority": row.local_authority},
    )
    row.delete()
