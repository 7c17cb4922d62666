"""The clinic's capacity: hours, closures, chairs, nurse shifts and how long a visit takes."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from clinic.models import Location


class LocationSchedule(models.Model):
    """Scheduling rules of one site. Missing rows mean the defaults below."""

    location = models.OneToOneField(Location, on_delete=models.PROTECT, related_name="schedule")
    nurse_capacity = models.PositiveSmallIntegerField(
        default=1,
        help_text="Patients one nurse may have infusing at once (1: a nurse with each patient).",
    )
    min_gap_hours = models.PositiveSmallIntegerField(default=24)
    min_infusions = models.PositiveSmallIntegerField(default=8)
    max_infusions = models.PositiveSmallIntegerField(default=12)
    max_course_days = models.PositiveSmallIntegerField(
        default=28, help_text="A course's infusions fall within this many days."
    )
    follows_federal_holidays = models.BooleanField(
        "closed on US federal holidays",
        default=True,
        help_text="The site is closed on US federal holidays (and their observed days).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_infusions__lte=F("max_infusions"), min_infusions__gte=1),
                name="schedule_infusion_limits_ordered",
                violation_error_message="The minimum number of infusions exceeds the maximum.",
            ),
            models.CheckConstraint(
                condition=Q(nurse_capacity__gte=1),
                name="schedule_nurse_capacity_positive",
                violation_error_message="A nurse can take at least one patient.",
            ),
        ]

    def __str__(self) -> str:
        return f"Scheduling rules of {self.location}"

    @classmethod
    def for_location(cls, location: Location) -> "LocationSchedule":
        found = cls.objects.filter(location=location).first()
        return found or cls(location=location)


class OpeningHours(models.Model):
    """When a site is open on a weekday, in its local wall-clock time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["location", "weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["location", "weekday"], name="hours_once_per_weekday"),
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")),
                name="hours_open_before_close",
                violation_error_message="Opening time must be before closing time.",
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
        return f"{self.location} {self.get_weekday_display()} {hours}"


class ClosedDay(models.Model):
    """A holiday or closure. No location means every site is closed."""

    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="closed_days"
    )
    date = models.DateField()
    reason = models.CharField(max_length=120)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class ChairQuerySet(models.QuerySet):
    def in_service(self) -> "ChairQuerySet":
        return self.filter(is_active=True)

    def at_locations(self, locations) -> "ChairQuerySet":
        return self.filter(location__in=locations)


class Chair(models.Model):
    """An infusion chair at a site."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=40)
    is_active = models.BooleanField(default=True)

    objects = ChairQuerySet.as_manager()

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="chair_name_unique_per_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"


class ChairOutOfService(models.Model):
    """A period a chair cannot be booked (repair, cleaning, a room closed)."""

    chair = models.ForeignKey(Chair, on_delete=models.CASCADE, related_name="out_of_service")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "chair out-of-service periods"
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="chair_oos_starts_before_end",
                violation_error_message="The period must start before it ends.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chair} out of service: {self.reason}"


# The longest a shift may last (a constraint): the rota sets one day's hours.
MAX_SHIFT = datetime.timedelta(hours=24)


def shift_overlap(start, end) -> Q:
    """Shifts overlapping [start, end). None lasts longer than ``MAX_SHIFT``, so none that
    started before ``start - MAX_SHIFT`` can reach ``start``: that bound turns "starts before
    the end" into a range of the (site or nurse, start) index, not every shift since the site
    opened."""
    return Q(starts_at__lt=end, starts_at__gt=start - MAX_SHIFT, ends_at__gt=start)


class NurseShiftQuerySet(models.QuerySet):
    def overlapping(self, start, end) -> "NurseShiftQuerySet":
        return self.filter(shift_overlap(start, end))

    def covering(self, start, end) -> "NurseShiftQuerySet":
        """Shifts holding all of [start, end)."""
        return self.filter(starts_at__lte=start, starts_at__gte=end - MAX_SHIFT, ends_at__gte=end)


class NurseShift(models.Model):
    """A nurse working at a site. Booking locks this row to enforce nurse capacity."""

    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    objects = NurseShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["nurse", "starts_at"]),
            models.Index(fields=["location", "starts_at"], name="shift_site_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="shift_starts_before_end",
                violation_error_message="A shift must start before it ends.",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + MAX_SHIFT),
                name="shift_within_a_day",
                violation_error_message="A shift lasts at most 24 hours.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nurse} at {self.location} {self.starts_at:%Y-%m-%d %H:%M}"


class VisitTemplate(models.Model):
    """Chair time of a visit: preparation + the protocol's infusion + recovery."""

    name = models.CharField(max_length=80, unique=True)
    prep_minutes = models.PositiveSmallIntegerField(default=20)
    recovery_minutes = models.PositiveSmallIntegerField(default=45)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_template"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> "VisitTemplate":
        return cls.objects.filter(is_default=True).first() or cls(name="Standard")

    def chair_time(self, infusion_minutes: int) -> datetime.timedelta:
        return datetime.timedelta(
            minutes=self.prep_minutes + infusion_minutes + self.recovery_minutes
        )

    def clean(self) -> None:
        if self.prep_minutes > 240 or self.recovery_minutes > 480:
            raise ValidationError("Preparation or recovery time is implausibly long.")
