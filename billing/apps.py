from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Money at the front desk: coverage and benefits checks, prices and Good Faith
    Estimates, the payment ledger and superbills. Above waitlist and outcomes: it imports
    the core apps, none of them imports it (the desk home asks it through scheduling.hooks)."""

    name = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.hooks import on_course_booked, on_desk_work

        from .selectors.work import desk_money_work
        from .services.prices import estimate_for_booked_course

        on_desk_work(desk_money_work)
        on_course_booked(estimate_for_booked_course)
