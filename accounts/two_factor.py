"""Two-factor authentication (django-otp): who needs it, their devices, and the backup codes.

Coordinators, supervisors and administrators (and any superuser) must verify a code after their
password before they see any page: they see the most, and most widely. Mediators may turn it on
from their account page; once they have, it is asked of them too. The devices are an
authenticator app (``TOTPDevice``, confirmed with a code before it counts) and a set of single-use
backup codes (``StaticDevice``). ``accounts.middleware.TwoFactorMiddleware`` does the asking.
"""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ADMINISTRATOR, COORDINATOR, SUPERVISOR, has_role

# The roles that must use two-factor authentication.
TWO_FACTOR_ROLES = (COORDINATOR, SUPERVISOR, ADMINISTRATOR)
BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Kept in the session at login: the user had a confirmed device then (so a mediator who turned
# two-factor on is asked for a code too), without a query on every request.
ENROLLED_SESSION_KEY = "wkm_2fa_enrolled"


def required_by_role(user) -> bool:
    """True when ``user`` may not use the app without two-factor authentication."""
    return user.is_authenticated and (user.is_superuser or has_role(user, *TWO_FACTOR_ROLES))


def has_confirmed_device(user) -> bool:
    """True once two-factor is set up for ``user`` (an app, or backup codes even if all used:
    then only an administrator's reset lets them set it up again without a code)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True).exists()
    )


def must_verify(request) -> bool:
    """True when the request's user still has to give a code before using the app."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return required_by_role(user) or bool(request.session.get(ENROLLED_SESSION_KEY))


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).order_by("-pk").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_app_device(user) -> TOTPDevice:
    """The authenticator app being set up: unconfirmed until the user types a code from it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def manual_key(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code: paths and presentation
    attributes only, no style attribute (the Content-Security-Policy allows no inline style)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ",
        '<svg class="qr-code" role="img" aria-label="QR code to scan with your authenticator app" ',
        1,
    )


def normalise_code(code: str) -> str:
    """What people type: spaces and dashes dropped, letters in lower case (backup codes)."""
    return re.sub(r"[\s-]+", "", code or "").lower()


def verify_code(user, code: str):
    """The device of ``user`` that accepts ``code`` (spent if it is a backup code), else None.

    Six digits are tried against the authenticator app, anything else against the backup
    codes. Each device throttles wrong codes (1, 2, 4, 8… seconds between tries).
    """
    code = normalise_code(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        else:
            devices = StaticDevice.objects.filter(user=user, confirmed=True)
        for device in devices.select_for_update().order_by("pk"):
            if device.verify_token(code):
                return device
    return None


def throttled(user) -> bool:
    """True when every confirmed device of ``user`` is making them wait after wrong codes."""
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def mark_verified(request, device) -> None:
    """Record in the session that ``request.user`` has just given a code from ``device``."""
    request.session.cycle_key()  # a new session key for the now fully logged-in session
    otp_login(request, device)
    request.session[ENROLLED_SESSION_KEY] = True


@transaction.atomic
def confirm_app_device(request, device: TOTPDevice) -> list[str]:
    """Make ``device`` the user's authenticator app (replacing any earlier one), give them a
    fresh set of backup codes, and verify the session. Returns the new backup codes."""
    user = request.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.name = APP_DEVICE_NAME
    device.save(update_fields=["confirmed", "name"])
    codes = new_backup_codes(user)
    mark_verified(request, device)
    return codes


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with ``BACKUP_CODE_COUNT`` new ones, each usable once."""
    # The same device keeps a session that was verified with an old backup code verified.
    device = backup_device(user) or StaticDevice.objects.create(
        user=user, name=BACKUP_DEVICE_NAME, confirmed=True
    )
    device.token_set.all().delete()
    codes = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def turn_off(request) -> None:
    """Remove every device of the user (only for users who do not need two-factor)."""
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[ENROLLED_SESSION_KEY] = False


def format_backup_code(code: str) -> str:
    """``abcd2efg`` → ``abcd 2efg``: easier to read out and copy."""
    return f"{code[:4]} {code[4:]}" if len(code) == 8 else code
