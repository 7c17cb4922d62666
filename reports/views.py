"""The report pages, their CSV downloads and the director's dashboard. Every number comes
from ``reports.selectors``; the sites are the user's (``ScopeForm`` refuses any other)."""

import csv

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from clinic.access import role_required
from clinic.roles import MANAGERS

from . import kept
from .results import Report
from .scope import ScopeForm

READERS = MANAGERS


def _scope_form(request) -> ScopeForm:
    return ScopeForm(request.GET, user=request.user)


def _kept_for() -> dict:
    return {"kept_minutes": settings.REPORTS_CACHE_SECONDS // 60}


@role_required(*READERS)
def dashboard(request):
    form = _scope_form(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    scope = form.scope()
    reports = kept.reports(scope, fresh=kept.fresh_asked(request.GET))
    context = {"form": form, "scope": scope, "reports": reports, "utilization": reports[0]}
    context["as_of"] = kept.oldest(reports)
    return render(request, "reports/dashboard.html", context | _kept_for())


def page(name: str):
    @role_required(*READERS)
    def view(request):
        form = _scope_form(request)
        if not form.is_valid():
            context = {"form": form, "name": name}
            return render(request, "reports/report.html", context, status=400)
        scope = form.scope()
        report = kept.report(name, scope, fresh=kept.fresh_asked(request.GET))
        context = {"form": form, "scope": scope, "report": report, "name": name}
        return render(request, "reports/report.html", context | _kept_for())

    view.__name__ = f"{name}_page"
    view.__module__ = __name__
    return view


def csv_download(name: str):
    @role_required(*READERS)
    def view(request):
        form = _scope_form(request)
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        scope = form.scope()
        response = HttpResponse(content_type="text/csv")
        filename = f"{name}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_csv(response, kept.report(name, scope, fresh=kept.fresh_asked(request.GET)), scope)
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
