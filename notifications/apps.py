from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The outbox and everything that sends: message wording, email and text-message channels,
    the dispatcher and the daily jobs that write messages for staff."""

    name = "notifications"
    verbose_name = "Messages"

    def ready(self):
        # Its part of the case page (cases.panels).
        from . import panels  # noqa: F401
