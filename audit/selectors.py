"""Reads of the access log."""

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.models import User
from patients.models import Patient
from patients.selectors import patients_for

from .models import AccessLog


def patient_for_report(user: User, pk) -> Patient:
    """The patient, if their home site is one the clinic admin may see; 404 otherwise."""
    return get_object_or_404(patients_for(user), pk=pk)


def patient_accesses(
    patient: Patient, *, since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet[AccessLog]:
    """Who read this patient's record, newest first; ``until`` includes that whole day
    (days in UTC, as the log is kept)."""
    rows = AccessLog.objects.filter(patient=patient).select_related("user")
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows.order_by("-at", "-pk")
