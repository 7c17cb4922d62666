"""Superbills, printable: one infusion's, or a whole course's, for the patient to send to
their insurer for out-of-network reimbursement. Each view is an export in the access log."""

from django.shortcuts import get_object_or_404, render

from clinic.access import role_required
from clinic.roles import DESK
from scheduling.selectors.scope import appointments_for, courses_for

from ..selectors.superbill import course_visits, superbill_for


def _render(request, visits, patient, scope):
    bill = superbill_for(visits, patient, chosen=request.GET.getlist("dx"))
    return render(request, "billing/superbill.html", {"bill": bill, "patient": patient,
                                                      "scope": scope})  # fmt: skip


@role_required(*DESK)
def superbill(request, pk):
    visit = get_object_or_404(appointments_for(request.user).select_related("nurse"), pk=pk)
    day = visit.location.date_of(visit.starts_at)
    return _render(request, [visit], visit.patient, f"Visit of {day:%m/%d/%Y}")


@role_required(*DESK)
def course_superbill(request, pk):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    return _render(request, course_visits(course), course.patient, "Whole course")
