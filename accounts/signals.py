"""Login bookkeeping: the session index, two-factor state, lockouts, disabled accounts; and
the audit of every change of who may get in (rule 12): a user's roles, active, staff and
superuser flags, password and second-factor devices, whatever made it (the admin, a page, a
command), since the signals see every save.

Who made the change and from where comes from the request being answered (audit.context), in
the admin or on a page; a command's change names the account changed and no actor.
"""

import contextlib

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import UpdateError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.context import in_admin
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


# --- The audit of changes to accounts ------------------------------------------------------------

User = get_user_model()
# The flags that decide whether, and with what powers, someone gets in.
ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")
STORED_ATTRIBUTE = "_wkm_stored_access"


def _audit_account(action, user_id, detail):
    if in_admin():  # /audit/ can show what was done through the admin
        detail = {**detail, "admin": "change"}
    record_event(
        action=action,
        obj=User(pk=user_id),  # its type and id are enough: no query for the whole row
        detail=detail,
    )


@receiver(pre_save, sender=User, dispatch_uid="accounts_audit_user_before")
def remember_stored_access(sender, instance, raw, update_fields, **kwargs):
    """Keep the flags and password hash as stored, to compare after the save. Saves that touch
    none of them (the last login time on every login) cost nothing."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & {*ACCESS_FLAGS, "password"}:
        return
    stored = User.objects.filter(pk=instance.pk).values(*ACCESS_FLAGS, "password").first()
    setattr(instance, STORED_ATTRIBUTE, stored)


@receiver(post_save, sender=User, dispatch_uid="accounts_audit_user_after")
def audit_access_change(sender, instance, created, raw, **kwargs):
    stored = instance.__dict__.pop(STORED_ATTRIBUTE, None)
    if raw:
        return
    if created:
        flags = {flag: getattr(instance, flag) for flag in ACCESS_FLAGS}
        _audit_account(AuditEvent.Action.ACCOUNT_CHANGE, instance.pk, {"created": True, **flags})
        return
    if stored is None:
        return
    changed = {
        flag: getattr(instance, flag)
        for flag in ACCESS_FLAGS
        if stored[flag] != getattr(instance, flag)
    }
    if changed:
        _audit_account(AuditEvent.Action.ACCOUNT_CHANGE, instance.pk, changed)
    # set_password() keeps the new password until the save (AbstractBaseUser.save): a password
    # set by someone. A hash upgraded at login clears it first, and is no change of password.
    if getattr(instance, "_password", None) is not None:
        _audit_account(AuditEvent.Action.PASSWORD_CHANGE, instance.pk, {"password": "set"})
    elif stored["password"] != instance.password and not instance.has_usable_password():
        _audit_account(AuditEvent.Action.PASSWORD_CHANGE, instance.pk, {"password": "disabled"})


def _role_names(pk_set) -> list[str]:
    from django.contrib.auth.models import Group

    return sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts_audit_roles")
def audit_role_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Roles are groups: a role given or taken away, from the user's side (the user admin,
    ``user.groups.set``) or the group's (``group.user_set.add``)."""
    if action == "pre_clear":
        # What a clear removes, known only before it happens.
        related = instance.user_set if reverse else instance.groups
        instance._wkm_cleared = list(related.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = "added" if action == "post_add" else "removed"
    if action == "post_clear":
        cleared = instance.__dict__.pop("_wkm_cleared", None)
        if not cleared:
            return
        if reverse:
            _audit_group_members(instance, cleared, verb)
        else:
            _audit_account(
                AuditEvent.Action.ROLES_CHANGE, instance.pk, {verb: _role_names(cleared)}
            )
        return
    if not pk_set:
        return
    if reverse:  # instance is a group; pk_set its users
        _audit_group_members(instance, pk_set, verb)
    else:
        _audit_account(AuditEvent.Action.ROLES_CHANGE, instance.pk, {verb: _role_names(pk_set)})


def _audit_group_members(group, user_ids, verb):
    for user_id in sorted(user_ids):
        _audit_account(AuditEvent.Action.ROLES_CHANGE, user_id, {verb: [group.name]})


def _device_kind(device) -> str:
    return "backup codes" if isinstance(device, StaticDevice) else "authenticator app"


@receiver(pre_save, sender=TOTPDevice, dispatch_uid="accounts_audit_totp_before")
@receiver(pre_save, sender=StaticDevice, dispatch_uid="accounts_audit_static_before")
def remember_device_confirmed(sender, instance, raw, **kwargs):
    if raw or instance.pk is None:
        return
    instance._wkm_was_confirmed = (
        sender.objects.filter(pk=instance.pk).values_list("confirmed", flat=True).first()
    )


@receiver(post_save, sender=TOTPDevice, dispatch_uid="accounts_audit_totp_saved")
@receiver(post_save, sender=StaticDevice, dispatch_uid="accounts_audit_static_saved")
def audit_device_saved(sender, instance, created, raw, **kwargs):
    """A second factor that starts or stops counting: created confirmed, confirmed (set up), or
    unconfirmed. A device still being set up (unconfirmed) is no second factor yet."""
    was = instance.__dict__.pop("_wkm_was_confirmed", None)
    if raw or (created and not instance.confirmed) or (not created and was == instance.confirmed):
        return
    _audit_account(
        AuditEvent.Action.TWO_FACTOR_CHANGE,
        instance.user_id,
        {"device": _device_kind(instance), "change": "added" if instance.confirmed else "disabled"},
    )


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts_audit_totp_deleted")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="accounts_audit_static_deleted")
def audit_device_deleted(sender, instance, **kwargs):
    if not instance.confirmed:
        return
    _audit_account(
        AuditEvent.Action.TWO_FACTOR_CHANGE,
        instance.user_id,
        {"device": _device_kind(instance), "change": "removed"},
    )
