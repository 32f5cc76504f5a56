"""A task goes through the real Redis broker to a real worker process and its result comes back."""

import os

from tests.celery_tasks import worker_pid


def test_it_round_trips_a_task_through_redis_to_a_worker(celery_worker):
    result = worker_pid.apply_async(args=["hello"], queue=celery_worker)

    answer = result.get(timeout=30)
    assert answer["greeting"] == "hello"
    assert answer["pid"] != os.getpid()  # it ran in the worker process, not here
