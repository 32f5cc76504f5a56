"""The web server `make run` starts (Procfile) takes the /health/ burst of issue 17.

Runs the Procfile's own web command (gunicorn, 2 processes x 4 threads) on a free port against
the test database, beside a real Celery worker, and sends tests/perf/health_burst.py's burst:
200 requests with no credentials, 60 at once. Every one must answer within 2 s, /help/ must
answer 200 during and after, the worker must still answer /health/'s ping, and the server must
hold no more connections than its threads. Under runserver with the old view the same burst
left PostgreSQL refusing connections and the worker cut off for 15 minutes.
"""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.celery_worker import database_url_for_workers
from tests.perf.health_burst import ConnectionSampler, burst, get, run_burst

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile"


def procfile_command(name: str) -> str:
    for line in PROCFILE.read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebServer:
    """The Procfile's web command on a free port, serving the given database."""

    def __init__(self, database_url: str, log_path: Path):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = log_path.open("w")
        env = {
            **os.environ,
            "WKM_PORT": str(port),
            "DATABASE_URL": database_url,
            "HEALTH_CACHE_SECONDS": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        # The Procfile's own line, through a shell as honcho runs it.
        self.process = subprocess.Popen(  # noqa: S602
            procfile_command("web"),
            shell=True,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while get_status(self.url, "/help/") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the web server did not start: see {log_path}")
            time.sleep(0.25)
        # Ready as a monitor sees it: /health/ has answered once (the first check in a process
        # holds the requests that arrive meanwhile for up to HEALTH_TIMEOUT_SECONDS; later
        # ones are answered from the last result while one thread refreshes it).
        assert get_status(self.url, "/health/") in (200, 503)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def web_servers():
    """The servers started in this module, by database; stopped when it ends."""
    servers: dict[str, WebServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def web_server(web_servers, transactional_db, tmp_path_factory) -> WebServer:
    """A server on the test database, started once for the module (it takes seconds: each
    process loads WeasyPrint). It reads nothing the tests write."""
    database_url = database_url_for_workers()
    if database_url not in web_servers:
        log = tmp_path_factory.mktemp("web") / "web.log"
        web_servers[database_url] = WebServer(database_url, log)
    return web_servers[database_url]


def get_status(url: str, path: str) -> int:
    return get(urlsplit(url), path, timeout=5)[0]


def test_it_serves_make_run_with_a_fixed_pool_of_threads():
    """Each thread keeps a database connection for CONN_MAX_AGE: their number must be bounded.

    The budget (wkm/settings.py): web processes x threads, the worker's 2 children and beat
    stay well under the bundled PostgreSQL's max_connections, with room for tests and psql.
    """
    web = procfile_command("web")
    assert web.startswith("gunicorn ")
    assert "--worker-class gthread" in web
    workers = int(re.search(r"--workers \$\{WEB_CONCURRENCY:-(\d+)\}", web).group(1))
    threads = int(re.search(r"--threads \$\{WEB_THREADS:-(\d+)\}", web).group(1))
    concurrency = int(re.search(r"--concurrency (\d+)", procfile_command("worker")).group(1))
    bundled = (ROOT / "scripts" / "bundled.py").read_text()
    max_connections = int(re.search(r"max_connections=(\d+)", bundled).group(1))
    # Web threads, a /health/ probe per web process, the worker's children and parent, beat.
    needed = workers * threads + workers + concurrency + 1 + 1
    assert needed <= max_connections // 4


def test_it_takes_200_health_requests_60_at_once(beat_ran, web_server, celery_worker):
    """Beat's last run is in the database before the server starts, as under `make run` (no
    beat runs here), and the outbox is empty: /health/ answers 200 throughout."""
    problems = run_burst(
        web_server.url,
        database_url=database_url_for_workers(),
        # 8 threads, a probe per process, this test's own connection.
        max_connections=2 * 4 + 2 + 1,
        cache_seconds=1,
    )

    assert problems == []


def test_it_holds_no_more_connections_than_threads_through_a_burst_of_queries(web_server):
    """60 at once of a page that queries the database (the calendar feed, unknown address).

    Under runserver (a thread, so a connection, per request) the peak was 67.
    """
    with ConnectionSampler(database_url_for_workers()) as sampler:
        results, _ = asyncio.run(
            burst(
                urlsplit(web_server.url),
                path="/calendar/unknown.ics",
                requests=120,
                concurrency=60,
                timeout=30,
            )
        )

    sampler.connection.close()
    print(f"peak connections: {max(sampler.samples)}")
    assert {status for status, _, _ in results} == {404}
    # 8 threads, a /health/ probe per process, this test's own connection.
    assert max(sampler.samples) <= 2 * 4 + 2 + 1
