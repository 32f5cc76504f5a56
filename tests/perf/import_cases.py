"""Benchmark the open-cases sheet: a 5,000-row sheet (one row per party: 2,500 two-party cases)
through ``CasesSheet.import_group``, group by group, each in its savepoint as the runner does —
once as a check (everything rolled back) and once as an import — against the database in
DATABASE_URL (its own database: the volunteers it makes are kept for the next run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wkm_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wkm_bench \\
        .venv/bin/python tests/perf/import_cases.py [--rows 5000] [--commit] [--profile 200]

The issue's budget: under 60 s each on 2 cores. The sheet is valid and made like a charity's:
most cases neighbour disputes, some family, parent/teen, restorative and community ones; a
tenth each referred and being contacted, a fifth awaiting consent (the first party's in), a
fifth ready to assign, two fifths active with a pair (a trainee with an accredited mediator on
some community cases); twenty referring organisations and self-referrals; consents to mediate
and to data processing, to sharing details and to the referrer's updates on some. The pairs
are 120 mediators and 30 trainees, made first (``--volunteers``), with what the rules need.

It prints, for each run: seconds, cases a second, and SQL queries per case (counted by a
connection wrapper, by the statement's kind and table with ``--queries``). The runner's own
work (reading the file, grouping rows) is not in it. ``--commit`` keeps the imported cases (by
default the import is rolled back too, so the database can be used again); ``--profile N``
profiles N cases with cProfile and prints the functions that took longest.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import bench  # noqa: E402 - after the path is set

STATUSES = (
    ["Referred"] * 1
    + ["Contacting parties"] * 1
    + ["Awaiting consent"] * 2
    + ["Ready to assign"] * 2
    + ["Active"] * 4
)
DISPUTES = ["Neighbour"] * 12 + ["Family", "Parent/teen", "Restorative conferencing", "Community"]
SOURCES = ["Housing provider", "Council/ASB team", "Police", "Self-referral", "School", "Health"]
STREETS = ("Quarry Hill Road", "Priory Road", "Shipbourne Road", "Pembury Road", "London Road")


class Rollback(Exception):
    pass


def volunteers(count: int, trainees: int) -> tuple[list[str], list[str], list[str]]:
    """(mediators' ids, those also accredited for parent/teen and restorative work, trainees'
    ids): made once, kept for later runs."""
    from django.db import transaction

    from accounts.roles import SUPERVISOR
    from tests.factories import UserFactory, eligible_volunteer
    from volunteers.models import Volunteer

    with transaction.atomic():
        have = set(
            Volunteer.objects.filter(external_id__startswith="BV-").values_list(
                "external_id", flat=True
            )
        )
        supervisor = UserFactory(username="bench-import-supervisor", roles=[SUPERVISOR])
        mediators, specialists, learners = [], [], []
        for n in range(count + trainees):
            trainee = n >= count
            external_id = f"BV-{n:04d}"
            if external_id not in have:
                eligible_volunteer(
                    status="trainee" if trainee else "mediator",
                    accredited=("community", "parent_teen", "restorative")
                    if n % 4 == 0
                    else ("community",),
                    external_id=external_id,
                    first_name=f"Volunteer{n}",
                    last_name="Bench",
                    email=f"bv{n}@example.org",
                    postcode=f"ME{n % 20 + 1} {n % 9 + 1}XX",
                    supervisor=supervisor if trainee else None,
                )
            if trainee:
                learners.append(external_id)
            else:
                mediators.append(external_id)
                if n % 4 == 0:
                    specialists.append(external_id)
    return mediators, specialists, learners


def sheet_rows(rows: int, run: str, mediators, specialists, learners) -> dict[str, list]:
    """The valid sheet, as the runner hands it over: rows grouped by case id."""
    from django.utils import timezone

    from imports.sheets import Row

    today = timezone.localdate()
    groups: dict[str, list] = defaultdict(list)
    number = 1
    for n in range(rows // 2):
        case_id = f"{run}-{n:05d}"
        status = STATUSES[n % len(STATUSES)]
        dispute = DISPUTES[n % len(DISPUTES)]
        source = SOURCES[n % len(SOURCES)]
        received = today - datetime.timedelta(days=20 + n % 300)
        consented = (received + datetime.timedelta(days=5)).strftime("%d/%m/%Y")
        case = {
            "case_id": case_id,
            "received_on": received.strftime("%d/%m/%Y") if n % 2 else received.isoformat(),
            "dispute_type": dispute,
            "referral_source": source,
            "summary": "Noise through a shared wall late at night; both want it to stop.",
            "risk_lone_working": "yes" if n % 17 == 0 else "no",
            "status": status,
        }
        if source != "Self-referral":
            org = n % 20
            case |= {
                "referrer_organisation": f"Bench Referrer {org}",
                "referrer_name": f"Referrer Person {org}",
                "referrer_contact": f"person{org}@referrer{org}.example.org",
            }
        if status == "Active":
            if dispute in ("Parent/teen", "Restorative conferencing"):
                pool = specialists
                lead, co = pool[n % len(pool)], pool[(n + 1) % len(pool)]
            else:
                lead = mediators[n % len(mediators)]
                if dispute in ("Neighbour", "Community") and n % 3 == 0:
                    co = learners[n % len(learners)]
                else:
                    co = mediators[(n + 7) % len(mediators)]
            case |= {"lead_mediator_id": lead, "co_mediator_id": co}
        for p in range(2):
            number += 1
            party = {
                "party_name": f"Party{p} Case{n}",
                "party_role": "First party" if p == 0 else "Other party",
                "party_address_line1": f"{n % 200 + 1 + p} {STREETS[n % len(STREETS)]}",
                "party_town": "Tonbridge",
                "party_postcode": f"TN{n % 20 + 1} {p + 1}A{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}",
                "party_phone": "01732 123456" if p == 0 else "07911 123456",
                "party_email": f"party{p}.{n}@example.org",
                "party_preferred_contact": "Phone call" if p == 0 else "Email",
                "party_language": "English",
            }
            gives = status in ("Ready to assign", "Active") or (
                status == "Awaiting consent" and p == 0
            )
            if gives:
                party |= {
                    "consent_to_mediate_on": consented,
                    "consent_to_data_processing_on": consented,
                    "consent_how": "Verbally" if n % 2 else "In writing",
                }
                if n % 3 == 0:
                    party["consent_to_share_details_on"] = consented
                if n % 5 == 0:
                    party["consent_to_update_referrer_on"] = consented
            values = {**case, **party} if p == 0 else {"case_id": case_id, **party}
            groups[case_id].append(Row(number=number, values=values))
    return groups


class QueryCounter:
    """Counts the statements sent (and, with ``detail``, by kind and table)."""

    def __init__(self, detail: bool):
        self.count = 0
        self.detail = detail
        self.kinds: Counter = Counter()
        self.seconds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if not self.detail:
            return execute(sql, params, many, context)
        kind = _kind(sql)
        self.kinds[kind] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] += time.perf_counter() - started


def _kind(sql: str) -> str:
    words = sql.split()
    verb = words[0].upper() if words else "?"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_0-9]+)"?', sql, re.IGNORECASE)
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    return f"{verb} {table.group(1) if table else ''}".strip()


def run(groups: dict, by, *, keep: bool, detail: bool) -> dict:
    """Every group through import_group, each in its savepoint, in one transaction."""
    from django.db import connection, transaction

    from imports import runner
    from imports.cases_sheet import CasesSheet
    from imports.sheets import RowProblems

    sheet = CasesSheet()
    counter = QueryCounter(detail)
    problems = []
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # status → [cases, queries]
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with connection.execute_wrapper(counter), transaction.atomic():
            runner._check_references_as_written()  # as the runner's transaction does
            for rows in groups.values():
                before = counter.count
                try:
                    with transaction.atomic():
                        sheet.import_group(rows, by=by)
                except RowProblems as error:
                    problems.extend(error.problems)
                tally = by_status[rows[0].get("status")]
                tally[0] += 1
                tally[1] += counter.count - before
            if not keep:
                raise Rollback
    except Rollback:
        pass
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if problems:
        for problem in problems[:10]:
            print("  problem:", problem)
        raise SystemExit(f"{len(problems)} problems in a sheet meant to be valid")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "queries": counter.count,
        "kinds": counter.kinds,
        "kind_seconds": counter.seconds,
        "by_status": by_status,
    }


def profile(groups: dict, by, count: int) -> None:
    from django.db import transaction

    from imports.cases_sheet import CasesSheet

    sheet = CasesSheet()
    subset = list(groups.values())[:count]
    profiler = cProfile.Profile()
    try:
        with transaction.atomic():
            profiler.enable()
            for rows in subset:
                with transaction.atomic():
                    sheet.import_group(rows, by=by)
            profiler.disable()
            raise Rollback
    except Rollback:
        pass
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    stats.print_stats(40)


def through_runner(groups: dict, by) -> None:
    """The whole path an administrator's upload takes: the sheet written as CSV, uploaded, then
    checked and imported (all or nothing) by imports.services.run_batch in this process, the
    worker's side. The import is kept (the case ids are new each run)."""
    import csv
    import io

    from imports import services
    from imports.cases_sheet import CasesSheet
    from imports.models import ImportBatch

    services.enqueue = lambda batch_id: None  # this process is the worker
    columns = [column.name for column in CasesSheet.columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for rows in groups.values():
        writer.writerows(row.values for row in rows)
    content = out.getvalue().encode()
    batch = services.upload(kind="cases", name="bench.csv", content=content, by=by)
    print(f"  through the runner: {len(content) / 1e6:.1f} MB of CSV")
    for step in ("check", "import"):
        if step == "import":
            services.start_import(batch=batch, mode="all", by=by)
        started, cpu = time.perf_counter(), time.process_time()
        services.run_batch(batch.pk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        batch = ImportBatch.objects.without_content().get(pk=batch.pk)
        if batch.status == "failed" or batch.problems:
            raise SystemExit(f"{step}: {batch.status} {batch.error} {batch.problems[:5]}")
        print(
            f"  {step:7} {seconds:6.1f} s   {len(groups) / seconds:6.1f} cases/s   "
            f"(this process's CPU {cpu:5.1f} s; load average {os.getloadavg()[0]:.1f})"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows of the sheet (5000)")
    parser.add_argument("--volunteers", type=int, default=120, help="mediators (120)")
    parser.add_argument("--trainees", type=int, default=30, help="trainees (30)")
    parser.add_argument("--commit", action="store_true", help="keep the imported cases")
    parser.add_argument("--queries", action="store_true", help="queries by kind and table")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N cases")
    parser.add_argument(
        "--through-runner",
        action="store_true",
        help="upload the sheet as CSV and check and import it as the worker does (kept)",
    )
    args = parser.parse_args(argv)
    bench.setup_environment()
    import django

    django.setup()
    from accounts.roles import ADMINISTRATOR
    from tests.factories import UserFactory

    by = UserFactory(username="bench-importer", roles=[ADMINISTRATOR])
    mediators, specialists, learners = volunteers(args.volunteers, args.trainees)
    groups = sheet_rows(args.rows, f"B{uuid.uuid4().hex[:6]}", mediators, specialists, learners)
    cases = len(groups)
    print(f"open-cases sheet: {args.rows} rows, {cases} cases")
    if args.profile:
        profile(groups, by, args.profile)
        return 0
    if args.through_runner:
        through_runner(groups, by)
        return 0
    for mode, keep in (("check", False), ("import", args.commit)):
        result = run(groups, by, keep=keep, detail=args.queries)
        print(
            f"  {mode:7} {result['seconds']:6.1f} s   {cases / result['seconds']:6.1f} cases/s   "
            f"{result['queries'] / cases:6.1f} queries a case   "
            f"(this process's CPU {result['cpu']:5.1f} s; load average {os.getloadavg()[0]:.1f})"
        )
        for status, (n, queries) in result["by_status"].items():
            print(f"           {status:20} {n:5} cases  {queries / n:6.1f} queries a case")
        if args.queries:
            spent = result["kind_seconds"]
            for kind, n in result["kinds"].most_common(40):
                ms = spent[kind] * 1000 / cases
                print(f"           {n / cases:6.2f} a case  {ms:7.2f} ms a case  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
