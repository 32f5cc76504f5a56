"""Session pages (under a case), mediators' calendar feeds, and the home-visits switch.

Thin: parse the request, call sessions.services, render. Every case page finds its case through
cases.access.case_for, so a case out of the user's scope answers 404 on all of them; the rules
(pairs, consent, clashes, home visits, times) and their messages live in the services.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import ADMINISTRATOR, role_required
from audit.models import AuditEvent
from audit.services import record_event
from cases.access import case_for
from notifications.who_hears import reminder_summary
from rules.selectors import breaches_of_case
from volunteers.models import Volunteer
from wkm.views import submit_form

from . import services
from .calendar import calendar_for, feed_sessions
from .forms import CancelForm, HomeVisitsSuspendForm, OutcomeForm, RescheduleForm, SessionForm
from .models import CalendarFeed, MediationSession, ServiceSettings, new_calendar_token

# What a change in the session's history is described by, in the order it is shown.
HISTORY_FIELDS = ("starts_at", "ends_at", "mode", "venue", "status")


def _session(case, pk) -> MediationSession:
    """A session of a case already found within the user's scope, or 404."""
    session = get_object_or_404(
        MediationSession.objects.filter(case=case).prefetch_related("mediators", "parties"),
        pk=pk,
    )
    session.case = case
    return session


def _posted(request):
    """The POST data for a form, or None: an empty POST is still a submission to check."""
    return request.POST if request.method == "POST" else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _current_pair(case):
    return case.current_assignments()


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def session_new(request, reference):
    case, access = case_for(request, reference)
    _require(access.can_manage)
    form = SessionForm(_posted(request), case=case)
    if done := submit_form(
        request,
        form,
        lambda data: services.session_book(case=case, by=request.user, **data),
        success=lambda session: (
            "Session recorded as held."
            if form.cleaned_data["held"]
            else f"Session booked. {reminder_summary(session)}"
        ),
        then=lambda session: session,
    ):
        return done
    return render(
        request,
        "sessions/form.html",
        {
            "case": case,
            "form": form,
            "pair": _current_pair(case),
            "show_pair": True,
            "heading": "Book a session",
            "refused": "This session cannot be booked",
            "submit_label": "Book the session",
        },
    )


def _history(session):
    """The session's versions (django-pghistory), oldest first, each with what changed."""
    events = list(session.events.select_related("pgh_context").order_by("pgh_id"))
    user_ids = {
        (e.pgh_context.metadata or {}).get("user") for e in events if e.pgh_context is not None
    }
    users = get_user_model().objects.in_bulk([i for i in user_ids if isinstance(i, int)])
    history, previous = [], None
    for event in events:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context else {}
        who = users.get(metadata.get("user"))
        if previous is None:
            changes = ["booked" if event.status == "scheduled" else "recorded"]
        else:
            changes = [
                _describe_change(name, previous, event)
                for name in HISTORY_FIELDS
                if getattr(previous, name) != getattr(event, name)
            ]
            if previous.notes != event.notes:
                changes.append("notes updated")
        if changes:
            history.append(
                {
                    "at": event.pgh_created_at,
                    "by": (who.get_full_name() or who.get_username()) if who else "",
                    "changes": changes,
                }
            )
        previous = event
    return history


def _describe_change(name, before, after) -> str:
    if name in ("starts_at", "ends_at"):
        label = "start" if name == "starts_at" else "end"
        old, new = (timezone.localtime(getattr(e, name)) for e in (before, after))
        return f"{label} moved from {old:%d/%m/%Y %H:%M} to {new:%d/%m/%Y %H:%M}"
    if name == "venue":
        return "venue or joining details changed"
    display = f"get_{name}_display"
    return f"{name} changed from {getattr(before, display)()} to {getattr(after, display)()}"


@require_safe
def session_detail(request, reference, pk):
    case, access = case_for(request, reference)
    _require(access.can_record)
    session = _session(case, pk)
    record_event(action=AuditEvent.Action.VIEW, obj=session)
    started = session.starts_at <= timezone.now()
    return render(
        request,
        "sessions/detail.html",
        {
            "case": case,
            "access": access,
            "session": session,
            "reminders": session.reminders.select_related("party", "volunteer", "user").order_by(
                "due_at", "id"
            ),
            "history": _history(session),
            "can_change": access.can_manage
            and case.is_open
            and session.status == MediationSession.Status.SCHEDULED,
            "can_record_outcome": started and session.status != MediationSession.Status.CANCELLED,
            "cancel_form": CancelForm(),
            "flagged": services.home_visits_to_reschedule().filter(pk=session.pk).exists(),
            "breaches": breaches_of_case(case) if access.can_manage else [],
            "current_mediator_ids": {a.volunteer_id for a in case.current_assignments()},
        },
    )


def session_reschedule(request, reference, pk):
    case, access = case_for(request, reference)
    _require(access.can_manage)
    session = _session(case, pk)
    if session.status != MediationSession.Status.SCHEDULED:
        messages.error(request, "Only a scheduled session can be rescheduled.")
        return redirect(session)
    form = RescheduleForm(
        _posted(request),
        initial={
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "mode": session.mode,
            "venue": session.venue,
        },
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.session_reschedule(session=session, by=request.user, **data),
        success="Session moved; reminders now follow the new time.",
        then=lambda session: session,
    ):
        return done
    return render(
        request,
        "sessions/form.html",
        {
            "case": case,
            "session": session,
            "form": form,
            "heading": "Reschedule the session",
            "refused": "The session cannot be moved",
            "submit_label": "Move the session",
        },
    )


@require_POST
def session_cancel(request, reference, pk):
    case, access = case_for(request, reference)
    _require(access.can_manage)
    session = _session(case, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(session)
    try:
        services.session_cancel(
            session=session, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Session cancelled; everyone attending will be told.")
    return redirect(session)


def session_outcome(request, reference, pk):
    case, access = case_for(request, reference)
    _require(access.can_record)
    session = _session(case, pk)
    initial = {"notes": session.notes}
    if session.status in (MediationSession.Status.HELD, MediationSession.Status.DID_NOT_ATTEND):
        initial["status"] = session.status
    form = OutcomeForm(_posted(request), initial=initial)
    if done := submit_form(
        request,
        form,
        lambda data: services.session_record_outcome(session=session, by=request.user, **data),
        success=lambda session: f"Outcome recorded: {session.get_status_display()}.",
        then=lambda session: session,
    ):
        return done
    return render(
        request,
        "sessions/form.html",
        {
            "case": case,
            "session": session,
            "form": form,
            "heading": "Record the outcome",
            "refused": "The outcome cannot be recorded",
            "submit_label": "Save the outcome",
        },
    )


@require_safe
def session_ics(request, reference, pk):
    case, access = case_for(request, reference)
    _require(access.can_record)
    session = _session(case, pk)
    content = calendar_for([session], name=f"{case.reference} session")
    record_event(action=AuditEvent.Action.DOWNLOAD, obj=session, detail={"format": "ics"})
    return _ics_response(content, f"{case.reference}-session-{session.pk}.ics")


# Calendars ------------------------------------------------------------------------------------


@login_not_required
@require_safe
def calendar_feed(request, token):
    """A mediator's sessions as iCalendar. No login: the unguessable token is the secret, and
    revoking it (on the calendar page) makes the old address answer 404."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("volunteer__user"), token=token)
    user = feed.volunteer.user
    if user is None or not user.is_active:
        raise Http404
    # The same scoping as every page (rule 11): only sessions of cases the mediator may see now.
    sessions = feed_sessions(feed.volunteer)
    content = calendar_for(sessions, name="WKM mediation sessions")
    record_event(
        action=AuditEvent.Action.DOWNLOAD,
        actor=user,
        obj=feed,
        object_repr="Calendar feed",
        detail={"calendar_feed": "fetched"},
    )
    response = _ics_response(content, "")
    response["X-Robots-Tag"] = "noindex"
    return response


def _own_volunteer(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise Http404("You have no volunteer record.")
    return volunteer


def calendar_settings(request):
    volunteer = _own_volunteer(request.user)
    feed, _created = CalendarFeed.objects.get_or_create(volunteer=volunteer)
    if request.method == "POST":
        feed.token = new_calendar_token()
        feed.save(update_fields=["token"])
        record_event(
            action=AuditEvent.Action.CHANGE,
            obj=feed,
            object_repr="Calendar feed",
            detail={"calendar_feed": "revoked"},
        )
        messages.success(
            request,
            "Your calendar has a new address. The old one no longer works: replace it in your "
            "calendar app.",
        )
        return redirect("calendar_settings")
    return render(
        request,
        "sessions/calendar_settings.html",
        {
            "feed_url": request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])),
        },
    )


# Home visits ----------------------------------------------------------------------------------


@role_required(ADMINISTRATOR)
def home_visits(request):
    service = ServiceSettings.current()
    form = HomeVisitsSuspendForm(
        request.POST if request.POST.get("action") == "suspend" else None,
        initial={
            "home_visits_reason": service.home_visits_reason,
            "home_visits_suspended_from": service.home_visits_suspended_from,
            "home_visits_suspended_until": service.home_visits_suspended_until,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "resume":
            services.home_visits_resume(by=request.user)
            messages.success(request, "Home visits can be booked again.")
            return redirect("home_visits")
        if action == "suspend" and (
            done := submit_form(
                request,
                form,
                lambda data: services.home_visits_suspend(
                    by=request.user,
                    reason=data["home_visits_reason"],
                    suspended_from=data["home_visits_suspended_from"],
                    suspended_until=data["home_visits_suspended_until"],
                ),
                success="Home visits are suspended; future home visits are flagged.",
                then="home_visits",
            )
        ):
            return done
    return render(
        request,
        "sessions/home_visits.html",
        {
            "service": service,
            "form": form,
            "to_reschedule": services.home_visits_to_reschedule().count(),
        },
    )
