"""WSGI entry point for gunicorn: `gunicorn wkm.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")

application = get_wsgi_application()

# Load WeasyPrint and the document fonts now, not in the first person's request for a PDF.
from django.urls import get_resolver  # noqa: E402

from documents.rendering import warm_up  # noqa: E402
from wkm import health  # noqa: E402

warm_up()
# Import every view now, and run /health/'s checks once (at most HEALTH_TIMEOUT_SECONDS): a burst
# reaching a fresh process is then answered from a result, instead of every thread queueing
# behind the first check and the first URL resolution (up to 4.6 s seen, issue 17).
get_resolver().url_patterns  # noqa: B018
health.current_checks()
