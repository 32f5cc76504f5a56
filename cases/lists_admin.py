"""The administrators' page for the editable lists (cases.lists): referral sources, dispute
types and closing outcomes, in the Django admin like the administrators' other jobs (service
settings, volunteers), by the permissions cases/migrations/0012 gives the Administrator group.

It writes only through cases.lists' services (wkm.admin.ServiceAdminMixin), which hold the rules
and audit each change: an entry is renamed and moved by its position; a referral source is added
(its code made from its name) and retired or brought back; nothing is ever deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.timezone import localtime

from wkm.admin import ServiceAdminMixin

from . import lists
from .models import PINNED_REFERRAL_SOURCES, ListEntry


def retirable(entry: ListEntry) -> bool:
    return entry.list == lists.REFERRAL_SOURCE and entry.code not in PINNED_REFERRAL_SOURCES


class ListEntryForm(forms.ModelForm):
    retired = forms.BooleanField(
        label="Retired",
        required=False,
        help_text=(
            "A retired source cannot be chosen for a new case; the cases that have it keep it, "
            "and the reports still count them under this name."
        ),
    )

    class Meta:
        model = ListEntry
        fields = ("label", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.instance
        if entry.pk is None:
            self.fields["label"].help_text = (
                "The name of the new referral source, as every page and report will show it. "
                "Dispute types and outcomes are fixed (rules depend on them): rename them "
                "instead."
            )
            position = self.fields["position"]
            position.required = False
            position.initial = None
            position.help_text = "Leave empty to add it at the end. " + position.help_text
        if entry.pk is None or not retirable(entry):
            del self.fields["retired"]
        else:
            self.fields["retired"].initial = entry.is_retired


class RetiredFilter(admin.SimpleListFilter):
    title = "in use"
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", "Current"), ("yes", "Retired")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(retired_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(retired_at__isnull=False)
        return queryset


@admin.register(ListEntry)
class ListEntryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ListEntryForm
    list_display = ("label", "list", "code", "position", "state")
    list_display_links = ("label",)
    list_filter = ("list", RetiredFilter)
    search_fields = ("label", "code")
    ordering = ("list", "position", "label")
    actions = ("retire_selected", "bring_back_selected")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("label", "position")
        editable = ("label", "position", "retired") if retirable(obj) else ("label", "position")
        return ("list", "code", *editable)

    def get_readonly_fields(self, request, obj=None):
        return ("list", "code") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted: cases hold the codes

    def changelist_view(self, request, extra_context=None):
        # Every value the code knows has its row to edit (migration 0012 made them; a value
        # added to the code since gets one here).
        lists.ensure_seeded()
        return super().changelist_view(request, extra_context)

    @admin.display(description="in use")
    def state(self, entry):
        if entry.retired_at is None:
            return "Current"
        return f"Retired on {date_format(localtime(entry.retired_at), 'j M Y')}"

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        if not change:
            return lists.entry_add(by=request.user, label=data["label"], position=data["position"])
        return lists.entry_change(
            entry=ListEntry.objects.get(pk=form.instance.pk),
            by=request.user,
            label=data["label"],
            position=data["position"],
            retired=data.get("retired"),
        )

    def _set_retired(self, request, queryset, retired: bool) -> None:
        done = 0
        for entry in queryset:
            try:
                before = entry.is_retired
                after = lists.entry_change(entry=entry, by=request.user, retired=retired)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                done += before != after.is_retired
        verb = "Retired" if retired else "Brought back"
        messages.info(request, f"{verb} {done} entr{'y' if done == 1 else 'ies'}.")

    @admin.action(description="Retire the selected referral sources", permissions=["change"])
    def retire_selected(self, request, queryset):
        self._set_retired(request, queryset, True)

    @admin.action(description="Bring back the selected referral sources", permissions=["change"])
    def bring_back_selected(self, request, queryset):
        self._set_retired(request, queryset, False)
