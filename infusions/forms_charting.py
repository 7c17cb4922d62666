"""The chairside check-in form: it validates input only; the write is one service call
(``infusions.services.infusion_check_in_full``)."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from patients.selectors import primary_escort

from .services import comfort_offered

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

    def add_service_error(self, error) -> None:
        """Put a service's ValidationError on the fields it names (the rest on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)
