"""``manage.py migrate`` as the owner of the tables, whoever the app connects as.

The app's own role (``DATABASE_URL``) may not create or alter tables; migrations need the owner
(``DATABASE_OWNER_URL``). Switching here means ``migrate`` needs no different environment from
the app's, and a post_migrate step then grants the app its rights (audit/db_roles.py).
"""

from django.core.management.commands.migrate import Command as MigrateCommand

from audit.db_roles import use_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        use_owner(options["database"])
        return super().handle(*args, **options)
