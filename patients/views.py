from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import Role

from .selectors import patients_for


@role_required(Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
def patient_list(request):
    patients = patients_for(request.user).active()[:200]
    return render(request, "patients/list.html", {"patients": patients})
