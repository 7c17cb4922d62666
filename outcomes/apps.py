from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Patient-reported outcomes: which measures a course asks for and when (the schedule
    per protocol, versioned), and which of them are due or answered; each course's outcome,
    the physician's review and the booster candidates. Above the core apps: it imports them,
    they never import it."""

    name = "outcomes"
    verbose_name = "Outcome-measure schedules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.hooks import on_infusion_gate

        from .reviews import review_gate

        # The infusion start asks it: no session after the review point without a review.
        on_infusion_gate(review_gate)
