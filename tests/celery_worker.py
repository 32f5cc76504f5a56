"""Real Celery worker processes for integration tests, each on a queue of its own.

They talk to the same Redis as the app (REDIS_URL) through the real broker: nothing is eager or
in-memory. Queue names are unique, so a `make run` worker on the same machine never takes the
tests' tasks. ``worker_factory`` starts workers that use the test database (for tests marked
``django_db(transaction=True)``, whose data other processes can see).
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from wkm.celery import app as celery_app


class Worker:
    def __init__(self, queue: str, env: dict):
        self.queue = queue
        self.nodename = f"{queue}-{uuid.uuid4().hex[:4]}@localhost"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wkm", "worker", "--pool", "solo",
             "--queues", queue, "--include", "tests.celery_tasks", "--hostname", self.nodename,
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[self.nodename], timeout=0.5):
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("celery worker did not answer a ping within 60 s")

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-work, as on a power cut or an OOM kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def celery_worker():
    """A worker on the app's own database; yields the queue name it consumes."""
    worker = Worker(f"test-{uuid.uuid4().hex[:8]}", dict(os.environ))
    yield worker.queue
    worker.stop()


def database_url_for_workers() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}"
    )


@pytest.fixture
def worker_factory(transactional_db):
    """Start workers that use the test database: ``worker_factory(**env)`` -> Worker."""
    workers = []
    queue = f"test-{uuid.uuid4().hex[:8]}"

    def start(*, queue=queue, **env_overrides) -> Worker:
        env = {**os.environ, "DATABASE_URL": database_url_for_workers(), "CONN_MAX_AGE": "0"}
        env.update({k: str(v) for k, v in env_overrides.items()})
        worker = Worker(queue, env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
