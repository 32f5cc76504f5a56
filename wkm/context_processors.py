"""The service's own name and phone number on every page rendered with a request, so the error
pages (templates/404.html) can tell someone who reached a dead link how to reach the office.
Settings only: no database, so it cannot fail where the database has."""

from django.conf import settings


def service_contact(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phone": settings.SERVICE_PHONE,
        "service_address": settings.SERVICE_ADDRESS,
    }
