"""A form sent with more than the request size limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 1 MB — a
text pasted in by mistake, a whole document) is answered with a page that says so in words,
not Django's bare 400: nothing was saved, the browser's Back button returns to the form with
what was typed, and each box takes at most LONG_TEXT_MAX_CHARS characters (the form says so
before sending too: maxlength). The body is not read: the limit is what protects the server.
Pages that take files (documents.uploads.accepts_files) take a multipart body up to a full
upload instead (each file is then held to CASE_FILE_MAX_MB as it arrives).
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve

LONG_TEXT_MAX_CHARS = 20_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestTooLargeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            upload_limit = self._upload_limit(request)
            files = upload_limit is not None
            limit = upload_limit() if files else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if self._too_large(request, limit):
                return render(
                    request,
                    "413.html",
                    {"limit_mb": limit // (1024 * 1024), "max_chars": LONG_TEXT_MAX_CHARS,
                     "files": files, "file_mb": settings.CASE_FILE_MAX_MB},
                    status=413,
                )  # fmt: skip
        return self.get_response(request)

    @staticmethod
    def _upload_limit(request):
        """For a page that takes files (marked by documents.uploads.accepts_files with the
        largest request it takes, ``upload_request_limit``), that limit: only there is a
        multipart body larger than the text limit anything but a mistake. None elsewhere."""
        if request.content_type != "multipart/form-data":
            return None
        try:
            return getattr(resolve(request.path_info).func, "upload_request_limit", None)
        except Resolver404:
            return None

    @staticmethod
    def _too_large(request, limit) -> bool:
        if limit is None or request.content_type not in FORM_TYPES:
            return False
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > limit
        except ValueError:
            return False
