"""Accounts: an index of each user's sessions, so that all of them can be ended at once.

Django keeps sessions by key only; nothing says which sessions belong to whom without decoding
every one. ``UserSession`` is written when someone logs in (``accounts.signals``) and kept in
step when a session's key changes (``accounts.session_store``), so that "log out everywhere" and
disabling an account can delete exactly that user's sessions.
"""

from django.conf import settings
from django.db import models


class UserSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="indexed_sessions"
    )
    # Not a foreign key to django_session: a session row may go (expiry, clearsessions) first.
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "login session"
        indexes = [models.Index(fields=["user", "created_at"], name="accounts_usersession_user")]

    def __str__(self):
        return f"Session of user #{self.user_id} since {self.created_at:%d/%m/%Y %H:%M}"


class EnrolmentLink(models.Model):
    """A one-time link an administrator issues so that someone can set up their first second
    factor (``accounts.enrolment``).

    Without it, a password alone would be enough to enrol an authenticator app on an account
    that has none yet (a new account, or one whose devices an administrator reset), and with it
    get everything the role may see. Only the SHA-256 of the link's token is kept: whoever reads
    the database cannot use a link that has not been used yet.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # Kept when the administrator's account goes: the audit trail says who they were.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # When a device was confirmed through it; a link works once.
    used_at = models.DateTimeField(null=True, blank=True)
    # When a newer link for the same person replaced it before it was used.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "two-factor set-up link"
        indexes = [models.Index(fields=["user", "created_at"], name="accounts_enrollink_user")]

    def __str__(self):
        return f"Set-up link #{self.pk} for user #{self.user_id}"

    @property
    def audit_repr(self) -> str:
        return f"Two-factor set-up link #{self.pk}"
