from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.hooks import (
            on_appointment_changed,
            on_desk_work,
            on_freed_slot,
            register_outbox_kind,
        )
        from scheduling.models import MessageKind

        from . import sending
        from .hooks import desk_chairs_to_fill, fill_offer
        from .services.offers import auto_offer

        on_freed_slot(fill_offer)
        on_desk_work(desk_chairs_to_fill)
        # A chair cancelled or missed ahead of time is offered by link (WAITLIST_AUTO_OFFER).
        on_appointment_changed(auto_offer)
        register_outbox_kind(
            MessageKind.WAITLIST_OFFER, render=sending.render, still_wanted=sending.still_wanted
        )
