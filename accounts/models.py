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
