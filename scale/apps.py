from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Synthetic data at production scale, for benchmarks (``manage.py seed_scale``)."""

    name = "scale"
    verbose_name = "Scale data"
