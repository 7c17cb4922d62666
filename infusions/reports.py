"""The controlled-substance report as CSV: one row per drug-log entry, shared by the HTML
download and the API so both give the same bytes."""

import csv
import datetime
import io

from django.utils import timezone

COLUMNS = [
    "entry_id", "business_date", "occurred_at", "recorded_at", "location", "kind", "lot",
    "concentration_mg_per_ml", "mg", "ml", "stock_change_mg", "stock_change_ml",
    "lot_balance_mg", "lot_balance_ml", "order", "patient_mrn", "by", "witness", "reason",
]  # fmt: skip


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


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


def drug_log_csv(entries) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        lot = entry.lot
        patient = entry.order.appointment.patient if entry.order_id else None
        row = [
            entry.pk, entry.business_date.isoformat(), _local(entry.occurred_at),
            _local(entry.recorded_at), entry.location.code, entry.kind,
            lot.lot_number if lot else "", lot.concentration_mg_per_ml if lot else "",
            entry.mg, entry.ml, entry.stock_change_mg, entry.stock_change_ml, entry.balance_mg,
            entry.balance_ml, entry.order_id, patient.mrn if patient else "",
            entry.by.get_full_name() or entry.by.username,
            (entry.witness.get_full_name() or entry.witness.username) if entry.witness else "",
            entry.reason,
        ]  # fmt: skip
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def report_filename(*, lot=None, start=None, end=None) -> str:
    if lot is not None:
        return f"drug-log-lot-{lot.lot_number}.csv"
    return f"drug-log-{start or 'start'}-to-{end or timezone.localdate()}.csv"
