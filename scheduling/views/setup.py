"""Clinic admin screens for a site's set-up: the weekly nurse rota, hours and closures."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import locations_for, role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text
from clinic.models import User
from clinic.roles import ADMINS, Role

from ..closures import closed_dates_between
from ..models import ClosedDay, LocationSchedule, NurseShift, OpeningHours
from ..selectors.work import admin_work_waiting
from ..services import rota, site_setup
from ..services.slots import local
from .common import parse_day


@role_required(*ADMINS)
def admin_home(request):
    """The clinic admin's home: the work waiting, and the screens that run the clinic."""
    work = admin_work_waiting(request.user)
    context = {
        "work_waiting": work,
        "work_total": sum(item.count for item in work),
        "sites": locations_for(request.user).order_by("name"),
    }
    return render(request, "scheduling/admin_home.html", context)


def _site(request, source):
    sites = locations_for(request.user).order_by("name")
    chosen = source.get("location")
    site = sites.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    return (site or sites.first()), sites


def _time(text: str | None) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(text) if text else None
    except ValueError:
        return None


def _rota_url(site, monday) -> str:
    return f"{reverse('scheduling:rota')}?location={site.pk}&date={monday.isoformat()}"


def _nurses(site):
    return [
        u for u in User.objects.filter(locations=site, is_active=True)
        .prefetch_related("groups").order_by("last_name")
        if u.has_role(Role.NURSE)
    ]  # fmt: skip


def _week_grid(site, monday):
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    closed = {c.date: c.reason for c in closed_dates_between(site, days[0], days[-1])}
    hours = {h.weekday: h for h in OpeningHours.objects.filter(location=site)}
    shifts = NurseShift.objects.filter(
        location=site,
        starts_at__gte=local_start(site, monday),
        starts_at__lt=local_start(site, days[-1] + datetime.timedelta(days=1)),
    )
    by_cell = {(s.nurse_id, local(site, s.starts_at).date()): s for s in shifts}
    header = [{"day": d, "closed": closed.get(d), "hours": hours.get(d.weekday())} for d in days]
    rows = []
    for nurse in _nurses(site):
        cells = []
        for column in header:
            shift = by_cell.get((nurse.pk, column["day"]))
            cells.append({**column, "shift": shift, "local": shift and _span(site, shift)})
        rows.append({"nurse": nurse, "cells": cells})
    return header, rows


def local_start(site, day):
    from ..services.slots import local_datetime

    return local_datetime(site, day, datetime.time.min)


def _span(site, shift) -> str:
    return f"{local(site, shift.starts_at):%H:%M}–{local(site, shift.ends_at):%H:%M}"


@role_required(*ADMINS)
def rota_week(request):
    """Rows nurses of the site, columns the seven days; a shift (or a form) per cell."""
    site, sites = _site(request, request.GET)
    monday = rota.week_start(parse_day(request.GET.get("date"), timezone.localdate()))
    header, rows = _week_grid(site, monday) if site else ([], [])
    context = {
        "site": site,
        "sites": sites,
        "monday": monday,
        "header": header,
        "rows": rows,
        "prev_url": site and _rota_url(site, monday - datetime.timedelta(days=7)),
        "next_url": site and _rota_url(site, monday + datetime.timedelta(days=7)),
        "max_weeks": rota.MAX_REPEAT_WEEKS,
    }
    return render(request, "scheduling/rota.html", context)


@role_required(*ADMINS)
@require_POST
def rota_change(request):
    """One form per action: set a cell, clear a cell, copy last week, repeat this week."""
    site, _ = _site(request, request.POST)
    monday = rota.week_start(parse_day(request.POST.get("week"), timezone.localdate()))
    action = request.POST.get("action")
    try:
        if action == "set":
            _rota_set(request, site)
        elif action == "clear":
            shift = get_object_or_404(NurseShift, pk=request.POST.get("shift"), location=site)
            rota.shift_clear(actor=request.user, shift=shift)
            messages.success(request, f"Cleared {shift.nurse}'s shift.")
        elif action in ("copy", "repeat"):
            _rota_copy(request, site, monday, action)
        else:
            messages.error(request, "Unknown rota action.")
    except (ValidationError, ConflictError) as error:
        messages.error(request, refusal_text(error))
    return redirect(_rota_url(site, monday))


def _rota_set(request, site) -> None:
    nurse = get_object_or_404(User, pk=request.POST.get("nurse"), locations=site)
    day = parse_day(request.POST.get("day"), None)
    starts, ends = _time(request.POST.get("starts")), _time(request.POST.get("ends"))
    if day is None or starts is None or ends is None:
        raise ValidationError({"starts_at": "Give the day, a start and an end time (HH:MM)."})
    rota.shift_set(
        actor=request.user, location=site, nurse=nurse, day=day, starts=starts, ends=ends
    )
    messages.success(request, f"{nurse}: {day:%a %m/%d} {starts:%H:%M}–{ends:%H:%M}.")


def _rota_copy(request, site, monday, action) -> None:
    if action == "copy":
        result = rota.week_copy_previous(actor=request.user, location=site, monday=monday)
    else:
        weeks = request.POST.get("weeks", "")
        if not weeks.isdigit():
            raise ValidationError({"weeks": "Give a number of weeks."})
        result = rota.week_repeat(
            actor=request.user, location=site, monday=monday, weeks=int(weeks)
        )
    messages.success(request, f"{len(result.created)} shift(s) added.")
    for reason in result.skipped[:10]:
        messages.warning(request, f"Not copied: {reason}")


@role_required(*ADMINS)
def site_page(request):
    """A site's opening hours per weekday and its closed days (federal holidays shown)."""
    site, sites = _site(request, request.GET)
    today = timezone.localdate()
    context = {"site": site, "sites": sites}
    if site:
        hours = {h.weekday: h for h in OpeningHours.objects.filter(location=site)}
        context |= {
            "weekdays": [
                (value, label, hours.get(value)) for value, label in OpeningHours.Weekday.choices
            ],
            "rules": LocationSchedule.for_location(site),
            "closed": closed_dates_between(site, today, today + datetime.timedelta(days=365)),
        }
    return render(request, "scheduling/site_setup.html", context)


@role_required(*ADMINS)
@require_POST
def site_change(request):
    site, _ = _site(request, request.POST)
    action, post, actor = request.POST.get("action"), request.POST, request.user
    try:
        if action == "hours":
            weekday = int(post.get("weekday", "-1"))
            if weekday not in OpeningHours.Weekday.values:
                raise ValidationError({"weekday": "Choose a weekday."})
            opens, closes = _time(post.get("opens_at")), _time(post.get("closes_at"))
            site_setup.opening_hours_set(
                actor=actor, location=site, weekday=weekday, opens_at=opens, closes_at=closes
            )
            messages.success(request, f"Hours for {OpeningHours.Weekday(weekday).label} saved.")
        elif action == "close":
            day = parse_day(post.get("date"), None)
            if day is None:
                raise ValidationError({"date": "Give a date (YYYY-MM-DD)."})
            if day < timezone.localdate():
                raise ValidationError({"date": f"{day:%m/%d/%Y} has already passed."})
            site_setup.closed_day_add(
                actor=actor, location=site, date=day, reason=post.get("reason", "")
            )
            messages.success(request, f"{site} closed on {day:%a %m/%d/%Y}.")
        elif action == "reopen":
            closure = get_object_or_404(ClosedDay, pk=post.get("closure"), location=site)
            site_setup.closed_day_remove(actor=actor, closure=closure)
            messages.success(request, f"{site} open again on {closure.date:%a %m/%d/%Y}.")
        elif action == "holidays":
            follow = post.get("follow") == "on"
            site_setup.federal_holidays_set(actor=actor, location=site, follow=follow)
            messages.success(request, "Federal holidays " + ("closed." if follow else "open."))
        else:
            messages.error(request, "Unknown action.")
    except (ValidationError, ConflictError) as error:
        messages.error(request, refusal_text(error))
    return redirect(f"{reverse('scheduling:site_setup')}?location={site.pk}")
