from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import db_roles, signals  # noqa: F401  (signals connects the login receivers)

        # The owner grants the app's role its rights after every migrate (audit/db_roles.py).
        post_migrate.connect(db_roles.grant_after_migrate, sender=self, dispatch_uid="audit_grants")
