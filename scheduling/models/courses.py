"""Courses and their appointments: one real row per infusion, never a recurrence rule.

Double-booking is impossible in the database itself: exclusion constraints forbid any two
active appointments that overlap in time on the same chair or for the same patient
(half-open ranges, so back-to-back is fine). They use only core GiST range support
(int8range && tstzrange), so they work on a Postgres without the btree_gist extension.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.functional import cached_property
from phonenumber_field.modelfields import PhoneNumberField

from clinic.append_only import StatusChange, append_only_triggers
from clinic.models import Location
from patients.models import Patient
from protocols.models import Protocol

from .clinic import Chair


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    ABANDONED = "abandoned", "Abandoned"


class Course(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="courses")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="courses")
    planned_infusions = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-booked_at"]
        indexes = [
            # The open courses of a site (course reviews due on the physician's home): as
            # many as are running, however many courses the site ever ran.
            models.Index(
                fields=["location"],
                condition=models.Q(status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]),
                name="course_open_by_location",
            ),
        ]

    def __str__(self) -> str:
        return f"Course of {self.planned_infusions} for {self.patient}"

    @cached_property
    def protocol_in_force(self) -> Protocol:
        """The protocol in effect: the newest change's (``CourseProtocolChange``, a
        physician's review), else the one it was booked under; the one definition is
        ``scheduling.selectors.protocol``. The next doses are calculated under it; doses
        already given keep the version they were ordered under on their own rows."""
        from ..selectors.protocol import course_protocol_in_effect

        return course_protocol_in_effect(self)


class CourseProtocolChange(models.Model):
    """A course's protocol changed part-way (a physician's review): its later sessions run
    under ``protocol``. Append-only; the course keeps the protocol it was booked under."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="protocol_changes")
    from_protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    after_infusions = models.PositiveSmallIntegerField(
        help_text="Infusions given when the change was made; it applies to the later ones."
    )
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=~Q(protocol=F("from_protocol")),
                name="courseprotocolchange_changes_something",
                violation_error_message="That is the course's protocol already.",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="courseprotocolchange_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.from_protocol} -> {self.protocol} after {self.after_infusions}"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CONFIRMED = "confirmed", "Confirmed"
    CHECKED_IN = "checked_in", "Checked in"
    IN_CHAIR = "in_chair", "In chair"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# The longest a visit may last (a constraint): preparation, infusion and recovery are hours.
MAX_VISIT = datetime.timedelta(hours=24)

# Appointments in these states hold their chair, patient and nurse.
ACTIVE_STATUSES = [
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_CHAIR,
    AppointmentStatus.COMPLETED,
]


def _id_range(field: str) -> Func:
    # int8range(id, id, '[]') && int8range(id2, id2, '[]') is "same id", with core GiST only.
    return Func(
        F(field), F(field), Value("[]"), function="int8range", output_field=BigIntegerRangeField()
    )


class TstzRange(Func):
    """tstzrange(start, end, '[)'): half-open, so back-to-back visits do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _no_overlap(name: str, field: str, message: str) -> ExclusionConstraint:
    return ExclusionConstraint(
        name=name,
        expressions=[
            (_id_range(field), RangeOperators.OVERLAPS),
            (TstzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(status__in=ACTIVE_STATUSES),
        violation_error_message=message,
    )


class AppointmentQuerySet(models.QuerySet):
    def active(self) -> "AppointmentQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def at_location(self, location) -> "AppointmentQuerySet":
        return self.filter(location=location)

    def between(self, start, end) -> "AppointmentQuerySet":
        """Appointments overlapping the half-open interval [start, end). None lasts longer
        than ``MAX_VISIT`` (a constraint), so none that started before ``start - MAX_VISIT``
        can: that bound lets the planner read a range of starts."""
        return self.filter(starts_at__lt=end, starts_at__gt=start - MAX_VISIT, ends_at__gt=start)

    def infusing_between(self, start, end) -> "AppointmentQuerySet":
        """Appointments whose infusion overlaps [start, end): a nurse's patients then. The
        infusion lies within the visit (a constraint), so the same bound as ``between``
        holds; without it, the (nurse, infusion start) index is read from the nurse's first
        visit ever (five years of them at a busy site) up to ``end``."""
        return self.filter(
            infusion_starts_at__lt=end,
            infusion_starts_at__gt=start - MAX_VISIT,
            infusion_ends_at__gt=start,
        )

    def for_board(self) -> "AppointmentQuerySet":
        return self.select_related(
            "patient", "chair", "nurse", "course", "escort_confirmed_by"
        ).order_by("starts_at")

    def for_week(self) -> "AppointmentQuerySet":
        """What a line of the week view shows, no more: a busy site's week is hundreds of
        visits, and each whole patient row (its phone numbers parsed on load) was most of
        the page's time."""
        return (
            self.select_related("patient", "course")
            .only(
                "starts_at",
                "status",
                "chair_id",
                "sequence",
                "escort_confirmed",
                "patient__preferred_name",
                "patient__legal_first_name",
                "patient__legal_last_name",
                "course__planned_infusions",
            )  # fmt: skip
            .order_by("starts_at")
        )


class Appointment(models.Model):
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    sequence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Infusion number within the course (1, 2, ...)."
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    # No index of its own: (location, starts_at) and (location, patient) below lead with it.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="appointments")
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    # The chair is held from arrival to the end of recovery: [starts_at, ends_at).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The nurse is committed for the infusion itself: [infusion_starts_at, infusion_ends_at).
    infusion_starts_at = models.DateTimeField()
    infusion_ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = PhoneNumberField(blank=True)
    escort_confirmed = models.BooleanField(default=False)
    # Who confirmed the escort by phone, and when (blank for confirmations through the
    # patient's reminder link or chairside at check-in).
    escort_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    escort_confirmed_at = models.DateTimeField(null=True, blank=True)
    # A make-up session names the cancelled one it replaces; one make-up per cancellation.
    makes_up_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="made_up_by",
        help_text="The cancelled session of the course this one makes up for.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["location", "starts_at"]),
            models.Index(fields=["nurse", "infusion_starts_at"]),
            models.Index(fields=["patient", "starts_at"]),
            # Lists in time order across sites (the API's appointments, oldest first): the
            # first page walks this index, not a sort of every visit (full size: 770 -> 8 ms).
            models.Index(fields=["starts_at"], name="appointment_starts_at"),
            # "Is this patient booked at one of my sites?" (patients.selectors.booked_at,
            # asked per patient by every patient list): one probe, not the patient's visits.
            models.Index(
                fields=["patient", "location"],
                condition=~Q(status="cancelled"),
                name="appointment_patient_site",
            ),
            # Every patient booked at a site, read from the index alone: the patient list's
            # count and a name search hash them once (patients.selectors.seen_by).
            models.Index(
                fields=["location", "patient"],
                condition=~Q(status="cancelled"),
                name="appointment_site_patient",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="appointment_starts_before_end",
                violation_error_message="An appointment must start before it ends.",
            ),
            # A visit lasts hours, never a day: so "overlapping this week" can also bound
            # the start from below (``between``) and read the (site, start) index for the
            # week, not every visit the site ever had before its end.
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + MAX_VISIT),
                name="appointment_within_a_day",
                violation_error_message="An appointment lasts less than a day.",
            ),
            models.CheckConstraint(
                condition=Q(
                    infusion_starts_at__gte=F("starts_at"),
                    infusion_ends_at__lte=F("ends_at"),
                    infusion_starts_at__lt=F("infusion_ends_at"),
                ),
                name="appointment_infusion_within_visit",
                violation_error_message="The infusion must fall within the visit.",
            ),
            _no_overlap(
                "appointment_chair_no_overlap", "chair", "This chair is already booked then."
            ),
            _no_overlap(
                "appointment_patient_no_overlap",
                "patient",
                "The patient already has an appointment then.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.starts_at:%Y-%m-%d %H:%M} {self.chair}"


class AppointmentStatusChange(StatusChange):
    """Every status change: who, when, why. Append-only."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=AppointmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AppointmentStatus.choices)

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class CalendarFeed(models.Model):
    """A patient's appointments as an iCalendar feed at a secret URL. Revoking is final;
    a new feed gets a new token."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(revoked_at=None), name="one_live_feed_per_patient"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.patient}"
