"""HTML forms of the controlled-substance log: the draw, the account of an infusion's drug
(with a witness), the end-of-day reconciliation. They validate input only; every write is a
service call."""

from django import forms

from clinic.models import User
from clinic.roles import Role
from protocols.models import plain

from .orders import DECIMAL, PASSWORD, code_field


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
