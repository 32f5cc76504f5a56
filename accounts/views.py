from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.selectors import open_cases, status_counts
from volunteers.models import Volunteer
from volunteers.selectors import dbs_attention, waiting_for

from .roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR, roles_of

# The home page a person lands on after login, by the role that matters most for their day.
HOME_TEMPLATES = (
    (COORDINATOR, "home/coordinator.html"),
    (SUPERVISOR, "home/supervisor.html"),
    (MEDIATOR, "home/mediator.html"),
    (ADMINISTRATOR, "home/administrator.html"),
)


@login_required
def home(request):
    held = roles_of(request.user)
    template = next((t for role, t in HOME_TEMPLATES if role in held), "home/no_role.html")
    context = {}
    if COORDINATOR in held:
        context["status_counts"] = status_counts(request.user)
        context["dbs_attention"] = dbs_attention()
    elif held & {MEDIATOR, SUPERVISOR}:
        context["my_cases"] = open_cases(request.user)
        # What the trainee pathway waits for from them: a fixed number of queries, however many.
        context.update(waiting_for(request.user, supervisor=SUPERVISOR in held))
        context["has_volunteer_record"] = Volunteer.objects.filter(user=request.user).exists()
    return render(request, template, context)
