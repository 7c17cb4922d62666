from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Read-only aggregates for the director: no models, no writes."""

    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"
