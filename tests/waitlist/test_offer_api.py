"""The offers API: make (400 names the field), list, withdraw (409 the second time); the
front desk's, 403 for a nurse. And the desk's fill page offers by hand."""

from waitlist.models import OfferStatus, WaitlistOffer

OFFERS = "/api/v1/waitlist-offers/"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_desk_offers_lists_and_withdraws(
    login, manual_offers, front_desk, nurse, move_earlier, rival, freed
):
    client = login(front_desk)
    refused = post(client, OFFERS, {"freed": freed.pk, "entries": []})
    assert refused.status_code == 400 and "entries" in refused.json()["errors"]
    made = post(client, OFFERS, {"freed": freed.pk, "entries": [move_earlier.pk]})
    assert made.status_code == 201, made.content
    offer = made.json()
    assert offer["state"] == "open" and [r["entry"] for r in offer["recipients"]] == [
        move_earlier.pk
    ]
    again = post(client, OFFERS, {"freed": freed.pk, "entries": [move_earlier.pk]})
    assert again.status_code == 400  # already offered
    listed = client.get(OFFERS, {"freed": freed.pk}).json()["results"]
    assert [o["id"] for o in listed] == [offer["id"]]
    url = f"{OFFERS}{offer['id']}/withdraw/"
    assert post(client, url, {"reason": "Chair broken"}).status_code == 200
    assert post(client, url, {"reason": "Chair broken"}).status_code == 409
    assert login(nurse).get(OFFERS).status_code == 403


def test_the_fill_page_offers_to_the_ticked_patients(
    login, manual_offers, front_desk, move_earlier, rival, freed, django_assert_max_num_queries
):
    client = login(front_desk)
    url = f"/waitlist/appointments/{freed.pk}/offer/"
    response = client.post(url, {"entries": [move_earlier.pk, rival.pk]})
    assert response.status_code == 302
    offer = WaitlistOffer.objects.get(freed=freed)
    assert offer.status == OfferStatus.OPEN and offer.recipients.count() == 2
    with django_assert_max_num_queries(30):
        page = client.get(f"/waitlist/appointments/{freed.pk}/fill/")
    assert "Withdraw" in page.content.decode()


def test_the_desk_home_counts_the_chairs_to_fill(login, front_desk, move_earlier, freed):
    from django.utils import timezone

    from waitlist.hooks import desk_chairs_to_fill
    from waitlist.selectors import fillable_chairs_count

    assert fillable_chairs_count(front_desk, timezone.now()) == 1
    (item,) = desk_chairs_to_fill(front_desk)
    assert item.key == "chairs_to_fill" and item.count == 1
