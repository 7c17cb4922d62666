from django.shortcuts import render
from django.utils import timezone

from clinic.access import role_required
from clinic.roles import Role

from .selectors import board_chairs_for


@role_required(Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
def board(request):
    """Today's board: who is in which chair, per site."""
    return render(
        request,
        "scheduling/board.html",
        {"sites": board_chairs_for(request.user), "today": timezone.localdate()},
    )
