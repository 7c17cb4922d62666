"""The controlled-substance log: lots, draws, waste with a witness, drawn = given + wasted,
a balance that never goes negative (also under concurrent draws), reconciliation that closes
a day, inventories, the CSV report and the append-only record."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from infusions.models import DrugLogEntry, EntryKind, InventoryKind, Lot
from infusions.selectors.druglog import open_discrepancies_for
from infusions.services import (
    day_reconcile,
    discrepancy_resolve,
    drug_draw,
    drug_log_adjust,
    infusion_drug_account,
    inventory_record,
    lot_balance,
)
from tests.factories import UserFactory
from tests.helpers import receive
from tests.step_up import witness_credentials

TODAY = timezone.localdate


def test_receiving_a_lot_records_the_stock_in_mg_and_ml(lot):
    assert lot_balance(lot) == (Decimal("1000.00"), Decimal("20.00"))
    entry = lot.entries.get()
    assert entry.kind == EntryKind.RECEIVED and entry.stock_change_mg == Decimal("1000.00")


def test_a_nurse_draws_and_the_running_balance_falls(lot, order, nurse):
    entry = drug_draw(order=order, lot=lot, ml=Decimal("1"), drawn_by=nurse)
    assert entry.mg == Decimal("50.00") and entry.ml == Decimal("1.00")
    assert (entry.balance_mg, entry.balance_ml) == (Decimal("950.00"), Decimal("19.00"))


def test_an_expired_lot_cannot_be_drawn(lot, order, nurse):
    # Received (directly, months ago) while still in date; it expired yesterday.
    expired = Lot.objects.create(
        location=lot.location, lot_number="EXPIRED", concentration_mg_per_ml=Decimal("50"),
        vial_volume_ml=Decimal("10"), expires_on=TODAY() - datetime.timedelta(days=1),
        received_vials=1, received_at=timezone.now() - datetime.timedelta(days=90),
        received_by=lot.received_by,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        drug_draw(order=order, lot=expired, ml=Decimal("1"), drawn_by=nurse)
    assert "expired" in error.value.message_dict["lot"][0]
    assert not expired.entries.exists()


def test_receiving_an_already_expired_lot_is_refused(site, physician):
    with pytest.raises(ValidationError, match="expired"):
        receive(site, physician, expires_on=TODAY() - datetime.timedelta(days=1))


def test_the_balance_can_never_go_negative(lot, order, nurse):
    drug_draw(order=order, lot=lot, ml=Decimal("19.5"), drawn_by=nurse)
    with pytest.raises(ValidationError, match="below zero"):
        drug_draw(order=order, lot=lot, ml=Decimal("1"), drawn_by=nurse)
    assert lot_balance(lot) == (Decimal("25.00"), Decimal("0.50"))


def test_waste_needs_a_witness(drawn, nurse):
    with pytest.raises(ValidationError) as error:
        infusion_drug_account(
            order=drawn, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.1"),
            witness=None, by=nurse,
        )  # fmt: skip
    assert "witness" in error.value.message_dict
    assert not drawn.drug_log.exclude(kind=EntryKind.DRAWN).exists()


def test_the_drawer_cannot_witness_the_waste(drawn, nurse, second_nurse):
    with pytest.raises(ValidationError, match="someone other"):
        infusion_drug_account(
            order=drawn, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.1"),
            witness=nurse, by=second_nurse,
        )  # fmt: skip


def test_drawn_must_equal_given_plus_wasted_and_nothing_is_saved(drawn, nurse, second_nurse):
    with pytest.raises(ValidationError, match="35.00 mg was drawn"):
        infusion_drug_account(
            order=drawn, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.05"),
            witness=second_nurse, by=nurse,
        )  # fmt: skip
    assert not drawn.drug_log.exclude(kind=EntryKind.DRAWN).exists()


def test_a_balanced_account_records_given_and_witnessed_waste_once(drawn, nurse, second_nurse):
    given, wasted = infusion_drug_account(
        order=drawn, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.1"),
        witness=second_nurse, by=nurse, **witness_credentials(second_nurse),
    )  # fmt: skip
    assert (given.kind, given.mg) == (EntryKind.ADMINISTERED, Decimal("34.90"))
    assert (wasted.witness, wasted.mg) == (second_nurse, Decimal("0.10"))
    with pytest.raises(ValidationError, match="already accounted"):
        infusion_drug_account(
            order=drawn, administered_mg=Decimal("35"), wasted_mg=Decimal("0"),
            witness=None, by=nurse,
        )  # fmt: skip


def test_a_reconciled_day_is_read_only_and_a_discrepancy_is_flagged(
    drawn, lot, nurse, clinic_admin, site
):
    reconciliation = day_reconcile(
        location=site, day=TODAY(), counted_ml={lot.pk: Decimal("19.2")}, reconciled_by=nurse
    )
    count = reconciliation.counts.get()
    assert count.expected_ml == Decimal("19.30") and count.discrepancy_mg == Decimal("-5.00")
    assert reconciliation.has_discrepancy
    assert list(open_discrepancies_for(clinic_admin)) == [count]
    with pytest.raises(ValidationError, match="closed"):
        drug_draw(order=drawn, lot=lot, ml=Decimal("0.1"), drawn_by=nurse)
    with pytest.raises(ValidationError, match="closed"):
        drug_log_adjust(lot=lot, ml=Decimal("-0.1"), reason="Spill", by=clinic_admin)
    with pytest.raises(ValidationError, match="already reconciled"):
        day_reconcile(location=site, day=TODAY(), counted_ml={}, reconciled_by=nurse)
    discrepancy_resolve(count=count, resolved_by=clinic_admin, note="Spill found on CCTV.")
    assert not open_discrepancies_for(clinic_admin).exists()


def test_reconciling_needs_every_lot_counted(lot, site, nurse):
    with pytest.raises(ValidationError, match="Count lot K123"):
        day_reconcile(location=site, day=TODAY(), counted_ml={}, reconciled_by=nurse)


def test_an_adjustment_needs_a_reason_and_an_adjuster(lot, nurse, clinic_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        drug_log_adjust(lot=lot, ml=Decimal("-1"), reason="Broken vial", by=nurse)
    with pytest.raises(ValidationError):
        drug_log_adjust(lot=lot, ml=Decimal("-1"), reason=" ", by=clinic_admin)
    entry = drug_log_adjust(lot=lot, ml=Decimal("-1"), reason="Broken vial", by=clinic_admin)
    assert (entry.mg, entry.balance_mg) == (Decimal("-50.00"), Decimal("950.00"))


def test_an_opening_inventory_counts_every_lot(lot, site, clinic_admin):
    inventory = inventory_record(
        location=site, kind=InventoryKind.OPENING, counted_ml={lot.pk: Decimal("20")},
        taken_by=clinic_admin,
    )  # fmt: skip
    count = inventory.counts.get()
    assert (count.counted_mg, count.expected_mg) == (Decimal("1000.00"), Decimal("1000.00"))


def test_an_inventory_cannot_be_dated_in_the_future(lot, site, clinic_admin):
    with pytest.raises(ValidationError) as refused:
        inventory_record(
            location=site, kind=InventoryKind.OPENING, counted_ml={lot.pk: Decimal("20")},
            taken_by=clinic_admin, taken_at=timezone.now() + datetime.timedelta(days=1),
        )  # fmt: skip
    assert refused.value.message_dict == {
        "taken_at": ["An inventory cannot be dated in the future."]
    }
    assert not site.inventories.exists()


def test_a_drug_log_entry_cannot_be_updated_or_deleted_with_raw_sql(lot):
    entry = lot.entries.get()
    for statement in (
        "UPDATE infusions_druglogentry SET mg = 1 WHERE id = %s",
        "DELETE FROM infusions_druglogentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert DrugLogEntry.objects.get(pk=entry.pk).mg == Decimal("1000.00")


def test_the_csv_report_lists_every_entry_of_a_lot(drawn, lot, nurse, second_nurse, login):
    infusion_drug_account(
        order=drawn, administered_mg=Decimal("34.9"), wasted_mg=Decimal("0.1"),
        witness=second_nurse, by=nurse, **witness_credentials(second_nurse),
    )  # fmt: skip
    response = login(nurse).get(reverse("infusions:drug_log_csv") + f"?lot={lot.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="drug-log-lot-{lot.lot_number}.csv"'
    )
    body = b"".join(response.streaming_content)
    rows = body.decode().splitlines()
    assert rows[0].startswith("entry_id,")
    kinds = [row.split(",")[5] for row in rows[1:]]
    assert kinds == ["received", "drawn", "administered", "wasted"]
    api = login(nurse).get(reverse("drug-log-report-list") + f"?lot={lot.pk}")
    assert api.status_code == 200 and b"".join(api.streaming_content) == body


def test_the_csv_report_by_date_range_and_site(drawn, lot, nurse, login):
    today = TODAY().isoformat()
    response = login(nurse).get(reverse("infusions:drug_log_csv") + f"?start={today}&end={today}")
    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 3  # header, received, drawn


def test_a_large_report_is_written_to_a_file_not_kept_in_memory(
    drawn, lot, nurse, login, monkeypatch
):
    """Past ``IN_MEMORY_BYTES`` the report goes to a temporary file, whole, before a byte is
    sent; the bytes are the same."""
    from infusions.api import reconciliation

    client = login(nurse)
    url = reverse("infusions:drug_log_csv") + f"?lot={lot.pk}"
    small = b"".join(client.get(url).streaming_content)
    monkeypatch.setattr(reconciliation, "IN_MEMORY_BYTES", 10)
    made, spool = [], reconciliation.tempfile.SpooledTemporaryFile
    monkeypatch.setattr(
        reconciliation.tempfile, "SpooledTemporaryFile",
        lambda **kwargs: made.append(spool(**kwargs)) or made[-1],
    )  # fmt: skip
    response = client.get(url)
    assert made[0]._rolled  # on disk
    assert b"".join(response.streaming_content) == small


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_draws_cannot_overdraw_a_lot(site, nurse, second_nurse, physician):
    from infusions.services import dose_order_create, protocol_create
    from tests.helpers import make_appointment, weigh

    protocol = protocol_create(
        name="FM", code="fm", created_by=physician, soft_max_mg=Decimal("60"),
        hard_max_mg=Decimal("100"),
    )  # fmt: skip
    lot = receive(site, physician, vials=1)  # 10 mL
    orders = []
    for number, who in enumerate((nurse, second_nurse)):
        appointment = make_appointment(
            site=site, nurse=who, protocol=protocol,
            starts_at=timezone.now() + datetime.timedelta(minutes=number),
        )  # fmt: skip
        orders.append(
            dose_order_create(
                appointment=appointment,
                weight=weigh(appointment, who, "70"),
                vial_mg_per_ml=Decimal("50"),
                created_by=who,
            )  # fmt: skip
        )
    barrier = threading.Barrier(2)
    outcomes = []

    def draw(dose_order, who):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            drug_draw(order=dose_order, lot=lot, ml=Decimal("6"), drawn_by=who)
            outcomes.append("drawn")
        except ValidationError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=draw, args=(dose_order, who))
        for dose_order, who in zip(orders, (nurse, second_nurse), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["drawn", "refused"]
    assert lot_balance(lot) == (Decimal("200.00"), Decimal("4.00"))


def test_a_nurse_of_another_site_cannot_draw(lot, order, other_site):
    from django.core.exceptions import PermissionDenied

    stranger = UserFactory(role=Role.NURSE, locations=[other_site])
    with pytest.raises(PermissionDenied):
        drug_draw(order=order, lot=lot, ml=Decimal("1"), drawn_by=stranger)
