"""The controlled-substance log's pages: lots and their balances, one lot's entries, the
end-of-day reconciliation of a site, and the CSV report. Every write is a service call."""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from rest_framework.exceptions import ValidationError as DRFValidationError

from clinic.access import locations_for, role_required
from clinic.forms import run_service
from clinic.roles import CLINICAL_READERS

from .. import services
from ..api.reconciliation import csv_response
from ..forms.druglog import ReconcileForm
from ..selectors import druglog as selectors


@role_required(*CLINICAL_READERS)
def lots(request):
    context = {
        "lots": selectors.lots_for(request.user),
        "sites": locations_for(request.user),
        "discrepancies": selectors.open_discrepancies_for(request.user),
        "reconciliations": selectors.reconciliations_for(request.user)[:14],
        "today": timezone.localdate(),
    }
    return render(request, "infusions/lots.html", context)


@role_required(*CLINICAL_READERS)
def lot_detail(request, pk):
    lot = selectors.lot_for(request.user, pk)
    return render(
        request, "infusions/lot_detail.html", {"lot": lot, "entries": selectors.lot_entries(lot)}
    )


@role_required(*services.RECONCILERS)
def reconcile(request, location_pk):
    location = get_object_or_404(locations_for(request.user), pk=location_pk)
    day = timezone.localdate()
    lots_to_count = services.lots_to_count(location, day)
    form = ReconcileForm(request.POST if request.method == "POST" else None, lots=lots_to_count)
    if form.is_bound and form.is_valid():
        reconciliation, _ = run_service(
            form,
            lambda: services.day_reconcile(
                location=location,
                day=day,
                counted_ml=form.counted_ml(),
                reconciled_by=request.user,
                note=form.cleaned_data["note"],
            ),
        )
        if not form.errors:
            if reconciliation.has_discrepancy:
                messages.warning(
                    request, "Reconciled with a discrepancy: the clinic admins are alerted."
                )
            else:
                messages.success(request, "Reconciled: every count matched.")
            return redirect("infusions:lots")
    expected = {lot.pk: services.expected_on(lot, day) for lot in lots_to_count}
    fields = zip(form.lot_fields(), lots_to_count, strict=True)
    rows = [(field, lot, expected[lot.pk]) for field, lot in fields]
    return render(
        request, "infusions/reconcile.html",
        {"location": location, "day": day, "form": form, "rows": rows},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@role_required(*CLINICAL_READERS)
def drug_log_csv(request):
    try:
        return csv_response(request.user, request.GET)
    except DRFValidationError as error:
        return HttpResponseBadRequest(str(error.detail), content_type="text/plain")
