"""The clinic admin's outcome-measure screens: every protocol's schedule, and one protocol's
with the form that saves the next version."""

from decimal import Decimal

import pytest
from django.urls import reverse

from infusions.services import protocol_create
from outcomes.models import MeasureSchedule
from outcomes.schedule import Item
from outcomes.selectors import current_schedule


def default_post(**changes) -> dict:
    """The form as it comes with the default schedule ticked, with ``changes``."""
    body = {
        "pain_nrs__before_each": "on", "pain_nrs__after_each": "on",
        "pain_nrs__follow_up_days": "30, 90",
        "fiqr__baseline": "on", "fiqr__end_of_course": "on", "fiqr__after_infusion": "4",
        "fiqr__follow_up_days": "30, 90",
        "phq9__baseline": "on", "phq9__end_of_course": "on", "phq9__after_infusion": "4",
        "phq9__follow_up_days": "30, 90",
        "note": "",
    }  # fmt: skip
    return {**body, **changes}


def test_the_list_shows_every_protocol_in_constant_queries(
    login, clinic_admin, protocol, physician, django_assert_max_num_queries
):
    client = login(clinic_admin)
    client.get(reverse("outcomes:schedules"))  # warm the session and the user
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("outcomes:schedules"))
    for n in range(3):
        protocol_create(
            name=f"Other {n}", code=f"other-{n}", created_by=physician,
            soft_max_mg=Decimal("60"), hard_max_mg=Decimal("100"),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("outcomes:schedules"))
    assert response.status_code == 200
    assert "The default" in response.content.decode()


def test_the_form_shows_the_current_schedule_ticked(login, clinic_admin, protocol):
    response = login(clinic_admin).get(reverse("outcomes:schedule", args=[protocol.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["fiqr__baseline"].initial is True
    assert form["pain_nrs__baseline"].initial is False
    assert form["phq9__follow_up_days"].initial == "30, 90"
    assert "FIQR after infusion 4" in response.content.decode()


def test_saving_the_form_makes_the_next_version(login, clinic_admin, protocol):
    url = reverse("outcomes:schedule", args=[protocol.pk])
    body = default_post(fiqr__after_infusion="4, 8", note="FIQR after the eighth too")
    response = login(clinic_admin).post(url, body)
    assert response.status_code == 302
    current = current_schedule(protocol)
    assert current.version.number == 1
    assert Item("fiqr", "after_infusion", 8) in current.items
    assert len(current.items) == 15


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"fiqr__after_infusion": "four", "note": "x"}, "fiqr__after_infusion", "Whole numbers"),
        ({"fiqr__after_infusion": "4, 13", "note": "x"}, None, "from 1 to 12"),
        ({"note": "x"}, None, "Nothing differs"),
        ({}, "note", "required"),
    ],
)
def test_a_refused_form_says_why_and_saves_nothing(
    login, clinic_admin, protocol, changes, where, message
):
    url = reverse("outcomes:schedule", args=[protocol.pk])
    response = login(clinic_admin).post(url, default_post(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[where] if where else errors["__all__"])
    assert not MeasureSchedule.objects.exists()


def test_a_nurse_may_not_open_the_screens(login, nurse, protocol):
    client = login(nurse)
    assert client.get(reverse("outcomes:schedules")).status_code == 403
    url = reverse("outcomes:schedule", args=[protocol.pk])
    assert client.post(url, default_post(note="x", fiqr__after_infusion="5")).status_code == 403
    assert not MeasureSchedule.objects.exists()


def test_the_courses_tab_lists_each_courses_due_measures_in_constant_queries(
    login, front_desk, patient, protocol, site, chairs, shifts, django_assert_max_num_queries
):
    from tests.helpers import book, mon_wed_fri, next_monday

    url = reverse("outcomes:patient_due_measures", args=[patient.pk])
    client = login(front_desk)
    book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], shifts, front_desk)
    client.get(url)  # warm the session and the user
    with django_assert_max_num_queries(30) as few:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "0 of 28 answered" in page
    assert "FIQR after infusion 4" in page
    later = mon_wed_fri(next_monday(), 12, hour=13)
    # One course at a time: the first is over (its visits given) before the next is booked.
    patient.appointments.update(status="completed")
    book(patient, protocol, site, later, chairs[1], shifts, front_desk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "0 of 36 answered" in response.content.decode()


def test_the_courses_tab_loads_the_due_measures(login, nurse, patient):
    response = login(nurse).get(reverse("patients:detail", args=[patient.pk]), {"tab": "courses"})
    assert reverse("outcomes:patient_due_measures", args=[patient.pk]) in response.content.decode()
