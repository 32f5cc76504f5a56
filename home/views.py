import datetime

from django.db.models import Count, Exists, OuterRef, Window
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR, roles_of
from cases.querysets import current_assignments_of
from cases.selectors import open_cases, party_names, status_counts
from notifications.home import office_panels
from reports.home import coordinator_panels
from rules.selectors import breaches
from sessions.models import MediationSession
from sessions.services import MAX_SESSION_HOURS
from volunteers.models import Volunteer
from volunteers.selectors import dbs_attention, waiting_for

# How far ahead the coordinator's "sessions coming up" panel looks, and how many rows panels show.
SESSIONS_AHEAD_DAYS = 7
PANEL_ROWS = 20
MY_NEXT_SESSIONS = 5
LONGEST_SESSION = datetime.timedelta(hours=MAX_SESSION_HOURS)

# The home page a person lands on after login, by the role that matters most for their day.
HOME_TEMPLATES = (
    (COORDINATOR, "home/coordinator.html"),
    (SUPERVISOR, "home/supervisor.html"),
    (MEDIATOR, "home/mediator.html"),
    (ADMINISTRATOR, "home/administrator.html"),
)


def home(request):
    held = roles_of(request.user)
    template = next((t for role, t in HOME_TEMPLATES if role in held), "home/no_role.html")
    context = {}
    if COORDINATOR in held:
        context["status_counts"] = status_counts(request.user)
        context["dbs_attention"] = dbs_attention()
        context.update(session_panels())
        # What needs doing next: new referrals, consent, pairs, sign-offs, follow-ups.
        context.update(coordinator_panels())
        # What breaks a rule now (rules.checker), kept while nothing changes.
        attention = breaches()
        context["attention"] = attention[:PANEL_ROWS]
        context["attention_count"] = len(attention)

    elif held & {MEDIATOR, SUPERVISOR}:
        context["my_cases"] = open_cases(request.user)
        # What the trainee pathway waits for from them: a fixed number of queries, however many.
        context.update(waiting_for(request.user, supervisor=SUPERVISOR in held))
        volunteer = Volunteer.objects.filter(user=request.user).only("status").first()
        context["has_volunteer_record"] = volunteer is not None
        if volunteer is not None and volunteer.is_trainee:  # a mediator in training
            context["role_words"] = ", ".join(
                "Trainee mediator" if role == MEDIATOR else role for role in sorted(held)
            )
        context["my_next_sessions"] = my_next_sessions(request.user)
        context["now"] = timezone.now()
    return render(request, template, context)


def session_panels() -> dict:
    """The coordinator's session panels: the week ahead, failed reminders and the calls and
    letters due soon (home visits to move are among the cases that need attention)."""
    now = timezone.now()
    upcoming = (
        MediationSession.objects.filter(
            status=MediationSession.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=SESSIONS_AHEAD_DAYS),
        )
        .select_related("case")
        .annotate(party_names=party_names("case_id"))
    )
    # The rows shown and, by a window count, how many there are: one query.
    upcoming = list(upcoming.annotate(panel_total=Window(Count("pk")))[:PANEL_ROWS])
    return {
        "sessions_ahead_days": SESSIONS_AHEAD_DAYS,
        "upcoming_sessions_count": upcoming[0].panel_total if upcoming else 0,
        "upcoming_sessions": upcoming,
        # Calls and letters due, failed messages and parties' answers: one query.
        **office_panels(rows=PANEL_ROWS, replies_days=SESSIONS_AHEAD_DAYS),
    }


def my_next_sessions(user):
    """The next scheduled sessions the user attends as a mediator, on cases they are working
    on now (so within what they may see, Case.objects.visible_to). Found from the user's own
    assignments: PostgreSQL underestimates how many sessions lie ahead (status and date are
    correlated), and starting from those took 250 ms at 400,000 sessions instead of 2."""
    working_on = current_assignments_of(user).filter(case=OuterRef("case"))
    return (
        MediationSession.objects.filter(
            Exists(working_on),
            mediators__user=user,
            status=MediationSession.Status.SCHEDULED,
            # One under way stays until it ends (its outcome is recorded after): the bound on
            # the start keeps the search on the start-time index.
            starts_at__gte=timezone.now() - LONGEST_SESSION,
            ends_at__gt=timezone.now(),
        )
        .select_related("case")
        .annotate(party_names=party_names("case_id"))
        .order_by("starts_at", "id")[:MY_NEXT_SESSIONS]
    )
