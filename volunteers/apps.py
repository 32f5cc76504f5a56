from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self):
        # A supervisor's cases join cases.querysets.visible_to (volunteers.visibility); what a
        # case's lifecycle does to trainee cases (cases.signals).
        from . import receivers, visibility  # noqa: F401
