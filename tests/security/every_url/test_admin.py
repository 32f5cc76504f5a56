"""Everything under /admin/ is for (verified) administrators only; case data also needs the
Coordinator role."""

import re

import pytest

from tests.security.every_url.audit import ROLES, Route, all_routes, client_for, request_once

pytestmark = pytest.mark.django_db


def admin_model(route: Route):
    """The model an admin pattern is about (``admin:cases_case_change``), or None."""
    from django.contrib import admin

    for model in admin.site._registry:
        if route.name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def sample_admin_url(route: Route) -> str:
    """A URL for an admin pattern: the id of a row of its model that exists (else 1), the first
    app label of a choice, and a page that does not exist for the catch-all."""
    model = admin_model(route)
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first() if model else 1
    url = re.sub(r"\(\?P<url>\.\*\)", "no-such-page/", route.route)  # the catch-all
    url = re.sub(r"\(\?P<\w+>([^|)]*)[^)]*\)", r"\1", url)  # a choice: its first
    url = re.sub(r"<[^>]+>", str(pk or 1), url)  # path converters: ids
    return "/" + url.replace("^", "").replace("$", "")


# Case notes and party details: for coordinators only, even in the admin (cases.admin).
CASE_DATA_IN_ADMIN = (
    "cases.case",
    "cases.caseassignment",
    "cases.contactlogentry",
    "parties.party",
    "parties.consent",
    "mediation_sessions.mediationsession",
    "notifications.outboxmessage",
)


def audit_admin(role: str, world, login) -> list[str]:
    """Everything under /admin/, asked with a GET and an empty POST: anyone but an
    administrator goes to the admin's login page; administrators get no 500, and 403 on case
    data unless they are coordinators too."""
    problems = []
    client = client_for(role, world, login)
    administrators = ("administrator", "admin_coordinator")
    for route in all_routes():
        if not route.is_admin or route.name in ("admin:login", "admin:logout"):
            continue
        url = sample_admin_url(route)
        model = admin_model(route)
        case_data = model is not None and model._meta.label_lower in CASE_DATA_IN_ADMIN
        for method in ("GET", "POST"):
            response = request_once(client, method, url)
            location = response.headers.get("Location", "")
            where = f"{role} {method} {url} ({route.name}): {response.status_code} {location}"
            status = response.status_code
            if role not in administrators:
                # Nobody logged in: a login page (the app's, from LoginRequiredMiddleware,
                # or the admin's for the admin's own exempt views).
                logins = ("/admin/login/?next=",)
                if role == "anonymous":
                    logins = ("/accounts/login/?next=", *logins)
                if status != 302 or not location.startswith(logins):
                    problems.append(f"{where}, expected a redirect to the admin's login page")
            elif status >= 500 or location.startswith("/admin/login/"):
                problems.append(where)
            elif case_data and role == "administrator" and status != 403:
                problems.append(f"{where}, expected 403: case data is for coordinators")
            elif case_data and role == "admin_coordinator" and status == 403:
                shows = method == "GET" and route.name.endswith(("_changelist", "_change"))
                if shows:  # adding, deleting and most changes are refused to everyone
                    problems.append(f"{where}, but a coordinator may see case data")
            if role != "anonymous" and "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{where}: may be cached (Cache-Control: no-store missing)")
    return problems


@pytest.mark.parametrize("role", [*ROLES, "admin_coordinator"])
def test_everything_under_admin_is_for_administrators_only(role, world, login):
    problems = audit_admin(role, world, login)

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_admin_lets_a_verified_administrator_in(world, login):
    assert login(world.users["administrator"]).get("/admin/").status_code == 200
