"""Benchmark the pages that matter, under gunicorn, against a database seeded at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/wkm_scale .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/wkm_scale \\
        .venv/bin/python manage.py seed_scale --cases 100000 --password 'a demo password'
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/wkm_scale make bench \\
        [BENCH_ARGS="--warmup 20 --requests 100 --reminders 2000"]

What it does:

1. Collects static files (production settings need the manifest) into var/bench/static, then
   starts gunicorn (wkm.wsgi, 2 sync workers, DEBUG off, 127.0.0.1 on a free port) as a
   subprocess, against the database in DATABASE_URL.
2. Logs in as the seeded coordinator, mediator, supervisor and admin by writing a Django session
   for each straight into the database (no password needed) and sending its cookie.
3. For each page: the number of SQL queries, counted in this process by running the same
   request through django.test.Client under CaptureQueriesContext (second request, so
   per-process caches are warm); then W warm-up requests and M measured requests through
   gunicorn, one at a time. The time of a request is measured by the client, over loopback,
   from opening the connection to reading the last byte: server time plus well under a
   millisecond of loopback and HTTP parsing. Nothing is added to the app to measure it.
4. Two references in the same run: the Django admin changelist of cases, and a minimal view
   that runs one indexed query — the private calendar address with an unknown token
   (``/calendar/<unknown>.ics``: the full middleware stack, URL routing, one lookup on a unique
   index, and the 404 page). Each page's median is printed as a ratio to both.
5. OutboxMessage dispatch throughput: K email reminders, due now, for scheduled sessions, are
   written (committed) to the outbox, then ``notifications.dispatch.dispatch_due`` sends them in
   this process (one worker) to Django's in-memory email backend; it then checks each was sent
   exactly once (one message per reminder, unique Message-IDs, a second dispatch sends
   nothing) and deletes them.
6. Writes var/bench/results.json (the shape the performance issue asks for), and
   var/bench/details.json (everything else: skipped pages and why, means, maxima, sizes,
   the dispatch checks), and prints a table.

Pages that do not exist yet (a 404 where a page is expected) are skipped with a note.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import logging
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"

# Production-like settings for both gunicorn and the in-process query counts.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "wkm.settings",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "ERROR",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "STATIC_ROOT": str(VAR / "static"),
    # Asking for the trustees' summary 120 times: no limit on exports on the way, and a queue
    # of the bench's own that no worker takes (summary_build builds some, then all are gone).
    "EXPORTS_MAX_UNFINISHED": "1000000",
    "EXPORT_QUEUE": "bench-exports",
}
# Budgets from the performance issue.
LIST_BUDGET_MS = 50
PAGE_BUDGET_MS = 100
QUERY_BUDGET = 12
PDF_BUDGET_MS = 500  # median
MIN_SAMPLES = 10


@dataclass
class Page:
    name: str
    role: str  # a key of the sessions dict, or "anonymous"
    path: str
    expect: int = 200
    budget_ms: int = PAGE_BUDGET_MS
    reference: bool = False  # a baseline, not a page of the product
    document: bool = False  # a PDF download: its budget is on the median, as the issue sets it
    method: str = "GET"  # POST: sent with a CSRF token (cookie and header), no body
    times: list = field(default_factory=list)
    queries: int | None = None
    status: int | None = None
    size: int = 0
    skipped: str = ""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page (20)")
    parser.add_argument("--requests", type=int, default=100, help="measured requests (100)")
    parser.add_argument("--reminders", type=int, default=2000, help="reminders to dispatch")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=60,
        help="time limit of the measured requests of one page (60; warm-up gets a quarter), "
        "after at least 10 samples",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--summary-builds", type=int, default=5, help="trustees' summaries to build (5)"
    )
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    parser.add_argument("--no-collectstatic", action="store_true", help="reuse var/bench/static")
    parser.add_argument(
        "--no-agreement",
        action="store_true",
        help="do not create an agreement (through cases.agreements) when none exists",
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print each page's SQL (in-process run)"
    )
    parser.add_argument("--out", default=str(VAR / "results.json"))
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_environment() -> None:
    os.environ.update(SERVER_ENV)
    if not os.environ.get("SECRET_KEY") and not (ROOT / "var" / "dev.env").exists():
        os.environ["SECRET_KEY"] = "benchmark-only-" + "x" * 40
    if not os.environ.get("DATABASE_URL"):
        say("DATABASE_URL is not set: using the bundled default database (wkm)")


# --- Gunicorn ----------------------------------------------------------------------------------


def collectstatic() -> None:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
    )
    say(f"static files collected in {time.monotonic() - started:.1f} s")


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "wkm.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    log = open(VAR / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with status {process.returncode}: see {VAR / 'gunicorn.log'}"
            )
        try:
            status, _, _ = request(port, "/accounts/login/", None)
            if status == 200:
                say(f"gunicorn is up on 127.0.0.1:{port} ({workers} workers, pid {process.pid})")
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 90 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


# A CSRF secret for the POSTs, sent as Django reads it: in the cookie and in the header.
CSRF_SECRET = "benchmarkbenchmarkbenchmark12345"


def request(
    port: int, path: str, cookie: str | None, method: str = "GET"
) -> tuple[int, float, int]:
    """GET (or POST) ``path``; (status, milliseconds from connect to the last byte, size)."""
    headers = {"Host": "127.0.0.1", "Accept-Encoding": "identity"}
    if cookie:
        headers["Cookie"] = cookie
    if method == "POST":
        headers["Cookie"] = f"{headers.get('Cookie', '')}; csrftoken={CSRF_SECRET}".lstrip("; ")
        headers["X-CSRFToken"] = CSRF_SECRET
        headers["Content-Length"] = "0"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, (time.perf_counter() - started) * 1000, len(body)


# --- The data ----------------------------------------------------------------------------------


def login_sessions(usernames: dict[str, str], devices: list) -> dict[str, str]:
    """A session per role in the configured session store, as after logging in (and, for those
    the app asks for a second factor, after giving a code): {role: session key}. A confirmed
    authenticator device is made for a user who needs one and has none; its id goes in
    ``devices``, to be deleted after the run."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[-1]  # the one that loads users from sessions
    User = get_user_model()
    keys = {}
    for role, username in usernames.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            raise SystemExit(f"no user {username!r}: seed the database with seed_scale first")
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        second_factor(store, user, devices)
        store.create()
        keys[role] = store.session_key
    return keys


def second_factor(store, user, devices: list) -> None:
    """Mark the session verified with an authenticator device (django-otp), if the app asks
    this user for a second factor."""
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.two_factor import required_by_role
    except ImportError:
        return
    if not required_by_role(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        devices.append(device.pk)
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id


def forget_logins(sessions: dict[str, str], devices: list) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=list(sessions.values())).delete()
    if devices:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(pk__in=devices).delete()


def scale_counts() -> dict:
    from django.db import connection

    tables = {
        "cases": "cases_case",
        "parties": "parties_party",
        "sessions": "mediation_sessions_mediationsession",
        "volunteers": "volunteers_volunteer",
        "reminders": "notifications_outboxmessage",
        "log_entries": "cases_contactlogentry",
        "consents": "parties_consent",
        "assignments": "cases_caseassignment",
        "audit_events": "audit_auditevent",
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table names
            counts[name] = cursor.fetchone()[0]
    return counts


def pick_targets(usernames: dict[str, str]) -> dict:
    """The case, party name, page numbers and tokens the page list refers to."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from cases.models import Case
    from sessions.models import CalendarFeed

    User = get_user_model()
    mediator = User.objects.get(username=usernames["mediator"])
    # A busy case the mediator works on: the coordinator opens the same one.
    mine = Case.objects.visible_to(mediator).annotate(n=Count("sessions"))
    case = (
        mine.filter(status="active").order_by("-n", "-received_on").first()
        or mine.order_by("-n").first()
        or Case.objects.order_by("-received_on").first()
    )
    if case is None:
        raise SystemExit("the database has no cases: run `manage.py seed_scale` first")
    party = case.parties.order_by("id").first()
    total = Case.objects.count()
    feed = CalendarFeed.objects.filter(volunteer__user=mediator).first()
    return {
        "case": case,
        "party_name": party.full_name if party else "Smith",
        "district": party.postcode.split(" ")[0] if party and party.postcode else "TN9",
        "deep_page": max(1, math.ceil(total / 25) // 2),
        "feed_token": feed.token if feed else None,
        "referrer": busiest_referrer(),
        **search_targets(case),
    }


def busiest_referrer() -> int | None:
    """The referring organisation with most cases (the per-referrer report of one), if the
    app has referrers."""
    from django.apps import apps
    from django.db.models import Count

    if not apps.is_installed("referrers"):
        return None
    Referrer = apps.get_model("referrers", "Referrer")
    busiest = Referrer.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    return busiest.pk if busiest else None


def search_targets(case) -> dict:
    """What people type into the case list's search (cases.search), each taken from ``case``
    or its parties so that it finds something: a name and a surname misspelt, a street, a
    phone number as written on a letter, the start of a postcode, the referrer's organisation
    with "&" for "and", and a case number."""
    import re

    from cases.models import Case
    from cases.search import search_cases
    from parties.models import Party
    from parties.validators import display_phone

    parties = Party.objects.filter(case=case).order_by("id")
    party = parties.first()
    with_phone = parties.exclude(phone="").first() or Party.objects.exclude(phone="").first()
    organisation = case.referrer_organisation or (
        Case.objects.exclude(referrer_organisation="")
        .values_list("referrer_organisation", flat=True)
        .first()
    )

    def misspelt(name: str) -> str:
        """The first of two usual slips that still finds ``case``: a doubled letter typed
        once, else a letter left out inside a word (so that the slip is not part of the name
        as well: only trigrams find it)."""
        letters = [i for i in range(1, len(name) - 1) if name[i - 1 : i + 2].isalpha()]
        slips = [name[:i] + name[i + 1 :] for i in letters if name[i] == name[i - 1]]
        slips += [name[:i] + name[i + 1 :] for i in reversed(letters)]
        for slip in slips:
            if search_cases(Case.objects.filter(pk=case.pk), slip).exists():
                return slip
        return name

    surname = party.full_name.split()[-1] if party else "Smith"
    return {
        "misspelt_name": misspelt(party.full_name) if party else "Chris Holms",
        "misspelt_surname": misspelt(surname),
        "street": re.sub(r"^(Flat \d+, )?\d+\s+", "", party.address_line1) if party else "Road",
        "phone": display_phone(with_phone.phone) if with_phone else "01732 123456",
        "partial_postcode": (party.postcode[:-2] if party and party.postcode else "TN9 1").lower(),
        "organisation": (organisation or "Town and Country Housing").replace(" and ", " & "),
        "case_number": "6",
    }


def agreement_path(case, coordinator_username: str, *, create: bool) -> tuple[str | None, str]:
    """The PDF address of an agreement visible to the coordinator, making one through the
    agreement services on ``case`` when there is none (and ``create``)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.urls import NoReverseMatch, reverse

    try:
        Agreement = apps.get_model("cases", "Agreement")
        reverse("cases:agreement_pdf", kwargs={"reference": case.reference, "pk": 1})
    except (LookupError, NoReverseMatch):
        return None, "no agreement PDF in the app yet (cases.Agreement / cases:agreement_pdf)"
    agreement = Agreement.objects.exclude(status="draft").select_related("case").last()
    if agreement is None:
        if not create:
            return None, "no agreed agreement in the database (--no-agreement)"
        try:
            from cases import agreements as services

            by = get_user_model().objects.get(username=coordinator_username)
            draft = services.agreement_start(case=case, by=by)
            services.agreement_update(
                agreement=draft,
                by=by,
                introduction="We want to be good neighbours again and to talk before things "
                "get out of hand.",
                review_on=None,
            )
            for n in range(8):
                services.term_add(
                    agreement=draft,
                    by=by,
                    who=("The first household", "The second household", "Both households")[n % 3],
                    what="Keep music and television at a level that cannot be heard next door "
                    "after 10pm on weekdays and 11pm at weekends, and talk first if it happens.",
                    by_when="from next week",
                )
            agreement = services.agreement_mark_agreed(agreement=draft, by=by)
            say(f"made an agreement on {case.reference} for the PDF benchmark")
        except Exception as error:  # noqa: BLE001 - any API mismatch: skip with the reason
            return None, f"could not make an agreement through cases.agreements: {error!r}"
    path = reverse(
        "cases:agreement_pdf",
        kwargs={"reference": agreement.case.reference, "pk": agreement.pk},
    )
    return path, ""


def report_pages() -> list[tuple[str, str]]:
    """(name, path) of every report page without parameters, if a reports app exists."""
    from django.urls import get_resolver, reverse

    found = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) != "reports":
            continue
        for sub in pattern.url_patterns:
            name = getattr(sub, "name", None)
            if name and not sub.pattern.regex.groupindex:
                found.append((f"report_{name}".replace(".", "_"), reverse(f"reports:{name}")))
    return found


def build_pages(targets: dict, agreement: str | None) -> list[Page]:
    from urllib.parse import urlencode

    case = targets["case"]
    pages = [
        Page("case_list", "coordinator", "/cases/", budget_ms=LIST_BUDGET_MS),
        Page(
            "case_list_deep",
            "coordinator",
            f"/cases/?page={targets['deep_page']}",
            budget_ms=LIST_BUDGET_MS,
        ),
        Page(
            "case_list_filtered",
            "coordinator",
            "/cases/?status=closed&dispute_type=neighbour&referral_source=housing",
            budget_ms=LIST_BUDGET_MS,
        ),
        Page(
            "case_list_search",
            "coordinator",
            "/cases/?" + urlencode({"q": targets["party_name"]}),
            budget_ms=LIST_BUDGET_MS,
        ),
        Page(
            "case_list_postcode",
            "coordinator",
            "/cases/?" + urlencode({"q": targets["district"]}),
            budget_ms=LIST_BUDGET_MS,
        ),
        # Each kind of search (cases.search), as typed: see search_targets.
        *(
            Page(
                f"case_list_{kind}",
                "coordinator",
                "/cases/?" + urlencode({"q": targets[kind]}),
                budget_ms=LIST_BUDGET_MS,
            )
            for kind in (
                "misspelt_name",
                "misspelt_surname",
                "street",
                "phone",
                "partial_postcode",
                "organisation",
                "case_number",
            )
        ),
        Page(
            "mediator_case_list_search",
            "mediator",
            "/cases/?" + urlencode({"q": targets["misspelt_name"]}),
            budget_ms=LIST_BUDGET_MS,
        ),
        Page("case_detail", "coordinator", case.get_absolute_url()),
        Page("mediator_home", "mediator", "/"),
        Page("mediator_case_list", "mediator", "/cases/", budget_ms=LIST_BUDGET_MS),
        Page("supervisor_home", "supervisor", "/"),
        Page("coordinator_home", "coordinator", "/"),
        # Everything that breaks a rule now (rules.checker), cached under a fingerprint of the
        # data: what a page costs while nothing changes.
        Page("attention", "coordinator", "/attention/"),
    ]
    reports = report_pages()
    pages += [
        Page(name, "coordinator", path, budget_ms=PDF_BUDGET_MS, document=True)
        if name.endswith("_pdf") and name != "report_summary_pdf"
        else Page(name, "coordinator", path)
        for name, path in reports
    ]
    if not reports:
        pages.append(Page("reports", "coordinator", "/reports/"))
    # Asking for the trustees' summary (a POST: it queues an export and redirects to its page);
    # the worker's side is timed by summary_build. The GET of the same address (above, as
    # report_summary_pdf) is now the page with the button.
    if any(name == "report_summary_pdf" for name, _ in reports):
        pages.append(
            Page(
                "trustees_summary_request",
                "coordinator",
                "/reports/summary.pdf",
                expect=302,
                method="POST",
            )
        )
    if targets.get("referrer") and any(name == "report_referrer" for name, _ in reports):
        # The per-referrer report of one organisation (the page without one lists them all).
        pages.append(
            Page(
                "report_referrer_one",
                "coordinator",
                f"/reports/referrer/?referrer={targets['referrer']}",
            )
        )
    if targets["feed_token"]:
        pages.append(Page("ical_feed", "anonymous", f"/calendar/{targets['feed_token']}.ics"))
    else:
        pages.append(Page("ical_feed", "anonymous", "", skipped="the mediator has no feed"))
    pages.append(
        Page(
            "agreement_pdf", "coordinator", agreement or "", budget_ms=PDF_BUDGET_MS, document=True
        )
    )
    if not agreement:
        pages[-1].skipped = targets.get("agreement_note", "no agreement")
    pages += [
        Page("admin_case_changelist", "admin", "/admin/cases/case/", reference=True),
        Page(
            "minimal_one_query",
            "anonymous",
            "/calendar/benchmark-unknown-token.ics",
            expect=404,
            reference=True,
        ),
    ]
    return pages


# --- Measuring ---------------------------------------------------------------------------------


def count_queries(page: Page, sessions: dict[str, str], show: bool = False) -> tuple[int, int]:
    """(status, queries) of the page run in this process, on the second request."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[page.role]
    send = client.post if page.method == "POST" else client.get
    send(page.path)
    with CaptureQueriesContext(connection) as captured:
        response = send(page.path)
    if show:
        for n, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"][: int(os.environ.get("BENCH_SQL_CHARS", "400"))]
            say(f"{page.name} SQL {n} ({query['time']} s): {sql}")
    return response.status_code, len(captured.captured_queries)


def measure(
    page: Page,
    port: int,
    sessions: dict[str, str],
    warmup: int,
    repeats: int,
    max_seconds: float,
    show_queries: bool = False,
) -> None:
    from django.conf import settings

    cookie = None
    if page.role != "anonymous":
        cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[page.role]}"
    status, page.queries = count_queries(page, sessions, show_queries)
    if status == 404 and page.expect != 404:
        page.skipped = "404: not in the app yet"
        return
    # Slow pages (PDFs) get fewer samples: each phase stops at its time limit, after at least
    # MIN_SAMPLES measured requests.
    deadline = time.monotonic() + max_seconds / 4
    for _ in range(warmup):
        request(port, page.path, cookie, page.method)
        if time.monotonic() > deadline:
            break
    deadline = time.monotonic() + max_seconds
    for _ in range(repeats):
        status, ms, size = request(port, page.path, cookie, page.method)
        if status != page.expect:
            page.skipped = f"HTTP {status} (expected {page.expect})"
            page.status = status
            return
        page.times.append(ms)
        page.size = size
        if len(page.times) >= MIN_SAMPLES and time.monotonic() > deadline:
            break
    page.status = status


def dispatch_throughput(count: int) -> dict:
    """Send ``count`` due email reminders with dispatch_due in this process (one worker)."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from notifications.dispatch import dispatch_due
    from notifications.models import OutboxMessage
    from sessions.models import MediationSession

    now = timezone.now()
    others_due = OutboxMessage.objects.filter(
        status__in=["pending", "sending"], due_at__lte=now
    ).count()
    pairs = list(
        MediationSession.mediators.through.objects.filter(
            mediationsession__status="scheduled", mediationsession__starts_at__gt=now
        )
        .order_by("id")
        .exclude(volunteer__email="")
        .values_list("mediationsession_id", "volunteer_id", "volunteer__email")[:count]
    )
    if not pairs:
        return {"skipped": "no scheduled sessions to remind about"}
    prefix = f"bench-{int(time.time())}-"

    def write(n: int, tag: str) -> list[int]:
        rows = [
            OutboxMessage(
                kind=OutboxMessage.Kind.SESSION_REMINDER,
                channel=OutboxMessage.Channel.EMAIL,
                session_id=pairs[i % len(pairs)][0],
                volunteer_id=pairs[i % len(pairs)][1],
                # The volunteer's own address: one that is not is stopped unsent
                # (notifications.outbox.still_on_route_q).
                address=pairs[i % len(pairs)][2],
                lead_minutes=120,
                due_at=now - datetime.timedelta(seconds=1),
                dedupe_key=f"{prefix}{tag}{i}",
            )
            for i in range(n)
        ]
        return [r.pk for r in OutboxMessage.objects.bulk_create(rows, batch_size=1000)]

    result = {"reminders": count, "other_due_reminders_before": others_due}
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            # Queries per reminder, on a small batch.
            write(100, "q")
            with CaptureQueriesContext(connection) as captured:
                dispatch_due(batch=100, max_seconds=120)
            result["queries_per_reminder"] = round(len(captured.captured_queries) / 100, 2)
            ids = write(count, "t")
            mail.outbox = []
            started = time.perf_counter()
            sent = dispatch_due(batch=100, max_seconds=600)
            elapsed = time.perf_counter() - started
            again = dispatch_due(batch=100, max_seconds=60)
            ours = OutboxMessage.objects.filter(pk__in=ids)
            message_ids = [m.extra_headers.get("Message-ID") for m in mail.outbox]
            ours_ids = set(ours.values_list("provider_message_id", flat=True))
            ours_sent = [m for m in mail.outbox if m.extra_headers.get("Message-ID") in ours_ids]
            result.update(
                {
                    "sent": sent,
                    "seconds": round(elapsed, 3),
                    "per_second": round(sent / elapsed, 1) if elapsed else None,
                    "second_dispatch_sent": again,
                    "all_marked_sent_once": ours.filter(status="sent", attempts=1).count()
                    == len(ids),
                    "messages_for_ours": len(ours_sent),
                    "unique_message_ids": len(set(message_ids)) == len(message_ids),
                }
            )
            result["exactly_once"] = (
                result["all_marked_sent_once"]
                and result["messages_for_ours"] == len(ids)
                and result["unique_message_ids"]
                and again == 0
            )
    finally:
        OutboxMessage.objects.filter(dedupe_key__startswith=prefix).delete()
    return result


def summary_build(since, samples: int) -> dict:
    """The worker's side of the trustees' summary: ``samples`` of the exports the bench asked
    for, built one after another in this process by ``exports.services.build``, as the worker
    does. Then every export the bench made is deleted, and the messages left on its queue."""
    from exports import services
    from exports.models import Export
    from wkm.celery import app

    made = Export.objects.filter(
        requester__username="coordinator", kind="trustees_summary", created_at__gte=since
    )
    try:
        ids = list(made.filter(status="queued").order_by("pk").values_list("pk", flat=True))
        if not ids:
            return {"skipped": "no summary was asked for"}
        times, sizes = [], []
        for export_id in ids[:samples]:
            started = time.perf_counter()
            status = services.build(export_id)
            times.append((time.perf_counter() - started) * 1000)
            if status != "ready":
                error = Export.objects.values_list("error", flat=True).get(pk=export_id)
                return {"skipped": f"the export {status}: {error}"}
            sizes.append(Export.objects.values_list("size", flat=True).get(pk=export_id))
        return {
            "builds": len(times),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "bytes": max(sizes),
        }
    finally:
        made.delete()
        try:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_purge(SERVER_ENV["EXPORT_QUEUE"])
        except Exception as error:  # Redis down: nothing was queued there either
            say(f"could not empty the bench's export queue: {error!r}")


# --- Output ------------------------------------------------------------------------------------


def summarise(pages: list[Page]) -> tuple[dict, dict]:
    results, details = {}, {}
    for page in pages:
        if page.skipped or not page.times:
            details[page.name] = {"path": page.path, "skipped": page.skipped or "no samples"}
            continue
        results[page.name] = {
            "p50_ms": round(statistics.median(page.times), 2),
            "p95_ms": round(percentile(page.times, 95), 2),
            "queries": page.queries,
        }
        details[page.name] = {
            "path": page.path,
            "role": page.role,
            "n": len(page.times),
            "mean_ms": round(statistics.fmean(page.times), 2),
            "p99_ms": round(percentile(page.times, 99), 2),
            "max_ms": round(max(page.times), 2),
            "status": page.status,
            "bytes": page.size,
            "budget_ms": page.budget_ms,
            "budget_on": "median" if page.document else "p95",
            "reference": page.reference,
        }
    return results, details


def print_table(
    pages: list[Page], results: dict, scale: dict, dispatch: dict, summary: dict | None = None
) -> None:
    admin = results.get("admin_case_changelist", {}).get("p50_ms")
    minimal = results.get("minimal_one_query", {}).get("p50_ms")
    print()
    print(
        f"Scale: {scale['cases']:,} cases, {scale['parties']:,} parties, "
        f"{scale['sessions']:,} sessions, {scale['volunteers']:,} volunteers"
    )
    header = (
        f"{'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'x admin':>8} "
        f"{'x minimal':>9}  budget"
    )
    print(header)
    print("-" * len(header))
    for page in pages:
        if page.name not in results:
            print(f"{page.name:<26} {'skipped: ' + (page.skipped or 'no samples')}")
            continue
        row = results[page.name]
        ratio_admin = f"{row['p50_ms'] / admin:.2f}" if admin else "-"
        ratio_min = f"{row['p50_ms'] / minimal:.1f}" if minimal else "-"
        if page.reference:
            verdict = "(reference)"
        else:
            problems = []
            if page.document and row["p50_ms"] > page.budget_ms:
                problems.append(f"median>{page.budget_ms}ms")
            elif not page.document and row["p95_ms"] > page.budget_ms:
                problems.append(f"p95>{page.budget_ms}ms")
            if page.name == "case_list" and admin and row["p50_ms"] > admin:
                problems.append("slower than the admin changelist")
            if row["queries"] is not None and row["queries"] > QUERY_BUDGET:
                problems.append(f"queries>{QUERY_BUDGET}")
            verdict = "ok" if not problems else "OVER: " + ", ".join(problems)
        print(
            f"{page.name:<26} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['queries'] if row['queries'] is not None else '-':>7} {ratio_admin:>8} "
            f"{ratio_min:>9}  {verdict}"
        )
    print()
    if "per_second" in dispatch:
        verdict = "ok" if dispatch["per_second"] >= 200 and dispatch["exactly_once"] else "OVER"
        print(
            f"OutboxMessage dispatch: {dispatch['sent']:,} in {dispatch['seconds']:.2f} s = "
            f"{dispatch['per_second']:.0f}/s with one worker, "
            f"{dispatch['queries_per_reminder']} queries per reminder, exactly once: "
            f"{dispatch['exactly_once']}  ({verdict}; budget >= 200/s)"
        )
    else:
        print(f"OutboxMessage dispatch: skipped ({dispatch.get('skipped')})")
    if summary and "median_ms" in summary:
        print(
            f"Trustees' summary, built by the worker: median {summary['median_ms']:.0f} ms, "
            f"max {summary['max_ms']:.0f} ms over {summary['builds']} builds, "
            f"{summary['bytes']:,} bytes (asked for by trustees_summary_request above)"
        )
    elif summary:
        print(f"Trustees' summary build: skipped ({summary.get('skipped')})")
    print(
        "Times are client-side over loopback (connect to last byte) against gunicorn; "
        "query counts are from the same requests run in-process."
    )
    print(
        "References: admin_case_changelist = the Django admin's case list; minimal_one_query ="
        " /calendar/<unknown>.ics (middleware, routing, one unique-index lookup, 404 page)."
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    setup_environment()
    import django

    django.setup()
    # The minimal reference answers 404 on purpose: do not log each one.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.db import connection

    VAR.mkdir(parents=True, exist_ok=True)
    settings_db = connection.settings_dict
    say(f"database {settings_db['NAME']} on {settings_db['HOST']}:{settings_db['PORT']}")
    scale = scale_counts()
    if scale["cases"] < 100:
        raise SystemExit(
            f"only {scale['cases']} cases: seed first, e.g. "
            "`manage.py seed_scale --cases 100000` into an empty database"
        )
    usernames = {
        "coordinator": "coordinator",
        "mediator": "mediator",
        "supervisor": "supervisor",
        "admin": "admin",
    }
    targets = pick_targets(usernames)
    agreement, note = agreement_path(targets["case"], "coordinator", create=not args.no_agreement)
    targets["agreement_note"] = note
    pages = build_pages(targets, agreement)
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p.name in wanted]
    if not args.no_collectstatic or not (VAR / "static" / "staticfiles.json").exists():
        collectstatic()
    devices: list = []
    from django.utils import timezone

    since = timezone.now()
    sessions = login_sessions(usernames, devices)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        for page in pages:
            if page.skipped or not page.path:
                say(f"{page.name}: skipped ({page.skipped or 'no address'})")
                continue
            started = time.monotonic()
            measure(
                page,
                port,
                sessions,
                args.warmup,
                args.requests,
                args.max_seconds,
                args.show_queries,
            )
            if page.skipped:
                say(f"{page.name}: skipped ({page.skipped})")
            else:
                say(
                    f"{page.name}: p50 {statistics.median(page.times):.1f} ms, "
                    f"{page.queries} queries ({time.monotonic() - started:.0f} s)"
                )
    finally:
        stop_gunicorn(server)
        forget_logins(sessions, devices)
    say("building the trustees' summary as the worker does")
    summary = summary_build(since, args.summary_builds)
    say(f"dispatching {args.reminders:,} reminders")
    dispatch = dispatch_throughput(args.reminders) if args.reminders else {"skipped": "0"}
    results, details = summarise(pages)
    output = {
        "scale": scale,
        "pages": results,
        "reminders_per_s": dispatch.get("per_second"),
        "pdf_median_ms": results.get("agreement_pdf", {}).get("p50_ms"),
        "summary_build_median_ms": summary.get("median_ms"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(output, indent=2) + "\n")
    (out.parent / "details.json").write_text(
        json.dumps(
            {
                "pages": details,
                "dispatch": dispatch,
                "summary_build": summary,
                "run": {
                    "warmup": args.warmup,
                    "requests": args.requests,
                    "gunicorn_workers": args.workers,
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "case_detail": targets["case"].reference,
                },
            },
            indent=2,
        )
        + "\n"
    )
    print_table(pages, results, scale, dispatch, summary)
    say(f"wrote {out} and {out.parent / 'details.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
