"""Pages for someone logged in are theirs alone: never stored by the browser or a shared cache.

After logging out, Chromium's disk cache still held a party's street, phone and private note
from pages sent without Cache-Control. Every response to a logged-in user gets ``no-store`` and
``private`` (PDFs, CSVs and calendar files already said so; a view that sets its own
Cache-Control keeps it, public pages and static files are untouched).
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asked before the view too: logging out leaves request.user anonymous afterwards.
        logged_in = self._logged_in(request)
        response = self.get_response(request)
        if (logged_in or self._logged_in(request)) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    @staticmethod
    def _logged_in(request) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
