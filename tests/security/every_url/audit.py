"""The permissions audit's table and machinery (the tests are this package's test_*.py).

Permissions audit: every URL pattern of the project, requested by every kind of user.

The patterns are enumerated from the resolver (``get_resolver().url_patterns``, recursively), so
a new page cannot escape: ``test_table.py`` fails until ``EXPECTED``
says what each of these users must get from it. The users, around one active neighbour case
whose pair is an accredited mediator and a trainee:

- ``anonymous``: nobody logged in;
- ``other_mediator``: a mediator of another case, with no business in this one;
- ``trainee``: the trainee mediator on this case;
- ``supervisor``: the trainee's supervisor (reads this case, signs off the trainee);
- ``coordinator``: staff, sees every case;
- ``administrator``: staff, runs the service and the Django admin, but no casework.

Each logged-in user is fully logged in (password and, where needed, two-factor) by the
``login`` fixture. Beyond the table, two rules hold for every pattern, known or not: a URL that
names a case answers 404 to anyone out of the case's scope (rule 11 of DESIGN.md), and nobody
out of its scope ever sees a party's name or the case summary, whatever the status.
Everything under /admin/ follows simpler rules instead of the table, asked with a GET and an
empty POST naming the world's own rows: it sends everyone but a (verified) administrator to the
admin's login page; an administrator never gets a 500 there, and gets 403 on case data unless
also a coordinator (``admin_coordinator``), who gets no 500 either.

``test_leak.py`` shows the audit doing its job: against a URLconf
with a deliberately unscoped view (``leaky_case_summary``, defined only there), it reports it.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.reply_links import reply_token
from surveys.links import survey_token

ROLES = ("anonymous", "other_mediator", "trainee", "supervisor", "coordinator", "administrator")

# Nobody of these may see anything of the case (rule 11).
OUT_OF_SCOPE = ("anonymous", "other_mediator", "administrator")

# What a status in the table can be besides a number.
LOGIN = "login"  # 302 to /accounts/login/?next=<the URL>

REDIRECT = 302  # a redirect somewhere else (back to a page, with a message)

UP_OR_DOWN = (200, 503)  # /health/: 503 while no Celery worker answers (none runs here)

# Per URL name: the method the audit sends (GET, or an empty POST for views that only take
# POST), then what each of ROLES gets, in ROLES' order:
#                             anonymous  other_med  trainee  supervisor  coordinator  admin
EXPECTED = {
    # -- home, health, accounts -------------------------------------------------------------
    "home": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "health": ("GET", *[UP_OR_DOWN] * 6),
    "login": ("GET", 200, 302, 302, 302, 302, 302),
    "logout": ("GET", LOGIN, 405, 405, 405, 405, 405),
    "password_change": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "password_change_done": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "logout_everywhere": ("POST", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:start": ("GET", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:verify": ("GET", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:enrol": ("GET", LOGIN, 200, 200, 200, 200, 200),
    # A set-up link (accounts.enrolment) needs no login; one that does not exist is 404 to all.
    "two_factor:link": ("GET", 404, 404, 404, 404, 404, 404),
    # Administrators issue set-up links.
    "enrolment_links": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # Mediators have not turned two-factor on: they are sent to set it up first.
    "two_factor:backup_codes": ("GET", LOGIN, 302, 302, 200, 200, 200),
    "two_factor:backup_codes_new": ("POST", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:turn_off": ("POST", LOGIN, 302, 302, 302, 302, 302),
    # -- the audit trail: administrators search everything -----------------------------------
    "audit:search": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # -- cases: the case itself, in scope or 404 ----------------------------------------------
    "cases:list": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "cases:new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # Everything that breaks a rule now (rules.checker): for coordinators.
    "rules:attention": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # The list as CSV, scoped like the list: a mediator's own cases, none for administrators.
    "cases:export": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "cases:detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:edit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:transition": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:close": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:reopen": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:follow_up_done": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    # Calls and letters in place of messages are the office's to make, not the mediators'.
    "cases:manual_contact_done": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:log_add": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A draft note is seen by its author only (here the lead); supervisors only read the case.
    "cases:log_edit": ("GET", LOGIN, 404, 404, 403, 404, 404),
    "cases:audit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:assign": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:agreements": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_start": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    "cases:agreement_detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_agree": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:agreement_signature": ("POST", LOGIN, 404, 200, 403, 200, 404),
    "cases:agreement_pdf": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_term": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    "cases:letter_pdf": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A signed copy is kept by those who record on the case (here the version is a draft:
    # back to it, with why not).
    "cases:agreement_scan": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    # Case files: added and deleted by those who record on the case (the coordinator's file is
    # refused to the trainee before its form: only a coordinator or its uploader deletes it),
    # downloaded by whoever sees the case.
    "cases:files_upload": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:file_download": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:file_delete": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:party_add": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:party_detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:party_edit": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:consent_add": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A withdrawal is confirmed on its own page first (what it stops, when and how).
    "cases:consent_withdraw": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    # Supervisors read the case, but its sessions and letters are for the pair and the office.
    "cases:session_detail": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_reschedule": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:session_cancel": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:session_outcome": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_ics": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # -- reports: coordinators and administrators ---------------------------------------------
    "reports:index": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:referrals": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:outcomes": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:timeliness": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:sessions": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:volunteers": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:equality": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:summary_pdf": ("GET", LOGIN, 403, 403, 403, 200, 200),
    # -- exports: each its requester's alone (here the coordinator's trustees' summary) ------
    # Everything the service holds: administrators only, like their other pages.
    "exports:everything": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "exports:list": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "exports:start": ("POST", LOGIN, 404, 404, 404, 404, 404),  # no kind named: none such
    "exports:detail": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:progress": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:download": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:retry": ("POST", LOGIN, 404, 404, 404, REDIRECT, 404),  # not failed: back to it
    # -- imports: administrators only (an imported sheet, with rows given back) -------------
    "imports:index": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:upload": ("POST", LOGIN, 403, 403, 403, 403, 400),  # no file: the form says so
    "imports:template": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:detail": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:progress": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:import": ("POST", LOGIN, 403, 403, 403, 403, REDIRECT),  # imported: back to it
    "imports:discard": ("POST", LOGIN, 403, 403, 403, 403, REDIRECT),  # imported: back to it
    "imports:rest": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "reports:satisfaction": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:sustained": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:referrer": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:area": ("GET", LOGIN, 403, 403, 403, 200, 200),
    # -- the public website: no login ---------------------------------------------------------
    "public:index": ("GET", 200, 200, 200, 200, 200, 200),
    "public:status": ("GET", 200, 200, 200, 200, 200, 200),
    "public:refer": ("GET", 200, 200, 200, 200, 200, 200),
    "public:volunteer": ("GET", 200, 200, 200, 200, 200, 200),
    "public:thanks_referral": ("GET", 200, 200, 200, 200, 200, 200),
    "public:thanks_volunteer": ("GET", 200, 200, 200, 200, 200, 200),
    # -- data protection: coordinators only ---------------------------------------------------
    "privacy:requests": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:search": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_detail": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_records": ("POST", LOGIN, 403, 403, 403, REDIRECT, 403),
    "privacy:request_status": ("POST", LOGIN, 403, 403, 403, 400, 403),
    "privacy:export_pdf": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:export_json": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:export_zip": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_erase": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # -- volunteers (the trainee's record): coordinators manage; the trainee sees their own and
    # keeps their availability; their supervisor sees it and grants accreditation ------------
    "volunteers:list": ("GET", LOGIN, 403, 403, 200, 200, 403),
    "volunteers:new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "volunteers:detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:edit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:dbs_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:dbs_status_check": ("POST", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:training_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:accreditation_new": ("GET", LOGIN, 404, 403, 200, 200, 404),
    "volunteers:accreditation_revoke": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:connection_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:availability": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # -- the trainee pathway: the trainee, their supervisor, coordinators. Those who see a
    # trainee case but may not do this step (or not yet: the case is open) get the page back
    # with the service's refusal --------------------------------------------------------------
    "volunteers:supervision": ("GET", LOGIN, 403, 403, 200, 200, 403),
    "volunteers:trainee_case": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:reflection": ("POST", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:feedback": ("POST", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:review": ("POST", LOGIN, 404, 200, 200, 200, 404),
    # Hours and calendars belong to a volunteer record: none for this supervisor or the staff.
    "volunteers:hours": ("GET", LOGIN, 200, 200, 404, 404, 404),
    # -- calendars and service settings --------------------------------------------------------
    # The feed needs no login: its unguessable address is the secret (here, the lead's).
    "calendar_feed": ("GET", 200, 200, 200, 200, 200, 200),
    "calendar_settings": ("GET", LOGIN, 200, 200, 404, 404, 404),
    # -- a party's answer to a reminder ----------------------------------------------------------
    # No login: the signed token names one party and session (here Alice's, for the session).
    "notifications:reply": ("GET", 200, 200, 200, 200, 200, 200),
    # Texts sent back: off (404) while SMS_INBOUND_TOKEN is not set, as here.
    "notifications:sms_inbound": ("POST", 404, 404, 404, 404, 404, 404),
    "home_visits": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # -- the parties' surveys -------------------------------------------------------------------
    # No login: the signed token names one invitation (here Alice's, the case open: "not open").
    "surveys:answer": ("GET", 200, 200, 200, 200, 200, 200),
    # Answers given by phone are typed in by coordinators (the case is open: refused, with why).
    "surveys:record": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    # The survey letter (PDF), for coordinators (the case is open: refused, with why).
    "surveys:letter": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    # -- referring organisations: the office's (coordinators) and the lists' keepers (admins) ----
    "referrers:list": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:new": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:detail": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:edit": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:retire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:unretire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:contact_new": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:contact_edit": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:contact_retire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:contact_unretire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
}


def kwargs_for(name: str, wanted: set[str], world) -> dict:
    """Arguments for the route named ``name`` that takes ``wanted``, naming the world's
    objects; {} when it takes none."""
    w = world
    by_name = {
        "cases:log_edit": {"pk": w.draft.pk},
        "cases:manual_contact_done": {"pk": w.manual_contact.pk},
        "cases:consent_withdraw": {"pk": w.consent.pk},
        "cases:letter_pdf": {"pk": w.party.pk, "kind": "invitation"},
        "cases:agreement_term": {"pk": w.term.pk},
        "volunteers:dbs_status_check": {"pk": w.trainee.pk, "check_pk": w.dbs_check.pk},
        "volunteers:accreditation_revoke": {
            "pk": w.trainee.pk,
            "accreditation_pk": w.accreditation.pk,
        },
        "calendar_feed": {"token": w.feed.token},
        "two_factor:link": {"token": "not-a-set-up-link"},
        "notifications:reply": {"token": reply_token(party_id=w.party.pk, session_id=w.session.pk)},
        "surveys:answer": {"token": survey_token(w.survey.pk)},
        "surveys:record": {"pk": w.party.pk, "kind": "feedback"},
        "surveys:letter": {"pk": w.survey.pk},
        "cases:file_download": {"pk": w.case_file.pk},
        "cases:file_delete": {"pk": w.case_file.pk},
    }
    by_prefix = {
        "cases:agreement": {"pk": w.agreement.pk},
        "cases:party": {"pk": w.party.pk},
        "cases:consent": {"pk": w.party.pk},
        "cases:session": {"pk": w.session.pk},
        "volunteers:trainee_case": {"pk": w.trainee_case.pk},
        "volunteers:reflection": {"pk": w.trainee_case.pk},
        "volunteers:feedback": {"pk": w.trainee_case.pk},
        "volunteers:review": {"pk": w.trainee_case.pk},
        "volunteers:": {"pk": w.trainee.pk},
        "privacy:": {"pk": w.sar.pk},
        "exports:": {"pk": w.export.pk},
        "imports:": {"pk": w.import_batch.pk, "kind": "volunteers", "fmt": "csv"},
        "referrers:": {"pk": w.referrer_contact.referrer_id, "contact_pk": w.referrer_contact.pk},
    }
    kwargs = {"reference": w.case.reference} if "reference" in wanted else {}
    extra = by_name.get(name) or next(
        (v for prefix, v in by_prefix.items() if name.startswith(prefix)), {}
    )
    kwargs.update({k: v for k, v in extra.items() if k in wanted})
    return kwargs


# --- Walking the URLconf ----------------------------------------------------------------------


@dataclass
class Route:
    name: str  # "namespace:name", or the route itself for unnamed admin patterns
    route: str  # e.g. "cases/<ref:reference>/"
    pattern: URLPattern
    namespaces: tuple = field(default=())
    # What the address captures, in the route itself and in the prefixes that include it.
    params: frozenset = field(default=frozenset())

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def walk(patterns, prefix="", namespaces=(), params=frozenset()):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        captured = params | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, route, inner, captured)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else route
            yield Route(
                name=name, route=route, pattern=entry, namespaces=namespaces, params=captured
            )


def all_routes(urlconf=None) -> list[Route]:
    return list(walk(get_resolver(urlconf).url_patterns))


# --- The audit ---------------------------------------------------------------------------------


def client_for(role, world, login) -> Client:
    if role == "anonymous":
        return Client()
    client = Client()
    client.force_login(world.users[role])  # password and, for those who need it, the code
    return client


def request_once(client, method, url):
    """One request whose writes are all undone, by a client whose cookies are then put back (an
    empty POST to "log out everywhere" must not log the next request out)."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            if getattr(response, "streaming", False):
                response = SimpleNamespace(
                    status_code=response.status_code,
                    content=b"".join(response.streaming_content),
                    headers=response.headers,
                )
            transaction.set_rollback(True)
    finally:
        client.cookies.clear()
        for key, value in cookies.items():
            client.cookies[key] = value
    return response


def describe(expected) -> str:
    if expected == LOGIN:
        return "a redirect to log in"
    return " or ".join(map(str, expected)) if isinstance(expected, tuple) else str(expected)


def matches(expected, response, url) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.headers["Location"] == (
            f"{reverse('login')}?next={quote(url)}"
        )
    if isinstance(expected, tuple):
        return response.status_code in expected
    return response.status_code == expected


def audit_role(role: str, world, login, urlconf=None) -> list[str]:
    """Request every non-admin URL as ``role``; return what is wrong, one line each."""
    problems = []
    client = client_for(role, world, login)
    column = ROLES.index(role) + 1
    for route in all_routes(urlconf):
        if route.is_admin:
            continue
        known = EXPECTED.get(route.name)
        method = known[0] if known else "GET"
        kwargs = kwargs_for(route.name, route.params, world)
        missing = route.params - set(kwargs)
        if missing:
            problems.append(f"{route.name}: no value for {sorted(missing)}")
            continue
        url = reverse(route.name, kwargs=kwargs, urlconf=urlconf)
        try:
            response = request_once(client, method, url)
        except Exception as error:  # noqa: BLE001 - reported with the others
            problems.append(f"{role} {method} {url} ({route.name}): raised {error!r}")
            continue
        where = f"{role} {method} {url} ({route.name})"
        if known is None:
            problems.append(f"{route.name}: not in EXPECTED (answered {role} with "
                            f"{response.status_code})")  # fmt: skip
        elif not matches(known[column], response, url):
            location = response.headers.get("Location", "")
            problems.append(
                f"{where}: {response.status_code} {location}, expected {describe(known[column])}"
            )
        # Rule 11, for every pattern the table knows or not: a case's URL is 404 out of scope.
        logged_in_out_of_scope = role in OUT_OF_SCOPE and role != "anonymous"
        if "reference" in kwargs and logged_in_out_of_scope and response.status_code != 404:
            problems.append(
                f"{where}: {response.status_code}, but a case's URL must answer 404 to anyone "
                "out of its scope (rule 11)"
            )
        if role != "anonymous" and "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"{where}: may be cached (Cache-Control: no-store missing)")
        if role in OUT_OF_SCOPE:
            body = response.content.decode(errors="replace")
            shown = [s for s in world.secrets if s in body]
            if shown:
                problems.append(f"{where}: shows the case's confidential details {shown}")
    return problems
