"""The axe-core summary printed at the end of a run, and written to test-results/.

A plugin of its own (loaded by tests/conftest.py) because under pytest-xdist the scans happen in
the worker processes while the summary is printed by the controller: each worker hands its
scans over when it finishes (``workeroutput``), and the controller adds them up.
"""

import json
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[1] / "test-results"
BLOCKING_IMPACTS = {"serious", "critical"}
REPORTED_IMPACTS = ("minor", "moderate")

# Every axe scan of the run: (label, path, {impact: count}, [(rule id, impact, nodes)]).
AXE_SCANS: list[tuple[str, str, dict, list]] = []
AXE_SECONDS: list[float] = []


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the scans to the controller
        workeroutput["axe"] = json.dumps({"scans": AXE_SCANS, "seconds": AXE_SECONDS})


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when run with -p no:xdist
def pytest_testnodedown(node, error):
    """An xdist worker finished: keep its scans for the summary."""
    handed = json.loads(getattr(node, "workeroutput", {}).get("axe", "null") or "null")
    if handed:
        AXE_SCANS.extend(tuple(scan) for scan in handed["scans"])
        AXE_SECONDS.extend(handed["seconds"])


def pytest_terminal_summary(terminalreporter):
    if not AXE_SCANS:
        return
    totals = dict.fromkeys(REPORTED_IMPACTS, 0)
    by_rule: dict[str, int] = {}
    for _label, _path, counts, rules in AXE_SCANS:
        for impact in REPORTED_IMPACTS:
            totals[impact] += counts.get(impact, 0)
        for rule, impact, _nodes in rules:
            key = f"{rule} ({impact})"
            by_rule[key] = by_rule.get(key, 0) + 1
    write = terminalreporter.write_line
    terminalreporter.section("axe-core accessibility scan")
    pages = sorted({path.split("?")[0] for _label, path, _counts, _rules in AXE_SCANS})
    blocking = sum(counts.get(i, 0) for _l, _p, counts, _r in AXE_SCANS for i in BLOCKING_IMPACTS)
    write(f"{len(AXE_SCANS)} scans of {len(pages)} pages; serious or critical: {blocking}")
    write(f"minor: {totals['minor']}, moderate: {totals['moderate']}")
    write(f"time spent scanning: {sum(AXE_SECONDS):.1f} s")
    for key, count in sorted(by_rule.items()):
        write(f"  {key}: on {count} page(s)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "axe-summary.json").write_text(
        json.dumps(
            {
                "totals": totals,
                "by_rule": by_rule,
                "scans": [
                    {"label": label, "path": path, "counts": counts, "rules": rules}
                    for label, path, counts, rules in AXE_SCANS
                ],
            },
            indent=2,
        )
    )
