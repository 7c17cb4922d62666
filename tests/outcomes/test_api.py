"""The measure-schedule API: reading, revising (clinic admins), refusals with field names,
and a course's due measures scoped to the caller's sites."""

import pytest

from outcomes.models import MeasureSchedule
from tests.helpers import book, mon_wed_fri, next_monday

URL = "/api/v1/measure-schedules/"
ITEMS = [
    {"measure": "pain_nrs", "timing": "before_each"},
    {"measure": "fiqr", "timing": "after_infusion", "param": 3},
]


def revise(client, protocol, items=ITEMS, note="Fewer questionnaires"):
    body = {"protocol": protocol.pk, "note": note, "items": items}
    return client.post(URL, body, content_type="application/json")


def test_a_clinic_admin_revises_and_everyone_reads_the_versions(login, protocol, clinic_admin,
                                                                 front_desk):  # fmt: skip
    response = revise(login(clinic_admin), protocol)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert [item["label"] for item in body["items"]] == [
        "Pain NRS before each infusion", "FIQR after infusion 3"
    ]  # fmt: skip
    listed = login(front_desk).get(URL, {"protocol": protocol.pk}).json()
    assert [version["number"] for version in listed["results"]] == [1]
    assert login(front_desk).get(URL, {"protocol": protocol.pk + 1000}).json()["results"] == []


def test_a_bad_filter_is_a_400_naming_it(login, nurse):
    response = login(nurse).get(URL, {"protocol": "fm"})
    assert response.status_code == 400
    assert "protocol" in response.json()["errors"]


def test_the_current_schedule_is_the_default_until_a_version_exists(login, nurse, protocol,
                                                                   clinic_admin):  # fmt: skip
    url = f"/api/v1/protocols/{protocol.pk}/measure-schedule/"
    before = login(nurse).get(url).json()
    assert (before["version"], before["is_default"], len(before["items"])) == (None, True, 14)
    revise(login(clinic_admin), protocol)
    after = login(nurse).get(url).json()
    assert (after["version"], after["is_default"], len(after["items"])) == (1, False, 2)


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"measure": "weight", "timing": "baseline"}], "measure"),
        ([{"measure": "fiqr", "timing": "after_infusion", "param": 20}], "items"),
        ([{"measure": "fiqr", "timing": "baseline", "param": 2}], "items"),
        ([], "items"),
    ],
)
def test_bad_items_are_a_400_naming_the_field_and_save_nothing(
    login, protocol, clinic_admin, items, field
):
    response = revise(login(clinic_admin), protocol, items=items)
    assert response.status_code == 400
    assert field in str(response.json()["errors"])
    assert not MeasureSchedule.objects.exists()


def test_a_missing_note_is_a_400_naming_it(login, protocol, clinic_admin):
    response = revise(login(clinic_admin), protocol, note="")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]


@pytest.mark.parametrize("who", ["nurse", "physician", "front_desk"])
def test_only_a_clinic_admin_may_revise(request, login, protocol, who):
    response = revise(login(request.getfixturevalue(who)), protocol)
    assert response.status_code == 403
    assert not MeasureSchedule.objects.exists()


def test_due_measures_of_a_course_at_the_callers_site_only(
    login, patient, protocol, site, chairs, shifts, front_desk, other_site
):
    from clinic.roles import Role
    from tests.factories import UserFactory

    course = book(patient, protocol, site, mon_wed_fri(next_monday(), 8), chairs[0], shifts,
                  front_desk)  # fmt: skip
    url = f"/api/v1/courses/{course.pk}/due-measures/"
    response = login(front_desk).get(url)
    assert response.status_code == 200
    due = response.json()
    assert len(due) == 2 * 8 + 12
    fiqr_mid = next(item for item in due if item["label"] == "FIQR after infusion 4")
    assert fiqr_mid["appointment"] == course.appointments.get(sequence=4).pk
    assert fiqr_mid["answered"] is False
    assert due[-1]["appointment"] is None  # the 90-day follow-up
    elsewhere = UserFactory(username="elsewhere", role=Role.FRONT_DESK, locations=[other_site])
    assert login(elsewhere).get(url).status_code == 404
