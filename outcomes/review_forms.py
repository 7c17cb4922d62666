"""The physician's review form: the decision, the reason, and the protocol to change to."""

from django import forms

from protocols.models import Protocol

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
