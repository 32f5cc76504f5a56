"""Benchmark importing a volunteers sheet: 2,000 valid rows, checked then imported.

    DATABASE_URL=postgres://…/wkm_bench .venv/bin/python tests/perf/import_volunteers.py \\
        [--rows 2000] [--format csv|xlsx]

It writes a valid sheet (each volunteer with an enhanced DBS check and the 40-hour community
course, so every row goes through volunteer_create, dbs_record and training_add), uploads it as
an administrator through imports.services, and runs the worker's side in this process
(imports.services.run_batch, which reads the sheet and runs imports.runner): first the check
(the preview, every row written and rolled back), then the import (all or nothing), then the
check again, which must find every volunteer already imported. It prints the seconds of each
(by the wall clock, and the CPU seconds of this process and of the database's process serving
it, when that runs on the same machine);
the issue's budget is under 60 s on 2 cores for the check and the import together. Each run
adds the volunteers to the database (their ids are new each run): use a database of its own.
Results go to var/bench/import_volunteers.json and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")


def server_cpu(pid: int) -> float | None:
    """CPU seconds the database's process serving this connection has used, when it runs on
    this machine (/proc): with this process's own, it tells time spent working from time spent
    waiting for a core on a busy machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import Group

    from accounts.roles import ADMINISTRATOR
    from imports import services
    from imports.models import ImportBatch
    from tests.factories import UserFactory
    from tests.imports.sheets import as_csv, as_xlsx, volunteer_row

    # Nothing goes to a worker: this process is the worker.
    services.enqueue = lambda batch_id: None
    administrator = UserFactory(username="import-bench")
    administrator.groups.add(Group.objects.get_or_create(name=ADMINISTRATOR)[0])
    run = int(time.time()) % 10_000_000
    rows = [
        volunteer_row(run * 10_000 + n, volunteer_id=f"B{run}-{n:05d}")
        for n in range(1, args.rows + 1)
    ]
    content = (as_xlsx if args.format == "xlsx" else as_csv)(rows)
    results = {"rows": args.rows, "format": args.format, "bytes": len(content)}

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def timed(step, batch_id):
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu(backend)
        status = services.run_batch(batch_id)
        seconds = time.perf_counter() - started
        results[step.replace("seconds", "cpu_seconds")] = round(time.process_time() - cpu, 2)
        if server is not None:
            results[step.replace("seconds", "db_cpu_seconds")] = round(
                server_cpu(backend) - server, 2
            )
        batch = ImportBatch.objects.without_content().get(pk=batch_id)
        if status is None or batch.status == "failed":
            raise SystemExit(f"{step}: {batch.status} {batch.error}")
        results[step] = round(seconds, 2)
        return batch

    batch = services.upload(
        kind="volunteers", name=f"bench.{args.format}", content=content, by=administrator
    )
    checked = timed("check_seconds", batch.pk)
    if checked.problems or checked.valid != args.rows:
        raise SystemExit(f"the check found problems: {checked.problems[:5]}")
    services.start_import(batch=checked, mode="all", by=administrator)
    imported = timed("import_seconds", batch.pk)
    if imported.imported != args.rows:
        raise SystemExit(f"imported {imported.imported} of {args.rows}")
    again = services.upload(
        kind="volunteers", name=f"again.{args.format}", content=content, by=administrator
    )
    second = timed("check_again_seconds", again.pk)
    if second.already_imported != args.rows or second.valid:
        raise SystemExit("the second check did not find every volunteer already imported")
    services.discard(batch=second, by=administrator)
    results["check_and_import_seconds"] = round(
        results["check_seconds"] + results["import_seconds"], 2
    )
    results["cores"] = os.cpu_count()
    results["python"] = platform.python_version()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "import_volunteers.json").write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
