"""Benchmark: how long WeasyPrint takes to render a two-page agreement (median of N runs).

    .venv/bin/python tests/perf/agreement_pdf.py [--runs 15]

It renders the real template and print stylesheet with a realistic agreement held in memory
(no database needed), after one warm-up render that loads Pango and the fonts — which the app
does at process start (documents.rendering.warm_up), out of any request.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")


def agreement_context(terms: int) -> dict:
    case = SimpleNamespace(reference="WKM-2026-0042")
    agreement = SimpleNamespace(
        version=2,
        review_on=datetime.date(2027, 3, 1),
        introduction=(
            "We have lived next door to each other for eleven years. We want the noise and the "
            "arguments about parking to stop, and to be able to say hello in the street again."
        ),
        get_status_display=lambda: "Agreed",
    )
    return {
        "service": {"name": "West Kent Mediation", "phone": "01732 000000",
                    "address": "The Community Hub, 1 High Street, Tonbridge TN9 1AA"},
        "case": case,
        "agreement": agreement,
        "terms": [
            SimpleNamespace(
                who=("Mrs Fowler", "Mr Sandhu", "Both households")[n % 3],
                what="keep music and television at a level that cannot be heard next door after "
                "10pm on weekdays and 11pm at weekends, and talk first if it happens",
                by_when="from 1 December 2026",
            )
            for n in range(terms)
        ],
        "parties": [
            {"name": "Janet Fowler", "details": {}},
            {"name": "Ravi Sandhu", "details": {}},
        ],
        "mediators": ["Martin Hughes", "Grace Oduya"],
        "dated": datetime.date(2026, 11, 25),
        "watermark": "",
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--terms", type=int, default=16, help="16 terms make two A4 pages")
    args = parser.parse_args()

    import django

    django.setup()
    from pypdf import PdfReader

    from documents.rendering import render_pdf

    context = agreement_context(args.terms)
    pdf, _ = render_pdf("agreement.html", context)  # warm-up: fonts, Pango
    import io

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        render_pdf("agreement.html", context)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"agreement PDF, {pages} pages, {args.terms} terms, {args.runs} runs after warm-up:")
    print(f"  median {statistics.median(times):.0f} ms, fastest {times[0]:.0f} ms, "
          f"slowest {times[-1]:.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
