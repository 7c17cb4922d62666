"""The course outcome, reviews and booster candidates in /api/v1/: the chart's numbers,
400s naming the field with nothing written, roles, and the schema."""

import pytest
from django.urls import reverse

from outcomes.models import CourseReview

from .test_outcome_pages import filled


@pytest.fixture
def course(patient, protocol, site, nurse, front_desk):
    return filled(8, patient, protocol, site, nurse, front_desk, given=4)


def test_the_outcome_json_carries_the_charts_numbers(login, course, nurse):
    body = login(nurse).get(reverse("course-outcome", args=[course.pk])).json()
    assert body["infusions_given"] == 4
    assert body["pain"]["baseline"]["score"] == "8.0"
    assert body["pain"]["reduction_percent"] == "37.5"
    assert body["pain"]["responder"] is True
    assert [p["score"] for p in body["fiqr"]["points"]] == ["60.0", "52.0"]
    assert body["fiqr"]["change_percent"] == "13.3"
    assert body["fiqr"]["meets_mcid"] is False
    assert [(i["pain_before"], i["pain_after"]) for i in body["infusions"][:5]] == [
        ("8.0", "5.0"), ("8.0", "5.0"), ("8.0", "5.0"), ("8.0", "5.0"), (None, None)
    ]  # fmt: skip


def test_the_front_desk_gets_no_outcome(login, course, front_desk):
    assert login(front_desk).get(reverse("course-outcome", args=[course.pk])).status_code == 403


def test_a_physician_posts_a_review_and_a_bad_one_is_a_400(login, course, physician, nurse):
    url = reverse("course-review-list")
    bad = login(physician).post(url, {"course": course.pk, "decision": "stop", "reason": " "},
                                content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert "reason" in bad.json()["errors"]
    assert not CourseReview.objects.exists()
    denied = login(nurse).post(url, {"course": course.pk, "decision": "stop", "reason": "x"},
                               content_type="application/json")  # fmt: skip
    assert denied.status_code == 403
    made = login(physician).post(
        url, {"course": course.pk, "decision": "continue", "reason": "Working"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201
    assert made.json()["outcome"]["pain"]["responder"] is True
    listed = login(nurse).get(url, {"course": course.pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["decision"] for r in rows] == ["continue"]


def test_the_booster_list_is_the_desks(login, front_desk, nurse):
    assert login(front_desk).get(reverse("booster-candidate-list")).json() == []
    assert login(nurse).get(reverse("booster-candidate-list")).status_code == 403


def test_the_schema_documents_the_endpoints(login, clinic_admin):
    schema = login(clinic_admin).get(reverse("api-schema")).content.decode()
    for path in ("/api/v1/courses/{id}/outcome/", "/api/v1/course-reviews/",
                 "/api/v1/booster-candidates/{id}/book/"):  # fmt: skip
        assert path in schema
