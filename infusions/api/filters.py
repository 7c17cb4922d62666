"""The infusion lists' query-string filters (see ``clinic.filters``): a value that cannot
be an id, a status or a date answers 400 naming the parameter; one that matches nothing
(another site's lot, an unknown order) is an empty list."""

from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet

from clinic.filters import IdFilter, IsoDateFilter, OrderBy

from ..models import EntryKind
from ..models.charting import InfusionStatus
from ..models.orders import OrderStatus


class RecordFilter(FilterSet):
    """The chart's lists (vitals, events, corrections, discharges) of one infusion record."""

    record = IdFilter(help_text="Only this infusion record's.")


class InfusionRecordFilter(FilterSet):
    appointment = IdFilter(help_text="Only this appointment's.")
    status = ChoiceFilter(choices=InfusionStatus.choices, help_text="Only this status.")
    ordering = OrderBy("checked_in_at", "started_at")


class AlertFilter(FilterSet):
    record = IdFilter(help_text="Only this infusion record's.")
    ordering = OrderBy("raised_at")


class AcknowledgementFilter(FilterSet):
    record = IdFilter(field_name="alert__record", help_text="Only this infusion record's.")
    alert = IdFilter(help_text="Only this alert's.")


class DoseOrderFilter(FilterSet):
    appointment = IdFilter(help_text="Only this appointment's.")
    status = ChoiceFilter(
        field_name="current_status", choices=OrderStatus.choices, help_text="Only this status."
    )
    ordering = OrderBy("created_at")


class DoseCheckFilter(FilterSet):
    order = IdFilter(help_text="Only this order's.")


class ProtocolVersionFilter(FilterSet):
    protocol = IdFilter(help_text="Only this protocol's versions.")


class DrugLogEntryFilter(FilterSet):
    lot = IdFilter()
    location = IdFilter()
    order = IdFilter()
    kind = ChoiceFilter(choices=EntryKind.choices)
    start = IsoDateFilter(
        field_name="business_date", lookup_expr="gte", help_text="From this business date."
    )
    end = IsoDateFilter(
        field_name="business_date", lookup_expr="lte", help_text="Through this business date."
    )
    ordering = OrderBy("occurred_at", "business_date")
