"""A nurse's infusions and shifts overlapping a time are read as a range of an index, with a
lower bound as well as an upper one: without it, "starts before the end" read every visit
or shift since the site opened (the planner's nurse read was 35 ms at the busiest site)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scheduling.models import Appointment, NurseShift
from tests.helpers import book, mon_wed_fri, next_monday
from tests.plans import plans_of

HOUR = datetime.timedelta(hours=1)


def _index_conditions(plans: str) -> str:
    return "\n".join(line for line in plans.splitlines() if "Index Cond" in line)


def test_a_nurses_infusions_are_read_as_a_bounded_range_of_the_nurse_index(nurse):
    start = timezone.now()
    conditions = _index_conditions(
        plans_of(
            lambda: list(
                Appointment.objects.filter(nurse=nurse).infusing_between(start, start + HOUR)
            ),
            "scheduling__nurse_i_a47d97_idx",
        )
    )
    assert "infusion_starts_at <" in conditions and "infusion_starts_at >" in conditions


def test_a_sites_shifts_are_read_as_a_bounded_range_of_the_site_index(site):
    start = timezone.now()
    conditions = _index_conditions(
        plans_of(
            lambda: list(NurseShift.objects.filter(location=site).overlapping(start, start + HOUR)),
            "shift_site_start",
        )
    )
    assert "starts_at <" in conditions and "starts_at >" in conditions


@pytest.mark.usefixtures("shifts")
def test_infusing_between_finds_exactly_the_overlapping_infusions(
    patient, protocol, site, chairs, nurse, front_desk
):
    course = book(
        patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], nurse, front_desk
    )
    first = course.appointments.order_by("starts_at").first()
    s, e = first.infusion_starts_at, first.infusion_ends_at
    minute = datetime.timedelta(minutes=1)
    mine = Appointment.objects.filter(nurse=nurse)
    assert list(mine.infusing_between(s, e)) == [first]
    assert list(mine.infusing_between(e - minute, e + HOUR)) == [first]
    assert list(mine.infusing_between(s - HOUR, s + minute)) == [first]
    assert not mine.infusing_between(e, e + HOUR).exists()  # half-open: ends as the next starts
    assert not mine.infusing_between(s - HOUR, s).exists()


def test_shift_overlapping_and_covering_include_a_night_shift_from_the_day_before(site, nurse):
    evening = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    night = NurseShift.objects.create(
        nurse=nurse, location=site, starts_at=evening, ends_at=evening + 10 * HOUR
    )
    later = evening + 9 * HOUR
    assert list(NurseShift.objects.overlapping(later, later + 2 * HOUR)) == [night]
    assert list(NurseShift.objects.covering(later, later + HOUR)) == [night]
    assert not NurseShift.objects.covering(later, later + 2 * HOUR).exists()
    assert not NurseShift.objects.overlapping(evening + 10 * HOUR, evening + 11 * HOUR).exists()


def test_a_shift_longer_than_a_day_is_refused(site, nurse):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    shift = NurseShift(nurse=nurse, location=site, starts_at=start, ends_at=start + 25 * HOUR)
    with pytest.raises(ValidationError) as refused:
        shift.full_clean()
    assert "A shift lasts at most 24 hours." in str(refused.value)
    with pytest.raises(IntegrityError, match="shift_within_a_day"), transaction.atomic():
        shift.save()
    whole_day = NurseShift(nurse=nurse, location=site, starts_at=start, ends_at=start + 24 * HOUR)
    whole_day.full_clean()
    whole_day.save()
