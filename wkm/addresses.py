"""A visitor's address, kept only as a salted hash: what the public forms' limits (public.spam)
and the parties' personal links (notifications.link_pages) count an address by, without keeping
the address itself."""

import hashlib

from django.conf import settings

from audit.services import client_ip


def _salt() -> str:
    salt = getattr(settings, "PUBLIC_FORMS_IP_SALT", "")
    if salt:
        return salt
    # No salt configured: derive one from SECRET_KEY, so it is still secret and stable.
    return hashlib.sha256(f"wkm.public.ip-salt|{settings.SECRET_KEY}".encode()).hexdigest()


def ip_hash(ip: str | None) -> str:
    """A salted SHA-256 of the address: the same for one address, useless without the salt."""
    return hashlib.sha256(f"{_salt()}|{ip or 'unknown'}".encode()).hexdigest()


def request_ip_hash(request) -> str:
    return ip_hash(client_ip(request))
