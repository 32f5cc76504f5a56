"""Sessions' idle clock, and two-factor authentication before any page for those who need it
(accounts.two_factor)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from .two_factor import must_verify

# When the session was last saved (seconds since the epoch), kept in the session itself.
TOUCHED_SESSION_KEY = "_wkm_touched"


class SessionIdleMiddleware:
    """Restarts a session's idle clock (SESSION_COOKIE_AGE) when a request comes more than
    SESSION_TOUCH_SECONDS after it was last saved. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) cost a transaction and an UPDATE on every page; this keeps the
    30 idle minutes to within a minute. Sessions that do not exist are left alone: an anonymous
    visitor gets no session row from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        touched = session.get(TOUCHED_SESSION_KEY, 0)
        now = int(time.time())
        if session.session_key is not None and now - touched >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_SESSION_KEY] = now
        return self.get_response(request)


class VerifiedSessionMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``, ``request.user.otp_device``)
    without its query on every request: the session is on the server, and only
    ``django_otp.login`` puts a confirmed device of the session's own user in it. A device that is
    deleted or unconfirmed is taken out of its user's sessions at once instead
    (``accounts.signals.unverify_sessions_of_device``). The device itself loads when used."""

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            if persistent_id:
                user.otp_device = SimpleLazyObject(
                    lambda: Device.from_persistent_id(self._normalize_persistent_id(persistent_id))
                )
        return user


# What someone who has given their password but not yet their code may still open: logging in
# and out, the two-factor pages themselves, and what needs no login at all.
OPEN_URL_NAMES = {"login", "logout", "health", "calendar_feed"}
OPEN_NAMESPACES = {"two_factor", "public"}
OPEN_PATH_PREFIXES = ("/public/", "/help/")


class TwoFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: a logged-in user who must give a code
    (``must_verify``) is sent to /accounts/2fa/ from every other page, and back afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.is_open(request) or not must_verify(request):
            return None
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('two_factor:start')}?{query}")

    @staticmethod
    def is_open(request) -> bool:
        path = request.path_info
        if path.startswith(OPEN_PATH_PREFIXES) or path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        ):
            return True
        match = request.resolver_match
        if match is None:
            return False
        if match.namespaces:
            return bool(set(match.namespaces) & OPEN_NAMESPACES)
        return match.url_name in OPEN_URL_NAMES
