"""The daily close at the desk: each of the user's sites, a day's takings as the ledger has
them by method, the counts and reasons, the close and its history; clinic admins reopen."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.access import locations_for, role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text, run_service
from clinic.roles import ADMINS, DESK

from ..close_forms import CloseForm, ReopenForm
from ..models import DailyClose
from ..selectors.closing import close_in_force, closes_of, expected_by_method, recent_closes
from ..services import closing as services

KEEPERS = DESK


def _day(request, location) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return location.today()


@role_required(*KEEPERS)
def closes(request):
    """The user's sites with today's state, and the recent closes."""
    sites = list(locations_for(request.user))
    today_closed = {
        c.location_id
        for c in DailyClose.objects.filter(
            location__in=sites, reopen__isnull=True, day__in={s.today() for s in sites}
        )
    }
    context = {
        "sites": [(site, site.today(), site.pk in today_closed) for site in sites],
        "recent": recent_closes(sites),
    }
    return render(request, "billing/closes.html", context)


@role_required(*KEEPERS)
def close_day(request, pk):
    location = get_object_or_404(locations_for(request.user), pk=pk)
    day = _day(request, location)
    in_force = close_in_force(location, day)
    expected = expected_by_method(location, day)
    form = CloseForm(request.POST if request.method == "POST" else None, expected=expected)
    status = 200
    if request.method == "POST" and form.is_valid():
        closed, status = run_service(form, lambda: services.day_close(
            location=location, day=day, by=request.user, counted_usd=form.counted(),
            reasons=form.reasons()))  # fmt: skip
        if closed:
            messages.success(request, f"{location.name}, {day:%m/%d/%Y}: closed.")
            return redirect(reverse("billing:close_day", args=[pk]) + f"?day={day.isoformat()}")
    elif request.method == "POST":
        status = 400
    context = {
        "location": location, "day": day, "in_force": in_force, "history": closes_of(location, day),
        "form": form, "expected": expected, "may_reopen": request.user.may(*ADMINS),
        "reopen_form": ReopenForm(), "future": day > location.today(),
    }  # fmt: skip
    return render(request, "billing/close_day.html", context, status=status)


@role_required(*ADMINS)
@require_POST
def close_reopen(request, pk):
    close = get_object_or_404(DailyClose.objects.filter(location__in=locations_for(request.user)),
                              pk=pk)  # fmt: skip
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the day is reopened.")
    else:
        try:
            services.day_reopen(close=close, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, ConflictError) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, "The day is open again; close it once more when done.")
    url = reverse("billing:close_day", args=[close.location_id])
    return redirect(f"{url}?day={close.day.isoformat()}")
