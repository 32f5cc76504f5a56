"""Exports for the tests: asked for through the service, built in-process (the task called
directly, as the worker would), and clients for other users."""

import pytest
from django.test import Client

from exports import services, tasks
from exports.models import Export
from tests.factories import UserFactory

Q4 = {"start": "2025-10-01", "end": "2025-12-31"}


@pytest.fixture(autouse=True)
def _nothing_to_redis(no_broker):
    """Every test here hands work to the root conftest's stand-in broker (``no_broker``), unless
    its module overrides that fixture."""


@pytest.fixture
def ask(coordinator):
    """ask(by=coordinator, kind="trustees_summary", **parameters) -> a queued Export."""

    def _ask(by=None, kind="trustees_summary", **parameters):
        return services.request_export(
            kind=kind, parameters=parameters or dict(Q4), by=by or coordinator
        )

    return _ask


def build_queued() -> list[Export]:
    """Run the worker's task on every queued export, in-process; the exports, refreshed."""
    built = []
    for export_id in Export.objects.filter(status="queued").values_list("pk", flat=True):
        tasks.build_export(export_id)
        built.append(Export.objects.get(pk=export_id))
    return built


@pytest.fixture
def other_coordinator(db):
    return UserFactory(username="other_coordinator", roles=["Coordinator"])


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)  # verified for two-factor (tests/conftest.py)
    return client


@pytest.fixture
def echo_kind():
    """A quick kind for the machinery's tests (the real ones render PDFs): its file says what
    it was asked; ``behaviour["build"]`` may be replaced to fail or to look at progress."""
    from accounts.roles import ADMINISTRATOR, COORDINATOR
    from exports import kinds

    behaviour = {}

    def build(parameters, progress, user):
        if "build" in behaviour:
            return behaviour["build"](parameters, progress, user)
        progress(50, "Half way")
        return kinds.Built(f"echo {parameters['word']}".encode(), "echo.txt", "text/plain")

    kind = kinds.ExportKind(
        key="echo",
        title="Echo (text)",
        roles=(COORDINATOR, ADMINISTRATOR),
        parse=lambda data, user: {"word": data.get("word", "hello")},
        build=build,
        describe=lambda p: f"The word {p['word']}",
        audit=lambda p: {"word": p["word"]},
    )
    kinds.KINDS["echo"] = kind
    yield behaviour
    del kinds.KINDS["echo"]


def pages(export):
    """An export's three addresses: its page, its progress and its download."""
    return [f"/exports/{export.pk}/{tail}" for tail in ("", "progress/", "download/")]
