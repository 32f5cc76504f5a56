"""Two-factor authentication in tests: a fully logged-in session, as after password and code.

``tests/conftest.py`` makes ``Client.force_login`` (and so the ``login`` fixture) call
``verify_session`` for every user who needs a second factor, so that tests of other things see the
app as a verified coordinator, supervisor or administrator does. The tests of two-factor itself
(tests/accounts/test_two_factor.py) log in through the real pages instead.
"""

from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import ENROLLED_SESSION_KEY, TWO_FACTOR_ROLES

TEST_DEVICE_NAME = "Test authenticator"


def needs_second_factor(user) -> bool:
    # Asked of the database, not accounts.roles.roles_of: that caches roles on the user object,
    # and a test may give the user a role after logging them in.
    return user.is_superuser or Group.objects.filter(user=user, name__in=TWO_FACTOR_ROLES).exists()


def verify_session(client, user) -> None:
    """Mark the client's session as verified with a (test) authenticator app of ``user``, the
    way ``django_otp.login`` does after a code: the device's persistent id in the session."""
    if not needs_second_factor(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[ENROLLED_SESSION_KEY] = True
    session.save()


def unverify_session(client) -> None:
    """Back to "password given, code not yet": for tests of what such a session may do."""
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()


def code_for(device, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app with ``device``'s key shows now (or ``steps_ahead`` steps of
    30 seconds later: each code is accepted once, so a second login in a test needs the next one,
    which the device accepts as within its tolerance of one step)."""
    from django_otp.oath import totp

    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=device.drift + steps_ahead)  # fmt: skip
    return f"{token:0{device.digits}d}"


def open_set_up_link(client, user, *, by=None) -> str:
    """Issue a set-up link for ``user`` (by ``by``, else a new administrator) and open it in
    ``client``, as someone who needs two-factor does before setting up their first device
    (accounts.enrolment). Returns the link's path."""
    from urllib.parse import urlsplit

    from accounts.enrolment import issue_enrolment_link
    from accounts.roles import ADMINISTRATOR
    from tests.factories import UserFactory

    by = by or UserFactory(roles=[ADMINISTRATOR], is_staff=True)
    path = urlsplit(issue_enrolment_link(user=user, by=by).url).path
    client.get(path)
    return path
