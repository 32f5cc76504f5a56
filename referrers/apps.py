from django.apps import AppConfig


class ReferrersConfig(AppConfig):
    name = "referrers"
    verbose_name = "Referring organisations"

    def ready(self):
        # What a case's lifecycle does here (cases.signals).
        from . import receivers  # noqa: F401
