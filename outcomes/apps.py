from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Patient-reported outcomes: which measures a course asks for and when (the schedule
    per protocol, versioned), and which of them are due or answered. Above the core apps:
    it imports them, they never import it."""

    name = "outcomes"
    verbose_name = "Outcome-measure schedules"
    default_auto_field = "django.db.models.BigAutoField"
