from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the service locally (`manage.py seed_demo`); nothing else."""

    name = "demo"
    verbose_name = "Demo data"
