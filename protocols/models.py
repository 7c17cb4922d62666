"""Protocols: the clinic's drug library, versioned.

A ``Protocol`` is the clinic's name for a way of giving ketamine ("Fibromyalgia 0.5 mg/kg
over 40 min"); every number lives on a ``ProtocolVersion``. Versions are append-only: the
database refuses UPDATE and DELETE on them, so a version that a dose was calculated, ordered
or given under can never change after the fact. "Editing" a protocol is
``services.protocol_revise``, which adds version n+1. There is therefore no "used" flag:
every version is as immutable as a used one.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from clinic.append_only import append_only_triggers

from .dosing import DoseInputError, DoseRules

STAFF = settings.AUTH_USER_MODEL


def default_vials() -> list[Decimal]:
    return [Decimal("10"), Decimal("50"), Decimal("100")]


def default_vials_needing_dilution() -> list[Decimal]:
    return [Decimal("100")]


def plain(value: Decimal) -> Decimal:
    """100.00 -> 100, 0.10 -> 0.1: the fewest decimal places that keep the value.

    Rounding steps carry their decimal places into the dose (a 0.10 step would show 35.00
    mg), so the rules get the value as the director meant it, not as the column stores it.
    """
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


class ProtocolQuerySet(models.QuerySet):
    def active(self) -> "ProtocolQuerySet":
        return self.filter(is_active=True)

    def with_versions(self) -> "ProtocolQuerySet":
        """Prefetch every version, so ``current_version`` costs no query per protocol."""
        return self.prefetch_related(
            models.Prefetch(
                "versions", queryset=ProtocolVersion.objects.select_related("created_by")
            )
        )


class Protocol(models.Model):
    """A named protocol. Its numbers are on its versions; the latest version is current."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(
        max_length=40, unique=True, help_text="Short stable code, e.g. 'fm-0-5-40'."
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Withdrawn protocols stay on record but are not offered."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        db_table = "infusions_protocol"  # the table predates the app (issue 19)
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "ProtocolVersion | None":
        """The latest version (None only while the protocol is being created)."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if cached is not None:
            return max(cached, key=lambda version: version.number, default=None)
        return self.versions.order_by("-number").first()

    @property
    def infusion_minutes(self) -> int | None:
        """The current version's duration; scheduling sizes appointments with it."""
        current = self.current_version
        return current.infusion_minutes if current else None

    @property
    def is_standing_order_allowed(self) -> bool:
        current = self.current_version
        return bool(current and current.standing_order)


class ScoreType(models.TextChoices):
    """The discharge score a protocol version uses (the form asks only its items)."""

    PADSS = "padss", "PADSS"
    ALDRETE = "aldrete", "Modified Aldrete"


def _positive(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gt": 0}),
        name=f"protocolversion_{name}_positive",
        violation_error_message=f"{name.replace('_', ' ')} must be greater than zero.",
    )


POSITIVE_NUMBERS = [
    "mg_per_kg", "infusion_minutes", "rounding_step_mg", "soft_max_mg", "hard_max_mg",
    "min_weight_kg", "max_weight_kg", "bag_volume_ml", "vitals_interval_minutes",
    "recovery_vitals_interval_minutes", "post_alert_vitals_interval_minutes",
    "alert_escalation_minutes", "news2_alert_total_at_least",
]  # fmt: skip


class ProtocolVersion(models.Model):
    """One immutable set of a protocol's numbers. Rows are append-only (database triggers)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the first version, then 2, 3 ...")

    # Dose
    mg_per_kg = models.DecimalField(
        "dose (mg/kg)", max_digits=6, decimal_places=3, default=Decimal("0.5")
    )
    infusion_minutes = models.PositiveIntegerField("infusion duration (minutes)", default=40)
    rounding_step_mg = models.DecimalField(
        "rounding step (mg)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.1"),
        help_text="The dose is rounded down to a multiple of this.",
    )
    soft_max_mg = models.DecimalField(
        "soft maximum single dose (mg)",
        max_digits=6,
        decimal_places=1,
        help_text="Above it, a physician may order the dose only with a recorded reason.",
    )
    hard_max_mg = models.DecimalField(
        "hard maximum single dose (mg)",
        max_digits=6,
        decimal_places=1,
        help_text="Above it, no one may order the dose.",
    )
    min_weight_kg = models.DecimalField(
        "minimum weight (kg)", max_digits=5, decimal_places=1, default=Decimal("30")
    )
    max_weight_kg = models.DecimalField(
        "maximum weight (kg)", max_digits=5, decimal_places=1, default=Decimal("300")
    )
    weight_max_age_hours = models.PositiveIntegerField(
        "weight valid for (hours)",
        default=0,
        help_text="0 means the weight must be taken the same local clinic day as the dose; "
        "a number N means within the N hours before the dose.",
    )

    # Preparation
    bag_volume_ml = models.DecimalField(
        "bag volume (mL)", max_digits=6, decimal_places=1, default=Decimal("100")
    )
    allowed_vial_mg_per_ml = ArrayField(
        models.DecimalField(max_digits=6, decimal_places=2),
        verbose_name="vial concentrations in stock (mg/mL)",
        default=default_vials,
        help_text="Comma-separated, e.g. 10,50,100.",
    )
    vial_needs_dilution = ArrayField(
        models.DecimalField(max_digits=6, decimal_places=2),
        verbose_name="concentrations to dilute before IV use (mg/mL)",
        default=default_vials_needing_dilution,
        blank=True,
        help_text="Comma-separated; each must also be in stock.",
    )

    # Charting (used by chairside vitals and discharge)
    vitals_interval_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) during the infusion", default=10
    )
    recovery_vitals_interval_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) in recovery", default=15
    )
    systolic_high_mmhg = models.PositiveSmallIntegerField("alert: systolic above", default=180)
    systolic_low_mmhg = models.PositiveSmallIntegerField("alert: systolic below", default=90)
    diastolic_high_mmhg = models.PositiveSmallIntegerField("alert: diastolic above", default=110)
    pulse_high_bpm = models.PositiveSmallIntegerField("alert: pulse above", default=130)
    pulse_low_bpm = models.PositiveSmallIntegerField("alert: pulse below", default=50)
    spo2_low_percent = models.PositiveSmallIntegerField("alert: SpO2 below (%)", default=92)
    # Inclusive, unlike the limits above: RR 8 or 25 alerts (issue 18).
    rr_alert_at_or_below_per_min = models.PositiveSmallIntegerField(
        "alert: respiratory rate at or below (/min)", default=8
    )
    rr_alert_at_or_above_per_min = models.PositiveSmallIntegerField(
        "alert: respiratory rate at or above (/min)", default=25
    )
    news2_alert_on_single_3 = models.BooleanField(
        "alert: any single NEWS2 parameter scoring 3", default=True
    )
    news2_alert_total_at_least = models.PositiveSmallIntegerField(
        "alert: NEWS2 total at or above", default=5
    )
    post_alert_vitals_interval_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) after an alert, until back in range", default=5
    )
    alert_escalation_minutes = models.PositiveSmallIntegerField(
        "send an unacknowledged alert to the physicians on duty after (minutes)", default=5
    )
    min_discharge_score = models.PositiveSmallIntegerField(
        "minimum discharge score (Aldrete/PADSS, 0-10)", default=9
    )
    discharge_score_type = models.CharField(
        "discharge score", max_length=8, choices=ScoreType.choices, default=ScoreType.ALDRETE,
        help_text="Modified Aldrete suits an IV infusion; PADSS asks about surgical bleeding.",
    )  # fmt: skip
    completion_tolerance_minutes = models.PositiveSmallIntegerField(
        "completion tolerance (minutes)", default=2,
        help_text="'Complete' is allowed this many minutes before the planned run time "
        "(pauses excluded); earlier, only 'Stop early' with a reason.",
    )  # fmt: skip
    min_recovery_minutes = models.PositiveSmallIntegerField(
        "minimum recovery (minutes)", default=30,
        help_text="No discharge before this long after the infusion ended, nor before a "
        "recovery reading taken after that time, unless a physician overrides.",
    )  # fmt: skip

    # Orders
    standing_order = models.BooleanField(
        "standing order allowed",
        default=False,
        help_text="Set by the medical director: orders under this version need no "
        "individual physician signature, and are recorded as standing orders.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    change_note = models.TextField(help_text="What changed and why.")

    class Meta:
        db_table = "infusions_protocolversion"  # the table predates the app (issue 19)
        triggers = append_only_triggers()
        ordering = ["protocol__name", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "number"], name="protocolversion_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="protocolversion_number_from_1"
            ),
            *[_positive(name) for name in POSITIVE_NUMBERS],
            models.CheckConstraint(
                condition=Q(soft_max_mg__lte=F("hard_max_mg")),
                name="protocolversion_soft_max_not_above_hard_max",
                violation_error_message="The soft maximum must not be above the hard maximum.",
            ),
            models.CheckConstraint(
                condition=Q(min_weight_kg__lt=F("max_weight_kg")),
                name="protocolversion_weight_range_ordered",
                violation_error_message="The minimum weight must be below the maximum weight.",
            ),
            models.CheckConstraint(
                condition=Q(allowed_vial_mg_per_ml__len__gt=0),
                name="protocolversion_some_vial_allowed",
                violation_error_message="The protocol must allow at least one vial.",
            ),
            models.CheckConstraint(
                condition=Q(systolic_low_mmhg__lt=F("systolic_high_mmhg"))
                & Q(pulse_low_bpm__lt=F("pulse_high_bpm")),
                name="protocolversion_alert_ranges_ordered",
                violation_error_message="Each low alert threshold must be below the high one.",
            ),
            models.CheckConstraint(
                condition=Q(spo2_low_percent__lte=100) & Q(min_discharge_score__lte=10),
                name="protocolversion_percent_and_score_in_range",
                violation_error_message="SpO2 is at most 100% and a discharge score at most 10.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} · v{self.number}"

    @property
    def is_current(self) -> bool:
        current = self.protocol.current_version
        return current is not None and current.pk == self.pk

    def rules(self) -> DoseRules:
        """The dose arithmetic's view of this version: the one bridge to ``protocols.dosing``.

        Raises DoseInputError keyed by this model's field names if the numbers are
        inconsistent (``clean`` refuses such a version before it is saved).
        """
        return DoseRules(
            mg_per_kg=plain(self.mg_per_kg),
            infusion_minutes=self.infusion_minutes,
            rounding_step_mg=plain(self.rounding_step_mg),
            soft_max_mg=plain(self.soft_max_mg),
            hard_max_mg=plain(self.hard_max_mg),
            min_weight_kg=plain(self.min_weight_kg),
            max_weight_kg=plain(self.max_weight_kg),
            bag_volume_ml=plain(self.bag_volume_ml),
            allowed_vial_mg_per_ml=tuple(plain(c) for c in self.allowed_vial_mg_per_ml),
            vial_needs_dilution=tuple(plain(c) for c in self.vial_needs_dilution or ()),
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        dose_fields = (
            "mg_per_kg", "infusion_minutes", "rounding_step_mg", "soft_max_mg", "hard_max_mg",
            "min_weight_kg", "max_weight_kg", "bag_volume_ml", "allowed_vial_mg_per_ml",
        )  # fmt: skip
        # Field-level errors (a missing number) are reported by clean_fields; judge the rules
        # only when every number they need is there.
        if all(getattr(self, name) is not None for name in dose_fields):
            try:
                self.rules()
            except DoseInputError as error:
                errors.update(error.errors)
            except TypeError:
                pass  # a number that is not a number yet: clean_fields has already said so
        extra = set(self.vial_needs_dilution or ()) - set(self.allowed_vial_mg_per_ml or ())
        if extra:
            listed = ", ".join(f"{plain(c)} mg/mL" for c in sorted(extra))
            errors["vial_needs_dilution"] = f"{listed} is not in stock; list it there first."
        pairs = [
            ("systolic_low_mmhg", "systolic_high_mmhg", "the systolic"),
            ("pulse_low_bpm", "pulse_high_bpm", "the pulse"),
            ("rr_alert_at_or_below_per_min", "rr_alert_at_or_above_per_min",
             "the respiratory rate"),
        ]  # fmt: skip
        for low, high, what in pairs:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value >= high_value:
                errors[low] = f"Must be below {what} high alert ({high_value})."
        if self.spo2_low_percent is not None and self.spo2_low_percent > 100:
            errors["spo2_low_percent"] = "SpO2 is a percentage: at most 100."
        if self.min_discharge_score is not None and self.min_discharge_score > 10:
            errors["min_discharge_score"] = "Aldrete and PADSS scores run from 0 to 10."
        if (
            self.completion_tolerance_minutes is not None and self.infusion_minutes
            and self.completion_tolerance_minutes >= self.infusion_minutes
        ):  # fmt: skip
            errors["completion_tolerance_minutes"] = (
                "The tolerance must be shorter than the infusion."
            )
        if errors:
            raise ValidationError(errors)
