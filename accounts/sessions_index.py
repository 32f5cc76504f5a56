"""Which sessions belong to whom (``UserSession``), and ending them all at once."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import UserSession


def index_session(request, user) -> None:
    """Note that the request's session is ``user``'s (called on every login)."""
    session = request.session
    if session.session_key is None:  # login() flushed the session of a previous user
        session.save()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
    # Sessions that have since expired or been cleared out leave their index rows behind.
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.values("session_key")
    ).delete()


def end_sessions_of(user, *, keep: str | None = None) -> int:
    """Delete every indexed session of ``user`` except ``keep``; return how many were live."""
    keys = list(
        UserSession.objects.filter(user=user).exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    )  # fmt: skip
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return ended


def live_sessions_of(user):
    """The sessions of ``user`` (a user or their pk) that have not expired."""
    return Session.objects.filter(
        session_key__in=UserSession.objects.filter(user=user).values("session_key"),
        expire_date__gt=timezone.now(),
    )
