"""Loaded beside tests/perf/locustfile.py by tests/cluster/run.py: every request's time, page,
duration, status and error, one CSV row each (WKM_CLUSTER_REQUESTS), so the run can be cut into
before, during and after the kill."""

import csv
import os
import time

from locust import events

_file = open(os.environ["WKM_CLUSTER_REQUESTS"], "w", newline="")  # noqa: SIM115 - for the run
_rows = csv.writer(_file)
_rows.writerow(["t", "name", "ms", "status", "error"])


@events.request.add_listener
def record(name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    _rows.writerow([f"{time.time():.3f}", name, f"{response_time:.1f}", status, exception or ""])


@events.quitting.add_listener
def close(**kwargs):
    _file.close()
