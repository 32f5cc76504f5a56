"""The /health/ burst of issue 17, against a running `make run`: does the stack take it?

    PORT=8000 make run                          # in one terminal
    make health-burst                           # in another (BURST_ARGS="--url … --token …")

The attack that took the stack down: 200 requests to /health/ with no credentials, 60 at once,
each on a new connection. Under runserver (a thread and a database connection per request) it
left every /health/ hanging, PostgreSQL refusing connections, /help/ answering 500 and the
Celery worker cut off from the database for more than 15 minutes.

This sends the same burst and checks, failing (exit status 1) otherwise, that:

1. every /health/ request answered (200 or 503) within --limit seconds (2 s);
2. /help/, a public page that reads the database, answered 200 during the burst and after it;
3. after the burst, once the remembered result has expired, /health/ with the token (or from
   loopback, as here) says the database, Redis and the Celery worker are all "ok";
4. with --database-url, that the app's connections to PostgreSQL stayed under --max-connections
   (sampled from pg_stat_activity every 50 ms) and that PostgreSQL still accepts a new one.

It prints the timings (median, p95, max) and the connection counts. The requests come from
loopback, so /health/ answers with its components; what each request costs the server is the
same whoever calls (the checks run at most once per HEALTH_CACHE_SECONDS in each process).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import math
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def get(base, path: str, *, token: str = "", timeout: float = 30.0) -> tuple[int, float, bytes]:
    """One GET on a new connection: (status, seconds, body); status 0 if it failed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.monotonic()
    connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, body
    except OSError:
        return 0, time.monotonic() - started, b""
    finally:
        connection.close()


async def aget(base, path: str, *, timeout: float) -> tuple[int, float, bytes]:
    """``get`` without a thread: many at once, timed without the client's own GIL contention.

    (60 client threads in one Python process added up to a second to the slowest request
    measured on a busy 2-core machine.)
    """
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(base.hostname, base.port or 80)
            request = f"GET {path} HTTP/1.1\r\nHost: {base.netloc}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            await writer.drain()
            response = await reader.read()
            writer.close()
        status = int(response.split(b" ", 2)[1])
        return status, time.monotonic() - started, response.partition(b"\r\n\r\n")[2]
    except (OSError, TimeoutError, IndexError, ValueError):
        return 0, time.monotonic() - started, b""


async def burst(base, *, requests: int, concurrency: int, timeout: float, path="/health/"):
    """``requests`` GETs of ``path``, ``concurrency`` at a time, each on a new connection,
    while /help/ is asked for every 100 ms: (the results, the /help/ statuses)."""
    slots = asyncio.Semaphore(concurrency)
    done = asyncio.Event()
    help_statuses: list[int] = []

    async def health() -> tuple[int, float, bytes]:
        async with slots:
            return await aget(base, path, timeout=timeout)

    async def keep_asking_for_help() -> None:
        while not done.is_set():
            help_statuses.append((await aget(base, "/help/", timeout=timeout))[0])
            await asyncio.sleep(0.1)

    helper = asyncio.create_task(keep_asking_for_help())
    results = await asyncio.gather(*(health() for _ in range(requests)))
    done.set()
    await helper
    return results, help_statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class ConnectionSampler:
    """Counts the server's connections to the app's database, every 50 ms, in a thread."""

    def __init__(self, database_url: str):
        import psycopg2

        self.database = urlsplit(database_url).path.lstrip("/")
        # Our own connection is to another database, so it is not counted.
        self.connection = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
        self.connection.autocommit = True
        self.samples: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
            )
            return cursor.fetchone()[0]

    def new_connection_accepted(self, database_url: str) -> bool:
        """Whether PostgreSQL still takes a new connection (not "too many clients")."""
        import psycopg2

        try:
            psycopg2.connect(database_url, connect_timeout=5).close()
            return True
        except psycopg2.OperationalError:
            return False

    def _run(self) -> None:
        while not self.stop.wait(0.05):
            self.samples.append(self.count())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def run_burst(
    url: str,
    *,
    requests: int = 200,
    concurrency: int = 60,
    limit: float = 2.0,
    token: str = "",
    database_url: str = "",
    max_connections: int = 20,
    cache_seconds: float = 5.0,
    say=print,
) -> list[str]:
    """Send the burst and check what follows; the problems found (none: the stack took it)."""
    base = urlsplit(url)
    problems: list[str] = []

    status, _, _ = get(base, "/help/")
    if status != 200:
        return [f"/help/ answers {status} before the burst: is the server running at {url}?"]
    sampler = ConnectionSampler(database_url) if database_url else None
    before = sampler.count() if sampler else None

    started = time.monotonic()
    with sampler or contextlib.nullcontext():
        results, help_during = asyncio.run(
            burst(base, requests=requests, concurrency=concurrency, timeout=limit * 5)
        )
    wall = time.monotonic() - started

    times = [seconds for _, seconds, _ in results]
    statuses = {code: sum(1 for s, _, _ in results if s == code) for code, _, _ in results}
    slow = [seconds for seconds in times if seconds > limit]
    unanswered = sum(1 for s, _, _ in results if s not in (200, 503))
    say(
        f"/health/: {requests} requests, {concurrency} at once, in {wall:.2f} s; "
        f"statuses {statuses}; median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    if slow:
        problems.append(f"{len(slow)} /health/ requests took longer than {limit} s")
    if unanswered:
        problems.append(f"{unanswered} /health/ requests got no 200 or 503")
    help_statuses = {code: help_during.count(code) for code in help_during}
    say(f"/help/ during the burst: {help_statuses}")
    if not help_during or set(help_during) != {200}:
        problems.append(f"/help/ during the burst answered {help_statuses}")

    # After the burst, and once the remembered result has expired: checks run afresh.
    time.sleep(cache_seconds + 0.5)
    status, _, _ = get(base, "/help/")
    say(f"/help/ after the burst: {status}")
    if status != 200:
        problems.append(f"/help/ after the burst answered {status}")
    status, seconds, body = get(base, "/health/", token=token)
    say(f"/health/ after the burst: {status} in {seconds * 1000:.0f} ms, {body.decode()}")
    components = json.loads(body or b"{}")
    if status != 200 or any(components.get(name) != "ok" for name in ("database", "celery")):
        problems.append(f"/health/ after the burst says {body.decode()}")

    if sampler:
        after = sampler.count()
        peak = max(sampler.samples, default=after)
        say(
            f"connections to {sampler.database}: {before} before, peak {peak} during, "
            f"{after} after (limit {max_connections})"
        )
        if peak > max_connections:
            problems.append(f"{peak} connections during the burst")
        if not sampler.new_connection_accepted(database_url):
            problems.append("PostgreSQL refuses a new connection after the burst")
        sampler.connection.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=60)
    parser.add_argument("--limit", type=float, default=2.0, help="seconds each may take")
    parser.add_argument("--token", default=os.environ.get("HEALTH_TOKEN", ""))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--max-connections", type=int, default=20)
    parser.add_argument("--cache-seconds", type=float, default=5.0, help="HEALTH_CACHE_SECONDS")
    args = parser.parse_args()
    problems = run_burst(
        args.url,
        requests=args.requests,
        concurrency=args.concurrency,
        limit=args.limit,
        token=args.token,
        database_url=args.database_url,
        max_connections=args.max_connections,
        cache_seconds=args.cache_seconds,
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print("OK: the stack took the burst")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
