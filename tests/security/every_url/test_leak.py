"""The audit catches an unscoped view: against a URLconf with a deliberately unscoped view, it
reports it."""

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

import cases.urls  # noqa: F401 - registers the <ref:…> converter the leak's pattern uses
from cases.models import Case
from tests.security.every_url.audit import audit_role

pytestmark = pytest.mark.django_db


# --- The audit catches an unscoped view ---------------------------------------------------------


def leaky_case_summary(request, reference):
    """DELIBERATELY UNSCOPED, for the test below only: the case is looked up in every case
    instead of ``Case.objects.visible_to(request.user)``. Never copy this."""
    case = get_object_or_404(Case, reference=reference)
    return HttpResponse(case.summary)


# The project's URLs plus the leak: used as ROOT_URLCONF by the test below, nowhere else.
urlpatterns = [
    path("cases/<ref:reference>/leak/", login_required(leaky_case_summary), name="leak"),
    path("", include("wkm.urls")),
]


def test_the_audit_catches_an_unscoped_view(world, login, settings):
    settings.ROOT_URLCONF = __name__

    problems = audit_role("other_mediator", world, login, urlconf=__name__)

    leak = [p for p in problems if "(leak)" in p]
    assert any("must answer 404 to anyone out of its scope" in p for p in leak), problems
    assert any("shows the case's confidential details" in p for p in leak), problems
    assert any(p.startswith("leak: not in EXPECTED") for p in problems), problems
    # Nothing else is reported: the rest of the project is scoped.
    assert all("leak" in p for p in problems), problems
