"""The lists administrators edit without a deploy: referral sources, dispute types and closing
outcomes (cases.models.ListEntry) — reading them cheaply everywhere, and changing them by rules.

Reading. Every page, form, filter, letter, export and report that shows one of these values asks
here: ``label(LIST, code)`` (what Case.get_referral_source_display and its siblings answer),
``labels(LIST)``, ``choices(LIST, include=...)`` for a form or a filter, ``report_choices(...)``
for a report's rows, the ``list_label`` template filter (cases.templatetags.lists), the form mixin
``ListChoicesMixin`` and the admin's ``list_filter``. One query loads the three lists at once,
held in the process and checked against a stamp kept in Django's cache — once per request (a
page or an export prints hundreds of labels from one look), on every call outside one — so a
page shows the same number of queries however many labels it prints. Saving an entry deletes
the stamp (and again when the transaction commits): this process reads the lists afresh at once;
another process sees the change at its next look at the stamp — its next request with a shared
cache, within ``CACHE_SECONDS`` with the default per-process one.

The lists start as the TextChoices in cases.models (ReferralSource, DisputeType, Outcome), which
migration 0012 copied into the table, and which remain what the code names (``Outcome.WITHDRAWN``,
``ReferralSource.SELF``). A code of those classes that has no row (an emptied table, a value
added to the code later) is read with the label and place the class gives it, so nothing ever
shows a bare code.

Writing. ``entry_add`` (referral sources only) and ``entry_change`` (label, position, retired),
each audited. A code is fixed for ever: made once from the first label, unique in its list,
never reused (entries are retired, not deleted: the table's triggers refuse a deletion and any
change of code). Dispute types and outcomes keep the codes the rules depend on (accreditation
by dispute type, mediated outcomes): they can be renamed and reordered, never added or retired.
A retired referral source stays on the cases that have it, with its label, and in the reports;
new cases and changed ones cannot choose it.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import NamedTuple

from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Max, TextChoices
from django.utils import timezone
from django.utils.text import slugify

from audit.models import AuditEvent
from audit.services import record_event

from .models import (
    PINNED_REFERRAL_SOURCES,
    DisputeType,
    ListEntry,
    Outcome,
    ReferralSource,
)

REFERRAL_SOURCE = ListEntry.List.REFERRAL_SOURCE
DISPUTE_TYPE = ListEntry.List.DISPUTE_TYPE
OUTCOME = ListEntry.List.OUTCOME

# What each list starts as, and what the code names (and falls back on).
SEEDS: dict[str, type[TextChoices]] = {
    REFERRAL_SOURCE: ReferralSource,
    DISPUTE_TYPE: DisputeType,
    OUTCOME: Outcome,
}
# Lists whose codes rules depend on: renamed and reordered only.
FIXED = frozenset({DISPUTE_TYPE, OUTCOME})

# The singular, for messages ("a referral source").
NOUN = {REFERRAL_SOURCE: "referral source", DISPUTE_TYPE: "dispute type", OUTCOME: "outcome"}

RETIRED_SUFFIX = " (retired)"
STAMP_KEY = "cases:lists:stamp"
CACHE_SECONDS = 30
POSITION_STEP = 10
CODE_MAX_LENGTH = ListEntry._meta.get_field("code").max_length
LABEL_MAX_LENGTH = ListEntry._meta.get_field("label").max_length


class Entry(NamedTuple):
    code: str
    label: str
    position: int
    retired: bool


class _List(NamedTuple):
    entries: tuple[Entry, ...]  # in order, retired ones too
    labels: dict[str, str]  # code → label
    current: frozenset[str]  # the codes not retired


# --- Reading ----------------------------------------------------------------------------------

# This process's copy of the lists, and the stamp it was read under.
_held: tuple[str, dict[str, _List]] | None = None
# The stamp this thread's request has already looked at (None outside a request).
_request = threading.local()


def _request_starts(**kwargs) -> None:
    _request.active, _request.stamp = True, None


def _request_ends(**kwargs) -> None:
    _request.active, _request.stamp = False, None


request_started.connect(_request_starts, dispatch_uid="cases.lists.request_started")
request_finished.connect(_request_ends, dispatch_uid="cases.lists.request_finished")


def forget() -> None:
    """The lists changed: read them again (this process at once; the others at their next look
    at the stamp). Also after the commit, in case a page read the lists in between."""
    global _held
    _held = None
    cache.delete(STAMP_KEY)
    transaction.on_commit(lambda: cache.delete(STAMP_KEY))


def _stamp() -> str:
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        # add, not set: processes sharing a cache agree on one stamp instead of each replacing
        # the other's (and each reloading in turn).
        cache.add(STAMP_KEY, uuid.uuid4().hex, CACHE_SECONDS)
        stamp = cache.get(STAMP_KEY)
    if stamp is None:  # a cache that keeps nothing (DummyCache): at most CACHE_SECONDS old
        stamp = f"t{int(time.monotonic() // CACHE_SECONDS)}"
    return stamp


def _load() -> dict[str, _List]:
    """The three lists in one query, each over its TextChoices (see the module docstring)."""
    rows: dict[str, dict[str, Entry]] = {name: {} for name in SEEDS}
    for entry in ListEntry.objects.order_by().only(
        "list", "code", "label", "position", "retired_at"
    ):
        if entry.list in rows:
            rows[entry.list][entry.code] = Entry(
                entry.code, entry.label, entry.position, entry.retired_at is not None
            )
    lists = {}
    for name, seed in SEEDS.items():
        merged = {
            choice.value: Entry(choice.value, choice.label, (i + 1) * POSITION_STEP, False)
            for i, choice in enumerate(seed)
        }
        found = rows[name]
        if name in FIXED:  # never another code than the rules know (nor a retired one)
            found = {code: e._replace(retired=False) for code, e in found.items() if code in merged}
        merged.update(found)
        ordered = tuple(sorted(merged.values(), key=lambda e: (e.position, e.label.casefold())))
        lists[name] = _List(
            ordered,
            {e.code: e.label for e in ordered},
            frozenset(e.code for e in ordered if not e.retired),
        )
    return lists


def _lists() -> dict[str, _List]:
    global _held
    held = _held
    if held is not None and getattr(_request, "stamp", None) == held[0]:
        return held[1]  # already looked at in this request
    stamp = _stamp()
    if getattr(_request, "active", False):
        _request.stamp = stamp
    if held is not None and held[0] == stamp:
        return held[1]
    lists = _load()
    _held = (stamp, lists)
    return lists


def entries(name: str) -> tuple[Entry, ...]:
    """Every entry of the list, retired ones too, in the administrators' order."""
    return _lists()[name].entries


def labels(name: str) -> dict[str, str]:
    """code → label for every entry of the list, retired ones too (old cases show theirs)."""
    return dict(_lists()[name].labels)


def label(name: str, code: str) -> str:
    """The label of ``code``; an empty value is empty, an unknown one shows as itself."""
    if not code:
        return ""
    return _lists()[name].labels.get(code, str(code))


def is_current(name: str, code: str) -> bool:
    return code in _lists()[name].current


def choices(
    name: str, *, include=(), mark_retired: bool = False, retired: bool = False
) -> list[tuple[str, str]]:
    """(code, label) of the current entries, in order, for a form or a filter; retired entries
    too where ``retired``, or those whose code is in ``include`` (the value a case already
    has, the codes a report counted) — marked "(retired)" where ``mark_retired``."""
    keep = set(include)
    return [
        (entry.code, entry.label + (RETIRED_SUFFIX if mark_retired and entry.retired else ""))
        for entry in entries(name)
        if not entry.retired or retired or entry.code in keep
    ]


def list_of(text_choices) -> str | None:
    """The editable list a TextChoices class starts, if it is one of them."""
    for name, seed in SEEDS.items():
        if text_choices is seed:
            return name
    return None


def report_choices(text_choices, *, include=()) -> list[tuple[str, str]]:
    """A report's rows for a TextChoices class: for an editable list, its current entries as
    the administrators name and order them and any retired one the report counted (its
    figures keep their label); for any other class, its own choices."""
    name = list_of(text_choices)
    if name is None:
        return [(choice.value, choice.label) for choice in text_choices]
    return choices(name, include=include)


def check_current(name: str, code: str, *, field: str) -> None:
    """Refuse a value that is not a current entry of the list (for a new case, or a change)."""
    if is_current(name, code):
        return
    if code in labels(name):
        message = f"“{label(name, code)}” has been retired: choose another {NOUN[name]}."
    else:
        message = f"Choose one of the {NOUN[name]}s listed."
    raise ValidationError({field: message})


class ListChoicesMixin:
    """A form whose fields named in ``list_fields`` (field → list) choose from the editable
    list: its current entries, plus a retired one the record already has (marked "(retired)",
    so editing an old case keeps it). Anything else posted is refused."""

    list_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        for field_name, name in self.list_fields.items():
            field = self.fields.get(field_name)
            if field is None:
                continue
            kept = getattr(instance, field_name, "") if instance is not None and instance.pk else ""
            self.fields[field_name] = forms.ChoiceField(
                label=field.label,
                help_text=field.help_text,
                required=field.required,
                initial=field.initial,
                choices=[("", "---------")]
                + choices(name, include=[kept] if kept else (), mark_retired=True),
                error_messages={"invalid_choice": f"Choose one of the {NOUN[name]}s listed."},
            )


def list_filter(name: str, field: str, title: str) -> type[admin.SimpleListFilter]:
    """An admin list filter on ``field`` by the editable list ``name`` (every entry, retired
    ones marked, so old cases can still be found)."""

    class ListFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return choices(name, retired=True, mark_retired=True)

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    ListFilter.title = title
    ListFilter.__name__ = f"{field.title().replace('_', '')}ListFilter"
    return ListFilter


# --- Writing ----------------------------------------------------------------------------------


def _clean_label(name: str, text: str, *, entry: ListEntry | None = None) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError({"label": f"Give the {NOUN[name]} a name."})
    if len(text) > LABEL_MAX_LENGTH:
        raise ValidationError({"label": f"Keep it to {LABEL_MAX_LENGTH} characters."})
    same = ListEntry.objects.filter(list=name, label__iexact=text)
    if entry is not None:
        same = same.exclude(pk=entry.pk)
    other = same.first()
    if other is not None:
        hint = " (retired: bring it back instead)" if other.is_retired else ""
        raise ValidationError(
            {"label": f"There is already a {NOUN[name]} called “{other.label}”{hint}."}
        )
    return text


def _clean_position(position) -> int:
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise ValidationError({"position": "Enter a whole number."}) from None
    if not 0 <= position <= 32767:
        raise ValidationError({"position": "Enter a number from 0 to 32767."})
    return position


def _new_code(name: str, text: str) -> str:
    """A code made from the label ("GP surgery" → "gp_surgery"), unique in the list for ever:
    retired codes and the codes the code base names are never given again."""
    taken = set(ListEntry.objects.filter(list=name).values_list("code", flat=True))
    taken |= set(SEEDS[name].values)
    base = slugify(text).replace("-", "_")[:CODE_MAX_LENGTH].strip("_") or "source"
    code, n = base, 1
    while code in taken:
        n += 1
        suffix = f"_{n}"
        code = base[: CODE_MAX_LENGTH - len(suffix)].rstrip("_") + suffix
    return code


def _record(entry: ListEntry, action: str, by, **detail) -> None:
    record_event(
        action=action,
        actor=by,
        obj=entry,
        detail={"list": entry.list, "code": entry.code, **detail},
    )


@transaction.atomic
def ensure_seeded() -> int:
    """Give every code of the TextChoices its row, with the label and place the class gives
    it, where it has none (migration 0012 made them all; a value added to the code later, or
    an emptied table, gets its row here). Returns how many were made."""
    have = set(ListEntry.objects.values_list("list", "code"))
    missing = [
        ListEntry(
            list=name, code=choice.value, label=choice.label, position=(i + 1) * POSITION_STEP
        )
        for name, seed in SEEDS.items()
        for i, choice in enumerate(seed)
        if (name, choice.value) not in have
    ]
    if missing:
        ListEntry.objects.bulk_create(missing, ignore_conflicts=True)
        forget()
    return len(missing)


@transaction.atomic
def entry_add(*, by, label: str, position=None, name: str = REFERRAL_SOURCE) -> ListEntry:
    """Add a referral source (the other lists are fixed), at the end unless placed."""
    if name in FIXED:
        raise ValidationError(
            f"The {NOUN[name]}s are fixed, as rules depend on them: rename or reorder them instead."
        )
    if name not in SEEDS:
        raise ValidationError("There is no such list.")
    # One addition to a list at a time: two at once could choose the same code.
    list(ListEntry.objects.select_for_update().filter(list=name).values_list("pk"))
    text = _clean_label(name, label)
    if position in (None, ""):
        last = ListEntry.objects.filter(list=name).aggregate(last=Max("position"))["last"]
        last = max(last or 0, max((e.position for e in entries(name)), default=0))
        position = last + POSITION_STEP
    entry = ListEntry(list=name, label=text, position=_clean_position(position))
    entry.code = _new_code(name, text)
    entry.full_clean()
    entry.save()
    _record(entry, AuditEvent.Action.CREATE, by, label=text, position=entry.position)
    return entry


@transaction.atomic
def entry_change(*, entry: ListEntry, by, label=None, position=None, retired=None) -> ListEntry:
    """Rename, move, retire or bring back an entry. Only what is given changes; each change is
    audited with the label before and after."""
    locked = ListEntry.objects.select_for_update().get(pk=entry.pk)
    name = locked.list
    changed: dict = {}
    if label is not None:
        text = _clean_label(name, label, entry=locked)
        if text != locked.label:
            changed["label"] = {"from": locked.label, "to": text}
            locked.label = text
    if position is not None and position != "":
        position = _clean_position(position)
        if position != locked.position:
            changed["position"] = {"from": locked.position, "to": position}
            locked.position = position
    if retired is not None and bool(retired) != locked.is_retired:
        if retired:
            _check_may_retire(locked)
            locked.retired_at = timezone.now()
        else:
            locked.retired_at = None
        changed["retired"] = bool(retired)
    if not changed:
        return locked
    locked.full_clean()
    locked.save()
    _record(locked, AuditEvent.Action.CHANGE, by, fields=sorted(changed), **changed)
    return locked


def _check_may_retire(entry: ListEntry) -> None:
    if entry.list in FIXED:
        raise ValidationError(
            {
                "retired": f"A {NOUN[entry.list]} cannot be retired, as rules depend on it: "
                "rename it instead."
            }
        )
    if entry.code in PINNED_REFERRAL_SOURCES:
        raise ValidationError(
            {
                "retired": f"“{entry.label}” cannot be retired: the public referral form uses "
                "it. Rename it instead."
            }
        )
