"""The page for a form refused by Django's CSRF check (settings.CSRF_FAILURE_VIEW).

Most often a party answering a survey or a reminder from their personal link, on a phone whose
browser blocks cookies: Django's own page ("CSRF verification failed") is in developers'
words and offers nothing. This one says, in plain words and in the service's look, what to do:
allow cookies for this site and go back, or phone the office. The reason is logged by Django
(django.security.csrf), not shown."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    response = render(request, "403_csrf.html", status=403)
    response["X-Robots-Tag"] = "noindex"
    return response
