"""The front desk's waitlist: a site's list with the add form, withdrawing an entry, and
filling a freed chair from the waitlist in one click."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.access import locations_for, pick_site, role_required
from clinic.api import id_param
from clinic.forms import run_service
from clinic.roles import DESK
from patients.selectors import booking_blockers, patients_for
from scheduling.selectors.scope import appointments_for

from . import services
from .forms import EntryForm, FillForm, WithdrawForm
from .models import Wish
from .selectors import FREED, candidates_for_slot, entries_for, freed_sessions

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
    is_free = freed.status in FREED
    is_ahead = freed.starts_at > timezone.now()
    movable = (
        entries_for(request.user).active().filter(location=freed.location, wish=Wish.MOVE_EARLIER)
    )
    form = FillForm(_posted(request), entries=movable)
    status = 200
    if form.is_bound and form.is_valid():
        entry = form.cleaned_data["entry"]
        filled, status = run_service(form, lambda: services.waitlist_fill(
            entry=entry, by=request.user, starts_at=freed.starts_at, chair=freed.chair,
            nurse=freed.nurse))  # fmt: skip
        if filled:
            messages.success(
                request,
                f"{filled.patient.display_name}'s session moved into the freed chair; "
                "the escort must confirm the new time.",
            )
            return _to_site(freed.location)
    context = {
        "freed": freed, "candidates": candidates_for_slot(freed), "form": form, "is_free": is_free,
        "is_ahead": is_ahead, "zone": freed.location.zone,
        "MOVE_EARLIER": Wish.MOVE_EARLIER,
    }  # fmt: skip
    return render(request, "waitlist/fill.html", context, status=status)
