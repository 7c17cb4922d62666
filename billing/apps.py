from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Money at the front desk: coverage and benefits checks, prices and Good Faith
    Estimates, the payment ledger and superbills. Above waitlist and outcomes: it imports
    the core apps, none of them imports it (the desk home asks it through scheduling.hooks)."""

    name = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Every hook billing hangs on scheduling.hooks, here in one place."""
        from scheduling.hooks import (
            on_appointment_changed,
            on_course_booked,
            on_desk_work,
            on_infusion_completed,
            on_infusion_stopped,
        )

        from .selectors.packages import charges_to_review_work
        from .selectors.work import desk_money_work
        from .services.charging import charge_completed_infusion, charge_stopped_infusion
        from .services.prices import estimate_for_booked_course
        from .services.reissue import reissue_on_change

        on_desk_work(desk_money_work)
        on_desk_work(charges_to_review_work)
        on_course_booked(estimate_for_booked_course)
        on_appointment_changed(reissue_on_change, once_per_course=True)
        on_infusion_completed(charge_completed_infusion)
        on_infusion_stopped(charge_stopped_infusion)
