"""Clinic admin pages: who looked at a patient's record, and the right-of-access export.

Only clinic admins: the admin is the clinic's privacy officer, who answers a patient's
request for their record or for an accounting of who saw it (HIPAA 164.524 and 164.528).
Physicians read the chart they treat from; a full bulk export is not a treatment need.
"""

import csv
import datetime

from django.http import HttpResponse
from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import Role

from .export import as_json, patient_record
from .forms import AccessFilterForm
from .selectors import patient_accesses, patient_for_report

PAGE_ROWS = 500


def _filtered(request, patient):
    form = AccessFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    else:
        since = until = None
    return form, patient_accesses(patient, since=since, until=until)


@role_required(Role.CLINIC_ADMIN)
def patient_access(request, pk):
    patient = patient_for_report(request.user, pk)
    form, rows = _filtered(request, patient)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"patient": patient, "form": form, "rows": rows[:PAGE_ROWS],
               "limit": PAGE_ROWS, "query": request.GET.urlencode()}  # fmt: skip
    return render(request, "audit/patient_access.html", context, status=status)


@role_required(Role.CLINIC_ADMIN)
def patient_access_csv(request, pk):
    patient = patient_for_report(request.user, pk)
    form, rows = _filtered(request, patient)
    if form.is_bound and not form.is_valid():
        return HttpResponse("; ".join(m for ms in form.errors.values() for m in ms), status=400,
                            content_type="text/plain")  # fmt: skip
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="access-{patient.mrn}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when_utc", "username", "name", "kind", "view", "ip_address"])
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([row.at.astimezone(datetime.UTC).isoformat(), row.user.username,
                         str(row.user), row.kind, row.view_name, row.ip_address or ""])  # fmt: skip
    return response


@role_required(Role.CLINIC_ADMIN)
def patient_export(request, pk):
    patient = patient_for_report(request.user, pk)
    record = patient_record(patient)
    return render(request, "audit/patient_export.html", {"patient": patient, "record": record})


@role_required(Role.CLINIC_ADMIN)
def patient_export_json(request, pk):
    patient = patient_for_report(request.user, pk)
    response = HttpResponse(as_json(patient_record(patient)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="record-{patient.mrn}.json"'
    return response
