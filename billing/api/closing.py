"""The daily close in the API: a site-day's expected takings by method, closing it with the
counts (and a reason for each difference), reopening it (clinic admins, with a reason)."""

import datetime

from django_filters.rest_framework import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import locations_for
from clinic.api import ListCreateRetrieve, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, IsoDateFilter, OrderBy
from clinic.roles import ADMINS, DESK
from scheduling.api.common import SchedulingErrorSerializer, location_id

from ..models import CLOSE_METHODS, DailyClose
from ..selectors.closing import expected_by_method
from ..services import closing as services

REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer,
           409: SchedulingErrorSerializer}  # fmt: skip
MONEY = {"max_digits": 10, "decimal_places": 2}


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    reopened_at = serializers.DateTimeField(read_only=True)
    reopened_by = StaffSerializer(read_only=True)


class DailyCloseSerializer(serializers.ModelSerializer):
    closed_by = StaffSerializer(read_only=True)
    reopen = ReopenSerializer(read_only=True, allow_null=True, default=None)

    class Meta:
        model = DailyClose
        fields = [
            "id", "location", "day",
            *[f"expected_{stem}_usd" for _m, stem in CLOSE_METHODS],
            *[f"counted_{stem}_usd" for _m, stem in CLOSE_METHODS],
            *[f"{stem}_reason" for _m, stem in CLOSE_METHODS],
            "closed_at", "closed_by", "reopen",
        ]  # fmt: skip
        read_only_fields = fields


class DailyCloseInputSerializer(serializers.Serializer):
    location = location_id()
    day = serializers.DateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for _method, stem in CLOSE_METHODS:
            self.fields[f"counted_{stem}_usd"] = serializers.DecimalField(**MONEY, min_value=0)
            self.fields[f"{stem}_reason"] = serializers.CharField(
                max_length=300, required=False, allow_blank=True, default=""
            )


class ExpectedSerializer(serializers.Serializer):
    location = serializers.IntegerField()
    day = serializers.DateField()
    cash_usd = serializers.DecimalField(**MONEY)
    check_usd = serializers.DecimalField(**MONEY)
    card_usd = serializers.DecimalField(**MONEY)
    hsa_usd = serializers.DecimalField(**MONEY)


class DailyCloseFilter(FilterSet):
    site = IdFilter(field_name="location", help_text="Only this site's closes.")
    day = IsoDateFilter(help_text="Only this day (YYYY-MM-DD).")
    day_from = IsoDateFilter(field_name="day", lookup_expr="gte", help_text="From this day.")
    day_to = IsoDateFilter(field_name="day", lookup_expr="lte", help_text="Up to this day.")
    ordering = OrderBy("day", "closed_at")


class DailyCloseViewSet(ListCreateRetrieve):
    """Closes of the caller's sites, newest day first (``?site=`` and ``?day=`` filter). A
    close is created with the counts; a closed day refuses payments and refunds (409)."""

    queryset = DailyClose.objects.none()
    serializer_class = DailyCloseSerializer
    filterset_class = DailyCloseFilter
    read_roles, write_roles = DESK, DESK
    action_roles = {"reopen": ADMINS}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DailyClose.objects.none()
        return DailyClose.objects.filter(
            location__in=locations_for(self.request.user)
        ).select_related("closed_by", "reopen__reopened_by")

    @extend_schema(request=DailyCloseInputSerializer, responses={201: DailyCloseSerializer,
                                                                **REFUSED})  # fmt: skip
    def create(self, request, *args, **kwargs):
        data = validated(DailyCloseInputSerializer, request)
        with service_errors():
            close = services.day_close(
                location=data["location"], day=data["day"], by=request.user,
                counted_usd={stem: data[f"counted_{stem}_usd"] for _m, stem in CLOSE_METHODS},
                reasons={stem: data[f"{stem}_reason"] for _m, stem in CLOSE_METHODS},
            )  # fmt: skip
        return Response(DailyCloseSerializer(self.get_queryset().get(pk=close.pk)).data,
                        status=201)  # fmt: skip

    @extend_schema(request=ReopenSerializer, responses={200: DailyCloseSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        close = self.get_object()
        data = validated(ReopenSerializer, request)
        with service_errors():
            services.day_reopen(close=close, by=request.user, reason=data["reason"])
        return Response(DailyCloseSerializer(self.get_queryset().get(pk=close.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("site", OpenApiTypes.INT, description="Default: your first site."),
            OpenApiParameter("day", OpenApiTypes.DATE, description="Default: the site's today."),
        ],
        responses={200: ExpectedSerializer, 400: SchedulingErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def expected(self, request):
        """What the ledger says the site took on the day, by method (payments less refunds)."""
        site = request.query_params.get("site", "").strip()
        mine = locations_for(request.user)
        location = mine.filter(pk=int(site)).first() if site.isdigit() else None
        if not site:
            location = mine.first()
        if location is None:
            raise serializers.ValidationError({"site": ["Give one of your sites."]})
        day = request.query_params.get("day", "").strip()
        try:
            day = datetime.date.fromisoformat(day) if day else location.today()
        except ValueError:
            raise serializers.ValidationError({"day": ["Give the day as YYYY-MM-DD."]}) from None
        sums = expected_by_method(location, day)
        body = {"location": location.pk, "day": day, **{f"{k}_usd": v for k, v in sums.items()}}
        return Response(ExpectedSerializer(body).data)
