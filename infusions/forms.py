"""HTML forms for dose orders, double-checks and the drug log. They validate input only;
every write is a service call."""

from django import forms
from django.utils import timezone

from clinic.models import User
from clinic.roles import Role
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


class DrawForm(forms.Form):
    lot = forms.ModelChoiceField(queryset=None, label="Lot", empty_label=None)
    ml = forms.DecimalField(
        label="Volume drawn (mL)", max_digits=8, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs=DECIMAL),
    )  # fmt: skip

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["lot"].label_from_instance = lambda lot: (
            f"{lot.lot_number}: {plain(lot.concentration_mg_per_ml)} mg/mL, "
            f"expires {lot.expires_on:%m/%d/%Y}"
        )


class AccountForm(forms.Form):
    administered_mg = forms.DecimalField(
        label="Given (mg)", max_digits=10, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs=DECIMAL),
    )  # fmt: skip
    wasted_mg = forms.DecimalField(
        label="Wasted (mg)", max_digits=10, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs=DECIMAL),
    )  # fmt: skip
    witness = forms.ModelChoiceField(
        queryset=None, required=False, label="Waste witnessed by", empty_label="No waste"
    )
    witness_password = forms.CharField(
        required=False, label="Witness's password", strip=False,
        widget=forms.PasswordInput(attrs=PASSWORD),
        help_text="The witness types it here, now.",
    )  # fmt: skip
    witness_otp_token = code_field("Witness's two-factor code (if they use an authenticator)")

    def __init__(self, *args, location, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = (
            User.objects.filter(is_active=True, locations=location)
            .filter(groups__name__in=[Role.NURSE.label, Role.PHYSICIAN.label])
            .exclude(pk=user.pk)
            .distinct()
        )


class ReconcileForm(forms.Form):
    """One 'mL counted' field per lot to count."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        for lot in lots:
            self.fields[f"lot_{lot.pk}"] = forms.DecimalField(
                label=f"Lot {lot.lot_number} ({plain(lot.concentration_mg_per_ml)} mg/mL): "
                "mL counted on hand",
                max_digits=10, decimal_places=2, min_value=0,
                widget=forms.TextInput(attrs=DECIMAL),
            )  # fmt: skip

    def counted_ml(self) -> dict:
        return {lot.pk: self.cleaned_data[f"lot_{lot.pk}"] for lot in self.lots}

    def lot_fields(self):
        return [self[f"lot_{lot.pk}"] for lot in self.lots]
