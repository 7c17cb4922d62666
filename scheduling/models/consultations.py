"""The consultation: a physician's appointment with someone who asked for one, before (or
while) they register. No chair and no nurse; in person at a site or by telehealth, booked
within the site's opening hours. A physician is never booked twice at once (an exclusion
constraint, like the chair's)."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q

from clinic.append_only import StatusChange
from clinic.models import Location
from clinic.transitions import NEW, Transitions
from patients.models import ConsultationRequest

from .courses import TstzRange, _id_range


class ConsultationMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth"


class ConsultationStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


CS = ConsultationStatus
# Booked, then perhaps cancelled (final: a new time is a new booking).
CONSULTATION_ALLOWED = Transitions(
    {NEW: {CS.BOOKED}, CS.BOOKED: {CS.CANCELLED}, CS.CANCELLED: set()},
    what="A consultation",
    labels=CS,
)


class Consultation(models.Model):
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="consultations"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="consultations")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    mode = models.CharField(max_length=10, choices=ConsultationMode.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["location", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="consultation_starts_before_end",
                violation_error_message="A consultation must start before it ends.",
            ),
            ExclusionConstraint(
                name="consultation_physician_no_overlap",
                expressions=[
                    (_id_range("physician"), RangeOperators.OVERLAPS),
                    (TstzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status=ConsultationStatus.BOOKED),
                violation_error_message="The physician already has a consultation then.",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation {self.starts_at:%Y-%m-%d %H:%M} ({self.get_mode_display()})"


class ConsultationStatusChange(StatusChange):
    """Every status change of a consultation (booked, cancelled): who, when, why.
    Append-only, like an appointment's."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=ConsultationStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ConsultationStatus.choices)

    class Meta(StatusChange.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status="cancelled") | ~Q(reason=""),
                name="consultation_cancel_has_reason",
                violation_error_message="A cancelled consultation needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"
