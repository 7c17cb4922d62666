from django.shortcuts import render

from clinic.access import role_required

from ..recent import recently_viewed
from ..selectors import patient_search
from .common import ALL_STAFF, REGISTRARS, can


def _results_context(request) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    return {"query": query, "patients": patient_search(request.user, query)}


@role_required(*ALL_STAFF)
def patient_list(request):
    """Search by name, MRN, date of birth or phone; results update as you type (htmx)."""
    context = _results_context(request)
    context["can_register"] = can(request.user, REGISTRARS)
    context["recent"] = recently_viewed(request)
    return render(request, "patients/list.html", context)


@role_required(*ALL_STAFF)
def search_results(request):
    """The results table alone, for htmx."""
    return render(request, "patients/_search_results.html", _results_context(request))
