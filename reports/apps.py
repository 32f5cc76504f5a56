from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, funder reports and charts: figures aggregated in SQL, never per case."""

    name = "reports"
    verbose_name = "Reports"
