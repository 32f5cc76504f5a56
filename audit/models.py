"""The audit trail: one row per thing that happened, which the database will not let anyone
rewrite (rule 12 of DESIGN.md)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        TRANSITION = "transition", "Changed status"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logged out"
        # Who may get in, and as what (accounts.signals, whatever page or command did it).
        ROLES_CHANGE = "roles_change", "Changed roles"
        ACCOUNT_CHANGE = "account_change", "Changed account access"
        PASSWORD_CHANGE = "password_change", "Changed password"
        TWO_FACTOR_CHANGE = "two_factor_change", "Changed second factor"

    at = models.DateTimeField(default=timezone.now)
    # No database constraint and no cascade: deleting a user must not touch (or be blocked by)
    # rows that can never be updated. actor_username keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as written, so the trail still says who it was after their account is deleted.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)  # e.g. "cases.case"
    object_id = models.CharField(max_length=64, blank=True)
    # A reference such as "Party #12": never a name or any other confidential content.
    object_repr = models.CharField(max_length=200, blank=True)
    case_reference = models.CharField(max_length=20, blank=True, db_index=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    # Small, non-confidential facts, e.g. {"to": "closed"}.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["case_reference", "-at"], name="audit_case_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_at_idx"),
            models.Index(fields=["-at"], name="audit_at_desc_idx"),
        ]
        # Append-only in the database itself, whatever the entry point (ORM, admin, raw SQL).
        # The app's database role has no UPDATE, DELETE or TRUNCATE right on this table at all
        # (audit/db_roles.py); these triggers also stop the owner role, which has every right,
        # from doing it by mistake (a `manage.py flush`, a TRUNCATE typed into the wrong psql).
        # TRUNCATE fires no row trigger, hence a statement-level one of its own.
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            pgtrigger.Trigger(
                name="audit_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the % table', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_username or 'nobody'} at {self.at}"
