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
            files = self._takes_files(request)
            limit = self._limit(files)
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
    def _takes_files(request) -> bool:
        """Whether the page posted to takes files (documents.uploads.accepts_files): only there
        is a multipart body larger than the text limit anything but a mistake."""
        if request.content_type != "multipart/form-data":
            return False
        try:
            return getattr(resolve(request.path_info).func, "accepts_files", False)
        except Resolver404:
            return False

    @staticmethod
    def _limit(files: bool) -> int | None:
        if files:
            from documents.uploads import upload_request_max_bytes

            return upload_request_max_bytes()
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    @staticmethod
    def _too_large(request, limit) -> bool:
        if limit is None or request.content_type not in FORM_TYPES:
            return False
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > limit
        except ValueError:
            return False
