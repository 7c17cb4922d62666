"""What the schemathesis walk (test_schema_conformance.py) found where the answers and the
schema disagreed, each fixed in the code or the schema; one test each."""

import datetime
import re

import pytest

from scheduling.models import ClosedDay, OpeningHours


@pytest.fixture
def schema(login, clinic_admin):
    return login(clinic_admin).get("/api/schema/?format=json").json()


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_opening_hours_are_hh_mm_as_the_schema_says(schema, login, front_desk, site):
    OpeningHours.objects.create(
        location=site, weekday=0, opens_at=datetime.time(8), closes_at=datetime.time(17, 30)
    )
    field = component(schema, "OpeningHours")["properties"]["opens_at"]
    assert "format" not in field
    row = login(front_desk).get("/api/v1/opening-hours/").json()["results"][0]
    assert (row["opens_at"], row["closes_at"]) == ("08:00", "17:30")
    assert re.fullmatch(field["pattern"], row["closes_at"])


def test_nested_course_booking_errors_fit_the_error_schema(schema, login, front_desk, appointment):
    response = login(front_desk).post(
        "/api/v1/courses/",
        {"patient": appointment.patient_id, "protocol": appointment.course.protocol_id,
         "location": appointment.location_id, "planned_infusions": 1,
         "sessions": [{"starts_at": "2030-06-03T09:00:00", "chair": 999999999,
                       "nurse": 999999999}]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    sessions = response.json()["errors"]["sessions"]  # by item, then by field: not strings
    assert not isinstance(sessions, list) or not all(isinstance(m, str) for m in sessions)
    assert "chair" in str(sessions)
    errors = component(schema, "SchedulingError")["properties"]["errors"]
    assert errors["additionalProperties"] == {}  # a list of messages, or nested objects


def test_waitlist_candidates_are_a_plain_list_in_the_schema_too(
    schema, login, front_desk, appointment
):
    answer = schema["paths"]["/api/v1/appointments/{id}/waitlist-candidates/"]["get"]
    body = answer["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    response = login(front_desk).get(f"/api/v1/appointments/{appointment.pk}/waitlist-candidates/")
    assert response.json() == []


def test_a_closed_day_without_who_added_it_is_null_in_the_schema(schema, login, front_desk):
    ClosedDay.objects.create(location=None, date=datetime.date(2030, 12, 25), reason="Holiday")
    assert component(schema, "ClosedDay")["properties"]["added_by"]["nullable"] is True
    rows = login(front_desk).get("/api/v1/closed-days/").json()["results"]
    assert rows[0]["added_by"] is None


def test_blank_emails_and_first_statuses_are_allowed_by_the_schema(schema):
    email = component(schema, "ConsultationRequest")["properties"]["email"]
    assert {"type": "string", "enum": [""]} in email["oneOf"]
    from_status = component(schema, "WaitlistStatusChange")["properties"]["from_status"]
    assert {"type": "string", "enum": [""]} in from_status["oneOf"]


def test_every_operation_documents_the_refusals_in_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404", "429"):
                answer = operation["responses"][code]["content"]["application/json"]
                assert answer["schema"] == error or "$ref" in answer["schema"], (method, path)
