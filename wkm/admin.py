"""What every ModelAdmin of the project shares: writes through the services, reads in the audit.

``ServiceAdminMixin`` — the admin writes through the same service as the pages (DESIGN.md §5:
``admin.py`` goes through the same services), and a rule the service refuses is a message next
to the field, never a 500 (rule 13).

How: the service runs *once*, for real, while the admin validates the form (the form's
``_post_clean``), and ``save_model`` only shows what it did. Two other ways were tried here and
dropped:

- calling the service in ``save_model`` (as cases/admin.py did): the admin has finished
  validating by then, so the rule's ``ValidationError`` escaped as a 500;
- a dry run of the service in a savepoint that is rolled back, then the real run in
  ``save_model`` (as volunteers/admin.py did): every rule is checked twice, anything the
  service tells (``wkm.consequences``) or queues is done twice or lost, and the world may change
  between the two runs, so the second can still raise into a 500.

Running it once is safe because Django's ``changeform_view`` wraps the whole POST in
``transaction.atomic``: what the service wrote commits together with the admin's own log entry
when the view saves, and never otherwise — ``render_change_form`` rolls the transaction back if
the page is shown again after the service ran (an inline formset refused, say), and a service
that refuses has already undone its own writes (its savepoint). Admins with the mixin have no
inline formsets and no bulk-edit list (those would write round the service).

``AuditedAdminMixin`` — rule 12 through the admin: opening a row (its change or view page, or
its history) records a *view* of it, with its case when it has one; a list records which list
and its filters (the search words only marked as given), never the rows shown. Each event's
detail says ``"admin": ...``, which /audit/ filters on (*Through the admin*). What the admin
*changes* is recorded by the service it calls (or, for accounts, by accounts.signals).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from audit.services import record_event

from .consequences import listen
from .forms import add_service_errors

# Longest filter value kept in an audit event: enough for any search word, bounded for the row.
FILTER_VALUE_MAX_CHARS = 100


class _ServiceForm:
    """Mixed into the admin's form by ServiceAdminMixin.get_form (see the module docstring)."""

    model_admin = None
    request = None
    change = False
    service_result = None  # the saved object, once the service accepted the form
    service_heard = ()  # what the service told (wkm.consequences), shown after saving

    def _post_clean(self):
        super()._post_clean()
        if self.errors:  # the form's own checks first: the service gets clean values only
            return
        try:
            with transaction.atomic(), listen() as heard:
                result = self.model_admin.save_through_service(self.request, self, self.change)
        except ValidationError as error:
            add_service_errors(self, error)
            return
        self.service_result = result
        self.service_heard = list(heard)


class ServiceAdminMixin:
    """A ModelAdmin whose add and change pages write only through a service.

    Subclasses define ``save_through_service(request, form, change)``: call the service with the
    form's cleaned values and return the saved object. It runs during form validation inside
    the admin's transaction (see the module docstring for why); its ValidationError shows on
    the form, next to the field it names.
    """

    inlines = ()
    list_editable = ()

    def save_through_service(self, request, form, change):
        raise NotImplementedError(f"{type(self).__name__} must say which service saves it")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"model_admin": self, "request": request, "change": change}
        return type(form.__name__, (_ServiceForm, form), attrs)

    def get_actions(self, request):
        # "Delete selected" would delete round the services; no admin with writes via services
        # has a bulk action (add one that calls the service if one is ever needed).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_form(self, request, form, change):
        # The service has saved: the admin's "saved" message, log entry and redirect use its row.
        return form.service_result

    def save_model(self, request, obj, form, change):
        for sentence in form.service_heard:
            messages.info(request, sentence)

    def save_related(self, request, form, formsets, change):
        """Nothing to do: the service saved the row and its relations."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if adminform is not None and getattr(adminform.form, "service_result", None) is not None:
            # The service ran, but the page is shown again instead of saving: undo its writes.
            transaction.set_rollback(True)
        return super().render_change_form(request, context, add, change, form_url, obj)


# The admin's search box: what was typed may be a person's name, and the audit trail can never
# be anonymised, so it is only marked as given (as the case list's search is, cases.views).
SEARCH_GIVEN = "(search text given)"


def _filters(request) -> dict:
    return {
        name: [SEARCH_GIVEN if name == "q" else value[:FILTER_VALUE_MAX_CHARS] for value in values]
        for name, values in request.GET.lists()
    }


class AuditedAdminMixin:
    """A ModelAdmin of personal or case data: every page that shows its rows is audited."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("cl") is not None:  # the list was shown (not a redirect or an error)
            record_event(
                action=AuditEvent.Action.VIEW,
                object_repr=f"List of {self.opts.verbose_name_plural}"[:200],
                detail={
                    "admin": "list",
                    "list": self.opts.label_lower,
                    "filters": _filters(request),
                },
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The page shows the row (a GET, or a POST refused and shown again); a POST that saves
        # redirects, and the service records the change.
        self._audit_shown(request, response, "original", "change page")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_shown(request, response, "object", "history")
        return response

    def audit_case_reference(self, obj) -> str:
        """The case ``obj`` belongs to, if its model has no ``case_reference_for_audit``."""
        return ""

    def _audit_shown(self, request, response, key, page):
        obj = (getattr(response, "context_data", None) or {}).get(key)
        if obj is not None and response.status_code == 200:
            record_event(
                action=AuditEvent.Action.VIEW,
                obj=obj,
                case_reference=self.audit_case_reference(obj),
                detail={"admin": page},
            )
