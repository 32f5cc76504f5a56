"""A real Celery worker process for integration tests, on a queue of its own.

It talks to the same Redis as the app (REDIS_URL) through the real broker: nothing is eager or
in-memory. The queue name is unique per test run, so a `make run` worker on the same machine never
takes the test's tasks.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest

from wkm.celery import app as celery_app


@pytest.fixture(scope="session")
def celery_worker():
    """Start `celery worker` as a subprocess; yield the queue name it consumes."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    nodename = f"{queue}@localhost"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wkm",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--include",
            "tests.celery_tasks",
            "--hostname",
            nodename,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[nodename], timeout=0.5):
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("celery worker did not answer a ping within 60 s")
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
