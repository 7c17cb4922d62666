"""`make bench-load` (bench/load) on a tiny seeded network: ``targets()`` prepares what the
writes need (running infusions, patients free to book), and each role's tasks answer as
the load expects.

The locust users run in this process (locust without its gevent patching) and their HTTP
goes through a requests adapter to the Django test client, so they see the network seeded
once for the module inside a transaction that is rolled back at the end (each test runs in
a savepoint within it), as in test_seed_scale.
"""

import importlib
import io
import json
import os
import sys
from urllib.parse import urlsplit

import pytest
import requests
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from infusions.models import InfusionRecord, InfusionStatus, VitalsReading
from patients.selectors import booking_blockers
from reports.selectors import REPORTS
from scheduling.models import Course, CourseStatus

SIZE = {"sites": 1, "chairs": 4, "patients": 150, "days": 60}
WRITES = ["vitals reading (API, live visit)", "course booking: proposal (API)",
          "course booking (API)", "course cancel-the-rest (API)"]  # fmt: skip
FHIR = ["FHIR: Patient read", "FHIR: Observation search by patient", "FHIR: Patient/$everything"]


class DjangoAdapter(requests.adapters.BaseAdapter):
    """Answers a requests session's requests with the Django test client, in this process."""

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        answer = Client().generic(
            request.method, path, data=request.body or b"",
            content_type=headers.pop("Content-Type", "application/octet-stream"),
            headers=headers,
        )  # fmt: skip
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response._content = (
            b"".join(answer.streaming_content) if answer.streaming else answer.content
        )
        response.encoding, response.url, response.request = "utf-8", request.url, request
        return response

    def close(self):
        pass


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seeded network, ``targets()`` made on it, and the locustfile loaded with them."""
    saved = {key: os.environ.get(key) for key in ("BENCH_LOAD_TARGETS", "BENCH_LOAD_QUERIES")}
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            call_command("seed_scale", **SIZE, no_progress=True, stdout=io.StringIO())
            from bench.load.__main__ import targets

            made = targets()
            path = tmp_path_factory.mktemp("bench-load") / "targets.json"
            path.write_text(json.dumps(made))
            os.environ["BENCH_LOAD_TARGETS"] = str(path)
            os.environ.pop("BENCH_LOAD_QUERIES", None)
            os.environ.setdefault("LOCUST_SKIP_MONKEY_PATCH", "1")  # no gevent in pytest
            sys.modules.pop("bench.load.locustfile", None)
            locustfile = importlib.import_module("bench.load.locustfile")
            yield made, locustfile
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            sys.modules.pop("bench.load.locustfile", None)
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def users(network, monkeypatch):
    """One signed-in user per role, and the requests they made: [(name, failure or None)]."""
    import locust
    from locust.env import Environment

    _, locustfile = network
    made: list[tuple[str, Exception | None]] = []

    def seen(name, exception=None, **kwargs):
        made.append((name, exception))

    locust.events.request.add_listener(seen)
    environment = Environment(
        user_classes=[locustfile.FrontDesk, locustfile.Nurse, locustfile.Admin],
        host="http://testserver", events=locust.events,
    )  # fmt: skip
    roles = {}
    for kind in environment.user_classes:
        monkeypatch.setattr(kind, "host", "http://testserver")  # what --host sets
        user = kind(environment)
        user.client.mount("http://testserver", DjangoAdapter())
        user.on_start()
        roles[kind.role] = user
    yield roles, made
    locust.events.request.remove_listener(seen)


def failures(made):
    return [(name, str(exception)) for name, exception in made if exception is not None]


def test_targets_prepare_running_infusions_and_patients_to_book(network, db):
    made, _ = network
    records = InfusionRecord.objects.filter(pk__in=made["live_records"])
    assert len(made["live_records"]) == 3
    assert {r.status for r in records} == {InfusionStatus.RUNNING}
    assert {r.appointment.location_id for r in records} == {made["location"]}
    booking = made["booking"]
    assert booking["patients"] and booking["start_dates"]
    for patient in Course.objects.filter(patient__in=booking["patients"]):
        assert patient.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE)
    from patients.models import Patient

    assert not any(booking_blockers(p) for p in Patient.objects.filter(pk__in=booking["patients"]))
    assert made["reports"] == list(REPORTS) and made["fhir_patients"]


def test_every_task_of_every_role_answers_without_a_failure(users, db):
    roles, made = users
    for user in roles.values():
        for task in dict.fromkeys(user.tasks):  # a task of weight n is listed n times
            if task.__name__ != "floor":  # /bench/floor/ exists only under BENCH_LOAD=1
                task(user)
    assert failures(made) == []
    names = {name for name, _ in made}
    assert set(WRITES + FHIR) <= names


def test_the_nurse_adds_a_vitals_reading_to_a_running_infusion(users, db):
    roles, made = users
    before = VitalsReading.objects.count()
    roles["nurse"].vitals()
    assert failures(made) == [] and VitalsReading.objects.count() == before + 1


def test_booking_then_cancelling_leaves_the_patient_free_to_book_again(network, users, db):
    targets, locustfile = network
    roles, made = users
    patient = targets["booking"]["patients"][0]
    roles["front_desk"].book_and_cancel_for(patient)
    assert failures(made) == []
    assert [name for name, _ in made][-2:] == WRITES[2:]
    statuses = set(Course.objects.filter(patient=patient).values_list("status", flat=True))
    assert not statuses & {CourseStatus.PLANNED, CourseStatus.ACTIVE}
    assert sorted(locustfile.BOOKABLE) == sorted(targets["booking"]["patients"])


def test_a_slot_taken_meanwhile_is_counted_apart_not_as_a_failure(network, users, db):
    targets, _ = network
    roles, made = users
    desk, booking = roles["front_desk"], targets["booking"]
    first, second = booking["patients"][:2]
    wish = {"protocol": booking["protocol"], "location": booking["location"],
            "start_date": booking["start_dates"][0], "weekdays": [0, 1, 2, 3, 4, 5],
            "preferred_time": "09:30", "sessions_per_week": 3, "planned_infusions": 8}  # fmt: skip
    proposal = desk.api("propose", "/api/v1/courses/propose/", {**wish, "patient": first}).json()
    course = {"protocol": booking["protocol"], "location": booking["location"],
              "planned_infusions": 8,
              "sessions": [{key: s[key] for key in ("starts_at", "chair", "nurse")}
                           for s in proposal["sessions"]]}  # fmt: skip
    taken = "booking: 409"
    assert desk.api("book", "/api/v1/courses/", {**course, "patient": first}, expected=(201,),
                    taken=taken)  # fmt: skip
    assert desk.api("book", "/api/v1/courses/", {**course, "patient": second}, expected=(201,),
                    taken=taken) is None  # fmt: skip
    assert made[-1] == (taken, None)
    assert failures(made) == []


def test_each_report_answers_as_a_page_and_through_the_api(users, db):
    roles, made = users
    admin = roles["clinic_admin"]
    for name in REPORTS:
        admin.page(f"report: {name}", f"/reports/{name}/")
        admin.api(f"API report: {name}", f"/api/v1/reports/{name}/")
    assert failures(made) == [] and len(made) == 2 * len(REPORTS)
