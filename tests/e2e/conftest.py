"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live_server, on the real PostgreSQL test database.

- One headless Chromium for the browser tests (``browser``); each test opens its own contexts
  through ``open_page``, logged in (or not) as a given user by copying the Django test client's
  session cookie after the ``login`` fixture into the browser.
- When a test fails, every page it opened is saved as a PNG under ``test-results/``.
- ``scan(page, label)`` runs axe-core (axe_playwright_python) on the page: any violation of
  impact serious or critical fails the test; minor and moderate ones are counted, printed at
  the end of the run and written to ``test-results/axe-summary.json``.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.axe_summary import AXE_SCANS, AXE_SECONDS, BLOCKING_IMPACTS, REPORTED_IMPACTS

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM = os.environ.get("WKM_CHROMIUM", "/usr/bin/chromium")
# --no-sandbox: CI runs the tests as root, where Chromium's sandbox refuses to start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell that a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Chromium:
    """One headless Chromium, started on first use and kept for the rest of the e2e tests.

    Playwright's sync API keeps an asyncio event loop running in the main thread while it is
    started, which would break any later test that uses asgiref's async_to_sync. So it is
    stopped as soon as the next test is not a browser test (pytest-django runs the transactional
    e2e tests together, after the others), and started again if another browser test follows.
    """

    def __init__(self):
        self._playwright = None
        self._browser = None
        self._async_unsafe_before = None

    def get(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            # The tests' own ORM calls (set-up, and checks of what the pages saved) are plain
            # synchronous code beside Playwright's loop.
            self._async_unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        return self._browser

    def stop(self):
        if self._browser is None:
            return
        try:
            self._browser.close()
            self._playwright.stop()
        finally:
            self._browser = self._playwright = None
            if self._async_unsafe_before is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._async_unsafe_before


CHROMIUM_INSTANCE = Chromium()
E2E_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)  # after the test's own fixtures have closed their pages
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or E2E_DIR not in Path(nextitem.path).resolve().parents:
        CHROMIUM_INSTANCE.stop()


@pytest.fixture(scope="session")
def browser():
    """The session's headless Chromium (Debian's, never a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium, or set WKM_CHROMIUM)")
    yield CHROMIUM_INSTANCE
    CHROMIUM_INSTANCE.stop()


@pytest.fixture
def e2e_settings(settings):
    """The spam defences' minimum time to submit would make every form wait 3 s: the browser
    tests switch it off (tests/public covers it)."""
    settings.PUBLIC_FORMS_MIN_SECONDS = 0
    return settings


@pytest.fixture
def open_page(request, browser, live_server, login, client, e2e_settings):
    """open_page(user=None, width=1280, height=900) -> a new page in a context of its own,
    logged in as ``user`` when given. Screenshots of every page on failure."""
    contexts = []
    page_errors = []

    def _open(user=None, *, width=1280, height=900):
        context = browser.get().new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="en-GB",
            timezone_id="Europe/London",
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            login(user)
            cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": cookie.value,
                        "url": live_server.url,
                        "httpOnly": True,
                        "sameSite": "Lax",
                    }
                ]
            )
            # The next login() starts a new session instead of replacing this one.
            client.cookies.clear()
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        return page

    yield _open

    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        number = 0
        for context in contexts:
            for page in context.pages:
                number += 1
                try:
                    page.screenshot(path=str(RESULTS / f"{name}-{number}.png"), full_page=True)
                except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
                    print(f"could not save a screenshot of {page.url}: {error}")
    for context in contexts:
        context.close()
    assert not page_errors, f"JavaScript errors on the pages: {page_errors}"


def _axe_run(page) -> dict:
    """Run axe once the page has settled.

    A scan straight after a click that navigates can start on the page being left and find no
    document (CI saw "Cannot read properties of null (reading 'documentElement')"), so wait for
    the load and try again while the navigation is still under way.
    """
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            return Axe().run(page).response
        except Error as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
            page.wait_for_timeout(200)
    raise AssertionError("unreachable")


def scan(page, label: str) -> dict:
    """Run axe-core on ``page``; fail on serious or critical violations; count the rest."""
    started = time.monotonic()
    response = _axe_run(page)
    AXE_SECONDS.append(time.monotonic() - started)
    violations = response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    counts = dict.fromkeys((*REPORTED_IMPACTS, *sorted(BLOCKING_IMPACTS)), 0)
    rules = []
    for violation in violations:
        impact = violation.get("impact") or "minor"
        counts[impact] = counts.get(impact, 0) + 1
        rules.append((violation["id"], impact, len(violation["nodes"])))
    path = re.sub(r"^https?://[^/]+", "", page.url)
    AXE_SCANS.append((label, path, counts, rules))
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                    for n in v["nodes"][:5])
        for v in blocking
    ]  # fmt: skip
    assert not blocking, f"axe-core on {label} ({path}):\n" + "\n".join(details)
    return counts


def no_horizontal_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")
