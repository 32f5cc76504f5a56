"""The database session engine, keeping ``accounts.UserSession`` in step with session keys.

A session's key changes when someone logs in (``cycle_key``, against session fixation) and when
they change their password (``update_session_auth_hash``). Without following the key, "log out
everywhere" would miss the very session a password was just changed in. Deleting a session
(logging out, ``flush``) drops it from the index.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    _cycling = False

    def _validate_session_key(self, key):
        """Only a key made of the characters keys are made from. Django checks the length
        alone, so a cookie such as ``sessionid="abcdefgh\\000"`` put a NUL in the lookup, which
        PostgreSQL refuses with an error: a 500 on any page, without logging in."""
        return super()._validate_session_key(key) and set(key) <= set(VALID_KEY_CHARS)

    def cycle_key(self):
        old_key = self.session_key
        self._cycling = True  # the old key's delete() below must keep its index row
        try:
            super().cycle_key()
        finally:
            self._cycling = False
        if old_key and old_key != self.session_key:
            from .models import UserSession

            UserSession.objects.filter(session_key=old_key).update(session_key=self.session_key)

    def delete(self, session_key=None):
        key = self.session_key if session_key is None else session_key
        super().delete(session_key)
        if key and not self._cycling:
            from .models import UserSession

            UserSession.objects.filter(session_key=key).delete()
