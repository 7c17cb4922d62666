"""Booster candidates: a finished course whose follow-up pain is back within 20% of its
baseline puts the patient on the front desk's list, and one click books a single booster
infusion through the planner and ``course_book``."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outcomes.boosters import booster_candidates_for
from outcomes.services import booster_book
from scheduling.models import Course, CourseStatus

from .course_helpers import before, course_of_visits, give, pain, visits


@pytest.fixture
def finished(patient, protocol, site, nurse, front_desk, chairs, shifts):
    """A course of 8 that ended about 40 days ago, pain 8 before its first infusion."""
    first = timezone.localdate() - datetime.timedelta(days=56)
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
        count=8, first=first,
    )  # fmt: skip
    give(*visits(course))
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.COMPLETED)
    pain(patient, nurse, before(visits(course)[0]), "pre_infusion", 8)
    return course


def follow_up(course, patient, nurse, score, days=30):
    last = visits(course)[-1]
    return pain(patient, nurse, last.ends_at + datetime.timedelta(days=days), "follow_up", score)


@pytest.mark.parametrize(("score", "listed"), [(7, True), (8, True), (9, True), (6, False)])
def test_pain_back_within_20_percent_of_baseline_lists_the_patient(
    finished, patient, nurse, front_desk, score, listed
):
    follow_up(finished, patient, nurse, score)  # 80% of 8 is 6.4
    candidates = list(booster_candidates_for(front_desk))
    assert candidates == ([finished] if listed else [])
    if listed:
        assert (candidates[0].baseline_pain, candidates[0].follow_up_pain) == (8, score)


def test_only_the_latest_follow_up_counts(finished, patient, nurse, front_desk):
    follow_up(finished, patient, nurse, 7, days=10)
    follow_up(finished, patient, nurse, 3, days=20)
    assert list(booster_candidates_for(front_desk)) == []


def test_a_course_still_running_or_another_site_is_not_listed(
    finished, patient, nurse, front_desk, other_site
):
    from tests.factories import UserFactory

    follow_up(finished, patient, nurse, 8)
    elsewhere = UserFactory(role="front_desk", locations=[other_site])
    assert list(booster_candidates_for(elsewhere)) == []
    Course.objects.filter(pk=finished.pk).update(status=CourseStatus.ACTIVE)
    assert list(booster_candidates_for(front_desk)) == []


def test_one_click_books_a_single_booster_and_the_patient_leaves_the_list(
    finished, patient, nurse, front_desk
):
    follow_up(finished, patient, nurse, 7)
    booster = booster_book(course=finished, booked_by=front_desk)
    assert booster.planned_infusions == 1
    assert booster.notes == "Booster infusion"
    session = booster.appointments.get()
    assert session.starts_at > timezone.now()
    assert session.patient == patient
    assert list(booster_candidates_for(front_desk)) == []
    with pytest.raises(ValidationError):
        booster_book(course=finished, booked_by=front_desk)
    assert Course.objects.filter(patient=patient).count() == 2


def test_a_booster_is_refused_for_a_patient_who_is_not_a_candidate(finished, front_desk):
    with pytest.raises(ValidationError) as refused:
        booster_book(course=finished, booked_by=front_desk)
    assert "not a booster candidate" in str(refused.value)
    assert Course.objects.count() == 1


def test_only_the_desk_books_boosters(finished, patient, nurse, physician):
    follow_up(finished, patient, nurse, 8)
    with pytest.raises(PermissionDenied):
        booster_book(course=finished, booked_by=physician)


def test_the_desk_chooses_among_the_offered_times_or_a_date(finished, patient, nurse, front_desk):
    from outcomes.services import booster_options

    follow_up(finished, patient, nurse, 7)
    options, problems = booster_options(course=finished, user=front_desk)
    assert len(options) == 3 and problems == []
    days = [finished.location.date_of(o.starts_at) for o in options]
    assert days == sorted(set(days))  # three different days, in order
    assert days[0] > timezone.localdate()  # from tomorrow
    later = timezone.localdate() + datetime.timedelta(days=10)
    from_date, _ = booster_options(course=finished, user=front_desk, from_date=later)
    assert finished.location.date_of(from_date[0].starts_at) >= later
    third = options[2]
    booster = booster_book(
        course=finished, booked_by=front_desk, starts_at=third.starts_at, chair=third.chair,
        nurse=third.nurse,
    )  # fmt: skip
    session = booster.appointments.get()
    assert (session.starts_at, session.chair, session.nurse) == (
        third.starts_at, third.chair, third.nurse
    )  # fmt: skip


def test_a_chosen_time_needs_its_chair_and_nurse_and_a_taken_one_is_refused(
    finished, patient, nurse, front_desk
):
    from outcomes.services import booster_options

    follow_up(finished, patient, nurse, 7)
    first = booster_options(course=finished, user=front_desk)[0][0]
    with pytest.raises(ValidationError) as refused:
        booster_book(course=finished, booked_by=front_desk, starts_at=first.starts_at)
    assert {"chair", "nurse"} <= set(refused.value.message_dict)
    past = first.starts_at - datetime.timedelta(days=60)  # the finished course's chair time
    with pytest.raises(ValidationError):
        booster_book(
            course=finished, booked_by=front_desk, starts_at=past, chair=first.chair,
            nurse=first.nurse,
        )  # fmt: skip
    assert Course.objects.filter(patient=patient).count() == 1


def test_the_api_offers_the_times_and_books_the_chosen_one(
    login, finished, patient, nurse, front_desk
):
    from django.urls import reverse

    follow_up(finished, patient, nurse, 7)
    client = login(front_desk)
    url = reverse("booster-candidate-options", args=[finished.pk])
    body = client.get(url).json()
    assert len(body["options"]) == 3 and body["none_because"] == []
    assert client.get(url, {"date": "soon"}).status_code == 400
    second = body["options"][1]
    book = reverse("booster-candidate-book", args=[finished.pk])
    half = client.post(book, {"starts_at": second["starts_at"]}, content_type="application/json")
    assert half.status_code == 400 and "chair" in half.json()["errors"]
    chosen = {k: second[k] for k in ("starts_at", "chair", "nurse")}
    booked = client.post(book, chosen, content_type="application/json")
    assert booked.status_code == 201
    assert datetime.datetime.fromisoformat(booked.json()["starts_at"]) == (
        datetime.datetime.fromisoformat(second["starts_at"])
    )  # fmt: skip
    assert login(nurse).get(url).status_code == 403
