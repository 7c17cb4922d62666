"""The front desk's waitlist: a site's list with the add form, withdrawing an entry, and
filling a freed chair from the waitlist in one click."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import locations_for, pick_site, role_required
from clinic.api import id_param
from clinic.forms import run_service
from clinic.roles import DESK
from patients.selectors import booking_blockers, patients_for
from scheduling.selectors.scope import appointments_for

from . import services
from .forms import EntryForm, FillForm, OfferForm, WithdrawForm
from .models import Wish
from .selectors import FREED, candidates_for_slot, entries_for, freed_sessions, offers_for

KEEPERS = DESK  # who keeps the waitlist: the front desk and clinic admins


def _posted(request):
    return request.POST if request.method == "POST" else None


def _site(user, location_pk):
    return pick_site(list(locations_for(user)), location_pk)


def _picked(user, request):
    pk = id_param(request.POST.get("patient") or request.GET.get("patient"))
    return patients_for(user).active().filter(pk=pk).first() if pk is not None else None


def _to_site(location):
    return redirect(f"{reverse('waitlist:site')}?location={location.pk}")


@role_required(*KEEPERS)
def site(request):
    """A site's active entries, the chairs freed ahead of time, and the add form."""
    asked = request.POST.get("location") or request.GET.get("location")
    location, sites = _site(request.user, asked)
    picked = _picked(request.user, request)
    form = EntryForm(_posted(request), user=request.user, location=location, patient=picked)
    status = 200
    if form.is_bound and form.is_valid():
        entry, status = run_service(form, lambda: services.waitlist_add(
            location=location, by=request.user, **form.service_fields()))  # fmt: skip
        if entry:
            messages.success(request, f"{entry.patient.display_name} is on the waitlist.")
            return _to_site(location)
    context = {
        "site": location, "sites": sites, "form": form, "picked": picked,
        "pick_matches": [picked] if picked else [],
        "blockers": booking_blockers(picked) if picked else [],
        "entries": entries_for(request.user).active().filter(location=location),
        "freed": freed_sessions(location, timezone.now()),
        "zone": location.zone,
    }  # fmt: skip
    return render(request, "waitlist/site.html", context, status=status)


@role_required(*KEEPERS)
def withdraw(request, pk):
    entry = get_object_or_404(entries_for(request.user), pk=pk)
    form = WithdrawForm(_posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.waitlist_withdraw(
            entry=entry, by=request.user, reason=form.cleaned_data["reason"]))  # fmt: skip
        if not form.errors:
            messages.success(request, f"{entry.patient.display_name} left the waitlist.")
            return _to_site(entry.location)
    context = {"entry": entry, "form": form, "patient": entry.patient}
    return render(request, "waitlist/withdraw.html", context, status=status)


@role_required(*KEEPERS)
def fill(request, pk):
    """Who on the waitlist could take a cancelled session's time, chair and nurse; one click
    moves a waiting patient's session into it (the service checks every rule again)."""
    freed = get_object_or_404(appointments_for(request.user), pk=pk)
    form = FillForm(_posted(request), entries=_movable(request.user, freed))
    status = 200
    if form.is_bound and form.is_valid():
        entry = form.cleaned_data["entry"]
        filled, status = run_service(form, lambda: services.waitlist_fill_freed(
            entry=entry, by=request.user, freed=freed))  # fmt: skip
        if filled:
            messages.success(
                request,
                f"{filled.patient.display_name}'s session moved into the freed chair; "
                "the escort must confirm the new time.",
            )
            return _to_site(freed.location)
    return _fill_page(request, freed, form, status)


def _fill_page(request, freed, form, status, offer_form=None):
    context = {
        "freed": freed, "candidates": candidates_for_slot(freed), "form": form,
        "is_free": freed.status in FREED, "is_ahead": freed.starts_at > timezone.now(),
        "zone": freed.location.zone, "MOVE_EARLIER": Wish.MOVE_EARLIER,
        "offers": offers_for(request.user).filter(freed=freed),
        "offer_form": offer_form or OfferForm(entries=_movable(request.user, freed)),
    }  # fmt: skip
    return render(request, "waitlist/fill.html", context, status=status)


def _movable(user, freed):
    return entries_for(user).active().filter(location=freed.location, wish=Wish.MOVE_EARLIER)


@role_required(*KEEPERS)
@require_POST
def offer_make(request, pk):
    """Offer a freed chair by SMS/email link to the waiting patients the desk ticked."""
    freed = get_object_or_404(appointments_for(request.user), pk=pk)
    form = OfferForm(request.POST, entries=_movable(request.user, freed))
    status = 400
    if form.is_valid():
        offer, status = run_service(form, lambda: services.offer_make(
            freed=freed, by=request.user, entries=list(form.cleaned_data["entries"])))  # fmt: skip
        if offer:
            messages.success(
                request, "The time is offered by SMS and email: first to accept gets it."
            )
            return redirect("waitlist:fill", pk=freed.pk)
    return _fill_page(request, freed, FillForm(None, entries=_movable(request.user, freed)),
                      status, offer_form=form)  # fmt: skip


@role_required(*KEEPERS)
def offer_withdraw(request, pk):
    offer = get_object_or_404(offers_for(request.user), pk=pk)
    form = WithdrawForm(_posted(request))
    status = 200
    if form.is_bound and form.is_valid():
        _, status = run_service(form, lambda: services.offer_withdraw(
            offer=offer, by=request.user, reason=form.cleaned_data["reason"]))  # fmt: skip
        if not form.errors:
            messages.success(request, "Offer withdrawn: its links no longer work.")
            return redirect("waitlist:fill", pk=offer.freed_id)
    context = {"offer": offer, "form": form, "zone": offer.location.zone}
    return render(request, "waitlist/offer_withdraw.html", context, status=status)
