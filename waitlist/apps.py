from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.hooks import on_freed_slot

        from .hooks import fill_offer

        on_freed_slot(fill_offer)
