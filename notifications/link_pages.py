"""What the pages a party opens from a personal link share (the reply to a reminder,
notifications.views; the surveys, surveys.views): the service's name and number on every page,
kept out of search engines, and one throttle on wrong links per address for both kinds, so that
guessing at one kind of link does not get a second allowance at the other."""

from django.conf import settings
from django.shortcuts import render

from wkm.addresses import request_ip_hash

from . import replies


def render_link_page(request, template, context=None, status=200):
    base = {
        "service_name": settings.SERVICE_NAME,
        "service_phone": settings.SERVICE_PHONE,
        "service_address": settings.SERVICE_ADDRESS,
    }
    response = render(request, template, base | (context or {}), status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def throttle(request):
    """(the salted hash of the address, a 429 page or None): the 429 when this address has
    opened too many wrong links this hour (``replies.record_miss`` counts them)."""
    hashed_ip = request_ip_hash(request)
    wait = replies.throttled_for(hashed_ip)
    if not wait:
        return hashed_ip, None
    response = render_link_page(request, "notifications/reply_throttled.html", status=429)
    response["Retry-After"] = str(wait)
    return hashed_ip, response
