"""HTML forms for dose orders, double-checks and signing. They validate input only; every
write is a service call."""

from django import forms
from django.utils import timezone

from protocols.models import plain

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class DoseOrderForm(forms.Form):
    weight = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        label="Weight to dose from",
        error_messages={"required": "Record today's weight first, then choose it here."},
    )
    vial_mg_per_ml = forms.TypedChoiceField(
        label="Vial concentration", coerce=str, widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        required=False,
        label="Soft-limit override reason (physicians only)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if the dose is above the protocol's soft maximum.",
    )

    def __init__(self, *args, weights, version, physician: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].queryset = weights
        self.fields["weight"].label_from_instance = lambda weight: (
            f"{weight.weight_kg} kg ({weight.weight_lb} lb), measured "
            f"{timezone.localtime(weight.measured_at):%m/%d %H:%M}"
        )
        vials = [plain(c) for c in version.allowed_vial_mg_per_ml]
        self.fields["vial_mg_per_ml"].choices = [(str(c), f"{c} mg/mL") for c in vials]
        if len(vials) == 1:
            self.fields["vial_mg_per_ml"].initial = str(vials[0])
        if not physician:
            del self.fields["override_reason"]


class DoseCheckForm(forms.Form):
    entered_mg = forms.DecimalField(
        label="Dose you calculated (mg)",
        max_digits=8,
        decimal_places=3,
        min_value=0,
        help_text="Work it out yourself from the weight and the protocol; round down to the "
        "protocol's step.",
        widget=forms.TextInput(attrs=DECIMAL),
    )


# One-time codes: digits keypad, never remembered by the browser; passwords stay masked.
CODE = {"inputmode": "numeric", "autocomplete": "off", "class": "code-input"}
PASSWORD = {"autocomplete": "off", "class": "code-input"}


class CodeInput(forms.TextInput):
    """A one-time code is never shown again after a refused attempt: type the next one."""

    def format_value(self, value):
        return None


def code_field(label: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        required=required, max_length=20, label=label, widget=CodeInput(attrs=CODE),
        help_text="The 6-digit code your authenticator app shows now (or a backup code).",
        error_messages={"required": "Enter the current code from your authenticator app."},
    )  # fmt: skip


class SignForm(forms.Form):
    """The signer steps up at the moment of signing: their authenticator's current code, or
    their password when they have no authenticator (``step_up.signer_confirm``)."""

    override_reason = forms.CharField(
        required=False,
        label="Reason to give a dose above the soft maximum",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    otp_token = code_field("Your two-factor code", required=True)
    password = forms.CharField(
        label="Your password", strip=False,
        error_messages={"required": "Enter your password to sign."},
        widget=forms.PasswordInput(attrs=PASSWORD),
        help_text="You have no authenticator app: confirm with your password.",
    )  # fmt: skip

    def __init__(self, *args, uses_code: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["password" if uses_code else "otp_token"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
