"""Superbills, printable: one infusion's, or a whole course's, for the patient to send to
their insurer for out-of-network reimbursement. Each view is an export in the access log."""

from django.shortcuts import get_object_or_404, render

from clinic.access import role_required
from clinic.roles import DESK
from scheduling.selectors.scope import appointments_for, courses_for

from ..close_forms import SendForm
from ..models import DocumentIssue
from ..selectors.superbill import course_visits, superbill_for


def _render(request, visits, patient, scope, *, kind, pk, issues):
    bill = superbill_for(visits, patient, chosen=request.GET.getlist("dx"))
    return render(request, "billing/superbill.html", {
        "bill": bill, "patient": patient, "scope": scope, "scope_kind": kind, "object_pk": pk,
        "send_form": SendForm(), "issues": list(issues.select_related("issued_by")[:20]),
    })  # fmt: skip


@role_required(*DESK)
def superbill(request, pk):
    visit = get_object_or_404(appointments_for(request.user).select_related("nurse"), pk=pk)
    day = visit.location.date_of(visit.starts_at)
    issues = DocumentIssue.objects.filter(appointment=visit)
    return _render(request, [visit], visit.patient, f"Visit of {day:%m/%d/%Y}", kind="visit",
                   pk=pk, issues=issues)  # fmt: skip


@role_required(*DESK)
def course_superbill(request, pk):
    course = get_object_or_404(courses_for(request.user), pk=pk)
    issues = DocumentIssue.objects.filter(course=course)
    return _render(request, course_visits(course), course.patient, "Whole course",
                   kind="course", pk=pk, issues=issues)  # fmt: skip
