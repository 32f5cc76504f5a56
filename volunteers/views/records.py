"""Volunteer records: the list, a volunteer's page and the forms that add to it.

Thin: parse the request, call a selector or service, render. Every volunteer is found through
volunteers.selectors.volunteers_visible_to (404 when out of scope); what a user may change on a
volunteer they can see is then checked here (403).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_safe

from accounts.roles import COORDINATOR, SUPERVISOR, has_role, role_required
from audit.models import AuditEvent
from audit.services import record_event
from cases.models import Case, CaseAssignment
from parties.validators import display_phone
from wkm.views import submit_form

from .. import services
from ..dbs import annotate_dbs, dbs_state, dbs_valid_until
from ..eligibility import community_course_hours
from ..filters import VolunteerFilter
from ..forms import (
    AccreditationForm,
    AvailabilityForm,
    ConnectionForm,
    DBSCheckForm,
    RevokeAccreditationForm,
    StatusCheckForm,
    TrainingForm,
    VolunteerForm,
    values_for,
)
from ..models import Accreditation, Volunteer
from ..selectors import trainee_cases_visible_to, volunteers_visible_to, with_caseload

VOLUNTEERS_PER_PAGE = 25


# --- Who may do what, on a volunteer they can see ----------------------------------------------


def _can_manage(user) -> bool:
    return has_role(user, COORDINATOR)


def _can_grant(user, volunteer) -> bool:
    """Coordinators, and a supervisor for the trainees they supervise."""
    return _can_manage(user) or (
        has_role(user, SUPERVISOR)
        and volunteer.supervisor_id is not None
        and volunteer.supervisor_id == user.pk
    )


def _can_set_availability(user, volunteer) -> bool:
    return _can_manage(user) or (volunteer.user_id is not None and volunteer.user_id == user.pk)


def _volunteer_for(request, pk, queryset=None):
    """The volunteer ``pk`` if the user may see them, else 404."""
    queryset = volunteers_visible_to(request.user) if queryset is None else queryset
    return get_object_or_404(queryset, pk=pk)


def _managed_volunteer(request, pk):
    volunteer = _volunteer_for(request, pk)
    if not _can_manage(request.user):
        raise PermissionDenied
    return volunteer


def _with_dbs_until(queryset):
    """``dbs_until`` per volunteer as a correlated subquery over the one DBS policy
    (annotate_dbs), so it never multiplies the rows another aggregate (the caseload) counts."""
    latest = annotate_dbs(Volunteer.objects.filter(pk=OuterRef("pk")).order_by()).values(
        "dbs_until"
    )
    return queryset.annotate(dbs_until=Subquery(latest))


def _form_page(request, form, *, volunteer, heading, submit_label, intro=""):
    return render(
        request,
        "volunteers/form.html",
        {
            "form": form,
            "volunteer": volunteer,
            "heading": heading,
            "submit_label": submit_label,
            "intro": intro,
        },
    )


# --- The list ----------------------------------------------------------------------------------


@require_safe
@role_required(COORDINATOR, SUPERVISOR)
def volunteer_list(request):
    queryset = (
        _with_dbs_until(with_caseload(volunteers_visible_to(request.user)))
        .prefetch_related(
            Prefetch("accreditations", queryset=Accreditation.objects.held().order_by("kind"))
        )
        .order_by("last_name", "first_name", "pk")  # aggregates drop Meta.ordering
    )
    volunteer_filter = VolunteerFilter(request.GET, queryset=queryset)
    page = Paginator(volunteer_filter.qs, VOLUNTEERS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    volunteers = list(page.object_list)
    for volunteer in volunteers:
        volunteer.dbs_state = dbs_state(volunteer.dbs_until, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/list.html",
        {
            "filter": volunteer_filter,
            "page": page,
            "volunteers": volunteers,
            "query": query.urlencode(),
            "can_manage": _can_manage(request.user),
        },
    )


# --- A volunteer's page ------------------------------------------------------------------------


def _assignments_visible_to(user):
    assignments = CaseAssignment.objects.select_related("case").order_by("-started_on", "-id")
    if has_role(user, COORDINATOR):
        return assignments
    return assignments.filter(case__in=Case.objects.visible_to(user))


@require_safe
def volunteer_detail(request, pk):
    queryset = (
        volunteers_visible_to(request.user)
        .select_related("user", "supervisor")
        .prefetch_related(
            "dbs_checks",
            "training",
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.select_related("granted_by", "revoked_by"),
            ),
            "connections",
            "availability",
            # Only the cases the viewer may see (rule 11): a supervisor looking at a volunteer
            # they supervise does not learn the references of that volunteer's other cases.
            Prefetch("assignments", queryset=_assignments_visible_to(request.user)),
            Prefetch("trainee_cases", queryset=trainee_cases_visible_to(request.user)),
        )
    )
    volunteer = _volunteer_for(request, pk, queryset)
    record_event(action=AuditEvent.Action.VIEW, obj=volunteer)
    user = request.user
    can_manage = _can_manage(user)
    today = timezone.localdate()
    dbs_until = dbs_valid_until(volunteer)
    assignments = list(volunteer.assignments.all())
    checks = [
        (
            check,
            StatusCheckForm(
                auto_id=f"id_check{check.pk}_%s", initial={"last_status_check_on": today}
            )
            if can_manage and check.update_service
            else None,
        )
        for check in volunteer.dbs_checks.all()
    ]
    context = {
        "volunteer": volunteer,
        "phone": display_phone(volunteer.phone),
        "can_manage": can_manage,
        "can_grant": _can_grant(user, volunteer),
        "can_set_availability": _can_set_availability(user, volunteer),
        "dbs_until": dbs_until,
        "dbs_state": dbs_state(dbs_until, today),
        "checks": checks,
        "course_hours": community_course_hours(volunteer),
        "course_hours_needed": settings.COMMUNITY_COURSE_HOURS,
        "availability": AvailabilityForm.for_volunteer(volunteer),
        # A case that closed is past work, though the pair's assignment has no end date.
        "current_assignments": [a for a in assignments if a.ended_on is None and a.case.is_open],
        "past_assignments": [
            a for a in assignments if a.ended_on is not None or not a.case.is_open
        ],
        "trainee_cases": list(volunteer.trainee_cases.all()),
        "signed_off": services.signed_off_trainee_cases(volunteer)
        if volunteer.is_trainee
        else None,
        "signed_off_needed": settings.TRAINEE_CASES_FOR_ACCREDITATION,
    }
    return render(request, "volunteers/detail.html", context)


# --- Records ----------------------------------------------------------------------------------


@role_required(COORDINATOR)
def volunteer_new(request):
    form = VolunteerForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda _: services.volunteer_create(
            by=request.user, fields=values_for(form, VolunteerForm.Meta.fields)
        ),
        success=lambda volunteer: f"{volunteer.full_name} added.",
        then=lambda volunteer: volunteer,
    ):
        return done
    return render(
        request,
        "volunteers/form.html",
        {"form": form, "heading": "Add a volunteer", "submit_label": "Add volunteer"},
    )


def volunteer_edit(request, pk):
    volunteer = _managed_volunteer(request, pk)
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if done := submit_form(
        request,
        form,
        lambda _: services.volunteer_update(
            volunteer=Volunteer.objects.get(pk=pk),
            by=request.user,
            fields=values_for(form, VolunteerForm.Meta.fields),
        ),
        success="Volunteer details saved.",
        then=lambda volunteer: volunteer,
        consequences=True,
    ):
        return done
    return _form_page(
        request,
        form,
        volunteer=Volunteer.objects.get(pk=pk),  # the saved name, not what was typed
        heading="Edit volunteer details",
        submit_label="Save",
    )


def _dbs_recorded(check) -> str:
    if check.current_until:
        until = f"current until {format_date(check.current_until, 'j M Y')}"
    else:
        until = "not current: only an enhanced check counts for mediation"
    return f"DBS check recorded: {until}."


def _status_check_recorded(check) -> str:
    until = format_date(check.current_until, "j M Y") if check.current_until else "—"
    return f"Status check recorded: DBS {check} current until {until}."


def dbs_new(request, pk):
    volunteer = _managed_volunteer(request, pk)
    form = DBSCheckForm(request.POST or None, initial={"enhanced": True})
    if done := submit_form(
        request,
        form,
        lambda _: services.dbs_record(
            volunteer=volunteer, by=request.user, fields=values_for(form, DBSCheckForm.Meta.fields)
        ),
        success=_dbs_recorded,
        then=volunteer,
    ):
        return done
    return _form_page(
        request,
        form,
        volunteer=volunteer,
        heading="Record a DBS check",
        submit_label="Record check",
    )


def dbs_status_check(request, pk, check_pk):
    volunteer = _managed_volunteer(request, pk)
    check = get_object_or_404(volunteer.dbs_checks, pk=check_pk)
    form = StatusCheckForm(
        request.POST or None, initial={"last_status_check_on": timezone.localdate()}
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.dbs_status_checked(
            check=check, by=request.user, checked_on=data["last_status_check_on"]
        ),
        success=_status_check_recorded,
        then=volunteer,
    ):
        return done
    return _form_page(
        request,
        form,
        volunteer=volunteer,
        heading="Record an Update Service status check",
        submit_label="Record status check",
        intro=(
            f"Certificate {check.certificate_number}, issued "
            f"{format_date(check.issued_on, 'j M Y')}. "
            "Record a check that found the certificate still valid."
        ),
    )


def training_new(request, pk):
    volunteer = _managed_volunteer(request, pk)
    form = TrainingForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda _: services.training_add(
            volunteer=volunteer, by=request.user, fields=values_for(form, TrainingForm.Meta.fields)
        ),
        success="Training recorded.",
        then=volunteer,
    ):
        return done
    return _form_page(
        request, form, volunteer=volunteer, heading="Record training", submit_label="Save training"
    )


def accreditation_new(request, pk):
    volunteer = _volunteer_for(request, pk)
    if not _can_grant(request.user, volunteer):
        raise PermissionDenied
    form = AccreditationForm(
        request.POST or None,
        initial={"granted_on": timezone.localdate()},
        may_record_prior=_can_manage(request.user),
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.accreditation_grant(
            volunteer=volunteer,
            kind=data["kind"],
            granted_on=data["granted_on"],
            prior_evidence=data.get("prior_evidence", ""),
            by=request.user,
        ),
        success=lambda accreditation: f"{volunteer.full_name} is accredited for {accreditation}.",
        then=volunteer,
    ):
        return done
    intro = ""
    if volunteer.is_trainee:
        intro = (
            f"{services.signed_off_trainee_cases(volunteer)} of "
            f"{settings.TRAINEE_CASES_FOR_ACCREDITATION} supervised community cases signed off."
        )
    return _form_page(
        request,
        form,
        volunteer=volunteer,
        heading="Grant an accreditation",
        submit_label="Grant accreditation",
        intro=intro,
    )


def accreditation_revoke(request, pk, accreditation_pk):
    volunteer = _managed_volunteer(request, pk)
    accreditation = get_object_or_404(volunteer.accreditations.held(), pk=accreditation_pk)
    form = RevokeAccreditationForm(request.POST or None)
    kind = accreditation.get_kind_display().lower()
    if done := submit_form(
        request,
        form,
        lambda data: services.accreditation_revoke(
            accreditation=accreditation, by=request.user, reason=data["reason"]
        ),
        success=f"{volunteer.full_name}'s {kind} accreditation is revoked.",
        then=volunteer,
        consequences=True,
    ):
        return done
    cases = services.cases_needing(accreditation)
    listed = ", ".join(case.reference for case in cases)
    return _form_page(
        request,
        form,
        volunteer=volunteer,
        heading=f"Revoke the {kind} accreditation",
        submit_label="Revoke the accreditation",
        intro=(
            f"Granted {format_date(accreditation.granted_on, 'j M Y')}. The record stays on "
            f"{volunteer.full_name}'s page, struck through, with your reason."
            + (
                " Revoking community accreditation makes them a trainee again."
                if accreditation.kind == "community"
                else ""
            )
            + (
                f" Open cases they work on that need it: {listed}. No session can be booked on "
                "them until the pair is changed; they will be listed under “Cases that need "
                "attention”."
                if cases
                else " They work on no open case that needs it."
            )
        ),
    )


def connection_new(request, pk):
    volunteer = _managed_volunteer(request, pk)
    form = ConnectionForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda _: services.connection_add(
            volunteer=volunteer,
            by=request.user,
            fields=values_for(form, ConnectionForm.Meta.fields),
        ),
        success="Connection recorded.",
        then=volunteer,
        consequences=True,
    ):
        return done
    return _form_page(
        request,
        form,
        volunteer=volunteer,
        heading="Declare a connection",
        submit_label="Save connection",
        intro="People or streets this volunteer must not mediate for, without a recorded reason.",
    )


def availability_edit(request, pk):
    volunteer = _volunteer_for(
        request, pk, volunteers_visible_to(request.user).prefetch_related("availability")
    )
    if not _can_set_availability(request.user, volunteer):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = AvailabilityForm.for_volunteer(volunteer, data)
    if done := submit_form(
        request,
        form,
        lambda _: services.availability_set(
            volunteer=volunteer, by=request.user, slots=form.cleaned_slots()
        ),
        success="Availability saved.",
        then=volunteer,
    ):
        return done
    return render(request, "volunteers/availability.html", {"form": form, "volunteer": volunteer})
