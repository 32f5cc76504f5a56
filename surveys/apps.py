from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Parties' surveys"

    def ready(self):
        # What a case's lifecycle does here (cases.signals); its part of the case page
        # (cases.panels).
        from . import panels, receivers  # noqa: F401
