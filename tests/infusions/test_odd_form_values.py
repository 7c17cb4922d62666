"""Odd values posted to the chair screen and the planner are field errors, never a 500:
"²" passes str.isdigit() but is no number, and 25 nines is no database id."""

import pytest
from django.urls import reverse

ODD = ["²", "٣", "9" * 25, "1\x00"]


@pytest.mark.parametrize("value", ODD)
def test_the_chair_screen_answers_odd_ids_and_scores_with_a_field_error(
    client, running, nurse, value
):
    client.force_login(nurse)
    posts = {
        "acknowledge": {"alert": value, "action": "paused"},
        "correct": {"entry": f"vitals:{value}", "reason": "typo"},
        "discharge": {"score_type": "aldrete", "pain_nrs": value, "aldrete__activity": value},
    }
    for step, data in posts.items():
        url = reverse(f"infusions:chair_{step}", args=[running.pk])
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code in (200, 400), (step, response.status_code)


@pytest.mark.parametrize("value", ODD)
def test_the_planner_blockers_ignore_an_odd_patient_id(client, front_desk, value):
    client.force_login(front_desk)
    response = client.get(reverse("scheduling:planner_blockers"), {"patient": value})
    assert response.status_code == 200
