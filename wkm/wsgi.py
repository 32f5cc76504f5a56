"""WSGI entry point for gunicorn: `gunicorn wkm.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")

application = get_wsgi_application()
