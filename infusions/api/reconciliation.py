"""Drug-log reconciliation: end-of-day counts, the clinic admins' discrepancy alerts, the
opening and biennial inventories, and the CSV report."""

import io
import tempfile

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic.access import HasRole, locations_for
from clinic.api import (
    ListCreateRetrieve,
    NamedChoiceField,
    RoleRules,
    StaffSerializer,
    id_param,
    validated,
)
from clinic.models import Location
from clinic.roles import CLINICAL_READERS, Role

from ..models import DailyReconciliation, Inventory, InventoryKind, ReconciliationCount
from ..reports import drug_log_csv, report_filename
from ..selectors.druglog import (
    inventories_for,
    lot_for,
    open_discrepancies_for,
    reconciliations_for,
    report_entries,
)
from ..services import (
    INVENTORY_TAKERS,
    RECONCILERS,
    day_reconcile,
    discrepancy_resolve,
    inventory_record,
)
from .druglog import date_param, site_field


class CountSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number", read_only=True)
    resolved = serializers.SerializerMethodField()

    class Meta:
        model = ReconciliationCount
        fields = [
            "id", "lot", "lot_number", "expected_mg", "expected_ml", "counted_ml", "counted_mg",
            "discrepancy_mg", "resolved",
        ]  # fmt: skip
        read_only_fields = fields

    def get_resolved(self, count) -> bool:
        return hasattr(count, "resolution")


class ReconciliationSerializer(serializers.ModelSerializer):
    counts = CountSerializer(many=True, read_only=True)
    reconciled_by = StaffSerializer(read_only=True)

    class Meta:
        model = DailyReconciliation
        fields = [
            "id", "location", "business_date", "reconciled_at", "reconciled_by", "note",
            "has_discrepancy", "counts",
        ]  # fmt: skip
        read_only_fields = fields


class LotCountInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    counted_ml = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


class ReconciliationInputSerializer(serializers.Serializer):
    location = site_field()
    business_date = serializers.DateField()
    counts = LotCountInputSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True)


def _counted(fields) -> dict:
    return {row["lot"]: row["counted_ml"] for row in fields["counts"]}


class ReconciliationViewSet(ListCreateRetrieve):
    """End-of-day counts per site. POST closes the day: no entry may be dated on it after."""

    ordering_fields = ("business_date",)

    serializer_class = ReconciliationSerializer
    queryset = DailyReconciliation.objects.none()
    read_roles, write_roles = CLINICAL_READERS, RECONCILERS

    def get_queryset(self):
        return reconciliations_for(self.request.user)

    @extend_schema(request=ReconciliationInputSerializer, responses={201: ReconciliationSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(ReconciliationInputSerializer, request)
        reconciliation = day_reconcile(
            location=fields["location"], day=fields["business_date"], counted_ml=_counted(fields),
            reconciled_by=request.user, note=fields.get("note", ""),
        )  # fmt: skip
        body = self.get_serializer(reconciliation).data
        return Response(body, status=status.HTTP_201_CREATED)


class DiscrepancySerializer(CountSerializer):
    location = serializers.IntegerField(source="reconciliation.location_id", read_only=True)
    business_date = serializers.DateField(source="reconciliation.business_date", read_only=True)
    reconciled_by = StaffSerializer(source="reconciliation.reconciled_by", read_only=True)
    reconciled_at = serializers.DateTimeField(source="reconciliation.reconciled_at", read_only=True)

    class Meta(CountSerializer.Meta):
        fields = [
            *CountSerializer.Meta.fields,
            "location",
            "business_date",
            "reconciled_by",
            "reconciled_at",
        ]
        read_only_fields = fields


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField()


class DiscrepancyViewSet(RoleRules, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Counts that differed from the log and are not yet resolved: the clinic admins' alerts."""

    serializer_class = DiscrepancySerializer
    queryset = ReconciliationCount.objects.none()
    read_roles, write_roles = CLINICAL_READERS, (Role.CLINIC_ADMIN,)

    def get_queryset(self):
        return open_discrepancies_for(self.request.user)

    @extend_schema(request=NoteInputSerializer, responses=DiscrepancySerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        fields = validated(NoteInputSerializer, request)
        count = self.get_object()
        discrepancy_resolve(count=count, resolved_by=request.user, note=fields["note"])
        return Response(self.get_serializer(ReconciliationCount.objects.get(pk=count.pk)).data)


class InventoryCountSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    lot_number = serializers.CharField(source="lot.lot_number")
    counted_ml = serializers.DecimalField(max_digits=12, decimal_places=2)
    counted_mg = serializers.DecimalField(max_digits=12, decimal_places=2)
    expected_mg = serializers.DecimalField(max_digits=12, decimal_places=2)


class InventorySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(InventoryKind.choices, enum_name="InventoryKindEnum")
    counts = InventoryCountSerializer(many=True, read_only=True)
    taken_by = StaffSerializer(read_only=True)

    class Meta:
        model = Inventory
        fields = ["id", "location", "kind", "taken_at", "taken_by", "note", "counts", "recorded_at"]
        read_only_fields = fields


class InventoryInputSerializer(serializers.Serializer):
    location = site_field()
    kind = NamedChoiceField(InventoryKind.choices, enum_name="InventoryKindEnum")
    taken_at = serializers.DateTimeField(required=False)
    counts = LotCountInputSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True)


class InventoryViewSet(ListCreateRetrieve):
    """Opening and biennial inventories (DEA): every lot at the site counted."""

    ordering_fields = ("taken_at",)

    serializer_class = InventorySerializer
    queryset = Inventory.objects.none()
    read_roles, write_roles = CLINICAL_READERS, INVENTORY_TAKERS

    def get_queryset(self):
        return inventories_for(self.request.user)

    @extend_schema(request=InventoryInputSerializer, responses={201: InventorySerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(InventoryInputSerializer, request)
        inventory = inventory_record(
            location=fields["location"], kind=fields["kind"], counted_ml=_counted(fields),
            taken_by=request.user, taken_at=fields.get("taken_at"), note=fields.get("note", ""),
        )  # fmt: skip
        body = self.get_serializer(inventory).data
        return Response(body, status=status.HTTP_201_CREATED)


REPORT_FILTERS = [
    OpenApiParameter("lot", OpenApiTypes.INT, description="Every entry touching this lot."),
    OpenApiParameter("location", OpenApiTypes.INT),
    OpenApiParameter("start", OpenApiTypes.DATE, description="From this business date."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Through this business date."),
]


def report_arguments(user, params) -> dict:
    """The report's filters from query parameters (shared with the HTML download)."""
    arguments = {"start": date_param(params, "start"), "end": date_param(params, "end")}
    if lot := params.get("lot", ""):
        pk = id_param(lot)
        arguments["lot"] = None if pk is None else lot_for(user, pk)
        if arguments["lot"] is None:
            raise ValidationError({"lot": ["Not a lot id."]})
    if location := params.get("location", ""):
        pk = id_param(location)
        sites = Location.objects.none() if pk is None else locations_for(user).filter(pk=pk)
        arguments["location"] = sites.first()
        if arguments["location"] is None:
            raise ValidationError({"location": ["Not one of your sites."]})
    return arguments


# A report larger than this is written to a temporary file instead of memory.
IN_MEMORY_BYTES = 1024 * 1024


def csv_response(user, params) -> FileResponse:
    """The whole report is written before a byte is sent (a failure is an error, never a
    truncated legal record), into a temporary file past a megabyte: five years of a busy
    site are 200,000 rows, 31 MB, which the web worker then streams from disk."""
    arguments = report_arguments(user, params)
    entries = report_entries(user, **arguments)
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - the response closes it
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    drug_log_csv(entries, text)
    text.flush()
    text.detach()
    spool.seek(0)
    name = report_filename(lot=arguments.get("lot"), start=arguments["start"], end=arguments["end"])
    return FileResponse(
        spool, as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )


class DrugLogReportViewSet(viewsets.ViewSet):
    """Every drug-log entry for a lot or a date range, as CSV (kept indefinitely)."""

    permission_classes = [HasRole.of(*CLINICAL_READERS)]

    @extend_schema(parameters=REPORT_FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def list(self, request):
        return csv_response(request.user, request.query_params)
