"""Volunteer hours and mileage: a volunteer logs their own, per case or activity, and sees their
entries and monthly totals. Thin: the rules are in volunteers.services.hours_log."""

from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from wkm.views import submit_form

from .. import services
from ..models import Volunteer, VolunteerHours
from ..trainee_forms import HoursForm

ENTRIES_PER_PAGE = 25


def monthly_totals(volunteer):
    """[{month, hours, miles}] newest month first, added up by the database."""
    return (
        VolunteerHours.objects.filter(volunteer=volunteer)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(hours=Sum("hours"), miles=Sum("miles"))
        .order_by("-month")
    )


def hours(request):
    try:
        volunteer = request.user.volunteer
    except Volunteer.DoesNotExist:
        raise Http404("You have no volunteer record.") from None
    form = HoursForm(
        request.POST or None,
        user=request.user,
        initial={"date": timezone.localdate(), "miles": 0},
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.hours_log(volunteer=volunteer, by=request.user, fields=data),
        success=lambda entry: f"Logged {entry.hours} hours on {date_format(entry.date, 'j M Y')}.",
        then="volunteers:hours",
    ):
        return done
    entries = VolunteerHours.objects.filter(volunteer=volunteer).select_related("case")
    page = Paginator(entries.order_by("-date", "-id"), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "volunteer": volunteer,
        "form": form,
        "page": page,
        "months": list(monthly_totals(volunteer)),
    }
    return render(request, "volunteers/hours.html", context)
