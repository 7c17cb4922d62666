"""The lead report reads what the pipeline writes: the source the forms set, the patient a
converted request links to (also when that patient declines afterwards)."""

import datetime

from django.utils import timezone

from patients import services as patients
from reports.scope import Scope
from reports.selectors import leads


def by_source(report) -> dict:
    found = next(t for t in report.tables if t.key == "by_source")
    return {row["source_name"]: row for row in found.rows}


def register(request, front_desk, site, first):
    return patients.consultation_convert(
        request=request, registered_by=front_desk, legal_first_name=first,
        legal_last_name="Lead", date_of_birth=datetime.date(1980, 1, 1), phone=request.phone,
        home_location=site,
    )  # fmt: skip


def test_the_lead_report_counts_the_pipelines_sources_and_registrations(front_desk, site):
    phones = iter(range(130, 140))

    def ask(name, **fields):
        return patients.consultation_submit(
            name=name, phone=f"+19495550{next(phones)}", preferred_location=site, **fields
        )

    ask("Web One")
    register(ask("Web Two"), front_desk, site, "Web")
    ask("Phone One", source="phone", taken_by=front_desk)
    referred = ask("Ref One", source="referral", referred_by="Dr. Kim", taken_by=front_desk)
    register(referred, front_desk, site, "Ref")
    patients.consultation_close(request=referred, closed_by=front_desk, reason="Cost")
    today = timezone.localdate()
    rows = by_source(leads(Scope(today, today, (site,))))
    assert {name: (row["requests"], row["registered"]) for name, row in rows.items()} == {
        "Phone call": (1, 0),
        "Referral": (1, 1),  # registered, then declined: it did become a patient
        "Website form": (2, 1),
        "All sources": (4, 2),
    }
