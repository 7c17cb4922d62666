"""`manage.py seed_scale` on a tiny network (one site, four chairs, two months): the rows
respect every rule the services keep, and the busiest screens answer on them.

The network is seeded once for the module inside a transaction that is rolled back at the
end (each test runs in a savepoint within it), so no other test sees it.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from clinic.models import Location, User
from tests.factories import LocationFactory

SIZE = {"sites": 1, "chairs": 4, "patients": 150, "days": 60}
APPEND_ONLY = [
    "audit_accesslog", "infusions_discharge", "infusions_dosecheck", "infusions_doseorder",
    "infusions_doseorderevent", "infusions_druglogentry", "infusions_escortentry",
    "infusions_infusionstatusevent", "infusions_lot", "infusions_protocolversion",
    "infusions_vitalsreading", "patients_clearance", "patients_clinicalintake",
    "patients_communicationconsent", "patients_consentsignature", "patients_outcomemeasure",
    "patients_priortreatment", "patients_screening", "patients_weightmeasurement",
    "scheduling_appointmentstatuschange",
]  # fmt: skip


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def count(table: str) -> int:
    return rows(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608


def test_refuses_a_database_holding_other_data(db):
    LocationFactory(name="Irvine", code="irvine")
    with pytest.raises(CommandError, match="not a scale network's.*--force"):
        call_command("seed_scale", **SIZE, no_progress=True, stdout=io.StringIO())
    assert not Location.objects.filter(code__startswith="scale-").exists()


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            out = io.StringIO()
            indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            indexes_before = set(rows(indexes))
            call_command("seed_scale", **SIZE, no_progress=True, stdout=out)
            indexes_after = set(rows(indexes))
            # This transaction's own statistics: what the seed inserted, updated, deleted.
            stats = {
                name: (inserted, updated, deleted)
                for name, inserted, updated, deleted in rows(
                    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
                )
            }
            site = Location.objects.get(code="scale-01")
            yield SimpleNamespace(
                output=out.getvalue(), stats=stats, site=site, indexes_before=indexes_before,
                indexes_after=indexes_after,
            )  # fmt: skip
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def test_reports_the_rows_it_wrote_per_table(scale, db):
    for table in ("scheduling_appointment", "infusions_vitalsreading", "audit_accesslog"):
        line = next(line for line in scale.output.splitlines() if line.strip().startswith(table))
        assert int(line.split()[-1].replace(",", "")) == count(table)
    assert "Scale network built" in scale.output


def test_builds_the_network_it_was_asked_for(scale, db):
    assert count("clinic_location") == 1
    assert count("scheduling_chair") == 4
    assert count("patients_patient") == 150
    appointments = count("scheduling_appointment")
    # 4 chairs x 6 slots x every open day, nearly full.
    open_days = 60 * 6 / 7
    assert 0.8 * 4 * 6 * open_days < appointments < 4 * 6 * (open_days + 90)
    completed = rows("SELECT count(*) FROM scheduling_appointment WHERE status = 'completed'")
    assert completed[0][0] == count("infusions_infusionrecord") == count("infusions_doseorder")
    assert count("infusions_discharge") == count("infusions_infusionrecord")
    assert count("infusions_vitalsreading") == 8 * count("infusions_infusionrecord")
    seeded = ["scheduling_outboundmessage", "scheduling_nurseshift", "infusions_lot",
              "patients_clinicalintake", "patients_screening",
              "patients_outcomemeasure"]  # fmt: skip
    for table in seeded:
        assert count(table) > 0, table


def test_courses_are_eight_to_twelve_infusions_within_28_days(scale, db):
    spans = rows(
        "SELECT c.planned_infusions, count(a.id), max(a.starts_at) - min(a.starts_at) "
        "FROM scheduling_course c JOIN scheduling_appointment a ON a.course_id = c.id "
        "GROUP BY c.id"
    )
    for planned, booked, span in spans:
        assert 8 <= planned <= 12 and booked == planned
        assert span < datetime.timedelta(days=28)


def test_nothing_is_double_booked(scale, db):
    overlap = """
        SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
          ON a.id < b.id AND a.{key} = b.{key}
         AND a.{start} < b.{end} AND b.{start} < a.{end}
        WHERE a.status <> ALL(%s) AND b.status <> ALL(%s)
    """
    inactive = ["cancelled", "no_show"]
    for key in ("chair_id", "patient_id"):
        sql = overlap.format(key=key, start="starts_at", end="ends_at")
        assert rows(sql, [inactive, inactive]) == [(0,)], key
    # Nurse capacity 1: a nurse's infusions never overlap.
    sql = overlap.format(key="nurse_id", start="infusion_starts_at", end="infusion_ends_at")
    assert rows(sql, [inactive, inactive]) == [(0,)]
    # Each visit's nurse is on shift at the site for the whole visit.
    assert rows(
        "SELECT count(*) FROM scheduling_appointment a WHERE NOT EXISTS ("
        " SELECT 1 FROM scheduling_nurseshift s WHERE s.nurse_id = a.nurse_id"
        " AND s.location_id = a.location_id AND s.starts_at <= a.starts_at"
        " AND s.ends_at >= a.ends_at)"
    ) == [(0,)]


def test_each_completed_infusion_has_vitals_every_ten_minutes(scale, db):
    records = rows(
        "SELECT r.id, r.started_at, r.ended_at, array_agg(v.taken_at ORDER BY v.taken_at) "
        "FROM infusions_infusionrecord r JOIN infusions_vitalsreading v ON v.record_id = r.id "
        "WHERE v.phase = 'during' GROUP BY r.id"
    )
    assert len(records) == count("infusions_infusionrecord") > 0
    ten = datetime.timedelta(minutes=10)
    for _, started, ended, taken in records:
        assert taken[0] == started + ten and taken[-1] == ended
        assert all(later - earlier == ten for earlier, later in zip(taken, taken[1:], strict=False))
    # A baseline before the start, a reading at the end and in recovery before discharge.
    assert rows(
        "SELECT count(*) FROM infusions_infusionrecord r WHERE NOT EXISTS ("
        " SELECT 1 FROM infusions_vitalsreading v WHERE v.record_id = r.id"
        " AND v.phase = 'baseline' AND v.taken_at < r.started_at)"
        " OR NOT EXISTS (SELECT 1 FROM infusions_vitalsreading v JOIN infusions_discharge d"
        " ON d.record_id = v.record_id WHERE v.record_id = r.id AND v.phase = 'recovery'"
        " AND v.taken_at >= r.ended_at + interval '30 minutes'"
        " AND v.taken_at <= d.discharged_at)"
    ) == [(0,)]


def test_records_agree_with_their_status_history(scale, db):
    disagreeing = rows(
        "SELECT count(*) FROM infusions_infusionrecord r WHERE r.status IS DISTINCT FROM ("
        " SELECT to_status FROM infusions_infusionstatusevent e WHERE e.record_id = r.id"
        " ORDER BY e.id DESC LIMIT 1)"
        " OR r.started_at IS DISTINCT FROM (SELECT min(at) FROM infusions_infusionstatusevent e"
        "  WHERE e.record_id = r.id AND e.to_status = 'running')"
        " OR r.ended_at IS DISTINCT FROM (SELECT min(at) FROM infusions_infusionstatusevent e"
        "  WHERE e.record_id = r.id AND e.to_status = 'completed')"
    )
    assert disagreeing == [(0,)]
    # Every appointment's status is the last of its own history, which starts at booking.
    assert rows(
        "SELECT count(*) FROM scheduling_appointment a WHERE a.status IS DISTINCT FROM ("
        " SELECT to_status FROM scheduling_appointmentstatuschange c"
        " WHERE c.appointment_id = a.id ORDER BY c.changed_at DESC, c.id DESC LIMIT 1)"
    ) == [(0,)]


def test_every_mg_is_accounted_for(scale, db):
    # Drawn = administered + witnessed waste, per order; waste names a second person.
    assert rows(
        "SELECT count(*) FROM infusions_doseorder o WHERE ("
        " SELECT coalesce(sum(mg), 0) FROM infusions_druglogentry WHERE order_id = o.id"
        " AND kind = 'drawn') <> (SELECT coalesce(sum(mg), 0) FROM infusions_druglogentry"
        " WHERE order_id = o.id AND kind IN ('administered', 'wasted'))"
    ) == [(0,)]
    # Each lot's running balance ends at received minus drawn, and never went below zero.
    lots = rows(
        "SELECT l.id, l.received_vials * 500, sum(e.stock_change_mg),"
        " (SELECT balance_mg FROM infusions_druglogentry WHERE lot_id = l.id"
        "  AND balance_mg IS NOT NULL ORDER BY id DESC LIMIT 1), min(e.balance_mg) "
        "FROM infusions_lot l JOIN infusions_druglogentry e ON e.lot_id = l.id GROUP BY l.id"
    )
    for _, received, change, balance, lowest in lots:
        assert change == balance and 0 <= balance < received and lowest >= 0
    # Past months' lots were closed at the month's end; only this month's still holds stock.
    assert [balance > 0 for *_, balance, _ in sorted(lots)].count(True) <= 1


def test_seeding_only_inserted_and_left_every_trigger_on(scale, db):
    for table in APPEND_ONLY:
        inserted, updated, deleted = scale.stats[table]
        assert inserted > 0 and updated == 0 and deleted == 0, table
    assert rows("SELECT count(*) FROM pg_trigger WHERE tgenabled <> 'O'") == [(0,)]
    # The signing queue's triggers ran: each order queued, and dequeued by its signature.
    orders = count("infusions_doseorder")
    inserted, _, deleted = scale.stats["infusions_orderawaitingsignature"]
    assert inserted == deleted == orders > 0
    assert count("infusions_orderawaitingsignature") == 0


def test_every_index_the_seed_dropped_is_back_as_it_was(scale, db):
    # The plain indexes are dropped for the load and built again from their definitions.
    names = {name for name, _ in scale.indexes_after}
    assert any(name.startswith("infusions_vitalsreading_taken_by_id") for name in names)
    assert scale.indexes_after == scale.indexes_before


def test_reserved_id_blocks_and_default_ids_take_the_same_lock():
    # With --jobs N, a block of ids reserved by one job must not interleave with another
    # job's default ids from the same sequence: those inserts take the table's lock.
    from bench.scale import db as scale_db
    from bench.scale import intake, visits

    def locked(sql):
        return scale_db.takes_default_ids(sql)

    assert locked(visits.COURSE_MEASURES) and locked(visits.ACCOUNTED)
    assert locked(visits.RECEIVED) and locked(visits.MONTH_END)
    assert locked(intake.INTAKE_WEIGHT)
    assert not locked(visits.DRAWN) and not locked(visits.WEIGHTS) and not locked(visits.PAIN)
    assert not locked(visits.VITALS)  # its ids are never reserved


def test_refuses_to_seed_a_second_network(scale, db):
    with pytest.raises(CommandError, match="already holds a scale network"):
        call_command("seed_scale", **SIZE, no_progress=True, stdout=io.StringIO())


def _busiest_day(site):
    (day,) = rows(
        "SELECT (starts_at AT TIME ZONE 'America/Los_Angeles')::date FROM scheduling_appointment"
        " WHERE location_id = %s AND status = 'completed'"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1",
        [site.pk],
    )[0]
    return day


def test_the_day_board_answers_for_a_busy_seeded_day(scale, client, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="scale-01-desk1"))
    url, day = reverse("scheduling:board"), _busiest_day(scale.site)
    # The desk's home strip counts its work, one query per kind of work (four kinds came with
    # billing, the waitlist offers and the request pipeline), the overdue-request count reads
    # the site's closed days and rules, and the first request after login writes the session
    # (savepoint, update, release): constant in the data, whatever the day.
    with django_assert_max_num_queries(22):
        response = client.get(url, {"location": scale.site.pk, "date": day})
    assert response.status_code == 200
    assert response.content.count(b"Chair 0") >= 4


def test_the_patient_page_answers_for_the_patient_with_most_visits(
    scale, client, django_assert_max_num_queries
):
    (patient_id,) = rows(
        "SELECT patient_id FROM scheduling_appointment GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )[0]
    client.force_login(User.objects.get(username="scale-01-nurse01"))
    for tab in ("overview", "courses", "measures", "weights", "history"):
        with django_assert_max_num_queries(24):
            response = client.get(reverse("patients:detail", args=[patient_id]), {"tab": tab})
        assert response.status_code == 200, tab
    with django_assert_max_num_queries(12):
        response = client.get(reverse("scheduling:patient_courses", args=[patient_id]))
    assert response.status_code == 200
    assert b" done</span>" in response.content


def test_the_nurse_board_answers_for_a_seeded_nurse(scale, client, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="scale-01-nurse01"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("infusions:nurse_home"))
    assert response.status_code == 200
