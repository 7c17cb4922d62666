from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Patient-reported outcomes: which measures a course asks for and when (the schedule
    per protocol, versioned), which of them are due or answered, and the links patients
    answer them through from home; each course's outcome, the physician's review and the
    booster candidates. Above the core apps: it imports them, they never import it (the
    reminder outbox words a measures link through ``scheduling.hooks``)."""

    name = "outcomes"
    verbose_name = "Outcome-measure schedules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.hooks import (
            on_check_in_notice,
            on_infusion_gate,
            on_physician_work,
            register_outbox_kind,
        )
        from scheduling.models import MessageKind

        from . import notices, sending
        from .reviews import review_gate, reviews_due_work

        on_check_in_notice(notices.review_gate_at_check_in)
        on_check_in_notice(notices.unanswered_at_check_in)
        register_outbox_kind(
            MessageKind.MEASURES, render=sending.render, still_wanted=sending.still_wanted
        )
        # The infusion start asks it: no session after the review point without a review.
        on_infusion_gate(review_gate)
        on_physician_work(reviews_due_work)
