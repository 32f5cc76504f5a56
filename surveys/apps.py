from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Parties' surveys"

    def ready(self):
        # What a case's lifecycle does here (cases.signals).
        from . import receivers  # noqa: F401
