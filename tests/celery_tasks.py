"""Tasks that exist only for tests; the test worker imports this module with --include."""

import os

from celery import shared_task


@shared_task
def worker_pid(greeting):
    """Answer with the greeting and the id of the process that ran it."""
    return {"greeting": greeting, "pid": os.getpid()}
