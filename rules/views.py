"""The list of everything that breaks a rule now, for coordinators."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import COORDINATOR, role_required

from .selectors import breaches

PER_PAGE = 50


@require_safe
@role_required(COORDINATOR)
def attention(request):
    page = Paginator(breaches(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rules/attention.html", {"page": page})
