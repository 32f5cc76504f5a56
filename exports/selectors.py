"""Whose export is it: the one choke point for reading an export.

An export is its requester's alone. Anyone else — another coordinator, an administrator, the
requester after losing the role the kind needs — gets 404, as if it did not exist (rule 11's
way: nothing said about someone else's file). Past its time it is gone for its requester too
(``ExportGone``, answered 410 with a page saying so).
"""

from django.http import Http404

from . import kinds
from .models import Export


class ExportGone(Exception):
    def __init__(self, export):
        super().__init__(export.pk)
        self.export = export


def export_for(request, pk: int, *, with_content: bool = False) -> Export:
    exports = Export.objects.all() if with_content else Export.objects.without_content()
    export = exports.filter(pk=pk, requester_id=request.user.pk).first()
    if export is None:
        raise Http404
    kind = kinds.KINDS.get(export.kind)
    if kind is None or not kind.allowed(request.user):
        raise Http404
    if export.is_expired:
        raise ExportGone(export)
    return export


def exports_of(user):
    """The user's exports still kept (a day's), newest first, without their bytes."""
    return Export.objects.filter(requester_id=user.pk).current().without_content()
