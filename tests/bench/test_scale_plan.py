"""The scale network's plan, in plain Python: the full size without a database."""

import datetime

import pytest

from bench.scale import plan

TODAY = datetime.date(2026, 12, 5)


def full_site():
    size = plan.Size()
    first, last = plan.history_window(size, TODAY)
    days = plan.open_days(first, last, closed=set())
    courses = plan.courses_for_site(size, days, TODAY, plan.site_rng(size, 0))
    plan.assign_patients(courses, size.patients_at(0))
    return size, courses


def test_the_full_network_books_about_900_000_appointments():
    size, courses = full_site()
    visits = sum(len(course.days) for course in courses)
    # One of ten sites: six 105-minute slots a day on ten chairs, six days a week, 5 years.
    assert 85_000 < visits < 100_000
    assert all(8 <= len(course.days) <= 12 for course in courses)
    assert all((c.days[-1][1] - c.days[0][1]).days < plan.MAX_COURSE_DAYS for c in courses)


def test_a_chair_slot_holds_one_visit_a_day_and_a_patient_one_course_at_a_time():
    _, courses = full_site()
    slots = [(c.chair, c.slot, day) for c in courses for _, day in c.days]
    assert len(slots) == len(set(slots))
    by_patient = {}
    for course in courses:
        by_patient.setdefault(course.patient, []).append((course.days[0][1], course.days[-1][1]))
    for spans in by_patient.values():
        spans.sort()
        assert all(
            end < next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False)
        )


def test_two_chairs_share_a_nurse_whose_infusions_never_overlap():
    day = datetime.date(2026, 3, 9)  # the Monday after DST began: wall-clock times hold
    infusions = sorted(
        plan.visit_start(day, chair, slot) + datetime.timedelta(minutes=plan.PREP_MINUTES)
        for chair in (0, 1)
        for slot in range(plan.SLOTS_PER_DAY)
    )
    infusion = datetime.timedelta(minutes=plan.INFUSION_MINUTES)
    assert all(
        later - earlier >= infusion
        for earlier, later in zip(infusions, infusions[1:], strict=False)
    )
    last_end = plan.visit_start(day, 1, plan.SLOTS_PER_DAY - 1) + datetime.timedelta(
        minutes=plan.VISIT_MINUTES
    )
    assert last_end.astimezone(plan.ZONE).time() <= plan.CLOSES
    assert plan.visit_start(day, 0, 0).astimezone(plan.ZONE).time() == plan.OPENS


def test_too_few_patients_for_the_courses_running_at_once_is_refused_clearly():
    size = plan.Size(sites=1, chairs=2, patients=5, days=60)
    first, last = plan.history_window(size, TODAY)
    courses = plan.courses_for_site(
        size, plan.open_days(first, last, set()), TODAY, plan.site_rng(size, 0)
    )
    with pytest.raises(ValueError, match="too few"):
        plan.assign_patients(courses, 5)
