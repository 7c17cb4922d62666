from django.shortcuts import render
from django.utils import timezone

from clinic.access import role_required
from clinic.roles import Role
from patients.selectors import awaiting_clearance_for, open_phq9_follow_ups_for
from scheduling.selectors import board_chairs_for


@role_required(Role.NURSE)
def nurse_home(request):
    """My chairs today."""
    return render(
        request,
        "infusions/nurse_home.html",
        {"sites": board_chairs_for(request.user), "today": timezone.localdate()},
    )


@role_required(Role.PHYSICIAN)
def physician_home(request):
    """Items awaiting the physician: clearances, unsigned orders, same-day flags."""
    context = {
        "today": timezone.localdate(),
        "awaiting_clearance": awaiting_clearance_for(request.user),
        "phq9_follow_ups": open_phq9_follow_ups_for(request.user),
    }
    return render(request, "infusions/physician_home.html", context)
