"""``Idempotency-Key`` on the API's POSTs: a retry gets the first answer and writes nothing
new; the key with another body is a 422; two identical requests at once book once."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from integrations import idempotency
from integrations.idempotency import records_clear
from integrations.models import IdempotencyRecord
from integrations.tasks import idempotency_records_clear
from patients.models import Patient
from scheduling.models import Appointment, Course
from tests.helpers import mon_wed_fri, next_monday, race

PATIENTS = "/api/v1/patients/"
COURSES = "/api/v1/courses/"


def registration(site, **fields) -> dict:
    return {"legal_first_name": "Maria", "legal_last_name": "Lopez",
            "date_of_birth": "1975-04-12", "phone": "+19495550123",
            "home_location": site.pk, **fields}  # fmt: skip


def someone_else(site) -> dict:
    return registration(site, legal_first_name="Ana", legal_last_name="Reyes",
                        date_of_birth="1980-01-01", phone="+19495550124")  # fmt: skip


def post(client, url, body, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_the_same_key_and_body_give_the_first_answer_and_write_nothing(login, front_desk, site):
    client = login(front_desk)
    first = post(client, PATIENTS, registration(site), key="reg-1")
    assert first.status_code == 201, first.content
    again = post(client, PATIENTS, registration(site), key="reg-1")
    assert again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Patient.objects.count() == 1
    assert IdempotencyRecord.objects.get().user == front_desk


def test_the_same_key_with_another_body_is_422_and_writes_nothing(login, front_desk, site):
    client = login(front_desk)
    assert post(client, PATIENTS, registration(site), key="reg-1").status_code == 201
    response = post(client, PATIENTS, someone_else(site), key="reg-1")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"} and "Idempotency-Key" in body["errors"]
    assert Patient.objects.count() == 1
    other_path = post(client, f"{PATIENTS}0/deactivate/", registration(site), key="reg-1")
    assert other_path.status_code == 422


def test_without_the_header_every_post_runs(login, front_desk, site):
    client = login(front_desk)
    post(client, PATIENTS, registration(site))
    post(client, PATIENTS, someone_else(site))
    assert Patient.objects.count() == 2 and not IdempotencyRecord.objects.exists()


def test_keys_are_each_callers_own(login, front_desk, site, clinic_admin):
    assert post(login(front_desk), PATIENTS, registration(site), key="k").status_code == 201
    other = post(login(clinic_admin), PATIENTS, someone_else(site), key="k")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Patient.objects.count() == 2


class WorkerDied(BaseException):
    """The worker killed between the view's write and the record (not an ``Exception``:
    nothing in the request may catch it)."""


def test_a_crash_between_the_write_and_the_record_writes_nothing_so_the_retry_writes_once(
    login, front_desk, site, monkeypatch
):
    client = login(front_desk)
    with monkeypatch.context() as crash:
        crash.setattr(idempotency, "_record", lambda *args: (_ for _ in ()).throw(WorkerDied()))
        with pytest.raises(WorkerDied):
            post(client, PATIENTS, registration(site), key="reg-1")
    assert not Patient.objects.exists() and not IdempotencyRecord.objects.exists()
    retry = post(client, PATIENTS, registration(site), key="reg-1")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    replay = post(client, PATIENTS, registration(site), key="reg-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.content == retry.content
    assert Patient.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_a_refusal_before_the_request_ran_is_not_kept(client, login, nurse, front_desk, site):
    assert post(client, PATIENTS, registration(site), key="k").status_code in (401, 403)
    assert post(login(nurse), PATIENTS, registration(site), key="k").status_code == 403
    assert not IdempotencyRecord.objects.exists()
    assert post(login(front_desk), PATIENTS, registration(site), key="k").status_code == 201


def test_a_bad_request_is_kept_and_answered_again(login, front_desk, site):
    client = login(front_desk)
    body = registration(site, phone="not a phone")
    first = post(client, PATIENTS, body, key="k")
    assert first.status_code == 400
    again = post(client, PATIENTS, body, key="k")
    assert again.status_code == 400 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_a_key_longer_than_255_characters_is_refused(login, front_desk, site):
    response = post(login(front_desk), PATIENTS, registration(site), key="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Patient.objects.exists()


def test_records_are_kept_24_hours_then_the_key_runs_again(login, front_desk, site):
    client = login(front_desk)
    post(client, PATIENTS, registration(site), key="k")
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    again = post(client, PATIENTS, someone_else(site), key="k")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Patient.objects.count() == 2


def test_the_hourly_task_deletes_records_older_than_24_hours(login, front_desk, site, settings):
    client = login(front_desk)
    post(client, PATIENTS, registration(site), key="old")
    post(client, PATIENTS, someone_else(site), key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    assert idempotency_records_clear() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert records_clear() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE["idempotency-records-clear"]
    assert schedule["task"] == "integrations.tasks.idempotency_records_clear"


def test_the_schema_documents_the_header_on_every_post(login, front_desk):
    schema = login(front_desk).get("/api/schema/?format=json").json()
    posts = [(path, ops["post"]) for path, ops in schema["paths"].items() if "post" in ops]
    assert posts
    for path, operation in posts:
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in names, path
        assert "422" in operation["responses"], path
    assert "apiKeyAuth" in schema["components"]["securitySchemes"]


# --- Two at once, on real Postgres ------------------------------------------------------------


def booking(patient, protocol, site, chair, nurse) -> dict:
    sessions = [
        {"starts_at": start.isoformat(), "chair": chair.pk, "nurse": nurse.pk}
        for start in mon_wed_fri(next_monday(), 8)
    ]
    return {"patient": patient.pk, "protocol": protocol.pk, "location": site.pk,
            "planned_infusions": 8, "sessions": sessions}  # fmt: skip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_identical_bookings_at_once_book_one_course(
    issue, site, chairs, shifts, patient, protocol
):
    _, secret = issue(["scheduling:write"])
    body = booking(patient, protocol, site, chairs[0], shifts)
    answers = []

    def attempt():
        client = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        answers.append(post(client, COURSES, body, key="book-maria-1"))

    outcomes = race(attempts=[attempt, attempt, attempt])
    assert outcomes == ["done"] * 3
    assert [a.status_code for a in answers] == [201, 201, 201], [a.content for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true", "true"]
    assert Course.objects.count() == 1 and Appointment.objects.count() == 8


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_identical_registrations_at_once_register_one_patient(front_desk, site):
    def attempt():
        client = Client()
        client.force_login(front_desk)
        post(client, PATIENTS, registration(site), key="reg-maria")

    assert race(attempts=[attempt] * 4) == ["done"] * 4
    assert Patient.objects.count() == 1
