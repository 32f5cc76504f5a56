"""Logins, failed logins and logouts go to the audit trail (rule 12 of DESIGN.md)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import record_event


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    record_event(action=AuditEvent.Action.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    # ``user`` is None when nobody was logged in; the event still says a logout happened.
    record_event(action=AuditEvent.Action.LOGOUT, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username tried: never the password, even though Django has already masked it.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")[:150]
    record_event(action=AuditEvent.Action.LOGIN_FAILED, detail={"username": username})
