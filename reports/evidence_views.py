"""The per-referrer report's page: the period, and which organisation (or all of them).
The other funders' reports are plain report pages (reports.views._report_view)."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import role_required
from referrers.models import Referrer

from . import downloads
from .evidence import referrer_report
from .forms import period_form
from .views import REPORT_ROLES, _download_context, _page_context, download


class ReferrerChoiceForm(forms.Form):
    referrer = forms.ModelChoiceField(
        label="Referring organisation",
        queryset=Referrer.objects.order_by("name", "pk"),
        required=False,
        empty_label="All organisations (a row each)",
        help_text="Retired organisations are listed too: their referrals still count.",
    )


@role_required(*REPORT_ROLES)
@require_safe
def referrer(request):
    """What happened to a referring organisation's referrals (aggregates only, suppressed)."""
    form = period_form(request.GET)
    choice = ReferrerChoiceForm(request.GET or None)
    valid = form.is_valid() and (not request.GET or choice.is_valid())
    context = _page_context(request, form, "referrer")
    context |= {"referrer_form": choice, "title": "Referrers"}
    if not valid:
        return render(request, "reports/referrer.html", context, status=400)
    chosen = choice.cleaned_data.get("referrer") if choice.is_bound else None
    # A long period's file is made by the worker: a GET shows the button that asks.
    asking = downloads.long_download(request, "referrer", "Referrers", form.period, chosen)
    if asking is not None:
        return asking
    report = referrer_report(form.period, user=request.user, referrer=chosen)
    response = download(request, report)
    if response is not None:
        return response
    query = form.period.query + (f"&referrer={chosen.pk}" if chosen else "")
    context |= {"report": report, "title": report.title, "download_query": query}
    context |= _download_context("referrer", form.period, chosen)
    return render(request, "reports/referrer.html", context)
