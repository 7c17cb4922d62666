"""Where webhook events come from: scheduling's change hook
(``scheduling.hooks.on_appointment_changed``) and the creation of rows that mark the other
events. Each is queued in the writing transaction."""

from django.db.models.signals import post_save
from django.urls import reverse

from infusions.models import InfusionStatusEvent
from infusions.models.charting import InfusionStatus
from patients.models import OutcomeMeasure, Patient
from scheduling import hooks
from scheduling.models import Course, CourseStatus

from .models import WebhookEvent
from .webhooks import emit, subscriptions_read_once

APPOINTMENT_EVENTS = {
    "booked": WebhookEvent.APPOINTMENT_BOOKED,
    "rescheduled": WebhookEvent.APPOINTMENT_RESCHEDULED,
    "cancelled": WebhookEvent.APPOINTMENT_CANCELLED,
}


def _appointment_data(appointment) -> dict:
    return {
        "appointment": appointment.pk,
        "course": appointment.course_id,
        "patient": appointment.course.patient_id,
        "links": {
            "appointment": reverse("appointment-detail", args=[appointment.pk]),
            "course": reverse("course-detail", args=[appointment.course_id]),
        },
    }


def appointment_changed(appointment, change: str) -> None:
    event = APPOINTMENT_EVENTS.get(change)
    if event is not None:
        emit(event, location_id=appointment.location_id, data=_appointment_data(appointment))


def patient_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        emit(WebhookEvent.PATIENT_REGISTERED, location_id=instance.home_location_id, data={
            "patient": instance.pk,
            "links": {"patient": reverse("patient-detail", args=[instance.pk])},
        })  # fmt: skip


def infusion_status_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw and instance.to_status == InfusionStatus.COMPLETED:
        appointment = instance.record.appointment
        data = {**_appointment_data(appointment), "infusion_record": instance.record_id}
        data["links"]["infusion_record"] = reverse(
            "infusion-record-detail", args=[instance.record_id]
        )
        emit(WebhookEvent.INFUSION_COMPLETED, location_id=appointment.location_id, data=data)


def course_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    changed_status = update_fields is None or "status" in update_fields
    if not raw and not created and changed_status and instance.status == CourseStatus.COMPLETED:
        emit(WebhookEvent.COURSE_COMPLETED, location_id=instance.location_id, data={
            "course": instance.pk, "patient": instance.patient_id,
            "links": {"course": reverse("course-detail", args=[instance.pk])},
        })  # fmt: skip


def measure_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        patient = instance.patient
        emit(WebhookEvent.MEASURE_RECORDED, location_id=patient.home_location_id, data={
            "measure": instance.pk, "kind": instance.kind, "patient": patient.pk,
            "links": {"measure": reverse("patient-measure-detail", args=[patient.pk, instance.pk])},
        })  # fmt: skip


def connect() -> None:
    hooks.on_appointment_changed(appointment_changed)
    hooks.on_changes_together(subscriptions_read_once)
    uid = "integrations.webhooks."
    post_save.connect(patient_saved, sender=Patient, dispatch_uid=uid + "patient")
    post_save.connect(infusion_status_saved, sender=InfusionStatusEvent, dispatch_uid=uid + "inf")
    post_save.connect(course_saved, sender=Course, dispatch_uid=uid + "course")
    post_save.connect(measure_saved, sender=OutcomeMeasure, dispatch_uid=uid + "measure")
