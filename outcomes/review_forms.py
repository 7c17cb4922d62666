"""The physician's review form (the decision, the reason, and the protocol to change to) and
the front desk's booster forms (a date to look for free times from; the chosen time)."""

from django import forms

from clinic.models import User
from protocols.models import Protocol
from scheduling.models import Chair

from .models import Decision


class CourseReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label="Decision"
    )
    new_protocol = forms.ModelChoiceField(
        queryset=Protocol.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Change to protocol",
        help_text="Only when changing the protocol.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What in the outcome led to the decision.",
    )


class BoosterDateForm(forms.Form):
    date = forms.DateField(
        label="Or look from", widget=forms.DateInput(attrs={"type": "date"}), required=True
    )


class BoosterTimeForm(forms.Form):
    """One of the offered times, as the option's button posts it (all three, or none: the
    planner's first free time)."""

    starts_at = forms.DateTimeField(required=False)
    chair = forms.ModelChoiceField(queryset=Chair.objects.none(), required=False)
    nurse = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Chair.objects.filter(location=location)

    def chosen(self) -> dict:
        data = self.cleaned_data
        if not any(data.get(name) for name in ("starts_at", "chair", "nurse")):
            return {}
        return {name: data.get(name) for name in ("starts_at", "chair", "nurse")}
