"""List filters in the query string (django-filter), one behaviour for every list: a value
that cannot be what its parameter names (a word for an id, an unknown status, a bad date)
answers 400 naming the parameter, ``{"status": ["Select a valid choice. ..."]}``; a
well-formed value that matches nothing is an empty list.

Views name a ``filterset_class``; ``ListFilterBackend`` (the default backend) applies it.
A list that can be sorted has an ``ordering = OrderBy(...)`` filter: ``?ordering=-starts_at``
(several, comma-separated); drf-spectacular describes both in the schema. A view whose
filters need nothing else names only ``ordering_fields = ("recorded_at",)``: the backend
adds that ``ordering`` filter to its filterset (or to a filterset of its own).
"""

from functools import cache

from django import forms
from django_filters import DateFilter, Filter, OrderingFilter
from django_filters.rest_framework import DjangoFilterBackend, FilterSet


class IdField(forms.Field):
    """A row id: ASCII digits within a bigint (``id_param``), so nothing the database could
    not compare with an id column reaches it."""

    default_error_messages = {"invalid": "Enter a valid id (a whole number)."}

    def to_python(self, value) -> int | None:
        # Imported here: clinic.api's views read DEFAULT_FILTER_BACKENDS, which is this module.
        from .api import id_param

        if value in self.empty_values:
            return None
        pk = id_param(value)
        if pk is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return pk


class IdFilter(Filter):
    field_class = IdField


class IsoDateFilter(DateFilter):
    """A date written YYYY-MM-DD, as everywhere in the API (Django's own date field would
    also take 12/31/2026)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class OrderBy(OrderingFilter):
    """``?ordering=<field>`` or ``-<field>`` for descending, comma-separated for several; an
    unknown field is a 400 naming ``ordering``. Ties are broken by id, so pages are stable."""

    def __init__(self, *fields: str, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"Sort by {', '.join(fields)}; '-' first for descending, comma-separated for several.",
        )
        super().__init__(fields=fields, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "pk")


class ListFilterBackend(DjangoFilterBackend):
    """Filters lists only: a detail URL, or an action on one row, is the row it names
    whatever the query string says (DRF would filter ``get_object`` too)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_class(self, view, queryset=None):
        found = super().get_filterset_class(view, queryset)
        fields = tuple(getattr(view, "ordering_fields", ()))
        if not fields or queryset is None or (found and "ordering" in found.base_filters):
            return found
        return _with_ordering(found or FilterSet, queryset.model, fields)


@cache
def _with_ordering(base: type[FilterSet], model, fields: tuple[str, ...]) -> type[FilterSet]:
    """``base`` with ``ordering = OrderBy(*fields)``, one class per view (the schema names it)."""
    meta = type("Meta", (), {"model": model, "fields": []})
    name = f"{model.__name__}{base.__name__ if base is not FilterSet else 'Filter'}Ordered"
    return type(name, (base,), {"ordering": OrderBy(*fields), "Meta": meta})
