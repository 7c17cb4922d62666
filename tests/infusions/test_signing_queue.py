"""The signing queue (``OrderAwaitingSignature``): database triggers keep one row per order
never signed nor cancelled, whoever writes the orders, and "unsigned" reads it, so the nurse
board's and the physician home's counts cost the orders waiting, not the site's history."""

import importlib
from decimal import Decimal

from django.db import connection, migrations
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infusions.models import DoseOrder, OrderAwaitingSignature, OrderStatus
from infusions.selectors.homes import nurse_work_waiting
from infusions.selectors.orders import unsigned_orders_for
from infusions.services import dose_order_cancel, dose_order_create
from tests.helpers import make_appointment, order_for, weigh
from tests.step_up import sign

QUEUE = "infusions_orderawaitingsignature"


def queued() -> set[int]:
    return set(OrderAwaitingSignature.objects.values_list("order_id", flat=True))


def never_signed_nor_cancelled() -> set[int]:
    """The queue's meaning, read from the record itself (what ``unsigned()`` used to ask)."""
    ended = [OrderStatus.SIGNED, OrderStatus.CANCELLED]
    return set(DoseOrder.objects.exclude(events__to_status__in=ended).values_list("pk", flat=True))


def unsigned_count(user) -> int:
    return unsigned_orders_for(user).count()


def test_a_new_order_waits_until_it_is_signed(order, physician):
    assert queued() == {order.pk} and unsigned_count(physician) == 1
    sign(order, physician)
    assert queued() == set() and unsigned_count(physician) == 0
    assert DoseOrder.objects.with_status().get(pk=order.pk).status == OrderStatus.SIGNED


def test_a_cancelled_order_leaves_the_queue(order, nurse, physician):
    dose_order_cancel(order=order, cancelled_by=nurse, reason="Patient declined")
    assert queued() == set() and unsigned_count(physician) == 0


def test_cancelling_a_signed_order_leaves_the_queue_empty(order, nurse, physician):
    sign(order, physician)
    dose_order_cancel(order=order, cancelled_by=nurse, reason="Patient declined")
    assert queued() == set() and unsigned_count(physician) == 0
    assert DoseOrder.objects.with_status().get(pk=order.pk).status == OrderStatus.CANCELLED


def test_a_replacing_order_takes_the_place_of_the_one_it_cancels(order, appointment, nurse):
    new = dose_order_create(
        appointment=appointment, weight=weigh(appointment, nurse, "71"),
        vial_mg_per_ml=Decimal("50"), created_by=nurse,
    )  # fmt: skip
    assert queued() == {new.pk} == never_signed_nor_cancelled()
    assert list(unsigned_orders_for(nurse)) == [new]


def test_the_queue_agrees_with_the_record_through_a_mix_of_orders(site, nurse, physician, protocol):
    orders = [
        order_for(make_appointment(site=site, nurse=nurse, protocol=protocol), nurse)
        for _ in range(4)
    ]
    sign(orders[0], physician)
    dose_order_cancel(order=orders[1], cancelled_by=nurse, reason="Declined")
    sign(orders[2], physician)
    dose_order_cancel(order=orders[2], cancelled_by=nurse, reason="Rescheduled")
    assert queued() == never_signed_nor_cancelled() == {orders[3].pk}
    assert [o.pk for o in unsigned_orders_for(physician)] == [orders[3].pk]
    assert unsigned_orders_for(physician).get().status == OrderStatus.UNSIGNED


def test_set_based_inserts_are_queued_and_dequeued_row_by_row(order, physician):
    """The scale seed writes orders and events with INSERT ... SELECT, many rows a
    statement: each order is queued, and each signature or cancellation dequeues its own."""
    columns = [field.column for field in DoseOrder._meta.concrete_fields if field.column != "id"]
    copy = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO infusions_doseorder ({copy}) "  # noqa: S608 (the model's own columns)
            f"SELECT {copy} FROM infusions_doseorder CROSS JOIN generate_series(1, 3) "
            "RETURNING id"
        )
        copies = sorted(row[0] for row in cursor.fetchall())
        assert queued() == {order.pk, *copies}
        cursor.execute(
            "INSERT INTO infusions_doseorderevent (order_id, from_status, to_status, signed_as,"
            " confirmed_with, reason, at, by_id) SELECT id, 'unsigned', status, signed_as, '',"
            " '', now(), %s FROM (VALUES (%s, 'signed', 'physician'), (%s, 'cancelled', ''))"
            " AS e (id, status, signed_as)",
            [physician.pk, copies[0], copies[1]],
        )
    assert queued() == never_signed_nor_cancelled() == {order.pk, copies[2]}


def test_the_migration_fills_the_queue_from_the_record(order, site, nurse, physician, protocol):
    signed = order_for(make_appointment(site=site, nurse=nurse, protocol=protocol), nurse)
    sign(signed, physician)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {QUEUE}")  # noqa: S608
        backfill = importlib.import_module("infusions.migrations.0012_signing_queue")
        (sql,) = [op.sql for op in backfill.Migration.operations
                  if isinstance(op, migrations.RunSQL)]  # fmt: skip
        cursor.execute(sql)
        assert queued() == {order.pk}
        cursor.execute(sql)  # again: nothing twice
    assert queued() == {order.pk}


def _count_query(user) -> str:
    with CaptureQueriesContext(connection) as queries:
        unsigned_count(user)
    (query,) = queries.captured_queries
    return query["sql"]


def test_the_count_reads_the_queue_not_every_order_ever_signed(order, nurse):
    sql = _count_query(nurse)
    assert QUEUE in sql and "infusions_doseorderevent" not in sql


def _board_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("infusions:nurse_home")).status_code == 200
    return len(queries)


def test_the_nurse_board_costs_the_same_for_one_or_many_signed_orders(
    login, site, nurse, physician, protocol, django_assert_max_num_queries
):
    first = order_for(make_appointment(site=site, nurse=nurse, protocol=protocol), nurse)
    sign(first, physician)
    client = login(nurse)
    one = _board_queries(client)
    for _ in range(6):
        later = order_for(make_appointment(site=site, nurse=nurse, protocol=protocol), nurse)
        sign(later, physician)
    waiting = order_for(make_appointment(site=site, nurse=nurse, protocol=protocol), nurse)
    with django_assert_max_num_queries(one):
        assert client.get(reverse("infusions:nurse_home")).status_code == 200
    work = {item.key: item.count for item in nurse_work_waiting(nurse)}
    assert work["unsigned_orders"] == 1 and queued() == {waiting.pk}
