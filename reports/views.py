"""The report pages, their CSV downloads and the director's dashboard. Every number comes
from ``reports.selectors``; the sites are the user's (``ScopeForm`` refuses any other)."""

import csv

from django.http import HttpResponse
from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import MANAGERS

from .results import Report
from .scope import ScopeForm
from .selectors import REPORTS, all_reports

READERS = MANAGERS


def _scope_form(request) -> ScopeForm:
    return ScopeForm(request.GET, user=request.user)


@role_required(*READERS)
def dashboard(request):
    form = _scope_form(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    scope = form.scope()
    reports = all_reports(scope)
    return render(
        request,
        "reports/dashboard.html",
        {"form": form, "scope": scope, "reports": reports, "utilization": reports[0]},
    )


def page(name: str):
    build = REPORTS[name]

    @role_required(*READERS)
    def view(request):
        form = _scope_form(request)
        if not form.is_valid():
            context = {"form": form, "name": name}
            return render(request, "reports/report.html", context, status=400)
        scope = form.scope()
        context = {"form": form, "scope": scope, "report": build(scope), "name": name}
        return render(request, "reports/report.html", context)

    view.__name__ = f"{name}_page"
    view.__module__ = __name__
    return view


def csv_download(name: str):
    build = REPORTS[name]

    @role_required(*READERS)
    def view(request):
        form = _scope_form(request)
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        scope = form.scope()
        response = HttpResponse(content_type="text/csv")
        filename = f"{name}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_csv(response, build(scope), scope)
        return response

    view.__name__ = f"{name}_csv"
    view.__module__ = __name__
    return view


def write_csv(out, report: Report, scope) -> None:
    """Each table as a section: its title, its header and its rows (plain numbers, the unit
    in the header), a blank line between sections."""
    writer = csv.writer(out)
    sites = "; ".join(site.name for site in scope.sites)
    writer.writerow([report.title, f"{scope.start:%Y-%m-%d} to {scope.end:%Y-%m-%d}", sites])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([column.csv_label for column in table.columns])
        writer.writerows(table.raw_cells())
