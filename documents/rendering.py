"""HTML to PDF with WeasyPrint, safely.

Documents are rendered from templates under templates/documents/ with one print stylesheet
(static/documents/print.css), the Latin fonts shipped in static/fonts/ and, for other scripts
(Arabic, Chinese, Japanese, Korean…), fonts from the OS packages in os-packages.txt, which the
stylesheet names after its own. The URL fetcher serves our own static files and nothing else:
no file://, no network, so a name typed as ``<img src="file:///etc/passwd">`` (already escaped
by the template) could not fetch anything even if it reached the HTML.

What one document may cost is bounded (tests/hostile): the inputs by their forms (an agreement's
texts, cases.agreement_forms, and its number of terms, cases.agreements.MAX_TERMS); then, here,
the HTML's size before any layout, and the number of pages after layout and before the PDF is
written. A document over either limit raises DocumentTooLarge, a ValidationError whose message
the page shows. WeasyPrint cannot be interrupted part-way through a layout, so these bounds are
what keep a render's time and memory in hand: well under ten seconds for the largest agreement
the forms allow.
"""

import logging
import mimetypes
import time

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered as if served from here; only its /static/ URLs resolve.
BASE_URL = "https://documents.wkm.invalid/"
STATIC_PREFIX = f"{BASE_URL}static/"


# A document over either limit is refused (DocumentTooLarge) before it is written.
MAX_HTML_CHARS = 500_000
MAX_PAGES = 50


class DocumentTooLarge(ValidationError):
    """Too long to print; the message says so, for the page to show."""


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX) or ".." in url:
            raise ValueError(f"refused to fetch {url[:80]!r}: documents load only our static files")
        name = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
        if not name or name.startswith("/") or "\\" in name or "%" in name:
            raise ValueError(f"refused to fetch {url[:80]!r}: not a static file's name")
        try:
            path = finders.find(name)
        except SuspiciousFileOperation:
            path = None
        if not path:
            raise ValueError(f"no such static file: {url[:80]!r}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(
    template_name: str, context: dict, *, max_pages=None, max_html_chars=None
) -> tuple[bytes, str]:
    """Render ``documents/<template_name>`` to PDF; return (pdf bytes, the HTML rendered).

    Raises DocumentTooLarge for HTML over ``max_html_chars`` (default MAX_HTML_CHARS) before
    any layout, or a document of more than ``max_pages`` (default MAX_PAGES) pages after layout
    and before the PDF is written. A caller whose documents are legitimately longer (a subject
    access copy of everything held) passes its own, larger limits.
    """
    max_pages = MAX_PAGES if max_pages is None else max_pages
    max_html_chars = MAX_HTML_CHARS if max_html_chars is None else max_html_chars
    html = render_to_string(f"documents/{template_name}", context)
    if len(html) > max_html_chars:
        raise DocumentTooLarge(
            "This document is too long to print. Shorten its text and try again.",
            code="too_long",
        )
    started = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
        uncompressed_pdf=False
    )
    if len(document.pages) > max_pages:
        raise DocumentTooLarge(
            f"This document would run to {len(document.pages)} pages; the most we print is "
            f"{max_pages}. Shorten its text and try again.",
            code="too_many_pages",
        )
    pdf = document.write_pdf(uncompressed_pdf=False)
    logger.info("rendered %s in %.0f ms", template_name, (time.perf_counter() - started) * 1000)
    return pdf, html


def warm_up() -> None:
    """Load WeasyPrint, Pango and the fonts once, at process start, so the first document a
    person asks for does not pay for it (called from wkm/wsgi.py and the Celery worker)."""
    try:
        render_pdf("warm_up.html", {})
    except Exception:  # noqa: BLE001 - a missing Pango must not stop the app from starting
        logger.exception("could not warm up the PDF renderer")
