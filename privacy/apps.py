from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self):
        # What a case's lifecycle does here (cases.signals).
        from . import receivers  # noqa: F401
