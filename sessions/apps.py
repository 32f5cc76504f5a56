from django.apps import AppConfig


class MediationSessionsConfig(AppConfig):
    """Mediation sessions; labelled so it cannot clash with django.contrib.sessions."""

    name = "sessions"
    label = "mediation_sessions"
    verbose_name = "Mediation sessions"

    def ready(self):
        # What a case's lifecycle does here (cases.signals).
        from . import receivers  # noqa: F401
