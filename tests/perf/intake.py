"""Benchmark the intake journey in a real browser: a two-party referral, logged as a coordinator
would — with one mistake in Party 2, corrected — under gunicorn (DEBUG off), in Debian's
Chromium driven by Playwright.

    DATABASE_URL=postgres://…/wkm_scale make bench-intake [INTAKE_ARGS="--runs 5"]

It counts the coordinator's actions (each field filled or chosen, each click or key press) and
times each step — the first load of the form, the form coming back with the error, and the
saved referral — twice: by the wall clock from the action to the next page's ``load`` event
(which includes Playwright's own work), and by the page's navigation timing, split into the
server (request start to the last byte) and the browser (last byte to ``load``). Each run adds
one referral (two parties) to the database: use a database of its own (the seeded scale one is
fine). Results go to var/bench/intake.json and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import bench  # noqa: E402 - after the path is set

CHROMIUM = os.environ.get("WKM_CHROMIUM", "/usr/bin/chromium")
STEPS = ("first load", "error re-render", "saved")


def journey(page, base: str) -> tuple[dict[str, float], int]:
    """One referral; ({step: ms}, actions)."""
    times, actions = {}, 0

    def timed(step, action):
        started = time.perf_counter()
        with page.expect_navigation(wait_until="load"):
            action()
        times[step] = (time.perf_counter() - started) * 1000
        # The page's own account: until its last byte arrived (the server), then to `load`.
        server, browser = page.evaluate(
            """() => { const n = performance.getEntriesByType("navigation")[0];
                       return [n.responseEnd - n.startTime, n.loadEventEnd - n.responseEnd]; }"""
        )
        times[f"{step}: server"], times[f"{step}: browser"] = server, browser

    timed("first load", lambda: page.goto(f"{base}/cases/new/", wait_until="commit"))
    fields = [
        ("select", "#id_dispute_type", "neighbour"),
        ("select", "#id_referral_source", "housing"),
        ("fill", "#id_referrer_name", "Pat Jones, Town & Country Housing"),
        ("fill", "#id_summary", "Noise through a shared wall late at night."),
        ("fill", "#id_parties-0-full_name", "Alice Carter"),
        ("fill", "#id_parties-0-phone", "01732 123456"),
        ("select", "#id_parties-0-preferred_contact", "phone"),
        ("fill", "#id_parties-0-postcode", "tn9 1aa"),
        ("fill", "#id_parties-1-full_name", "Bob Dunn"),
        ("fill", "#id_parties-1-email", "bob@example.org"),
        ("fill", "#id_parties-1-phone", "12345"),  # the mistake
        ("select", "#id_parties-1-preferred_contact", "email"),
    ]
    for kind, selector, value in fields:
        locator = page.locator(selector)
        locator.select_option(value) if kind == "select" else locator.fill(value)
        actions += 1
    save = page.locator("button[type=submit]", has_text="Save referral")
    timed("error re-render", lambda: save.click(no_wait_after=True))
    actions += 1
    if not page.locator("#id_parties-1-phone").evaluate("e => e === document.activeElement"):
        raise SystemExit("the focus is not on Party 2's phone after the error")
    page.keyboard.press("Control+a")
    page.keyboard.type("01732 654321")
    actions += 2
    timed("saved", lambda: save.click(no_wait_after=True))
    actions += 1
    if "Referral logged as" not in page.content():
        raise SystemExit("the referral was not saved")
    return times, actions


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="referrals to log (5)")
    parser.add_argument("--no-collectstatic", action="store_true")
    args = parser.parse_args(argv)
    bench.setup_environment()
    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    bench.VAR.mkdir(parents=True, exist_ok=True)
    if not args.no_collectstatic or not (bench.VAR / "static" / "staticfiles.json").exists():
        bench.collectstatic()
    devices: list = []
    sessions = bench.login_sessions({"coordinator": "coordinator"}, devices)
    port = bench.free_port()
    server = bench.start_gunicorn(port, 2)
    base = f"http://127.0.0.1:{port}"
    runs = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for number in range(args.runs + 1):  # the first run warms the workers up
                # Reduced motion: Bootstrap scrolls smoothly otherwise, and Playwright waits for
                # the button to stop moving before it clicks (~0.9 s a click).
                context = browser.new_context(
                    locale="en-GB", timezone_id="Europe/London", reduced_motion="reduce"
                )
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": sessions["coordinator"],
                      "url": base, "httpOnly": True, "sameSite": "Lax"}]
                )  # fmt: skip
                times, actions = journey(context.new_page(), base)
                context.close()
                if number:
                    runs.append(times)
            browser.close()
    finally:
        bench.stop_gunicorn(server)
        bench.forget_logins(sessions, devices)
    result = {
        "runs": len(runs),
        "actions": actions,
        "median_ms": {s: round(statistics.median(r[s] for r in runs), 1) for s in runs[0]},
        "max_ms": {s: round(max(r[s] for r in runs), 1) for s in runs[0]},
    }
    (bench.VAR / "intake.json").write_text(json.dumps(result, indent=2))
    print(f"two-party referral with one mistake: {actions} actions, {len(runs)} runs")
    for step in runs[0]:
        print(f"  {step:24} median {result['median_ms'][step]:7.1f} ms   max "
              f"{result['max_ms'][step]:7.1f} ms")  # fmt: skip

    def page_ms(step):  # the page's own time: request to its load event
        return result["median_ms"][f"{step}: server"] + result["median_ms"][f"{step}: browser"]

    slower = page_ms("error re-render") > page_ms("first load")
    verdict = "SLOWER than" if slower else "no slower than"
    print(f"the error re-render ({page_ms('error re-render'):.0f} ms) is {verdict} the first "
          f"load ({page_ms('first load'):.0f} ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
