from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import ALL_STAFF

from ..recent import recently_viewed
from ..selectors import patient_search
from .common import REGISTRARS

PICK_LIMIT = 10


def _results_context(request) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    return {"query": query, "patients": patient_search(request.user, query)}


@role_required(*ALL_STAFF)
def patient_list(request):
    """Search by name, MRN, date of birth or phone; results update as you type (htmx)."""
    context = _results_context(request)
    context["can_register"] = request.user.may(*REGISTRARS)
    context["recent"] = recently_viewed(request)
    return render(request, "patients/list.html", context)


@role_required(*ALL_STAFF)
def search_results(request):
    """The results table alone, for htmx. With pick=1: up to ten active patients as radio
    buttons named "patient", for a form that picks a patient by typing (the planner)."""
    context = _results_context(request)
    if request.GET.get("pick"):
        context["patients"] = [p for p in context["patients"] if p.is_active][:PICK_LIMIT]
        return render(request, "patients/_pick_results.html", context)
    return render(request, "patients/_search_results.html", context)
