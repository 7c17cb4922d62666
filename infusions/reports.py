"""The controlled-substance report as CSV: one row per drug-log entry, shared by the HTML
download and the API so both give the same bytes."""

import csv
import datetime

from django.utils import timezone

COLUMNS = [
    "entry_id", "business_date", "occurred_at", "recorded_at", "location", "kind", "lot",
    "concentration_mg_per_ml", "mg", "ml", "stock_change_mg", "stock_change_ml",
    "lot_balance_mg", "lot_balance_ml", "order", "patient_mrn", "by", "witness", "reason",
]  # fmt: skip


def _local(moment: datetime.datetime, zone=None) -> str:
    """``timezone.localtime`` in the current zone (looked up once per report by the caller:
    per cell it was most of a large report's time)."""
    zone = zone or timezone.get_current_timezone()
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula (CSV injection) is prefixed with a quote.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# The columns the CSV needs, read as plain values: a report of a busy site's years has
# hundreds of thousands of rows, too many to build model instances (with their orders,
# visits and patients joined) for.
FIELDS = [
    "pk", "business_date", "occurred_at", "recorded_at", "location__code", "kind",
    "lot_id", "lot__lot_number", "lot__concentration_mg_per_ml", "mg", "ml",
    "stock_change_mg", "stock_change_ml", "balance_mg", "balance_ml", "order_id",
    "order__appointment__patient__mrn", "by__first_name", "by__last_name", "by__username",
    "witness_id", "witness__first_name", "witness__last_name", "witness__username", "reason",
]  # fmt: skip


def _name(first: str, last: str, username: str) -> str:
    """As ``User.get_full_name() or username``."""
    return f"{first} {last}".strip() or username


# The columns that can hold typed text (a spreadsheet formula); the rest are ids, dates and
# numbers, which ``_cell`` would pass unchanged: 19 cells a row were most of a large report.
_TEXT = frozenset({4, 5, 6, 15, 16, 17, 18})


def drug_log_csv(entries, out) -> None:
    """``entries``: a queryset of drug-log entries, in the report's order; written to
    ``out`` (a text stream) as they are read, so a site's years are never all in memory."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    zone = timezone.get_current_timezone()
    for values in entries.values_list(*FIELDS).iterator(chunk_size=5000):
        e = dict(zip(FIELDS, values, strict=True))
        lot = e["lot_id"] is not None
        row = [
            e["pk"], e["business_date"].isoformat(), _local(e["occurred_at"], zone),
            _local(e["recorded_at"], zone), e["location__code"], e["kind"],
            e["lot__lot_number"] if lot else "", e["lot__concentration_mg_per_ml"] if lot else "",
            e["mg"], e["ml"], e["stock_change_mg"], e["stock_change_ml"], e["balance_mg"],
            e["balance_ml"], e["order_id"],
            (e["order__appointment__patient__mrn"] or "") if e["order_id"] else "",
            _name(e["by__first_name"], e["by__last_name"], e["by__username"]),
            _name(e["witness__first_name"], e["witness__last_name"], e["witness__username"])
            if e["witness_id"] else "",
            e["reason"],
        ]  # fmt: skip
        writer.writerow([_cell(value) if n in _TEXT else value for n, value in enumerate(row)])


def report_filename(*, lot=None, start=None, end=None) -> str:
    if lot is not None:
        return f"drug-log-lot-{lot.lot_number}.csv"
    return f"drug-log-{start or 'start'}-to-{end or timezone.localdate()}.csv"
