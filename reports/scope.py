"""What a report covers: a date range (inclusive, in each site's own calendar) and the sites,
checked against the sites the user may see (``clinic.access.locations_for``). A site id from
the query string that is not the user's is refused with a field error, never used."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from clinic.access import locations_for
from clinic.models import Location, User

DEFAULT_DAYS = 28
MAX_DAYS = 366


@dataclass(frozen=True)
class Scope:
    start: datetime.date
    end: datetime.date
    sites: tuple[Location, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict:
        """The SQL parameters every report query takes. ``lo``/``hi`` are a generous UTC
        window for the indexes; the exact test is each row's own site-local date."""
        return {
            "sites": [site.pk for site in self.sites],
            "start": self.start,
            "end": self.end,
            "lo": datetime.datetime.combine(
                self.start - datetime.timedelta(days=2), datetime.time.min, tzinfo=datetime.UTC
            ),
            "hi": datetime.datetime.combine(
                self.end + datetime.timedelta(days=2), datetime.time.min, tzinfo=datetime.UTC
            ),
        }

    def query_string(self) -> str:
        parts = [f"start={self.start.isoformat()}", f"end={self.end.isoformat()}"]
        return "&".join(parts + [f"site={site.pk}" for site in self.sites])


class ScopeForm(forms.Form):
    """The report filters, for the pages and the API alike (the API turns errors into 400)."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Site %(value)s is not one of your sites."},
        help_text="None ticked: all of your sites.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_sites = list(locations_for(user))
        self.fields["site"].queryset = locations_for(user)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            self.add_error("end", "The end is before the start.")
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", f"A report covers at most {MAX_DAYS} days.")
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        """The checked scope (call after ``is_valid()``). The chosen sites come from the
        user's own list, so no further query is made."""
        chosen = {site.pk for site in self.cleaned_data["site"]}
        sites = [site for site in self.user_sites if not chosen or site.pk in chosen]
        return Scope(self.cleaned_data["start"], self.cleaned_data["end"], tuple(sites))
