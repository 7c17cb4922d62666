"""The desk's coverage pages: the patient's section, the add and check forms (errors on the
form, nothing saved), the checks due before a course, and the count on the desk's home."""

import datetime

from django.urls import reverse

from billing import services as billing
from billing.models import BenefitsCheck, Coverage
from tests.helpers import book_course


def test_the_desk_adds_a_coverage_and_sees_it_in_the_section(login, front_desk, patient):
    client = login(front_desk)
    posted = client.post(reverse("billing:coverage_add", args=[patient.pk]), {
        "rank": "primary", "payer_name": "Blue Shield", "member_id": "XEH1",
        "relationship": "self", "effective_from": "2026-01-01",
    })  # fmt: skip
    assert posted.status_code == 302, posted.context["form"].errors
    section = client.get(reverse("billing:patient", args=[patient.pk]))
    assert b"Blue Shield" in section.content and b"XEH1" in section.content


def test_a_refused_coverage_shows_the_reason_on_the_form(login, front_desk, patient):
    page = login(front_desk).post(reverse("billing:coverage_add", args=[patient.pk]), {
        "rank": "secondary", "payer_name": "Blue Shield", "member_id": "XEH1",
        "relationship": "self", "effective_from": "2026-01-01",
    })  # fmt: skip
    assert page.status_code == 200
    assert "primary coverage before a secondary" in str(page.context["form"].errors["rank"])
    assert not Coverage.objects.exists()


def test_a_check_without_a_reference_is_refused_on_the_form(login, front_desk, coverage):
    page = login(front_desk).post(reverse("billing:check_new", args=[coverage.pk]),
                                  {"method": "phone", "result": "covered"})  # fmt: skip
    assert "reference_number" in page.context["form"].errors
    assert not BenefitsCheck.objects.exists()


def test_the_patient_page_has_the_tab_for_the_desk_only(login, front_desk, nurse, patient):
    tab = reverse("patients:detail", args=[patient.pk]) + "?tab=billing"
    assert b"billing/patients/" in login(front_desk).get(tab).content
    assert login(nurse).get(tab).status_code == 403


def test_a_course_without_a_recent_check_is_a_task_on_the_desk_home(
    login,
    front_desk,
    shifts,
    patient,
    protocol,
    site,
    chairs,
    nurse,
    coverage,
    django_assert_max_num_queries,
):
    billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    course = book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    client = login(front_desk)
    with django_assert_max_num_queries(12):
        due = client.get(reverse("billing:checks_due"))
    assert list(due.context["courses"]) == [course]
    board = client.get(reverse("scheduling:board"))
    work = {item.key: item.count for item in board.context["work_waiting"]}
    assert work["benefits_checks_due"] == 1
    # A check 31 days before the first session is too old; one within 30 days clears it.
    first = course.appointments.order_by("starts_at").first().starts_at
    billing.benefits_check_record(
        coverage=coverage, by=front_desk, method="phone", result="covered",
        reference_number="OLD", checked_at=first - datetime.timedelta(days=31),
    )  # fmt: skip
    assert list(client.get(reverse("billing:checks_due")).context["courses"]) == [course]
    billing.benefits_check_record(
        coverage=coverage, by=front_desk, method="phone", result="covered",
        reference_number="NEW",
    )  # fmt: skip
    assert list(client.get(reverse("billing:checks_due")).context["courses"]) == []


def test_a_self_pay_patients_course_needs_no_check(
    login, front_desk, shifts, patient, protocol, site, chairs, nurse
):
    book_course(patient, protocol, site, chairs[0], nurse, front_desk, count=8)
    assert list(login(front_desk).get(reverse("billing:checks_due")).context["courses"]) == []
