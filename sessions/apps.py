from django.apps import AppConfig


class MediationSessionsConfig(AppConfig):
    """Mediation sessions; labelled so it cannot clash with django.contrib.sessions."""

    name = "sessions"
    label = "mediation_sessions"
    verbose_name = "Mediation sessions"
