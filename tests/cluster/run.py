"""The app on several servers, proven by killing one under load (`make cluster-test`, as root).

Builds test hosts on this machine, each a network namespace (`ip netns`) joined to a bridge by
a veth pair and running the real process with its production command line:

    proxy    Caddy (Debian's package), round robin over web1 and web2, active and passive
             health checks, a failed connection tried again on the other node
    web1/2   gunicorn, 2 processes x 4 threads, DEBUG off
    worker1/2  celery worker
    beat, beat2  celery beat with wkm.beat's lock: beat2 is a standby that must send nothing
    db       PostgreSQL 15 (the machine's binaries), fresh in a temporary folder, with the two
             roles of the README (migrations as the owner, the app as wkm_app)
    redis    redis-server, fresh

The web nodes and workers share one media folder (a directory every namespace sees: the model
of shared storage; S3 is the other backend). The database is seeded with ``seed_scale`` and
reminders due during the run. Then locust (tests/perf/locustfile.py, 50 users, 60 s) runs
through the proxy from the root namespace; web1 and the worker that is dispatching reminders
are killed with SIGKILL (every process of the host) mid-run and started again.

It fails unless: no request failed apart from those in flight on the killed node (counted and
printed), every reminder due in the window was sent, each delivered once (the sink in
tests/sinks.py records every hand-over by its idempotency key), no audit event was lost (every
page answered 200 that writes one has its event), and the standby beat sent nothing. It prints
requests, errors and p95 before, during and after the kill, and the CPU each host used.

Everything it made (namespaces, bridge, processes, the temporary folder) is removed on exit,
even after a failure or Ctrl-C. Traffic goes only to the test hosts' addresses on the bridge.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PREFIX = "wkmc-"
BRIDGE = "wkmc-br"
NET = "10.121.21"
HOSTS = {
    "db": 10,
    "redis": 11,
    "proxy": 20,
    "web1": 21,
    "web2": 22,
    "worker1": 31,
    "worker2": 32,
    "beat": 40,
    "beat2": 41,
}
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SINK = f"cluster-{uuid.uuid4().hex[:6]}"
VAR = ROOT / "var" / "cluster"


def ip(host: str) -> str:
    return f"{NET}.{HOSTS[host]}"


def ns(host: str) -> str:
    return PREFIX + host


def say(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True)


# --- Hosts ------------------------------------------------------------------------------------


def network_up() -> None:
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", f"{NET}.1/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for host in HOSTS:
        name = ns(host)
        sh("ip", "netns", "add", name)
        sh("ip", "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", name)
        sh("ip", "link", "set", name, "master", BRIDGE, "up")
        sh("ip", "-n", name, "addr", "add", f"{ip(host)}/24", "dev", "eth0")
        sh("ip", "-n", name, "link", "set", "eth0", "up")
        sh("ip", "-n", name, "link", "set", "lo", "up")


def pids_of(host: str) -> list[int]:
    out = sh("ip", "netns", "pids", ns(host), check=False).stdout
    return [int(pid) for pid in out.split()]


def kill_host(host: str) -> int:
    """SIGKILL every process of the host, as when a server dies."""
    pids = pids_of(host)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pids_of(host) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(pids)


def network_down() -> None:
    for host in HOSTS:
        if sh("ip", "netns", "pids", ns(host), check=False).returncode == 0:
            kill_host(host)
        sh("ip", "netns", "del", ns(host), check=False)
        sh("ip", "link", "del", ns(host), check=False)
    sh("ip", "link", "del", BRIDGE, check=False)


class Cluster:
    def __init__(self, tmp: Path, args):
        self.tmp = tmp
        self.args = args
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.media = tmp / "media"  # the shared storage every web node and worker sees
        self.media.mkdir(mode=0o700)
        self.static = tmp / "static"
        self.owner_url = f"postgres://wkm_owner@{ip('db')}:5432/wkm"
        self.app_url = f"postgres://wkm_app@{ip('db')}:5432/wkm"
        self.redis_url = f"redis://{ip('redis')}:6379/0"
        self.processes: dict[str, subprocess.Popen] = {}

    def env(self, **extra) -> dict:
        return {
            "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.tmp),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "wkm.settings",
            "DEBUG": "false",
            "SECRET_KEY": "cluster-test-only-" + "k" * 48,
            "ALLOWED_HOSTS": ",".join(ip(h) for h in ("proxy", "web1", "web2")),
            # Plain HTTP on the test bridge: no TLS to redirect to.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": self.app_url,
            "DATABASE_OWNER_URL": self.owner_url,
            "REDIS_URL": self.redis_url,
            "MEDIA_ROOT": str(self.media),
            "STATIC_ROOT": str(self.static),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "tests.sinks.EmailBackend",
            "SMS_BACKEND": "tests.sinks.SMSBackend",
            "WKM_TEST_SINK": SINK,
            # Reminders at whatever hour this runs; a dead worker's claim taken over quickly.
            "QUIET_HOURS_START": "0",
            "QUIET_HOURS_END": "0",
            "REMINDER_LEASE_SECONDS": "15",
            "BEAT_LOCK_SECONDS": "15",
            "PYTHONDONTWRITEBYTECODE": "1",
            **extra,
        }

    def spawn(self, host: str, argv: list[str], *, user: str | None = None, env=None):
        log = open(self.logs / f"{host}.log", "a")  # noqa: SIM115 - kept with the process
        prefix = ["ip", "netns", "exec", ns(host)]
        if user:
            prefix += ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
        process = subprocess.Popen(
            prefix + argv,
            cwd=ROOT,
            env=env or self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[host] = process
        return process

    # --- db and redis -----------------------------------------------------------------------

    def start_db(self) -> None:
        data = self.tmp / "pgdata"
        sock = self.tmp / "pgsock"
        for folder in (data, sock):
            folder.mkdir()
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(
            ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups",
             str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, capture_output=True,
        )  # fmt: skip
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {NET}.0/24 trust\n")
        self.spawn(
            "db",
            [str(PG_BIN / "postgres"), "-D", str(data), "-c", f"listen_addresses={ip('db')}",
             "-c", "port=5432", "-c", f"unix_socket_directories={sock}",
             "-c", "max_connections=100", "-c", "shared_buffers=256MB"],
            user="postgres", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )  # fmt: skip
        from scripts.bundled import connect

        conn = connect(f"postgres://postgres@{ip('db')}:5432/postgres")
        with conn.cursor() as cursor:
            cursor.execute("CREATE ROLE wkm_owner LOGIN NOSUPERUSER NOCREATEROLE")
            cursor.execute("CREATE ROLE wkm_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
            cursor.execute("GRANT wkm_app TO wkm_owner")
            cursor.execute("CREATE DATABASE wkm OWNER wkm_owner")
        conn.close()
        say(f"db: PostgreSQL 15 on {ip('db')}:5432")

    def start_redis(self) -> None:
        folder = self.tmp / "redis"
        folder.mkdir()
        self.spawn(
            "redis",
            ["redis-server", "--bind", ip("redis"), "--port", "6379", "--save", "",
             "--appendonly", "no", "--dir", str(folder), "--protected-mode", "no"],
            user=None,
        )  # fmt: skip
        wait_for_port(ip("redis"), 6379)
        say(f"redis: on {ip('redis')}:6379")

    # --- the app ----------------------------------------------------------------------------

    def manage(self, *args: str, owner: bool = False, dev_apps: bool = False) -> None:
        # seed_scale is in a development app, which DEBUG off leaves out unless asked for.
        env = self.env(**({"DEV_APPS": "true"} if dev_apps else {}))
        if owner:  # seed_scale locks tables: the owner's URL (README, "The database roles")
            env["DATABASE_URL"] = self.owner_url
        started = time.monotonic()
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
        say(f"manage.py {' '.join(args)}: {time.monotonic() - started:.0f} s")

    def start_web(self, host: str) -> None:
        self.spawn(
            host,
            [PYTHON, "-m", "gunicorn", "wkm.wsgi", "--bind", f"{ip(host)}:8000",
             "--worker-class", "gthread", "--workers", "2", "--threads", "4",
             "--graceful-timeout", "5", "--timeout", "60"],
        )  # fmt: skip

    def start_worker(self, host: str) -> None:
        self.spawn(
            host,
            [PYTHON, "-m", "celery", "-A", "wkm", "worker", "--loglevel", "INFO",
             "--concurrency", "2", "--hostname", f"{host}@%h"],
        )  # fmt: skip

    def start_beat(self, host: str) -> None:
        self.spawn(
            host,
            [PYTHON, "-m", "celery", "-A", "wkm", "beat", "--loglevel", "INFO",
             "--scheduler", "wkm.beat:SingleBeatScheduler", "--pidfile="],
        )  # fmt: skip

    def start_proxy(self) -> None:
        upstreams = " ".join(f"{ip(h)}:8000" for h in ("web1", "web2"))
        caddyfile = self.tmp / "Caddyfile"
        caddyfile.write_text(
            f"""{{
	admin off
	auto_https off
	log {{
		output file {self.logs / "caddy.log"}
		# Every round trip to a node, with its error: what was in flight on the killed one.
		level DEBUG
	}}
}}
:80 {{
	reverse_proxy {upstreams} {{
		lb_policy round_robin
		# A request that cannot reach a node goes to the other; so does a GET in flight on a
		# node that dies (Caddy 2.6 retries GETs, other methods only when it could not
		# connect), if it is still within lb_try_duration of its start: after that, 502.
		lb_try_duration 5s
		lb_try_interval 100ms
		fail_duration 10s
		# Whether the node's gunicorn answers, not /health/: that reports the shared database,
		# Redis and Celery, and would take every node out at once when one of them is down.
		# A node that is slow is busy, not dead (a dead one refuses connections at once, which
		# the passive check above and the retry catch): a short timeout took both nodes out
		# together under load.
		health_uri /accounts/login/
		health_interval 2s
		health_timeout 10s
		health_status 200
	}}
}}
"""
        )
        self.spawn(
            "proxy",
            ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            user=None,
            env={"PATH": "/usr/bin:/bin", "HOME": str(self.tmp), "XDG_DATA_HOME": str(self.tmp),
                 "XDG_CONFIG_HOME": str(self.tmp)},
        )  # fmt: skip
        wait_for_port(ip("proxy"), 80)

    def wait_web(self, host: str, timeout: float = 90) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                if http_status(ip(host), 8000, "/accounts/login/") == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{host} did not answer within {timeout:.0f} s: see {host}.log")


def wait_for_port(address: str, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {address}:{port}")


def http_get(address: str, port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection(address, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": address, "Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def http_status(address: str, port: int, path: str) -> int:
    return http_get(address, port, path)[0]


def shared_file_check(case, cookie: str) -> dict:
    """A case file filed from here (a third machine) through the service, downloaded from
    each web node: the bytes are where every node finds them, in the shared storage."""
    import hashlib

    from django.contrib.auth import get_user_model

    from documents.case_files import files_add
    from tests.documents.samples import pdf_bytes, upload

    coordinator = get_user_model().objects.get(username="coordinator")
    content = pdf_bytes()
    (case_file,) = files_add(
        case=case, by=coordinator, uploads=[upload("cluster-check.pdf", content)],
        kind="correspondence", description="Cluster check",
    )  # fmt: skip
    path = f"/cases/{case.reference}/files/{case_file.pk}/"
    answers = {}
    for host in ("web1", "web2"):
        status, body = http_get(ip(host), 8000, path, cookie)
        answers[host] = status == 200 and hashlib.sha256(body).hexdigest() == case_file.sha256
    return answers


# --- What the run checks ----------------------------------------------------------------------


def seed_reminders(
    count: int, start: datetime.datetime, seconds: int, burst_at: float
) -> list[int]:
    """``count`` session reminders (half email, half text) to a mediator on an active case: two
    thirds due together ``burst_at`` seconds into the run (so that the dispatch that sends them
    is under way when a worker is killed), the rest one after another across the run; returns
    their ids."""
    from notifications.models import OutboxMessage
    from sessions.models import MediationSession
    from tests.factories import AssignmentFactory, eligible_volunteer, ready_case

    case = ready_case(status="active")
    starts = start + datetime.timedelta(days=2)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", venue="Office",
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=1),
    )  # fmt: skip
    volunteer = eligible_volunteer(email="cluster@example.org", phone="+447911123456")
    AssignmentFactory(case=case, volunteer=volunteer)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=OutboxMessage.Kind.SESSION_REMINDER,
            channel="email" if n % 2 else "sms",
            session=session,
            volunteer=volunteer,
            address="cluster@example.org" if n % 2 else "+447911123456",
            lead_minutes=120,
            due_at=start + datetime.timedelta(seconds=burst_at if n % 3 else seconds * n / count),
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


def dispatch_at(when: datetime.datetime) -> None:
    """Beat's next dispatch of reminders at ``when`` (the schedule runs every 60 s from the last
    run): so it falls while a worker is to be killed."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from wkm.celery import app

    DatabaseScheduler(app=app, lazy=True).setup_schedule()  # the rows beat will read
    PeriodicTask.objects.filter(name="dispatch-reminders").update(
        last_run_at=when - datetime.timedelta(seconds=60)
    )


def dispatching_worker() -> str | None:
    """The worker running dispatch_reminders now, if any."""
    from wkm.celery import app

    active = app.control.inspect(timeout=1.0).active() or {}
    for name, tasks in active.items():
        if any(task["name"] == "notifications.tasks.dispatch_reminders" for task in tasks):
            return name.split("@")[0]
    return None


class CpuSampler:
    """CPU seconds used by each host's processes (and locust's), from /proc, sampled; and the
    seconds their threads were ready to run but waited for a core (schedstat), which says
    whether the machine, rather than the host, was the limit."""

    def __init__(self, extra_pids: dict[str, int]):
        self.extra = extra_pids
        self.samples: list[tuple[float, dict[str, float]]] = []

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _waited(pid: int) -> float:
        total = 0
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError, IndexError, ValueError):  # a thread gone
                total += int((task / "schedstat").read_text().split()[1])
        return total / 1e9

    def sample(self) -> None:
        """{name: {pid: seconds}}: per process, so that one ending or starting (a database
        connection, a restarted host) does not read as the host's count going back."""
        used = {}
        for host in HOSTS:
            pids = pids_of(host)
            used[host] = {pid: self._cpu(pid) for pid in pids}
            used[f"{host} waited"] = {pid: self._waited(pid) for pid in pids}
        for name, pid in self.extra.items():
            used[name] = {p: self._cpu(p) for p in [pid, *children(pid)]}
        self.samples.append((time.time(), used))

    def share(self, start: float, end: float) -> dict[str, float]:
        """Cores used by each between two moments."""
        inside = [(t, u) for t, u in self.samples if start <= t <= end]
        if len(inside) < 2:
            return {}
        (t0, _), (t1, _) = inside[0], inside[-1]
        return {
            name: round(spent / (t1 - t0), 2)
            for name, spent in self.seconds(inside[0][0], inside[-1][0]).items()
        }

    def seconds(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds each used between two moments, a restart's fresh count included."""
        inside = [u for t, u in self.samples if start <= t <= end]
        total: dict[str, float] = {}
        for before, after in zip(inside, inside[1:], strict=False):
            for name, pids in after.items():
                known = before.get(name, {})
                # A process new since the last sample started in between: all of its time.
                step = sum(max(0.0, value - known.get(pid, 0.0)) for pid, value in pids.items())
                total[name] = total.get(name, 0.0) + step
        return total


def children(pid: int) -> list[int]:
    out = sh("pgrep", "-P", str(pid), check=False).stdout
    found = [int(p) for p in out.split()]
    return found + [g for c in found for g in children(c)]


def in_flight_on(log: Path, host: str) -> list[str]:
    """The requests Caddy had sent to ``host`` when it died: round trips to it that failed
    after connecting (a refused connection sent nothing)."""
    upstream = f"{ip(host)}:8000"
    found = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("msg") == "upstream roundtrip" and entry.get("upstream") == upstream:
            error = entry.get("error", "")
            if error and not error.startswith("dial"):
                found.append(entry["request"]["uri"])
    return found


def phase_stats(rows: list[dict], start: float, end: float) -> dict:
    inside = [r for r in rows if start <= r["t"] < end]
    times = sorted(r["ms"] for r in inside)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))] if times else 0.0
    return {
        "requests": len(inside),
        "errors": sum(1 for r in inside if r["error"]),
        "p95_ms": round(p95),
        "per_s": round(len(inside) / max(end - start, 1e-9), 1),
    }


def read_requests(path: Path) -> list[dict]:
    with open(path, newline="") as file:
        return [
            {"t": float(r["t"]), "name": r["name"], "ms": float(r["ms"]),
             "status": int(r["status"] or 0), "error": r["error"]}
            for r in csv.DictReader(file)
        ]  # fmt: skip


# Pages of the load that write an audit event each time they answer 200 (cases.views,
# volunteers.views.trainees, documents.services, sessions.views): the case, a trainee's case,
# a search or filter of the case list, the agreement PDF and the calendar feed.
AUDITED = {
    "case", "trainee's case", "case list, filtered", "case search, name",
    "case search, postcode", "agreement PDF", "calendar feed",
}  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cases", type=int, default=10000, help="seed_scale's --cases")
    parser.add_argument("--reminders", type=int, default=3000)
    parser.add_argument("--kill-at", type=float, default=15, help="seconds into the load")
    parser.add_argument("--restart-after", type=float, default=5, help="seconds dead")
    parser.add_argument(
        "--hold", action="store_true", help="start the hosts, print how to reach them, wait"
    )
    parser.add_argument("--keep-logs", default=str(VAR), help="where the logs are copied")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("make cluster-test builds network namespaces: run it as root")
    for tool in ("ip", "caddy", "redis-server", "setpriv"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (apt-get install caddy redis-server iproute2)")
    if not (PG_BIN / "postgres").exists():
        raise SystemExit(f"PostgreSQL 15 is missing: {PG_BIN} (apt-get install postgresql-15)")

    network_down()  # what a run killed before its clean-up left
    tmp = Path(tempfile.mkdtemp(prefix="wkm-cluster-"))
    tmp.chmod(0o755)

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        network_up()
        say(f"hosts: {', '.join(f'{h} {ip(h)}' for h in HOSTS)}")
        return run(Cluster(tmp, args), args)
    finally:
        network_down()
        keep = Path(args.keep_logs)
        if (tmp / "logs").exists():
            shutil.rmtree(keep / "logs", ignore_errors=True)
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tmp / "logs", keep / "logs")
        shutil.rmtree(tmp, ignore_errors=True)
        say(f"namespaces and {tmp} removed; logs in {keep / 'logs'}")


def run(cluster: Cluster, args) -> int:
    cluster.start_db()
    cluster.start_redis()
    os.environ.update(cluster.env())
    cluster.manage("migrate", "--verbosity", "0")
    cluster.manage("seed_scale", "--cases", str(args.cases), "--password", uuid.uuid4().hex,
                   owner=True, dev_apps=True)  # fmt: skip
    cluster.manage("collectstatic", "--noinput", "--verbosity", "0")
    sh("chmod", "-R", "a+rX", str(cluster.static))  # collected as root, served as the app

    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from audit.models import AuditEvent
    from notifications.models import OutboxMessage
    from tests import sinks
    from tests.perf import bench, load

    usernames = {"coordinator": "coordinator", "mediator": "mediator", "supervisor": "supervisor"}
    targets = bench.pick_targets(usernames)
    agreement, _note = bench.agreement_path(targets["case"], "coordinator", create=False)
    sessions = bench.login_sessions(usernames, [])
    plan = cluster.tmp / "load-plan.json"
    plan.write_text(json.dumps({
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "pages": load.plan_pages(targets, agreement),
    }))  # fmt: skip

    for host in ("web1", "web2"):
        cluster.start_web(host)
    for host in ("web1", "web2"):
        say(f"{host}: gunicorn up in {cluster.wait_web(host):.1f} s")
    cluster.start_proxy()
    say(f"proxy: Caddy on {ip('proxy')}:80")
    shared = shared_file_check(
        targets["case"], f"{settings.SESSION_COOKIE_NAME}={sessions['coordinator']}"
    )
    say(f"a case file filed here, the same bytes downloaded from each node: {shared}")

    # The load starts in ~15 s (workers and beats starting); reminders fall due across it and
    # beat's dispatch is set to run just before the worker is killed.
    if args.hold:
        plan_copy = VAR / "load-plan.json"
        VAR.mkdir(parents=True, exist_ok=True)
        shutil.copy(plan, plan_copy)
        say(f"holding: proxy http://{ip('proxy')}/, sessions in {plan_copy}; Ctrl-C ends")
        signal.pause()
    load_start = timezone.now() + datetime.timedelta(seconds=15)
    reminder_ids = seed_reminders(args.reminders, load_start, args.seconds, args.kill_at - 3)
    dispatch_at(load_start + datetime.timedelta(seconds=args.kill_at - 2))
    for host in ("worker1", "worker2"):
        cluster.start_worker(host)
    cluster.start_beat("beat")
    time.sleep(3)  # the first beat takes the lock
    cluster.start_beat("beat2")
    say(f"{args.reminders} reminders due across the run; worker1, worker2, beat, beat2 started")
    while timezone.now() < load_start:
        time.sleep(0.2)

    requests_csv = cluster.logs / "requests.csv"
    audit_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    say(f"locust: {args.users} users for {args.seconds} s through the proxy")
    locust = subprocess.Popen(
        [PYTHON, "-m", "locust",
         "-f", f"{ROOT / 'tests/perf/locustfile.py'},{ROOT / 'tests/cluster/record_requests.py'}",
         "--headless", "--users", str(args.users), "--spawn-rate", "10",
         "--run-time", f"{args.seconds}s", "--host", f"http://{ip('proxy')}",
         # At the end each user finishes the page it is waiting for: none is cut off after
         # the server wrote its audit event.
         "--stop-timeout", "60",
         "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT, env={**os.environ, "WKM_LOAD_PLAN": str(plan),
                       "WKM_CLUSTER_REQUESTS": str(requests_csv)},
        stdout=open(cluster.logs / "locust.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    started = time.time()
    cpu = CpuSampler({"locust": locust.pid})
    events = {}

    def at(seconds: float) -> None:
        while time.time() < started + seconds:
            cpu.sample()
            time.sleep(0.5)

    at(args.kill_at - 1)
    # The worker running dispatch_reminders if there is one now (beat was set to send it
    # just before), else worker1.
    deadline = time.time() + 4
    victim_worker = None
    while victim_worker is None and time.time() < deadline:
        victim_worker = dispatching_worker()
    was_dispatching = victim_worker is not None
    victim_worker = victim_worker or "worker1"
    events["kill"] = time.time()
    sent_before_kill = OutboxMessage.objects.filter(pk__in=reminder_ids, status="sent").count()
    killed = {"web1": kill_host("web1"), victim_worker: kill_host(victim_worker)}
    say(f"SIGKILL: web1 ({killed['web1']} processes) and {victim_worker} "
        f"({killed[victim_worker]} processes, dispatching reminders: {was_dispatching}); "
        f"{sent_before_kill} reminders sent before")  # fmt: skip
    at(args.kill_at + args.restart_after)
    events["restart"] = time.time()
    cluster.start_web("web1")
    cluster.start_worker(victim_worker)
    up = cluster.wait_web("web1")
    events["back"] = time.time()
    say(f"web1 and {victim_worker} restarted; web1 answering after {up:.1f} s")
    while locust.poll() is None:
        cpu.sample()
        time.sleep(0.5)
    ended = time.time()
    say("locust finished")

    # Every reminder due in the window sent, each delivered once.
    deadline = time.monotonic() + 180
    pending = OutboxMessage.objects.filter(pk__in=reminder_ids).exclude(status="sent")
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(2)
    statuses = dict(
        OutboxMessage.objects.filter(pk__in=reminder_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    attempts, delivered = sinks.read(SINK)
    keys = {f"wkm-reminder-{pk}" for pk in reminder_ids}
    beats = {host: (cluster.logs / f"{host}.log").read_text() for host in ("beat", "beat2")}
    standby_sent = beats["beat2"].count("Sending due task")
    active_sent = beats["beat"].count("Sending due task dispatch-reminders")

    # Audit: every audited page answered 200 has its event (an in-flight one on the killed
    # node may have written its event and lost its answer: at most that many more).
    rows = read_requests(requests_csv)
    ok_audited = sum(1 for r in rows if r["name"] in AUDITED and not r["error"])
    audit_events = AuditEvent.objects.filter(
        pk__gt=audit_before,
        actor_username__in=["coordinator", "mediator", "supervisor"],
        action__in=["view", "download"],
    ).count()
    failed = [r for r in rows if r["error"]]
    sent_to_dead = in_flight_on(cluster.logs / "caddy.log", "web1")
    # A 502 for one of those comes once Caddy stops trying, lb_try_duration (5 s) after the
    # request started, never more of them than were sent there; and a page whose answer was
    # under way when the node died arrives cut short (its round trip had succeeded).
    window = (events["kill"] - 1, events["kill"] + 6)
    around = [r for r in failed if window[0] <= r["t"] <= window[1]]
    cut_short = [r for r in around if r["error"] == "Incomplete response."]
    in_flight = [r for r in around if r["status"] == 502][: len(sent_to_dead)] + cut_short
    other_failures = [r for r in failed if r not in in_flight]

    phases = {
        "before": phase_stats(rows, started, events["kill"]),
        "during": phase_stats(rows, events["kill"], events["back"]),
        "after": phase_stats(rows, events["back"], ended + 60),
        "all": phase_stats(rows, started, ended + 60),
    }
    steady = cpu.share(started + 5, events["kill"] - 0.5)
    spent = cpu.seconds(started, ended)
    per_request = {
        tier: round(sum(spent.get(h, 0) for h in hosts) * 1000 / max(len(rows), 1), 1)
        for tier, hosts in {
            "web": ("web1", "web2"), "db": ("db",), "proxy": ("proxy",), "redis": ("redis",),
        }.items()
    }  # fmt: skip
    waited = {
        tier: round(sum(spent.get(f"{h} waited", 0) for h in hosts) / (ended - started), 2)
        for tier, hosts in {"web": ("web1", "web2"), "db": ("db",)}.items()
    }
    connections = db_connections(cluster)
    pages = {}
    for name in sorted({r["name"] for r in rows}):
        pages[name] = phase_stats([r for r in rows if r["name"] == name], started, ended + 60)
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "cases": args.cases,
        "phases": phases,
        "pages": pages,
        "events": {k: round(v - started, 1) for k, v in events.items()},
        "failed": len(failed),
        "failed_in_flight_on_killed_node": len(in_flight),
        # In flight on web1 when it died; those still within lb_try_duration were answered
        # by web2 instead (Caddy retries GETs).
        "in_flight_on_killed_node": len(sent_to_dead) + len(cut_short),
        "failed_otherwise": [
            {k: r[k] for k in ("name", "status", "error")} for r in other_failures[:20]
        ],
        "killed": killed,
        "killed_worker_was_dispatching": was_dispatching,
        "reminders": {
            "seeded": len(reminder_ids),
            "statuses": statuses,
            "delivered": len(delivered & keys),
            "handed_over_twice": sum(1 for k in keys if attempts.get(k, 0) > 1),
            "sent_before_kill": sent_before_kill,
        },
        "beats": {"standby_sent": standby_sent, "active_dispatches": active_sent},
        "shared_file_downloaded_from": shared,
        "audit": {
            "audited_pages_ok": ok_audited,
            "events": audit_events,
            # A request in flight on the killed node may have written its event before the
            # node died, and been answered by the other node, which wrote one too.
            "at_most_extra": len(sent_to_dead) + len(cut_short),
        },
        "cpu_cores_before_kill": steady,
        "cpu_ms_per_request": per_request,
        "cores_waiting_for_cpu": waited,
        # The workers over the run, mostly sending the reminders (startup included).
        "worker_cpu_ms_per_reminder": round(
            (spent.get("worker1", 0) + spent.get("worker2", 0)) * 1000 / len(reminder_ids), 1
        ),
        "db_connections_after": connections,
    }
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    report(result)

    problems = []
    if other_failures:
        problems.append(f"{len(other_failures)} requests failed besides those in flight")
    if statuses.get("sent", 0) != len(reminder_ids) or (delivered & keys) != keys:
        problems.append(f"reminders not all sent: {statuses}")
    if sum(1 for k in keys if attempts.get(k, 0) > 1) > 2 * 2:
        problems.append("more reminders handed over twice than a killed worker had in hand")
    if not ok_audited <= audit_events <= ok_audited + len(sent_to_dead) + len(cut_short):
        problems.append(f"audit events {audit_events} for {ok_audited} audited pages answered")
    if not all(shared.values()):
        problems.append(f"a shared file was not served by every node: {shared}")
    if standby_sent:
        problems.append(f"the standby beat sent {standby_sent} tasks")
    if not rows:
        problems.append("locust made no request")
    for problem in problems:
        say(f"FAILED: {problem}")
    say("passed" if not problems else f"{len(problems)} checks failed")
    return 1 if problems else 0


def db_connections(cluster: Cluster) -> dict:
    from scripts.bundled import connect

    conn = connect(f"postgres://postgres@{ip('db')}:5432/postgres")
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT client_addr::text, count(*) FROM pg_stat_activity "
            "WHERE datname = 'wkm' GROUP BY 1 ORDER BY 1"
        )
        by_address = dict(cursor.fetchall())
    conn.close()
    names = {ip(h): h for h in HOSTS}
    return {names.get(addr, addr): n for addr, n in by_address.items()}


def report(result: dict) -> None:
    print(f"\n{'page':28} {'requests':>9} {'errors':>7} {'p95 ms':>7}")
    for name, row in result["pages"].items():
        print(f"{name[:28]:28} {row['requests']:9} {row['errors']:7} {row['p95_ms']:7}")
    print(
        f"\nkilled at {result['events']['kill']} s, restarted at {result['events']['restart']} s, "
        f"web1 answering at {result['events']['back']} s"
    )
    print(f"\n{'phase':8} {'requests':>9} {'errors':>7} {'req/s':>7} {'p95 ms':>7}")
    for phase, row in result["phases"].items():
        print(f"{phase:8} {row['requests']:9} {row['errors']:7} {row['per_s']:7} "
              f"{row['p95_ms']:7}")  # fmt: skip
    print(f"\nin flight on the killed node: {result['in_flight_on_killed_node']}; failed: "
          f"{result['failed']}, of which in flight on the killed node: "
          f"{result['failed_in_flight_on_killed_node']}")  # fmt: skip
    print(f"reminders: {json.dumps(result['reminders'])}")
    print(f"beats: {json.dumps(result['beats'])}")
    print(f"audit: {json.dumps(result['audit'])}")
    print(f"CPU (cores) before the kill: {json.dumps(result['cpu_cores_before_kill'])}")
    print(f"CPU ms per request over the run: {json.dumps(result['cpu_ms_per_request'])}")
    print(f"workers' CPU ms per reminder: {result['worker_cpu_ms_per_reminder']}")
    print(f"threads ready but waiting for a core: {json.dumps(result['cores_waiting_for_cpu'])}")
    print(f"database connections after: {json.dumps(result['db_connections_after'])}\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
