"""The Celery application: configured from Django settings (CELERY_*), tasks found in each app."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wkm.settings")

app = Celery("wkm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_documents(**kwargs):
    """Each worker process loads the PDF renderer and fonts once, before its first task."""
    from documents.rendering import warm_up

    warm_up()
