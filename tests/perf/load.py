"""A bounded load test: 50 concurrent users across the three roles for 60 seconds, against
gunicorn on loopback, with locust (headless). Reports errors and the p95 latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/wkm_scale make load \\
        [LOAD_ARGS="--users 50 --seconds 60 --workers 4"]

It uses the seeded logins as bench.py does (a session per role written straight into the
database), starts gunicorn, runs ``locust -f tests/perf/locustfile.py --headless`` and reads
its CSV summary. It writes var/bench/load.json and exits non-zero if any request failed.
locust comes from requirements-bench.txt (make load installs it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import bench  # noqa: E402 - after the path is set

VAR = bench.VAR


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users (50)")
    parser.add_argument("--seconds", type=int, default=60, help="how long (60)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--no-collectstatic", action="store_true", help="reuse var/bench/static")
    parser.add_argument("--out", default=str(VAR / "load.json"))
    return parser.parse_args(argv)


def plan_pages(targets: dict, agreement: str | None) -> dict:
    """[name, path, weight] per role: what each kind of user opens, how often."""
    from django.contrib.auth import get_user_model

    from volunteers.models import TraineeCase

    case = targets["case"].get_absolute_url()
    coordinator = [
        ["case list", "/cases/", 4],
        ["case list, deep page", f"/cases/?page={targets['deep_page']}", 1],
        ["case list, filtered", "/cases/?status=active&dispute_type=neighbour", 1],
        ["case search, name", f"/cases/?q={targets['party_name'].split()[-1]}", 1],
        ["case search, postcode", f"/cases/?q={targets['district']}", 1],
        ["case", case, 4],
        ["coordinator home", "/", 3],
    ]
    coordinator += [[f"report {name[7:]}", path, 0.3] for name, path in bench.report_pages()]
    if agreement:
        coordinator.append(["agreement PDF", agreement, 0.2])
    mediator = [["mediator home", "/", 3], ["case list", "/cases/", 2], ["case", case, 3]]
    if targets["feed_token"]:
        mediator.append(["calendar feed", f"/calendar/{targets['feed_token']}.ics", 1])
    supervisor_user = get_user_model().objects.get(username="supervisor")
    supervised = TraineeCase.objects.filter(supervisor=supervisor_user).select_related("case")
    supervisor = [["supervisor home", "/", 3], ["case list", "/cases/", 1]]
    trainee_case = supervised.order_by("-created_at").first()
    if trainee_case:
        supervisor.append(["trainee's case", trainee_case.case.get_absolute_url(), 2])
    return {"coordinator": coordinator, "mediator": mediator, "supervisor": supervisor}


def read_stats(prefix: Path) -> tuple[dict, list[dict]]:
    """(the aggregated row, the rows per page) of locust's CSV summary."""
    with open(f"{prefix}_stats.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return total, [row for row in rows if row["Name"] != "Aggregated"]


def summary(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "max_ms": round(float(row["Max Response Time"]), 1),
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    bench.setup_environment()
    import django

    django.setup()
    from django.conf import settings

    VAR.mkdir(parents=True, exist_ok=True)
    usernames = {"coordinator": "coordinator", "mediator": "mediator", "supervisor": "supervisor"}
    scale = bench.scale_counts()
    targets = bench.pick_targets(usernames)
    agreement, _note = bench.agreement_path(targets["case"], "coordinator", create=False)
    if not args.no_collectstatic or not (VAR / "static" / "staticfiles.json").exists():
        bench.collectstatic()
    devices: list = []
    sessions = bench.login_sessions(usernames, devices)
    plan = VAR / "load-plan.json"
    plan.write_text(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "sessions": sessions,
                "pages": plan_pages(targets, agreement),
            }
        )
    )
    prefix = VAR / "load"
    port = bench.free_port()
    server = bench.start_gunicorn(port, args.workers)
    try:
        bench.say(f"{args.users} users for {args.seconds} s against 127.0.0.1:{port}")
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "tests" / "perf" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "WKM_LOAD_PLAN": str(plan)},
            check=True,
        )
        elapsed = time.monotonic() - started
    finally:
        bench.stop_gunicorn(server)
        bench.forget_logins(sessions, devices)
        plan.unlink(missing_ok=True)
    total, pages = read_stats(prefix)
    result = {
        "scale": scale,
        "users": args.users,
        "seconds": round(elapsed, 1),
        "gunicorn_workers": args.workers,
        "total": summary(total),
        "pages": {row["Name"]: summary(row) for row in pages},
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{'page':32} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, row in sorted(result["pages"].items()) + [("ALL", result["total"])]:
        print(
            f"{name[:32]:32} {row['requests']:8} {row['failures']:6} "
            f"{row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['p99_ms']:7.0f}"
        )
    t = result["total"]
    bench.say(
        f"{args.users} users, {elapsed:.0f} s: {t['requests']:,} requests ({t['per_s']}/s), "
        f"{t['failures']} errors, p95 {t['p95_ms']:.0f} ms; wrote {args.out}"
    )
    return 1 if t["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
