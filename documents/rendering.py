"""HTML to PDF with WeasyPrint, safely.

Documents are rendered from templates under templates/documents/ with one print stylesheet
(static/documents/print.css) and the fonts shipped in static/fonts/. The URL fetcher serves our
own static files and nothing else: no file://, no network, so a name typed as
``<img src="file:///etc/passwd">`` (already escaped by the template) could not fetch anything
even if it reached the HTML.
"""

import logging
import mimetypes
import time

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered as if served from here; only its /static/ URLs resolve.
BASE_URL = "https://documents.wkm.invalid/"
STATIC_PREFIX = f"{BASE_URL}static/"


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX) or ".." in url:
            raise ValueError(f"refused to fetch {url[:80]!r}: documents load only our static files")
        path = finders.find(url.removeprefix(STATIC_PREFIX).split("?")[0])
        if not path:
            raise ValueError(f"no such static file: {url[:80]!r}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict) -> tuple[bytes, str]:
    """Render ``documents/<template_name>`` to PDF; return (pdf bytes, the HTML rendered)."""
    html = render_to_string(f"documents/{template_name}", context)
    started = time.perf_counter()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
        uncompressed_pdf=False
    )
    logger.info("rendered %s in %.0f ms", template_name, (time.perf_counter() - started) * 1000)
    return pdf, html


def warm_up() -> None:
    """Load WeasyPrint, Pango and the fonts once, at process start, so the first document a
    person asks for does not pay for it (called from wkm/wsgi.py and the Celery worker)."""
    try:
        render_pdf("warm_up.html", {})
    except Exception:  # noqa: BLE001 - a missing Pango must not stop the app from starting
        logger.exception("could not warm up the PDF renderer")
