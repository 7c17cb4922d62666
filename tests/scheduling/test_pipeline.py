"""From request to first infusion: the pipeline's stages, contact attempts, the overdue rule
(not contacted within 1 business day), the consultation appointment and the desk's page."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from clinic.business_days import overdue_before
from clinic.errors import ConflictError
from clinic.roles import Role
from patients import services as patients
from patients.models import ConsultationRequest, Stage
from patients.selectors import stage_history
from scheduling import services
from scheduling.models import ClosedDay, Consultation
from scheduling.selectors.pipeline import overdue_requests_for
from scheduling.selectors.work import desk_work_waiting
from tests.factories import UserFactory
from tests.helpers import at, book_course, make_bookable, next_monday

FRIDAY = datetime.date(2027, 1, 8)
SATURDAY, MONDAY, TUESDAY = (FRIDAY + datetime.timedelta(days=n) for n in (1, 3, 4))


def ask(site, name="Dana Reyes", **fields):
    return patients.consultation_submit(
        name=name, phone="+17145550123", preferred_location=site, **fields
    )


def overdue(user) -> int:
    return {item.key: item.count for item in desk_work_waiting(user)}["requests_overdue"]


# --- Overdue: not contacted within 1 business day ------------------------------------------


def test_the_overdue_boundary_skips_the_weekend():
    assert overdue_before(MONDAY, set()) == FRIDAY  # Friday's request is due by Monday's end
    assert overdue_before(TUESDAY, set()) == MONDAY  # ... and overdue on Tuesday
    assert overdue_before(SATURDAY, set()) == FRIDAY  # Thursday's was due Friday
    assert overdue_before(TUESDAY, {MONDAY}) == FRIDAY  # a closed Monday gives a day more


def test_a_friday_afternoon_request_is_overdue_after_monday_not_on_saturday(front_desk, site):
    with time_machine.travel(at(FRIDAY, 15, 30), tick=False):
        ask(site)
    for moment, expected in [
        (at(SATURDAY, 9), 0),
        (at(MONDAY, 9), 0),
        (at(MONDAY, 23, 59), 0),
        (at(TUESDAY, 0, 1), 1),
    ]:
        with time_machine.travel(moment, tick=False):
            assert overdue(front_desk) == expected, moment


def test_a_closed_monday_gives_the_desk_until_tuesday(front_desk, site):
    ClosedDay.objects.create(location=site, date=MONDAY, reason="Staff day", added_by=front_desk)
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        ask(site)
    with time_machine.travel(at(TUESDAY, 12), tick=False):
        assert overdue(front_desk) == 0
    with time_machine.travel(at(TUESDAY + datetime.timedelta(days=1), 0, 1), tick=False):
        assert overdue(front_desk) == 1


def test_a_contact_attempt_ends_overdue_whatever_its_outcome(front_desk, site):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        request = ask(site)
    with time_machine.travel(at(TUESDAY, 10), tick=False):
        assert list(overdue_requests_for(front_desk)) == [request]
        patients.contact_attempt_record(
            request=request, channel="phone", outcome="no_answer", recorded_by=front_desk
        )
        assert overdue(front_desk) == 0


# --- Stages ----------------------------------------------------------------------------------


def test_a_request_moves_from_new_to_first_infusion_booked_with_its_history(
    front_desk, physician, nurse, site, clinic_open, chairs, shifts, protocol
):
    request = ask(site, source="website")
    patients.contact_attempt_record(
        request=request, channel="phone", outcome="voicemail", recorded_by=front_desk
    )
    patients.contact_attempt_record(
        request=request, channel="phone", outcome="reached", recorded_by=front_desk
    )
    services.consultation_book(
        request=request, location=site, physician=physician, mode="telehealth",
        starts_at=at(next_monday(), 10), booked_by=front_desk,
    )  # fmt: skip
    patient = patients.consultation_convert(
        request=request, registered_by=front_desk, legal_first_name="Dana",
        legal_last_name="Reyes", date_of_birth=datetime.date(1980, 2, 2), phone=request.phone,
        home_location=site,
    )  # fmt: skip
    book_course(make_bookable(patient, nurse), protocol, site, chairs[0], nurse, front_desk)
    request.refresh_from_db()
    assert request.stage == Stage.FIRST_INFUSION_BOOKED and request.patient == patient
    history = list(stage_history(request))
    assert [(row.from_stage, row.to_stage) for row in history] == [
        ("", "new"),
        ("new", "contacted"),
        ("contacted", "consultation_booked"),
        ("consultation_booked", "registered"),
        ("registered", "first_infusion_booked"),
    ]
    assert history[1].reason == "Phone call: Left a voicemail"  # the first attempt moved it
    assert all(row.lasted >= datetime.timedelta(0) for row in history)
    assert history[0].lasted == history[1].changed_at - history[0].changed_at
    assert request.contact_attempts.count() == 2


def test_lost_needs_a_reason_and_is_final(front_desk, site):
    request = ask(site)
    with pytest.raises(ValidationError):
        patients.consultation_close(request=request, closed_by=front_desk, reason=" ")
    patients.consultation_close(
        request=request, closed_by=front_desk, reason="Chose another clinic"
    )
    request.refresh_from_db()
    assert request.stage == Stage.LOST and request.closed_reason == "Chose another clinic"
    with pytest.raises(ValidationError):
        patients.contact_attempt_record(
            request=request, channel="phone", outcome="reached", recorded_by=front_desk
        )
    with pytest.raises(ValidationError, match="already closed"):
        patients.consultation_close(request=request, closed_by=front_desk, reason="Again")


def test_a_registered_patient_who_declines_is_lost_but_stays_registered(front_desk, site):
    request = ask(site)
    patient = patients.consultation_convert(
        request=request, registered_by=front_desk, legal_first_name="Dana",
        legal_last_name="Reyes", date_of_birth=datetime.date(1980, 2, 2), phone=request.phone,
        home_location=site,
    )  # fmt: skip
    patients.consultation_close(request=request, closed_by=front_desk, reason="Cost")
    request.refresh_from_db()
    assert request.stage == Stage.LOST and request.patient == patient
    assert request.closed_reason == "Cost"


def test_the_stage_history_and_attempts_cannot_be_rewritten(front_desk, site):
    request = ask(site)
    patients.contact_attempt_record(
        request=request, channel="sms", outcome="reached", recorded_by=front_desk
    )
    for sql in (
        "UPDATE patients_consultationstagechange SET reason = 'x'",
        "DELETE FROM patients_consultationstagechange",
        "UPDATE patients_contactattempt SET note = 'x'",
        "DELETE FROM patients_contactattempt",
    ):
        with pytest.raises(Exception, match="pgtrigger"), transaction.atomic():
            connection.cursor().execute(sql)


def test_a_referral_names_the_referring_clinician(front_desk, site):
    with pytest.raises(ValidationError) as refused:
        ask(site, source="referral", taken_by=front_desk)
    assert "referred_by" in refused.value.message_dict
    request = ask(site, source="referral", referred_by="Dr. Kim, Irvine Psychiatry",
                  taken_by=front_desk)  # fmt: skip
    assert request.source == "referral" and request.stage_changes.get().changed_by == front_desk
    with pytest.raises(ValidationError):
        ask(site, source="phone")  # only the public form comes in without staff


def test_the_public_form_sets_website(client, site):
    client.post(
        reverse("patients:contact"),
        {"name": "Web Visitor", "phone": "(949) 555-0100", "preferred_location": site.pk},
    )
    request = ConsultationRequest.objects.get()
    assert request.source == "website" and request.stage == Stage.NEW


def test_the_desk_takes_a_phone_request(login, front_desk, site):
    login(front_desk).post(
        reverse("patients:consultation_take"),
        {"source": "phone", "name": "Caller One", "phone": "(949) 555-0101",
         "date_of_birth": "1975-04-03", "preferred_location": site.pk},
    )  # fmt: skip
    request = ConsultationRequest.objects.get()
    assert (request.source, request.date_of_birth) == ("phone", datetime.date(1975, 4, 3))


def test_converting_pre_fills_the_registration(login, front_desk, site):
    request = ask(site, name="Ana María Soto", email="ana@example.com", source="referral",
                  referred_by="Dr. Kim", date_of_birth=datetime.date(1970, 5, 6),
                  taken_by=front_desk)  # fmt: skip
    page = login(front_desk).get(reverse("patients:consultation_register", args=[request.pk]))
    form = page.context["form"]
    assert form.initial["legal_first_name"] == "Ana"
    assert form.initial["legal_last_name"] == "María Soto"
    assert form.initial["date_of_birth"] == datetime.date(1970, 5, 6)
    assert form.initial["email"] == "ana@example.com"
    assert form.initial["home_location"] == site.pk
    assert "referred by Dr. Kim" in page.content.decode()


# --- The consultation appointment ------------------------------------------------------------


def book(request, physician, front_desk, starts_at, **kwargs):
    return services.consultation_book(
        request=request, location=request.preferred_location, physician=physician,
        mode=kwargs.pop("mode", "in_person"), starts_at=starts_at, booked_by=front_desk, **kwargs,
    )  # fmt: skip


def test_a_physician_is_never_booked_twice_at_once(front_desk, physician, site, clinic_open):
    monday = next_monday()
    first = book(ask(site, "A"), physician, front_desk, at(monday, 10))
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=30)
    first.request.refresh_from_db()
    assert first.request.stage == Stage.CONSULTATION_BOOKED
    second = ask(site, "B")
    with pytest.raises(ConflictError):
        book(second, physician, front_desk, at(monday, 10, 15))
    second.refresh_from_db()
    assert second.stage == Stage.NEW  # nothing half-written
    book(second, physician, front_desk, at(monday, 10, 30))  # back to back is fine
    other = UserFactory(role=Role.PHYSICIAN, locations=[site])
    book(ask(site, "C"), other, front_desk, at(monday, 10))
    assert Consultation.objects.count() == 3


def test_a_consultation_keeps_to_the_sites_rules(front_desk, physician, nurse, site, clinic_open):
    # A week or more ahead: with next Monday, the Sunday before is today on a Sunday, and
    # after 10 am its visit "has already passed" instead of meeting the closed day.
    monday = next_monday(2)
    request = ask(site)
    with pytest.raises(ValidationError, match="outside opening hours"):
        book(request, physician, front_desk, at(monday, 17, 45))
    with pytest.raises(ValidationError, match="closed on Sundays"):
        book(request, physician, front_desk, at(monday - datetime.timedelta(days=1), 10))
    with pytest.raises(ValidationError, match="not an active physician"):
        book(request, nurse, front_desk, at(monday, 10))
    with pytest.raises(PermissionDenied):
        book(request, physician, nurse, at(monday, 10))  # a nurse does not book
    assert not Consultation.objects.exists()


# --- The desk's page and the API -------------------------------------------------------------


def test_the_pipeline_page_shows_stages_and_marks_overdue(login, front_desk, site):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        ask(site, "Late Caller")
    with time_machine.travel(at(TUESDAY, 10), tick=False):
        ask(site, "Fresh Caller", source="referral", referred_by="Dr. Kim", taken_by=front_desk)
        page = login(front_desk).get(reverse("scheduling:pipeline")).content.decode()
        only = login(front_desk).get(reverse("scheduling:pipeline"), {"overdue": "1"})
    assert "1 overdue" in page and "lead-overdue" in page
    assert "Referral: Dr. Kim" in page
    assert "Late Caller" in only.content.decode()
    assert "Fresh Caller" not in only.content.decode()


def test_the_pipeline_page_runs_a_bounded_number_of_queries(
    login, front_desk, site, django_assert_max_num_queries
):
    client = login(front_desk)
    for n in range(3):
        request = ask(site, f"Caller {n}")
        patients.contact_attempt_record(
            request=request, channel="phone", outcome="reached", recorded_by=front_desk
        )
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("scheduling:pipeline"))
    for n in range(3, 20):
        request = ask(site, f"Caller {n}")
        patients.contact_attempt_record(
            request=request, channel="phone", outcome="voicemail", recorded_by=front_desk
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(reverse("scheduling:pipeline"))
    assert page.content.decode().count('<article class="lead') == 20


def test_the_api_takes_requests_attempts_and_books_consultations(
    login, front_desk, physician, site, clinic_open
):
    api = login(front_desk)
    created = api.post(
        "/api/v1/consultation-requests/",
        {"source": "referral", "referred_by": "Dr. Kim", "name": "Api Caller",
         "phone": "+19495550102", "preferred_location": site.pk},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["stage"] == "new"
    attempt = api.post(
        f"/api/v1/consultation-requests/{pk}/attempts/",
        {"channel": "phone", "outcome": "reached"},
        content_type="application/json",
    )
    assert attempt.status_code == 201, attempt.content
    assert len(api.get(f"/api/v1/consultation-requests/{pk}/attempts/").json()) == 1
    booking = {"request": pk, "physician": physician.pk, "mode": "telehealth",
               "starts_at": at(next_monday(), 11).isoformat()}  # fmt: skip
    booked = api.post("/api/v1/consultations/", booking, content_type="application/json")
    assert booked.status_code == 201, booked.content
    other = ask(site, "Second")
    again = api.post(
        "/api/v1/consultations/", {**booking, "request": other.pk}, content_type="application/json"
    )
    assert again.status_code == 409
    stages = api.get(f"/api/v1/consultation-requests/{pk}/stages/").json()
    assert [row["to_stage"] for row in stages] == ["new", "contacted", "consultation_booked"]
    assert all(row["lasted_seconds"] >= 0 for row in stages)
