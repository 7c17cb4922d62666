"""The day board and the week view per site, and checking a patient in from the board."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.forms import refusal_text
from clinic.roles import ALL_STAFF, DESK, Role

from .. import services
from ..models import AppointmentStatus
from ..selectors import visits
from ..selectors.board import board_origin, day_board, place, week_board
from ..selectors.scope import location_on_day
from ..selectors.work import desk_work_waiting
from .common import appointment_for, parse_day

CHECK_IN_FROM = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def _nav(name: str, location, day: datetime.date, step: datetime.timedelta) -> dict:
    url = reverse(f"scheduling:{name}")
    link = f"{url}?location={location.pk}&date="
    return {
        "prev_url": link + (day - step).isoformat(),
        "next_url": link + (day + step).isoformat(),
        "today_url": f"{url}?location={location.pk}",
        "day_url": reverse("scheduling:board") + f"?location={location.pk}&date=",
        "week_url": reverse("scheduling:week") + f"?location={location.pk}&date=",
    }


@role_required(*ALL_STAFF)
def board(request):
    """One site's day: chairs down the side, quarter hours across."""
    day = parse_day(request.GET.get("date"), timezone.localdate())
    location, sites = location_on_day(request.user, request.GET.get("location"), day)
    context = {
        "board": day_board(location, day),
        "location": location,
        "sites": sites,
        "day": day,
        "is_today": day == timezone.localdate(),
        "check_in_from": CHECK_IN_FROM,
        # Check-in is offered on the visit's day only, in the site's zone.
        "check_in_open": day == services.site_today(location),
        "confirms_escorts": request.user.has_role(*DESK),
        **_nav("board", location, day, datetime.timedelta(days=1)),
    }
    if request.user.has_role(Role.FRONT_DESK):  # the board is the front desk's home
        work = desk_work_waiting(request.user)
        context |= {"work_waiting": work, "work_total": sum(item.count for item in work)}
    return render(request, "scheduling/board.html", context)


@role_required(*ALL_STAFF)
def week(request):
    """Seven days of one site: per chair, per day, who is booked when."""
    day = parse_day(request.GET.get("date"), timezone.localdate())
    monday = day - datetime.timedelta(days=day.weekday())
    location, sites = location_on_day(request.user, request.GET.get("location"), monday)
    days, rows = week_board(location, monday)
    context = {
        "location": location,
        "sites": sites,
        "day": monday,
        "days": days,
        "rows": rows,
        "today": timezone.localdate(),
        **_nav("week", location, monday, datetime.timedelta(days=7)),
    }
    return render(request, "scheduling/week.html", context)


@role_required(*ALL_STAFF)
@require_POST
def check_in(request, pk):
    """Scheduled or confirmed -> checked in, on the visit's day only. htmx swaps the block;
    without htmx, back to the board."""
    appointment = appointment_for(request.user, pk)
    error = _refusal(
        services.appointment_transition, appointment=appointment,
        to_status=AppointmentStatus.CHECKED_IN, changed_by=request.user,
    )  # fmt: skip
    done = f"{appointment.patient.display_name} is checked in."
    return _block_or_board(request, appointment, error, done)


@role_required(*ALL_STAFF)
@require_POST
def check_in_undo(request, pk):
    """Checked in by mistake, nothing charted: back to scheduled or confirmed, with the
    reason typed in the block."""
    appointment = appointment_for(request.user, pk)
    error = _refusal(
        services.appointment_check_in_undo, appointment=appointment,
        changed_by=request.user, reason=request.POST.get("reason", ""),
    )  # fmt: skip
    done = f"{appointment.patient.display_name} is no longer checked in."
    return _block_or_board(request, appointment, error, done)


def _refusal(service, **arguments) -> str:
    """The service's refusal in words ("" when done): a rule broken, or a role that may not
    (the front desk undoing a check-in opened at the chair), shown in the block."""
    try:
        service(**arguments)
    except (ValidationError, PermissionDenied) as refused:
        return refusal_text(refused)
    return ""


def _block_or_board(request, appointment, error: str, done: str):
    """htmx: the board card again, with the refusal showing if any. Otherwise back to the
    follow-up list (next=follow_up) or the board, with a message."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        if request.POST.get("next") == "follow_up":
            return redirect("reminders:follow_up")
        day = services.visit_day(appointment).isoformat()
        return redirect(
            reverse("scheduling:board") + f"?location={appointment.location_id}&date={day}"
        )
    appointment = appointment_for(request.user, appointment.pk)
    origin, slots = board_origin(appointment.location, appointment)
    context = {
        "block": place(appointment, origin, slots),
        "check_in_from": CHECK_IN_FROM,
        "check_in_open": services.may_check_in_today(appointment),
        "confirms_escorts": request.user.has_role(*DESK),
        "error": error,
        "tz": appointment.location.time_zone,
    }
    # A refusal is still swapped in (htmx ignores 4xx bodies), with its message showing.
    return render(request, "scheduling/_block.html", context)


@role_required(*DESK)
@require_POST
def escort_confirm(request, pk):
    """One click: the escort confirmed by phone (their name, who took the call, when)."""
    appointment = appointment_for(request.user, pk)
    error = ""
    try:
        appointment = services.appointment_escort_confirm_by_phone(
            appointment=appointment, by=request.user
        )
    except ValidationError as refused:
        error = refusal_text(refused)
    done = f"Escort {appointment.escort_name} confirmed for {appointment.patient.display_name}."
    return _block_or_board(request, appointment, error, done)


@role_required(*ALL_STAFF)
def todays_patients(request):
    """Today's visits at the user's sites, loaded into the patient list before any search."""
    context = {"appointments": visits.todays_patients(request.user)}
    return render(request, "scheduling/_todays_patients.html", context)
