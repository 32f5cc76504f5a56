"""WSGI entry point for gunicorn: `gunicorn wkm.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")

application = get_wsgi_application()

# Load WeasyPrint and the document fonts now, not in the first person's request for a PDF.
from documents.rendering import warm_up  # noqa: E402

warm_up()
