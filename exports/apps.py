from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Files too slow to make while the browser waits (the trustees' summary, big CSVs), made
    by the Celery worker and kept a day for the one person who asked (README, Reports)."""

    name = "exports"
    verbose_name = "Exports"

    def ready(self):
        # The kinds register themselves on import (exports.kinds.register).
        from . import builders  # noqa: F401
