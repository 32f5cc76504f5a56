"""The app's database role owns nothing; the owner role migrates (rule 12 of DESIGN.md).

A connection that owns the audit table can empty it (``TRUNCATE``), switch its triggers off
(``ALTER TABLE … DISABLE TRIGGER``) or drop it, whatever the triggers say. So the app connects as
a role that may only read and write rows, and on ``audit_auditevent`` only read and add them:
``DATABASE_URL``. Everything that changes the schema connects as the owner of the tables:
``DATABASE_OWNER_URL``. ``manage.py migrate`` switches to the owner by itself
(``audit/management/commands/migrate.py``), and after every migrate the owner grants the app
its rights on the tables as they now are (``grant_app_rights``).

No ``ALTER DEFAULT PRIVILEGES``: with them, every table a restore re-creates (``pg_restore
--clean`` into the existing database) would get the default rights, UPDATE and DELETE on the audit
trail included, and the dump's own GRANTs only ever add. A table made outside ``migrate`` is
closed to the app until the next ``migrate``, which fails safe.

Without ``DATABASE_OWNER_URL`` the app runs as whatever ``DATABASE_URL`` names, as before, and
``manage.py check`` warns (audit.W001) outside ``DEBUG``.
"""

from django.conf import settings
from django.core import checks
from django.db import connections
from psycopg2 import sql

# The rights the app's role is given; the audit trail gets only the first two.
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_TABLE = "audit_auditevent"


def use_owner(alias: str = "default") -> bool:
    """Point ``alias`` at the owner role (same database name, so a test database stays the
    test database); return whether anything changed. For commands that change the schema."""
    owner = settings.DATABASE_OWNER
    if not owner:
        return False
    connection = connections[alias]
    wanted = {key: owner.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}
    if all(connection.settings_dict.get(key, "") == value for key, value in wanted.items()):
        return False
    connection.close()
    connection.settings_dict.update(wanted)
    connection.settings_dict.setdefault("OPTIONS", {}).update(owner.get("OPTIONS", {}))
    return True


def grant_app_rights(connection, role: str) -> None:
    """Give ``role`` the rights the app needs on every table and sequence of the schema, and
    none that could rewrite the audit trail.

    Idempotent: run after every migrate. Run as the owner of the tables.
    """
    statements = [
        "GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {{app}}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        # After the grants above, which give every table UPDATE and DELETE.
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {{app}}",
    ]
    with connection.cursor() as cursor:
        app = sql.Identifier(role).as_string(cursor.cursor)
        for statement in statements:
            cursor.execute(statement.format(app=app))


def grant_after_migrate(sender, using, **kwargs):
    """post_migrate (connected in apps.py): the owner grants the app its rights on the tables
    this migrate may have added."""
    role = settings.DATABASE_APP_ROLE
    if role:
        grant_app_rights(connections[using], role)


@checks.register(checks.Tags.security)
def check_app_role(app_configs=None, **kwargs):
    """Say so when there is one role for everything: the set-up works, the trail is not safe."""
    if settings.DEBUG or settings.DATABASE_APP_ROLE:
        return []
    return [
        checks.Warning(
            "The app connects to PostgreSQL as the owner of its tables, which can empty or "
            "switch off the audit trail.",
            hint="Set DATABASE_OWNER_URL to the owner role and DATABASE_URL to a role that "
            'owns nothing (README, "The database roles").',
            id="audit.W001",
        )
    ]
