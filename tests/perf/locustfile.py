"""The users of the load test (tests/perf/load.py starts locust with this file).

Three kinds of user, in the proportions of a working day: coordinators (case list, searches,
cases, their home page, reports), mediators (their home page, their cases, their calendar) and
supervisors (their home page and a trainee's case). Each waits one to three seconds between
pages, as a person reading them does. A page counts as an error unless it answers 200 (a
redirect to the login page is an error too: nothing is followed).

Who they are and which pages they open comes from the JSON file in WKM_LOAD_PLAN, written by
load.py: {"cookie_name": …, "sessions": {role: key}, "pages": {role: [[name, path, weight]]}}.
"""

import json
import os
import random

from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["WKM_LOAD_PLAN"]).read())  # noqa: SIM115 - read once


class _Role(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        key = PLAN["sessions"].get(self.role)
        self.headers = {"Cookie": f"{PLAN['cookie_name']}={key}"} if key else {}
        pages = PLAN["pages"][self.role]
        self.paths = [(name, path) for name, path, _weight in pages]
        self.weights = [weight for _name, _path, weight in pages]

    @task
    def open_a_page(self):
        name, path = random.choices(self.paths, weights=self.weights)[0]  # noqa: S311
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Coordinator(_Role):
    weight = 2
    role = "coordinator"


class Mediator(_Role):
    weight = 2
    role = "mediator"


class Supervisor(_Role):
    weight = 1
    role = "supervisor"
