"""A form sent with more than the request size limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 1 MB — a
text pasted in by mistake, a whole document) is answered with a page that says so in words,
not Django's bare 400: nothing was saved, the browser's Back button returns to the form with
what was typed, and each box takes at most LONG_TEXT_MAX_CHARS characters (the form says so
before sending too: maxlength). The body is not read: the limit is what protects the server.
"""

from django.conf import settings
from django.shortcuts import render

LONG_TEXT_MAX_CHARS = 20_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestTooLargeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and self._too_large(request):
            return render(
                request,
                "413.html",
                {"limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
                 "max_chars": LONG_TEXT_MAX_CHARS},
                status=413,
            )  # fmt: skip
        return self.get_response(request)

    @staticmethod
    def _too_large(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # No form here uploads files: a multipart body that big is text too.
        if limit is None or request.content_type not in FORM_TYPES:
            return False
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > limit
        except ValueError:
            return False
