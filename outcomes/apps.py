from django.apps import AppConfig

SCHEDULE_READING = ["outcomes.view_measureschedule", "outcomes.view_scheduledmeasure"]


class OutcomesConfig(AppConfig):
    """Patient-reported outcomes: which measures a course asks for and when (the schedule
    per protocol, versioned), and which of them are due or answered. Above the core apps:
    it imports them, they never import it."""

    name = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    # Admin permissions: clinic admins read the schedules there; a new version is made by
    # ``outcomes.services.measure_schedule_revise`` (the API or the protocol's schedule page).
    role_permissions = {"clinic_admin": SCHEDULE_READING}
