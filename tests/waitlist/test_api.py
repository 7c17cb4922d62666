"""The waitlist API: add (400s name the field), list with filters, withdraw, fill (409 for
the second fill), the candidates of a freed session; the front desk's, 403 for a nurse."""

from tests.factories import PatientFactory
from tests.helpers import make_bookable
from waitlist.models import WaitlistEntry, WaitlistStatus, Wish
from waitlist.services import waitlist_add

WAITLIST = "/api/v1/waitlist/"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def errors(response, code=400) -> dict:
    assert response.status_code == code, response.content
    return response.json()["errors"]


def test_the_desk_adds_an_entry_and_lists_it_by_site_and_status(
    login, front_desk, waiting_patient, site
):
    client = login(front_desk)
    body = {
        "patient": waiting_patient.pk, "location": site.pk, "wish": "start_sooner",
        "weekdays": [0, 2], "earliest_time": "08:00", "note": "Any morning",
    }  # fmt: skip
    created = post(client, WAITLIST, body)
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["status"] == "active" and entry["weekdays"] == [0, 2]
    assert entry["status_changes"][0]["to_status"] == "active"
    listed = client.get(WAITLIST, {"location": site.pk, "status": "active"}).json()["results"]
    assert [e["id"] for e in listed] == [entry["id"]]
    assert client.get(WAITLIST, {"status": "filled"}).json()["results"] == []


def test_a_bad_add_is_a_400_naming_each_field_and_saves_nothing(
    login, front_desk, site, waiting_patient
):
    client = login(front_desk)
    missing = errors(post(client, WAITLIST, {"location": site.pk, "weekdays": [9]}))
    assert {"patient", "wish", "weekdays"} <= set(missing)
    unscreened = PatientFactory(home_location=site)
    body = {"patient": unscreened.pk, "location": site.pk, "wish": "start_sooner"}
    assert "patient" in errors(post(client, WAITLIST, body))
    body = {"patient": waiting_patient.pk, "location": site.pk, "wish": "move_earlier"}
    assert "appointment" in errors(post(client, WAITLIST, body))
    assert errors(client.get(WAITLIST, {"status": "sleeping"})).keys() == {"status"}
    assert not WaitlistEntry.objects.exists()


def test_a_nurse_gets_403_everywhere(login, nurse, move_earlier, freed, site):
    client = login(nurse)
    assert client.get(WAITLIST).status_code == 403
    assert post(client, WAITLIST, {"location": site.pk}).status_code == 403
    fill = post(client, f"{WAITLIST}{move_earlier.pk}/fill/", {})
    assert fill.status_code == 403 and set(fill.json()) == {"detail", "errors"}
    candidates = f"/api/v1/appointments/{freed.pk}/waitlist-candidates/"
    assert client.get(candidates).status_code == 403


def test_candidates_then_fill_then_a_second_fill_is_409(login, front_desk, move_earlier, freed):
    client = login(front_desk)
    candidates = client.get(f"/api/v1/appointments/{freed.pk}/waitlist-candidates/")
    assert [e["id"] for e in candidates.json()] == [move_earlier.pk]
    body = {
        "starts_at": freed.starts_at.isoformat(), "chair": freed.chair_id, "nurse": freed.nurse_id
    }  # fmt: skip
    filled = post(client, f"{WAITLIST}{move_earlier.pk}/fill/", body)
    assert filled.status_code == 200, filled.content
    assert filled.json()["status"] == "filled"
    assert filled.json()["filled_with"] == move_earlier.appointment_id
    again = errors(post(client, f"{WAITLIST}{move_earlier.pk}/fill/", body), code=409)
    assert "status" in again
    assert client.get(f"/api/v1/appointments/{freed.pk}/waitlist-candidates/").json() == []


def test_a_fill_without_a_time_is_a_400_naming_it(login, front_desk, move_earlier):
    assert "starts_at" in errors(post(login(front_desk), f"{WAITLIST}{move_earlier.pk}/fill/", {}))
    move_earlier.refresh_from_db()
    assert move_earlier.status == WaitlistStatus.ACTIVE


def test_withdraw_needs_a_reason(login, front_desk, move_earlier):
    client = login(front_desk)
    assert "reason" in errors(post(client, f"{WAITLIST}{move_earlier.pk}/withdraw/", {}))
    done = post(client, f"{WAITLIST}{move_earlier.pk}/withdraw/", {"reason": "Feels better"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"


def test_another_sites_entry_is_404_and_not_listed(login, front_desk, other_site, clinic_admin):
    patient = make_bookable(PatientFactory(home_location=other_site), clinic_admin)
    there = waitlist_add(
        patient=patient, location=other_site, wish=Wish.START_SOONER, by=clinic_admin
    )
    client = login(front_desk)
    assert client.get(f"{WAITLIST}{there.pk}/").status_code == 404
    assert client.get(WAITLIST).json()["results"] == []
    assert client.get(WAITLIST).json()["count"] == 0
