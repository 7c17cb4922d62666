"""The patient's account at the desk: the ledger with its running balance, taking a
payment, charging, adjusting, refunding a payment, and the balances owed across patients."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.access import locations_for, role_required
from clinic.forms import run_service
from clinic.roles import DESK
from patients.selectors import patient_for
from scheduling.models import ACTIVE_STATUSES, AppointmentStatus

from .. import services
from ..forms import AdjustmentForm, ChargeForm, PaymentForm, RefundForm
from ..models import EntryKind, PriceItem
from ..selectors.ledger import balance_usd, balances_for, entries_for, ledger_for
from ..selectors.prices import price_list_in_force
from ..services.ledger import refundable_usd

KEEPERS = DESK
FORMS = {"payment": PaymentForm, "charge": ChargeForm, "adjustment": AdjustmentForm}
TITLES = {"payment": "Take a payment", "charge": "Charge", "adjustment": "Adjust the balance"}


def _to_ledger(patient):
    return redirect(reverse("billing:ledger", args=[patient.pk]))


@role_required(*KEEPERS)
def ledger(request, pk):
    patient = patient_for(request.user, pk)
    entries = ledger_for(patient)
    context = {
        "patient": patient, "entries": entries, "balance": balance_usd(patient),
        "PAYMENT": EntryKind.PAYMENT,
    }  # fmt: skip
    return render(request, "billing/ledger.html", context)


def _form(kind, patient, data, by):
    if kind == "charge":
        price_list = price_list_in_force(patient.home_location, patient.home_location.today())
        items = price_list.items.all() if price_list else PriceItem.objects.none()
        visits = (
            patient.appointments.filter(status__in=[*ACTIVE_STATUSES, AppointmentStatus.COMPLETED])
            .select_related("location")
            .order_by("-starts_at")
        )
        return ChargeForm(data, items=items, visits=visits)
    if kind == "payment":
        sites = locations_for(by)
        return PaymentForm(data, sites=sites, site=_site_taking(patient, sites))
    return FORMS[kind](data)


def _site_taking(patient, sites):
    """Where a payment is most likely taken: the site of the patient's visit today, else
    their home site (if one of the taker's)."""
    today = patient.home_location.today()
    visit = (
        patient.appointments.filter(location__in=sites, starts_at__date__gte=today)
        .order_by("starts_at")
        .select_related("location")
        .first()
    )
    if visit is not None and visit.location.date_of(visit.starts_at) == today:
        return visit.location
    return patient.home_location if sites.filter(pk=patient.home_location_id).exists() else None


def _recorded(request, entry):
    if getattr(entry, "replayed", False):
        messages.info(
            request,
            f"This {entry.get_kind_display().lower()} of ${entry.shown_usd} "
            "was already recorded: the form was sent again, nothing more was written.",
        )
    else:
        messages.success(request, f"{entry.get_kind_display()} of ${entry.shown_usd} recorded.")


def _service(kind, patient, by, fields):
    if kind == "payment":
        return services.ledger_payment(patient=patient, by=by, **fields)
    if kind == "charge":
        return services.ledger_charge(patient=patient, by=by, **fields)
    return services.ledger_adjust(patient=patient, by=by, **fields)


@role_required(*KEEPERS)
def ledger_new(request, pk, kind):
    if kind not in FORMS:
        raise Http404("No such entry.")
    patient = patient_for(request.user, pk)
    form = _form(kind, patient, request.POST if request.method == "POST" else None, request.user)
    status = 200
    if form.is_bound and form.is_valid():
        entry, status = run_service(
            form, lambda: _service(kind, patient, request.user, form.cleaned_data)
        )
        if entry:
            _recorded(request, entry)
            if kind == "payment" and (balance := balance_usd(patient)) < 0:
                credit = f"The account is now in credit: ${-balance} more paid than owed."
                messages.warning(request, f"{credit} Refund it, or keep it for the next visits.")
            return _to_ledger(patient)
    context = {"patient": patient, "form": form, "title": TITLES[kind],
               "balance": balance_usd(patient)}  # fmt: skip
    return render(request, "billing/ledger_form.html", context, status=status)


@role_required(*KEEPERS)
def refund(request, pk):
    payment = get_object_or_404(entries_for(request.user), pk=pk, kind=EntryKind.PAYMENT)
    form = RefundForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        entry, status = run_service(form, lambda: services.payment_refund(
            payment=payment, by=request.user, **form.cleaned_data))  # fmt: skip
        if entry:
            _recorded(request, entry)
            return _to_ledger(payment.patient)
    context = {
        "patient": payment.patient, "form": form, "balance": balance_usd(payment.patient),
        "title": f"Refund payment {payment.pk} (up to ${refundable_usd(payment)})",
    }  # fmt: skip
    return render(request, "billing/ledger_form.html", context, status=status)


@role_required(*KEEPERS)
def balances(request):
    """Patients who owe the clinic, largest balance first."""
    return render(request, "billing/balances.html",
                  {"patients": list(balances_for(request.user)[:200])})  # fmt: skip
