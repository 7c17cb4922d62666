"""HTML forms of billing. They validate input only; every write is a service call."""

import uuid
from decimal import Decimal

from django import forms

from .models import CheckMethod, CheckResult, Coverage, DeliveryMethod, Funding, PaymentMethod
from .services.coverage import COVERAGE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"min_value": Decimal("0.01"), "max_digits": 10, "decimal_places": 2}


class CoverageForm(forms.ModelForm):
    class Meta:
        model = Coverage
        fields = list(COVERAGE_FIELDS)
        widgets = {
            "effective_from": DATE, "effective_to": DATE, "subscriber_date_of_birth": DATE,
            "rank": forms.RadioSelect,
        }  # fmt: skip
        help_texts = {"subscriber_name": "Leave empty when the patient is the subscriber."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscriber_name"].required = False

    def _post_clean(self):
        pass  # the service builds, cleans and saves the row (a new version, never this one)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in COVERAGE_FIELDS}


class CoverageChangeForm(CoverageForm):
    change_reason = forms.CharField(
        max_length=300, label="Why it changes", widget=forms.TextInput(
            attrs={"placeholder": "New card, plan changed at open enrolment..."}
        )
    )  # fmt: skip


class CoverageEndForm(forms.Form):
    ended_on = forms.DateField(label="Last day covered", widget=DATE)
    change_reason = forms.CharField(max_length=300, label="Why it ends")


class PaymentChoiceForm(forms.Form):
    funding = forms.ChoiceField(choices=Funding.choices, widget=forms.RadioSelect, label="Who pays")
    reason = forms.CharField(max_length=300, required=False)


class BenefitsCheckForm(forms.Form):
    method = forms.ChoiceField(
        choices=[(CheckMethod.PHONE, "Phone"), (CheckMethod.PORTAL, "Payer portal")],
        widget=forms.RadioSelect, label="How",
    )  # fmt: skip
    result = forms.ChoiceField(choices=CheckResult.choices, widget=forms.RadioSelect)
    reference_number = forms.CharField(max_length=60, label="Reference number")
    patient_responsibility_usd = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_digits=10, decimal_places=2,
        label="Expected patient responsibility (USD)", help_text="Per infusion, as the payer said.",
    )  # fmt: skip
    note = forms.CharField(max_length=500, required=False)


class PriceListForm(forms.Form):
    """A new version of a site's prices: one field per price (``price_key``)."""

    location = forms.ModelChoiceField(queryset=None, label="Site", empty_label=None)
    effective_from = forms.DateField(label="Prices from", widget=DATE)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, sites, **kwargs):
        from .models import PriceKind
        from .services.prices import PRICE_SLOTS, REQUIRED, price_key

        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = sites
        self.price_keys = []
        for kind, infusions in PRICE_SLOTS:
            key = price_key(kind, infusions)
            label = PriceKind(kind).label
            if kind == PriceKind.PACKAGE:
                label = f"Package of {infusions} infusions"
            self.fields[key] = forms.DecimalField(
                label=f"{label} (USD)", required=(kind, infusions) in REQUIRED,
                max_digits=10, decimal_places=2,
            )  # fmt: skip
            self.price_keys.append(key)

    def prices(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.price_keys}


class EstimateForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=None, required=False, label="For the course",
        help_text="Leave empty for an estimate the patient asked for before booking.",
    )  # fmt: skip
    infusions = forms.IntegerField(
        min_value=1, max_value=24, required=False,
        help_text="Without a course: how many infusions to estimate.",
    )  # fmt: skip
    consultation = forms.BooleanField(required=False, label="Include the consultation")

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


class EstimateUpdateForm(forms.Form):
    infusions = forms.IntegerField(min_value=1, max_value=24, required=False)
    consultation = forms.BooleanField(required=False, label="Include the consultation")
    change_reason = forms.CharField(max_length=300, label="What changed")


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(choices=DeliveryMethod.choices, widget=forms.RadioSelect)


def _money(label="Amount (USD)", **kwargs):
    return forms.DecimalField(label=label, **MONEY, **kwargs)


class OnceForm(forms.Form):
    """A desk form that moves money: its one-time key, made when the form is shown, goes
    with the entry it writes, so the same form sent again (Back, then Record again; a
    retry) finds that entry instead of writing a second (``ledger.earlier_entry``)."""

    form_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_key"] = uuid.uuid4().hex


class PaymentForm(OnceForm):
    location = forms.ModelChoiceField(
        queryset=None, label="Taken at", empty_label=None,
        help_text="The site whose drawer and day's close the money goes to.",
    )  # fmt: skip
    amount_usd = _money()
    method = forms.ChoiceField(
        choices=PaymentMethod.choices, widget=forms.RadioSelect, label="Paid by"
    )
    reference = forms.CharField(
        max_length=60, required=False,
        help_text="Card: the terminal's reference. Check: its number. Never a card number.",
    )  # fmt: skip
    # Shown only when the same payment was just recorded (``ledger.refuse_repeat``).
    confirm_repeat = forms.BooleanField(
        required=False, label="Yes: this is a second payment, record it too"
    )

    def __init__(self, *args, sites, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = sites
        self.fields["location"].initial = site


class ChargeForm(OnceForm):
    price_item = forms.ModelChoiceField(queryset=None, required=False, label="Price list item")
    amount_usd = _money(required=False, help_text="Empty: the item's price.")
    description = forms.CharField(max_length=200, required=False)
    appointment = forms.ModelChoiceField(queryset=None, required=False, label="For the visit")

    def __init__(self, *args, items, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_item"].queryset = items
        self.fields["appointment"].queryset = visits


class AdjustmentForm(OnceForm):
    direction = forms.ChoiceField(
        choices=[("credit", "Credit: the patient owes less"),
                 ("debit", "Debit: the patient owes more")],
        widget=forms.RadioSelect,
    )  # fmt: skip
    amount_usd = _money()
    reason = forms.CharField(max_length=300)


class RefundForm(OnceForm):
    amount_usd = _money()
    reason = forms.CharField(max_length=300)
    reference = forms.CharField(max_length=60, required=False)
