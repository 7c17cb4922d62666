"""HTML forms of the waitlist. They validate input only; every write is a service call."""

from django import forms
from django.utils import timezone

from patients.selectors import patients_for
from scheduling.models import Appointment, OpeningHours
from scheduling.selectors.visits import CHANGEABLE

from .models import WaitlistEntry, Wish

WEEKDAYS = [(str(value), label) for value, label in OpeningHours.Weekday.choices]


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, session) -> str:
        local = session.location.local(session.starts_at)
        number = f"infusion {session.sequence}, " if session.sequence else ""
        return f"{session.patient.display_name}: {number}{local:%a %m/%d/%Y %H:%M}"


class EntryForm(forms.Form):
    # Picked by typing (scheduling/_patient_picker.html), as in the planner.
    patient = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    wish = forms.ChoiceField(choices=Wish.choices, widget=forms.RadioSelect, label="Wants to")
    appointment = SessionChoice(
        queryset=None,
        required=False,
        label="Session to move earlier",
        help_text="Only for moving a booked session earlier: the picked patient's sessions here.",
    )
    earliest_date = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    latest_date = forms.DateField(
        required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple,
        label="Days the patient can come", help_text="None ticked: any day.",
    )  # fmt: skip
    earliest_time = forms.TimeField(
        required=False, label="Not before", widget=forms.TimeInput(attrs={"type": "time"})
    )
    latest_time = forms.TimeField(
        required=False, label="Not after", widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, user, location, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = patients_for(user).active()
        sessions = Appointment.objects.filter(
            location=location,
            status__in=CHANGEABLE,
            starts_at__gt=timezone.now(),
        ).select_related("patient", "location")
        # The picked patient's sessions (none until a patient is picked; see the view).
        picked = sessions.filter(patient=patient) if patient is not None else sessions.none()
        self.fields["appointment"].queryset = picked.order_by("starts_at")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["weekdays"] = [int(day) for day in data["weekdays"]]
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class FillForm(forms.Form):
    entry = forms.ModelChoiceField(queryset=WaitlistEntry.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class OfferForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(
        queryset=WaitlistEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick who to offer the time to."},
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries
