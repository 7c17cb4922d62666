"""The desk's forms for card payments through the provider and course packages."""

import uuid

from django import forms

from .forms import OnceForm, _money
from .models import PACKAGE_SIZES


class CardPaymentForm(forms.Form):
    amount_usd = _money()
    # Made when the form is shown: a form posted twice (a double click, a retry) is one
    # payment, here and at the provider.
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class PackageSellForm(OnceForm):
    infusions = forms.TypedChoiceField(
        choices=[(n, f"{n} infusions") for n in PACKAGE_SIZES], coerce=int,
        widget=forms.RadioSelect, label="Package",
    )  # fmt: skip
    # Shown only when the same package was just sold (``ledger.refuse_repeat``).
    confirm_repeat = forms.BooleanField(
        required=False, label="Yes: sell a second package, charge it too"
    )


class PackageReleaseForm(OnceForm):
    infusions = forms.IntegerField(min_value=1, max_value=12, label="Unused infusions to give back")
    reason = forms.CharField(max_length=250)


class ChargeReviewWaiveForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is not charged")
