"""The physician's and the nurse's homes: the work waiting, the board of today's chairs, the
open alerts at the user's sites (polled), early stops awaiting review and unsigned orders."""

from django.shortcuts import render
from django.utils import timezone

from clinic.access import role_required
from clinic.roles import CLINICAL_READERS, Role
from patients.selectors import awaiting_clearance_for, open_phq9_follow_ups_for
from scheduling.selectors.scope import board_chairs_for
from scheduling.selectors.visits import nurse_day

from ..selectors.chart import left_open_for, nurse_board, open_alerts_for
from ..selectors.homes import nurse_work_waiting, physician_work_waiting
from ..selectors.orders import unsigned_orders_for
from ..selectors.timing import early_stops_awaiting_review

QUEUE_ON_HOME = 10


@role_required(Role.PHYSICIAN)
def physician_home(request):
    """Items awaiting the physician: open alerts at the sites, clearances, unsigned orders,
    same-day flags."""
    unsigned = unsigned_orders_for(request.user)
    work = physician_work_waiting(request.user)
    context = {
        "work_waiting": work,
        "work_total": sum(item.count for item in work),
        "today": timezone.localdate(),
        "awaiting_clearance": awaiting_clearance_for(request.user),
        "phq9_follow_ups": open_phq9_follow_ups_for(request.user),
        "unsigned_orders": unsigned[:QUEUE_ON_HOME],
        "unsigned_count": unsigned.count(),
        "early_stops": early_stops_awaiting_review(request.user),
        "open_alert_list": open_alerts_for(request.user),
    }
    return render(request, "infusions/physician_home.html", context)


@role_required(Role.NURSE)
def nurse_home(request):
    """My chairs today: the nurse board (minutes in, next vitals due, open alerts), and the
    charts left open from an earlier day at the nurse's sites (the oldest ten)."""
    now = timezone.now()
    today = timezone.localdate(now)
    work = nurse_work_waiting(request.user)
    context = {
        "work_waiting": work,
        "work_total": sum(item.count for item in work),
        "sites": board_chairs_for(request.user),
        "today": today,
        "board": nurse_board(request.user, nurse_day(request.user, today), now),
        "open_alert_list": open_alerts_for(request.user),
        "left_open": list(
            # What the list shows, no more: the record's order and protocol are not on it.
            left_open_for(request.user)
            .select_related(None)
            .select_related(
                "appointment__patient",
                "appointment__location",
                "appointment__chair",
                "appointment__nurse",
            )[:QUEUE_ON_HOME]
        ),
    }
    return render(request, "infusions/nurse_home.html", context)


@role_required(*CLINICAL_READERS)
def open_alerts(request):
    """The open alerts at the user's sites, polled by the physician and nurse homes."""
    return render(request, "infusions/_open_alerts.html",
                  {"open_alert_list": open_alerts_for(request.user)})  # fmt: skip
