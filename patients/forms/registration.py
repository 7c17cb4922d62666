"""Front-desk forms: registration, edits, escorts, consent and consultation requests."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from clinic.models import Location

from ..models import CommunicationConsent, ConsultationRequest, ContactAttempt, Patient
from ..services.registration import PATIENT_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Field groups, in the order the registration form shows them.
PATIENT_GROUPS = (
    ("Identity", ("legal_first_name", "legal_last_name", "preferred_name", "date_of_birth",
                  "sex", "preferred_language", "home_location")),
    ("Contact", ("phone", "email")),
    ("Address", ("address_line1", "address_line2", "city", "state", "postal_code")),
    ("Insurance or self-pay", ("payment", "insurance_payer", "insurance_member_id")),
    ("Comfort preferences", ("comfort_dim_lights", "comfort_eye_mask", "comfort_music",
                             "comfort_aromatherapy", "comfort_blanket", "comfort_notes")),
)  # fmt: skip


class PatientForm(forms.ModelForm):
    """The Patient fields the front desk may set. Never saved directly: see the views."""

    allow_duplicate = forms.BooleanField(
        required=False, label="This is a different person: register a new record"
    )

    class Meta:
        model = Patient
        fields = [name for _, names in PATIENT_GROUPS for name in names]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "payment": forms.RadioSelect,
            "sex": forms.RadioSelect,
            "comfort_notes": forms.TextInput,
        }
        help_texts = {"phone": "US numbers as typed, e.g. (949) 555-0123."}

    def __init__(self, *args, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["home_location"].queryset = locations
        self.fields["home_location"].empty_label = None
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="tel")
        self.fields["email"].widget.attrs.update(autocomplete="email")

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in PATIENT_GROUPS]

    def patient_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}


class DeactivateForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason for deactivation")


class EscortForm(forms.Form):
    name = forms.CharField(max_length=120)
    relationship = forms.CharField(max_length=60, help_text="e.g. spouse, daughter, friend")
    phone = PhoneNumberField(widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(required=False)
    is_primary = forms.BooleanField(
        required=False, label="Primary escort (replaces the current primary)"
    )


class ConsentSignForm(forms.Form):
    typed_name = forms.CharField(
        max_length=200, label="Patient types their full legal name", widget=forms.TextInput(
            attrs={"autocomplete": "off"})
    )  # fmt: skip


class CommunicationConsentForm(forms.Form):
    channel = forms.ChoiceField(
        choices=CommunicationConsent.Channel.choices, widget=forms.RadioSelect
    )
    granted = forms.TypedChoiceField(
        choices=[("yes", "Granted"), ("no", "Refused / withdrawn")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Consent",
    )
    method = forms.ChoiceField(choices=CommunicationConsent.Method.choices)


class ConsultationRequestForm(forms.Form):
    """The public "contact us" form. ``website`` is a honeypot hidden by CSS."""

    name = forms.CharField(max_length=150, label="Your name")
    phone = PhoneNumberField(widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(required=False)
    preferred_location = forms.ModelChoiceField(
        queryset=Location.objects.none(), label="Preferred clinic", empty_label=None
    )
    message = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_location"].queryset = Location.objects.filter(is_active=True)

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())


class CloseRequestForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why was this request declined or lost?")


class DeskRequestForm(forms.Form):
    """A request the front desk takes: a phone call or a referral (the website form is the
    public one)."""

    source = forms.ChoiceField(
        choices=[c for c in ConsultationRequest.Source.choices if c[0] != "website"],
        widget=forms.RadioSelect,
    )
    referred_by = forms.CharField(
        max_length=150, required=False, label="Referring clinician",
        help_text="For a referral: name and practice.",
    )  # fmt: skip
    name = forms.CharField(max_length=150)
    phone = PhoneNumberField(widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(required=False)
    date_of_birth = forms.DateField(required=False, widget=DATE_INPUT, label="Date of birth")
    preferred_location = forms.ModelChoiceField(
        queryset=Location.objects.none(), label="Preferred clinic", empty_label=None
    )
    message = forms.CharField(
        max_length=2000, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_location"].queryset = locations


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(choices=ContactAttempt.Channel.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(choices=ContactAttempt.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(max_length=300, required=False)
