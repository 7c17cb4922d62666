"""The chair screen's forms: the check-in (escort, weight, pain, comfort; the write is one call
of ``infusions.services.infusion_check_in_full``) and one form per chair step. They validate
and tidy input only; every write is a service call."""

from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from clinic.api import id_param
from clinic.models import Location
from patients.selectors import primary_escort
from scheduling.forms import LOCAL_INPUT, LocalDateTimeInput, as_site_time

from ..scoring import DISCHARGE_ITEMS
from ..selectors.chart import comfort_offered

ESCORT_PRESENT, ESCORT_ON_THE_WAY = "present", "on_the_way"
BIG_NUMBER = {"inputmode": "decimal", "autocomplete": "off", "class": "big-input"}


class CheckInForm(forms.Form):
    escort_status = forms.ChoiceField(
        label="Escort",
        choices=[(ESCORT_PRESENT, "Escort is here"), (ESCORT_ON_THE_WAY, "Escort is on the way")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the escort is here or on the way."},
    )
    escort_name = forms.CharField(label="Escort's name", max_length=120)
    escort_phone = PhoneNumberField(
        label="Escort's phone",
        region="US",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    weight_value = forms.DecimalField(
        label="Today's weight",
        max_digits=6,
        decimal_places=2,
        widget=forms.TextInput(attrs={**BIG_NUMBER, "data-weight-input": "weight_unit"}),
        error_messages={"required": "Weigh the patient and enter the weight."},
    )
    weight_unit = forms.ChoiceField(
        label="Unit", choices=[("kg", "kg"), ("lb", "lb")], widget=forms.RadioSelect,
        error_messages={"required": "Choose the unit the scale shows: kg or lb."},
    )  # fmt: skip
    confirm_large_change = forms.BooleanField(
        label="I re-weighed and checked the unit: the weight is right", required=False
    )
    confirm_unusual_weight = forms.BooleanField(
        label="I checked the unit on the scale: this first weight is right", required=False
    )
    pain_nrs = forms.TypedChoiceField(
        label="Pain now (0-10)",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Ask the patient for their pain score, 0 to 10."},
    )
    comfort_applied = forms.MultipleChoiceField(
        label="Comfort preferences applied", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, appointment, **kwargs):
        patient = appointment.patient
        escort = primary_escort(patient)
        initial = {
            "escort_name": appointment.escort_name or (escort.name if escort else ""),
            "escort_phone": appointment.escort_phone or (escort.phone if escort else ""),
            **kwargs.pop("initial", {}),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["comfort_applied"].choices = comfort_offered(patient)

    @property
    def needs_confirmation(self) -> bool:
        """Show the confirm box: the service asked for it, or it is already ticked."""
        return "confirm_large_change" in self.errors or bool(self.data.get("confirm_large_change"))

    @property
    def needs_unusual_confirmation(self) -> bool:
        """Show the first-weight box: the service asked for it, or it is already ticked."""
        return "confirm_unusual_weight" in self.errors or bool(
            self.data.get("confirm_unusual_weight")
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "escort_present": data["escort_status"] == ESCORT_PRESENT,
            "escort_name": data["escort_name"],
            "escort_phone": data["escort_phone"],
            "weight_value": data["weight_value"],
            "weight_unit": data["weight_unit"],
            "confirm_large_change": data["confirm_large_change"],
            "confirm_unusual_weight": data["confirm_unusual_weight"],
            "pain_nrs": data["pain_nrs"],
            "comfort_applied": tuple(data["comfort_applied"]),
        }


# --- The chair steps ---------------------------------------------------------------------
# Each POST step of the chair screen (``infusions.steps``) reads its input through one of
# these forms. They only declare and tidy what was typed: text is stripped ("" when absent),
# ticks are booleans, row ids are ints or None. Whether a value is missing, out of range or
# not allowed now is the service's to say, in the same words the API gives.


class RowIdField(forms.CharField):
    """A posted row id: ASCII digits within an id's range, else None (the step says which
    row it needed, rather than a 500)."""

    def to_python(self, value):
        return id_param(super().to_python(value))


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(required=False, **kwargs)


def _tick() -> forms.BooleanField:
    return forms.BooleanField(required=False)


def _site_time(**kwargs) -> forms.DateTimeField:
    """A time typed at the site's wall clock (date and time: a chart left open overnight)."""
    return forms.DateTimeField(
        required=False, input_formats=[LOCAL_INPUT], widget=LocalDateTimeInput(), **kwargs
    )


class LateEntry(forms.Form):
    """When a step happened, for one charted late (empty: now), and why it is late."""

    at = _site_time(label="When it happened")
    late_reason = _text(label="Why it is charted late")

    def late_entry(self, location: Location) -> dict:
        data = self.cleaned_data
        return {"at": as_site_time(location, data["at"]), "late_reason": data["late_reason"]}


class NoInputForm(forms.Form):
    """A step that is only a button (start, recovery)."""


class ReasonForm(forms.Form):
    """Pause, stop, a discharge override, undoing a check-in: why."""

    reason = _text()


class RecoveryForm(LateEntry):
    """To recovery: a button, and a time when charted late."""


class StopForm(LateEntry, ReasonForm):
    """Stop early: why, and a time when charted late."""


class NotGivenForm(LateEntry, ReasonForm):
    """Not given today: why, and a time when charted late."""


class VitalsForm(forms.Form):
    NUMBERS = ("systolic_mmhg", "diastolic_mmhg", "pulse_bpm", "spo2_percent",
               "respiratory_rate_per_min", "temperature_c")  # fmt: skip

    systolic_mmhg = _text()
    diastolic_mmhg = _text()
    pulse_bpm = _text()
    spo2_percent = _text()
    respiratory_rate_per_min = _text()
    temperature_c = _text()
    consciousness = _text()
    on_oxygen = _tick()
    confirm_implausible = _tick()
    taken_at = _site_time(label="When it was taken")

    def service_kwargs(self, location: Location) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] or None for name in self.NUMBERS},
            "consciousness": data["consciousness"],
            "on_oxygen": data["on_oxygen"],
            "confirm_implausible": data["confirm_implausible"],
            "taken_at": as_site_time(location, data["taken_at"]),  # None: now
        }


class SideEffectForm(forms.Form):
    side_effect = _text()
    severity = _text()
    note = _text()
    intervention = _text()
    intervention_drug = _text()
    intervention_dose = _text()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, 7):
            self.fields[f"cadss_{n}"] = _text()

    def cadss_items(self) -> dict | None:
        """The six CADSS items as whole numbers, or None when none was scored."""
        items = {f"item_{n}": self.cleaned_data[f"cadss_{n}"] for n in range(1, 7)}
        if not any(items.values()):
            return None
        try:
            return {name: int(value) for name, value in items.items()}
        except ValueError:
            raise ValidationError({"cadss_items": "Score all six CADSS items 0-4."}) from None

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = ("side_effect", "severity", "note", "intervention", "intervention_drug",
                  "intervention_dose")  # fmt: skip
        return {**{name: data[name] for name in fields}, "cadss_items": self.cadss_items()}


class DoseGivenForm(forms.Form):
    """Complete, or the dose given before an early stop."""

    administered_mg = _text()


class CompleteForm(LateEntry, DoseGivenForm):
    """Complete: the mg given, and a time when charted late."""


class AcknowledgeForm(forms.Form):
    alert = RowIdField(required=False)
    action = _text()
    note = _text()
    physician = RowIdField(required=False)


class AcknowledgementCorrectionForm(AcknowledgeForm):
    acknowledgement = RowIdField(required=False)
    reason = _text()


class CorrectionForm(forms.Form):
    """A vitals reading or an event entered in error: ``entry`` is "vitals:<id>" or
    "event:<id>"."""

    entry = _text()
    reason = _text()

    def target(self) -> tuple[str, int | None]:
        kind, _, pk = self.cleaned_data["entry"].partition(":")
        return kind, id_param(pk)


class DischargeForm(forms.Form):
    """The discharge assessment: a PADSS or modified Aldrete score (each scale's items are
    named ``<scale>__<item>``), the escort, pain, instructions."""

    score_type = _text()
    escort_present = _tick()
    escort_name = _text()
    pain_nrs = RowIdField(required=False)  # ASCII digits only: "²" is no score
    instructions_given = _tick()
    vitals_override_reason = _text()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for scale, items in DISCHARGE_ITEMS.items():
            for name in items:
                self.fields[f"{scale}__{name}"] = RowIdField(required=False)

    def assessment(self) -> dict:
        """The form's fields as the discharge services take them."""
        data = self.cleaned_data
        score_type = data["score_type"]
        items = {
            name: data[f"{score_type}__{name}"] for name in DISCHARGE_ITEMS.get(score_type, ())
        }
        return {
            "score_type": score_type, "item_scores": items,
            "escort_present": data["escort_present"], "escort_name": data["escort_name"],
            "pain_nrs": data["pain_nrs"], "instructions_given": data["instructions_given"],
            "vitals_override_reason": data["vitals_override_reason"],
        }  # fmt: skip


class DischargeEntryForm(LateEntry, DischargeForm):
    """Discharge: the assessment, and a time when charted late."""


class DischargeCorrectionForm(DischargeForm):
    discharge = RowIdField(required=False)
    reason = _text()


class EscortArrivedForm(forms.Form):
    escort_name = _text()
    escort_phone = _text()


class EarlyStopReviewForm(forms.Form):
    note = _text()
