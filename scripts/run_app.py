"""What `make run` does once the database and broker are up (see scripts/bundled.py).

Migrate, load the demo data the first time, say where to log in, then run the web server, the
Celery worker and Celery beat together with honcho (Procfile) until Ctrl-C stops all three.

The web server is gunicorn with a fixed pool (2 processes x 4 threads, reloading on code
changes), not runserver: runserver starts a thread, and so a database connection, per request,
and a burst of 60 requests left PostgreSQL refusing everyone else (issue 17; README, Health).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    port = os.environ.get("WKM_PORT", "8000")
    print(
        f"\n  WKM Case Manager: http://127.0.0.1:{port}/   (Ctrl-C stops everything)\n", flush=True
    )
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    # honcho gets Ctrl-C from the terminal, stops the web server, worker and beat, and exits;
    # we ignore it here so that we wait for that instead of killing honcho half-way.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "start", "-f", "Procfile"],
        cwd=ROOT,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, previous),
    )
    code = honcho.wait()
    # Ctrl-C is how one stops `make run`: not an error.
    return 0 if code in (130, -signal.SIGINT) else code


if __name__ == "__main__":
    sys.exit(main())
