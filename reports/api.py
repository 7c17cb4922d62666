"""The reports as JSON under /api/v1/reports/: one endpoint per report, and the dashboard's
headline numbers of all of them. The same ``ScopeForm`` checks the filters (a site that is
not the caller's is a 400 naming ``site``), the same selectors compute the numbers."""

import sys

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.access import HasRole

from . import kept
from .results import as_json, plain
from .scope import ScopeForm
from .selectors import REPORTS
from .views import READERS

FILTERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (site calendar); "
                     "default: 27 days before the end."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive; default today."),
    OpenApiParameter("site", OpenApiTypes.INT, many=True, explode=True,
                     description="Site ids, repeated; default: all of the caller's sites. "
                     "A site that is not the caller's is a 400."),
    OpenApiParameter("fresh", OpenApiTypes.BOOL, description="1: computed now, not the "
                     "numbers kept from the last computation (up to 5 minutes old; "
                     "``as_of`` says when)."),
]  # fmt: skip


class SiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField(help_text="How each number is counted.")
    start = serializers.DateField()
    end = serializers.DateField()
    sites = SiteSerializer(many=True)
    as_of = serializers.DateTimeField(help_text="When these numbers were computed.")
    headline = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="The report's headline numbers by key (null: nothing to divide by).",
    )
    tables = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Each table's rows by table key; each row's values by column key, as on "
        "the page (percentages and rates per 100 as numbers, null where there is none).",
    )


class DashboardSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    sites = SiteSerializer(many=True)
    as_of = serializers.DateTimeField(help_text="When the oldest of these numbers was computed.")
    reports = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        help_text="Each report's headline numbers, by report and key.",
    )


def _scope(request):
    form = ScopeForm(request.query_params, user=request.user)
    if not form.is_valid():
        raise serializers.ValidationError(
            {field: [error["message"] for error in errors]
             for field, errors in form.errors.get_json_data().items()}
        )  # fmt: skip
    return form.scope()


def _report_view(name: str) -> type[APIView]:
    build = REPORTS[name]
    doc = sys.modules[build.__module__].__doc__

    class ReportView(APIView):
        permission_classes = [HasRole.of(*READERS)]

        @extend_schema(
            operation_id=f"reports_{name}", parameters=FILTERS,
            responses={200: ReportSerializer}, summary=f"The {name} report", description=doc,
            tags=["reports"],
        )  # fmt: skip
        def get(self, request):
            scope = _scope(request)
            fresh = kept.fresh_asked(request.query_params)
            return Response(as_json(kept.report(name, scope, fresh=fresh), scope))

    ReportView.__name__ = ReportView.__qualname__ = f"{name.title()}ReportView"
    return ReportView


REPORT_VIEWS = {name: _report_view(name) for name in REPORTS}


class DashboardView(APIView):
    """The director's dashboard: every report's headline numbers for the range and sites."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(parameters=FILTERS, responses={200: DashboardSerializer}, tags=["reports"])
    def get(self, request):
        scope = _scope(request)
        reports = kept.reports(scope, fresh=kept.fresh_asked(request.query_params))
        return Response(
            {
                "start": scope.start.isoformat(),
                "end": scope.end.isoformat(),
                "sites": [{"id": site.pk, "name": site.name} for site in scope.sites],
                "as_of": kept.oldest(reports).isoformat(),
                "reports": {
                    report.name: {item.key: plain(item.value) for item in report.headline}
                    for report in reports
                },
            }
        )
