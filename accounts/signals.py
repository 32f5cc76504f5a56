"""Login bookkeeping: the session index, two-factor state, lockouts, disabled accounts."""

import contextlib

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import UpdateError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record_event

from . import two_factor
from .session_store import SessionStore
from .sessions_index import end_sessions_of, index_session, live_sessions_of


@receiver(user_logged_in, dispatch_uid="accounts_index_session")
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    index_session(request, user)
    # Asked of everyone who has a device, whatever their role (see accounts.two_factor).
    request.session[two_factor.ENROLLED_SESSION_KEY] = two_factor.has_confirmed_device(user)


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts_disabled_user_sessions")
def end_sessions_of_disabled_user(sender, instance, created, **kwargs):
    """An account made inactive (in the admin or anywhere) is logged out everywhere at once."""
    if created or instance.is_active:
        return
    ended = end_sessions_of(instance)
    if ended:
        record_event(
            action=AuditEvent.Action.LOGOUT,
            obj=instance,
            detail={"reason": "account disabled", "sessions_ended": ended},
        )


@receiver(user_locked_out, dispatch_uid="accounts_audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    # The username tried (as for any failed login), never the password.
    record_event(
        action=AuditEvent.Action.LOGIN_FAILED,
        detail={"username": str(username or "")[:150], "reason": "locked out"},
    )


def unverify_sessions_of_device(device) -> None:
    """Sessions verified with ``device`` stop being verified (they are asked for a code again),
    as django-otp's own middleware would find on their next request."""
    persistent_id = device.persistent_id
    for session in live_sessions_of(device.user_id):
        if session.get_decoded().get(DEVICE_ID_SESSION_KEY) != persistent_id:
            continue
        store = SessionStore(session.session_key)
        store.pop(DEVICE_ID_SESSION_KEY, None)
        with contextlib.suppress(UpdateError):  # the session ended meanwhile
            store.save()


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts_totp_deleted")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="accounts_static_deleted")
def on_device_deleted(sender, instance, **kwargs):
    unverify_sessions_of_device(instance)


@receiver(post_save, sender=TOTPDevice, dispatch_uid="accounts_totp_saved")
@receiver(post_save, sender=StaticDevice, dispatch_uid="accounts_static_saved")
def on_device_saved(sender, instance, created, **kwargs):
    if not created and not instance.confirmed:
        unverify_sessions_of_device(instance)
