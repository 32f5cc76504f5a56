"""The administrators' page for two-factor set-up links (accounts.enrolment): who needs
two-factor, who has it set up, whose link is waiting, and a button to issue a link.

A new link's address is shown once, in the answer to the POST that made it, and never again:
not in a redirect, a message or the session, where it would be stored.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import enrolment
from .models import EnrolmentLink
from .roles import ADMINISTRATOR, role_required
from .two_factor import TWO_FACTOR_ROLES

PAGE_SIZE = 50


def people_who_need_two_factor():
    """Active users whose role (or superuser flag) needs two-factor, with whether they have a
    device and when their newest usable link stops working: a fixed number of queries."""
    now = timezone.now()
    usable_links = EnrolmentLink.objects.filter(
        user=OuterRef("pk"), used_at=None, revoked_at=None, expires_at__gt=now
    ).order_by("-expires_at")
    needs = Q(is_superuser=True) | Q(groups__name__in=TWO_FACTOR_ROLES)
    ids = get_user_model().objects.filter(needs, is_active=True).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            link_expires_at=Subquery(usable_links.values("expires_at")[:1]),
        )
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "username")
    )


class IssueLinkForm(forms.Form):
    """The person a link is for: one button per row of the page, so a hidden field."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        widget=forms.HiddenInput,
        label="Person",
        error_messages={"invalid_choice": "That account does not exist or is not active."},
    )


@never_cache
@role_required(ADMINISTRATOR)
def enrolment_links(request):
    """List who needs two-factor; on POST, issue a set-up link for one of them."""
    issued = error = None
    if request.method == "POST":
        form = IssueLinkForm(request.POST)
        if form.is_valid():
            try:
                issued = enrolment.issue_enrolment_link(
                    user=form.cleaned_data["user"], by=request.user
                )
            except ValidationError as problem:
                error = problem.messages[0]
        else:
            error = form.errors["user"][0]
    page = Paginator(people_who_need_two_factor(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/enrolment_links.html",
        {
            "page": page,
            "issued": issued,
            "error": error,
            "link_hours": settings.ENROLMENT_LINK_HOURS,
        },
        status=400 if error else 200,
    )
