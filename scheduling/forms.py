"""HTML forms for scheduling. They validate input only; every write is a service call.

Times are typed as the site's wall-clock time: a form field turns "2027-03-09T09:00" into an
aware datetime in the *site's* zone (not the server's), so 09:00 stays 09:00 across a
daylight-saving change.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import Location
from patients.selectors import patients_for
from protocols.models import Protocol

from .models import Chair, ConsultationMode, LocationSchedule, OpeningHours
from .selectors.scope import nurses_at, physicians_at
from .services import Wishes, local_datetime
from .services.consultations import ALLOWED_MINUTES, CONSULTATION_MINUTES

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def protocols():
    """Active protocols, with their versions (the planner shows each one's duration)."""
    return Protocol.objects.active().with_versions()


def as_site_time(location: Location, value: datetime.datetime | None):
    """A datetime-local input's value, read as wall-clock time at the site."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return local_datetime(location, naive.date(), naive.time())


def site_input_value(location: Location, moment: datetime.datetime) -> str:
    return location.local(moment).strftime(LOCAL_INPUT)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


class PlannerForm(forms.Form):
    WEEKDAYS = [(str(value), label) for value, label in OpeningHours.Weekday.choices]

    # Picked by typing (scheduling/_patient_picker.html: an htmx search that offers radio
    # buttons), not from a dropdown of every patient; the queryset still scopes the pick.
    patient = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    protocol = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None, label="Site")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, label="Preferred weekdays"
    )
    preferred_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    sessions_per_week = forms.IntegerField(min_value=1, max_value=7, initial=3)
    planned_infusions = forms.IntegerField(
        min_value=1, max_value=50, initial=10, label="Planned infusions"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = (
            patients_for(user).active().order_by("legal_last_name", "legal_first_name")
        )
        self.fields["protocol"].queryset = protocols()
        self.fields["location"].queryset = locations_for(user)
        self.fields["weekdays"].initial = ["0", "2", "4"]

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < timezone.localdate():
            raise ValidationError("The course cannot start in the past.")
        return start

    def clean(self):
        cleaned = super().clean()
        location, count = cleaned.get("location"), cleaned.get("planned_infusions")
        if location and count is not None:
            # The site's own limits, so the front desk hears it before proposing.
            rules = LocationSchedule.for_location(location)
            if not rules.min_infusions <= count <= rules.max_infusions:
                self.add_error(
                    "planned_infusions",
                    f"A course at {location} has {rules.min_infusions} to "
                    f"{rules.max_infusions} infusions, not {count}.",
                )
        return cleaned

    def wishes(self) -> Wishes:
        data = self.cleaned_data
        return Wishes(
            start_date=data["start_date"],
            weekdays=tuple(int(day) for day in data["weekdays"]),
            preferred_time=data["preferred_time"],
            sessions_per_week=data["sessions_per_week"],
            planned_infusions=data["planned_infusions"],
        )


class ChairChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, chair: Chair) -> str:
        return chair.name  # the site is chosen above; "Irvine · Chair 1" repeats it


class ListedChoiceField(forms.ChoiceField):
    """A choice among model objects read once and shared by every row of a form set. A
    ``ModelChoiceField`` queries per row (its options when drawn, the object when cleaned):
    a proposal of 12 sessions made 48 queries. Same options, values and messages."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, objects, *, label_of=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        choices = [("", "---------")] + [(str(o.pk), label_of(o)) for o in objects]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = self.objects.get(str(getattr(value, "pk", value)))
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class SiteSessionForm(forms.Form):
    """A session's start, chair and nurse at one site: the chairs in service and the nurses
    are that site's, and the start is read on the site's wall clock. ``chairs`` and
    ``nurses``, when given, are those lists read once (a form set's rows share them)."""

    starts_at = forms.DateTimeField(
        label="Starts", widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )
    chair = ChairChoiceField(queryset=None)
    nurse = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, location, chairs=None, nurses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location
        if chairs is None:
            self.fields["chair"].queryset = Chair.objects.in_service().filter(location=location)
        else:
            self.fields["chair"] = ListedChoiceField(chairs, label_of=lambda chair: chair.name)
        if nurses is None:
            self.fields["nurse"].queryset = nurses_at(location)
        else:
            self.fields["nurse"] = ListedChoiceField(nurses)

    def clean_starts_at(self):
        return as_site_time(self.location, self.cleaned_data["starts_at"])


class SessionForm(SiteSessionForm):
    """One row of the proposal table; the front desk may change any of it."""

    note = forms.CharField(required=False, widget=forms.HiddenInput)


class BaseSessionFormSet(forms.BaseFormSet):
    """Reads the site's chairs in service and its nurses once for all the rows."""

    def __init__(self, *args, form_kwargs=None, **kwargs):
        form_kwargs = dict(form_kwargs or {})
        if (location := form_kwargs.get("location")) is not None:
            chairs = Chair.objects.in_service().filter(location=location)
            form_kwargs.setdefault("chairs", list(chairs))
            form_kwargs.setdefault("nurses", list(nurses_at(location)))
        super().__init__(*args, form_kwargs=form_kwargs, **kwargs)


SessionFormSet = forms.formset_factory(
    SessionForm, formset=BaseSessionFormSet, extra=0, max_num=50, validate_max=True
)


class RescheduleForm(SiteSessionForm):
    reason = forms.CharField(max_length=200, required=False, label="Why it moves")

    def __init__(self, *args, appointment, **kwargs):
        location = appointment.location
        kwargs.setdefault(
            "initial",
            {
                "starts_at": site_input_value(location, appointment.starts_at),
                "chair": appointment.chair_id,
                "nurse": appointment.nurse_id,
            },
        )
        super().__init__(*args, location=location, **kwargs)
        self.fields["starts_at"].label = "New start"


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class ConsultationCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: the caller's words, or the clinic's.",
    )  # fmt: skip
    back_to_contacted = forms.BooleanField(
        required=False, initial=True, label='Move the request back to "contacted"',
        help_text='Unticked: it stays "consultation booked" while you book the new time.',
    )  # fmt: skip


class ConsultationForm(forms.Form):
    """A consultation at the request's site: a physician of that site, a start on the site's
    clock, in person or by telehealth."""

    starts_at = forms.DateTimeField(
        label="Starts", widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )
    minutes = forms.TypedChoiceField(
        choices=[(m, f"{m} min") for m in ALLOWED_MINUTES], coerce=int,
        initial=CONSULTATION_MINUTES, label="Length",
    )  # fmt: skip
    physician = forms.ModelChoiceField(queryset=None)
    mode = forms.ChoiceField(choices=ConsultationMode.choices, widget=forms.RadioSelect)

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location
        self.fields["physician"].queryset = physicians_at(location)
        self.fields["mode"].initial = ConsultationMode.IN_PERSON

    def clean_starts_at(self):
        return as_site_time(self.location, self.cleaned_data["starts_at"])
