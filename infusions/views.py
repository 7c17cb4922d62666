from django.shortcuts import render
from django.utils import timezone

from clinic.access import role_required
from clinic.roles import Role
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
    return render(request, "infusions/physician_home.html", {"today": timezone.localdate()})
