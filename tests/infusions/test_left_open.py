"""A chart left open: an infusion started on an earlier day and never discharged (nobody
completed or stopped it, or nobody discharged the patient), or a visit checked in and never
started nor charted as not given, drops off today's nurse board,
so the nurse home lists it and counts it in the work waiting, for the nurse's sites only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from infusions.selectors.chart import left_open_for
from infusions.selectors.homes import nurse_work_waiting
from infusions.services import dose_check_record, infusion_start, vitals_record
from tests.chair_clock import advance
from tests.factories import InfusionRecordFactory, UserFactory
from tests.helpers import GOOD, discharge, in_recovery, make_appointment, order_for
from tests.infusions.drawing import ensure_drawn
from tests.step_up import sign

NEXT_DAY = 26 * 60  # minutes: past the next local midnight, even on a 25-hour day


def left_open_count(user) -> int:
    return {item.key: item.count for item in nurse_work_waiting(user)}["charts_left_open"]


def test_an_infusion_left_running_is_listed_the_next_day(login, running, nurse):
    assert list(left_open_for(nurse)) == [] and left_open_count(nurse) == 0
    advance(NEXT_DAY)
    assert list(left_open_for(nurse)) == [running] and left_open_count(nurse) == 1
    page = login(nurse).get(reverse("infusions:nurse_home")).content.decode()
    assert "Charts left open from an earlier day" in page
    assert running.appointment.patient.display_name in page
    assert reverse("infusions:chair", args=[running.appointment_id]) in page
    assert 'data-key="charts_left_open"' in page


def test_a_patient_left_in_recovery_is_listed_and_a_discharged_one_is_not(running, nurse):
    in_recovery(running, nurse)
    advance(NEXT_DAY)
    assert list(left_open_for(nurse)) == [running]
    discharge(running, nurse)
    assert list(left_open_for(nurse)) == [] and left_open_count(nurse) == 0


def test_a_visit_checked_in_never_started_is_listed_until_charted_not_given(record, nurse):
    """It used to stay checked in for good, on no list; "not given" now closes it."""
    from infusions.services import infusion_not_given

    advance(NEXT_DAY)
    assert list(left_open_for(nurse)) == [record] and left_open_count(nurse) == 1
    infusion_not_given(
        record=record, by=nurse, reason="Patient left before the pre-assessment",
        at=record.checked_in_at, late_reason="Chart left open",
    )  # fmt: skip
    assert list(left_open_for(nurse)) == [] and left_open_count(nurse) == 0


def test_another_sites_nurse_does_not_see_it(login, running, other_site):
    elsewhere = UserFactory(username="nurse-sd", role=Role.NURSE, locations=[other_site])
    advance(NEXT_DAY)
    assert list(left_open_for(elsewhere)) == [] and left_open_count(elsewhere) == 0
    page = login(elsewhere).get(reverse("infusions:nurse_home")).content.decode()
    assert "Charts left open from an earlier day</h2>" not in page


def start_another(*, site, nurse, second_nurse, physician, protocol):
    """A second running infusion at the site, through the same steps as ``running``."""
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    record = InfusionRecordFactory(appointment=appointment, checked_in_by=nurse)
    order = sign(order_for(appointment, nurse), physician)
    for checker in (nurse, second_nurse):
        dose_check_record(order=order, nurse=checker, entered_mg=order.dose_mg)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    ensure_drawn(order, by=nurse)
    return infusion_start(record=record, by=nurse)


def test_the_list_costs_the_same_queries_however_many_are_open(
    login, running, nurse, second_nurse, physician, site, protocol,
    django_assert_max_num_queries,
):  # fmt: skip
    """The nurse home with one chart left open, then with three: no query per chart."""
    home = reverse("infusions:nurse_home")
    advance(NEXT_DAY)
    client = login(nurse)
    client.get(home)
    with CaptureQueriesContext(connection) as one:
        assert client.get(home).status_code == 200
    with_one = len(one.captured_queries)  # now: a later request clears connection.queries
    more = [
        start_another(site=site, nurse=nurse, second_nurse=second_nurse, physician=physician,
                      protocol=protocol)
        for _ in range(2)
    ]  # fmt: skip
    advance(NEXT_DAY)
    assert list(left_open_for(nurse)) == [running, *more]
    client = login(nurse)  # a day later: the idle session has timed out
    client.get(home)
    with django_assert_max_num_queries(with_one):
        page = client.get(home).content.decode()
    assert page.count("Chair screen</a></td>") >= 3


def test_the_count_reads_the_open_charts_index_not_every_record(running, nurse):
    """Five years of records are ~900,000 at a network's size (a seq scan: 74 ms, twice per
    nurse home); the partial index of charts not closed holds a handful. The query's status
    test must match the index's condition for Postgres to use it."""
    with CaptureQueriesContext(connection) as queries:
        left_open_for(nurse).count()
    sql = queries.captured_queries[-1]["sql"]  # its values written in
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "infusionrecord_open_chart" in plan, plan


def test_a_chart_that_spans_days_shows_the_date_with_each_time(login, running, nurse):
    """A chart of one day shows clock times; left open past midnight, each reading's time
    carries its date (Saturday's baseline must not read as after Sunday's readings), on the
    chair screen and on the printed record."""
    baseline = running.vitals.get()
    chair = reverse("infusions:chair", args=[running.appointment_id])
    printed = reverse("infusions:record_print", args=[running.appointment_id])
    when = timezone.localtime(baseline.taken_at)
    page = login(nurse).get(chair).content.decode()
    assert f"<td>{when:%H:%M}</td>" in page and f"{when:%m/%d %H:%M}" not in page
    advance(NEXT_DAY)
    client = login(nurse)
    assert f"<td>{when:%m/%d %H:%M}</td>" in client.get(chair).content.decode()
    assert f"{when:%m/%d %H:%M:%S}" in client.get(printed).content.decode()
