"""The forms of the daily close and of giving a paper (superbill, estimate) as a PDF."""

from django import forms

from .models import CLOSE_METHODS, IssueMethod

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class CloseForm(forms.Form):
    """What the desk counted by method, and why a count differs from the ledger."""

    def __init__(self, *args, expected: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for method, stem in CLOSE_METHODS:
            self.fields[f"counted_{stem}_usd"] = forms.DecimalField(
                label=f"{method.label} counted (USD)", **MONEY,
                help_text=f"The ledger says ${expected[stem]}.",
            )  # fmt: skip
            self.fields[f"{stem}_reason"] = forms.CharField(
                label=f"{method.label}: why it differs", max_length=300, required=False
            )
        self.expected = expected

    def counted(self) -> dict:
        return {stem: self.cleaned_data[f"counted_{stem}_usd"] for _m, stem in CLOSE_METHODS}

    def reasons(self) -> dict:
        return {stem: self.cleaned_data[f"{stem}_reason"] for _m, stem in CLOSE_METHODS}

    def rows(self):
        return [(self[f"counted_{stem}_usd"], self[f"{stem}_reason"], self.expected[stem])
                for _m, stem in CLOSE_METHODS]  # fmt: skip


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why reopen the day")


class SendForm(forms.Form):
    method = forms.ChoiceField(choices=IssueMethod.choices, widget=forms.RadioSelect,
                               initial=IssueMethod.DOWNLOAD, label="Give it as")  # fmt: skip
