"""What the desk's money screens stop that a careful cashier would: a provider's card
payment refunded only on paper, the same form sent twice (Back, then Record again), a card
number typed as a reference, a payment filed at the wrong site's drawer, a visit charged
before it is given, a package's cents lost when given back one infusion at a time."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import services as billing
from billing.models import LedgerEntry, PackagePurchase, PackageRelease
from billing.selectors.ledger import balance_usd
from billing.services import cards, packages
from scheduling.models import Appointment, AppointmentStatus
from tests.billing.test_cards import post, succeeded
from tests.helpers import make_appointment

D = Decimal


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def card_payment(client, settings, patient, front_desk):
    """$250 taken through the (fake) card provider, its webhook recorded on the ledger."""
    intent = cards.card_payment_start(patient=patient, by=front_desk, amount_usd=D("250.00"))
    post(client, succeeded(intent), settings.CARD_WEBHOOK_SECRET)
    return LedgerEntry.objects.get(kind="payment")


def test_a_provider_card_payment_refunded_on_the_ledger_page_goes_back_to_the_card(
    login, front_desk, card_payment
):
    with pytest.raises(ValidationError) as refused:  # the ledger alone would only say so
        billing.ledger_refund(payment=card_payment, by=front_desk, amount_usd=D("5"),
                              reason="Courtesy")  # fmt: skip
    assert "provider" in refused.value.message_dict["refund_of"][0]
    page = login(front_desk).post(
        reverse("billing:refund", args=[card_payment.pk]),
        {"amount_usd": "5.00", "reason": "Courtesy", "form_key": "refund-form-1"},
    )
    assert page.status_code == 302
    refund = LedgerEntry.objects.get(kind="refund")
    assert refund.reference.startswith("re_fake_")  # the provider's refund id
    assert refund.amount_usd == D("5.00") and refund.refund_of == card_payment


def test_the_api_refund_of_a_provider_card_payment_goes_through_the_provider(
    login, front_desk, card_payment
):
    url = f"/api/v1/patients/{card_payment.patient_id}/ledger/{card_payment.pk}/refund/"
    answer = post_json(login(front_desk), url, {"amount_usd": "10.00", "reason": "Courtesy"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["reference"].startswith("re_fake_")


def test_a_payment_form_sent_twice_is_one_payment(login, front_desk, patient):
    client = login(front_desk)
    url = reverse("billing:ledger_new", args=[patient.pk, "payment"])
    form = client.get(url).context["form"]
    key = form.initial["form_key"]
    body = {"location": patient.home_location_id, "amount_usd": "30.00", "method": "cash",
            "form_key": key}  # fmt: skip
    assert client.post(url, body).status_code == 302
    again = client.post(url, body, follow=True)  # Back, then Record again
    assert "already recorded" in again.content.decode()
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert balance_usd(patient) == D("-30.00")
    # A new form (a new key) is a new payment, once confirmed a second one (see below).
    body["form_key"] = client.get(url).context["form"].initial["form_key"]
    client.post(url, {**body, "confirm_repeat": "on"})
    assert LedgerEntry.objects.filter(kind="payment").count() == 2


def test_a_package_sold_or_given_back_twice_by_the_same_form_is_once(
    login, front_desk, patient, prices
):
    client = login(front_desk)
    url = reverse("billing:packages", args=[patient.pk])
    sell = {"action": "sell", "infusions": "8", "form_key": "sell-form-1"}
    client.post(url, sell)
    again = client.post(url, sell, follow=True)
    assert "already sold" in again.content.decode()
    purchase = PackagePurchase.objects.get()
    assert LedgerEntry.objects.filter(kind="charge").count() == 1
    release = {"action": "release", "purchase": purchase.pk, "infusions": "2",
               "reason": "Moved away", "form_key": "release-form-1"}  # fmt: skip
    client.post(url, release)
    client.post(url, release)
    assert PackageRelease.objects.count() == 1


def test_giving_back_a_package_one_infusion_at_a_time_credits_its_whole_price(
    patient, front_desk, site, clinic_admin
):
    billing.price_list_publish(location=site, effective_from=site.today(), by=clinic_admin,
                               prices_usd={"consultation": D("300.00"), "infusion": D("495.00"),
                                           "package_12": D("4900.00")})  # fmt: skip
    purchase = packages.package_sell(patient=patient, by=front_desk, infusions=12)
    credits = [
        packages.package_release(
            purchase=purchase, by=front_desk, infusions=1, reason="Stopping"
        ).amount_usd  # fmt: skip
        for _ in range(12)
    ]
    assert sum(credits) == D("4900.00")  # not 12 x 408.33 = 4899.96
    assert set(credits) == {D("408.33"), D("408.34")}  # each the pro rata value, to a cent
    assert balance_usd(patient) == D("0.00")


@pytest.mark.parametrize(
    "reference", ["4242 4242 4242 4242", "4111-1111-1111-1111", "paid 378282246310005"]
)
def test_a_card_number_is_never_taken_as_a_reference(login, front_desk, patient, reference):
    with pytest.raises(ValidationError) as refused:
        billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("1"),
                               method="card_terminal", reference=reference)  # fmt: skip
    assert "card number" in refused.value.message_dict["reference"][0]
    answer = post_json(login(front_desk), f"/api/v1/patients/{patient.pk}/ledger/", {
        "kind": "payment", "method": "card_terminal", "reference": reference,
        "amount_usd": "1.00",
    })  # fmt: skip
    assert answer.status_code == 400 and "reference" in answer.json()["errors"]
    assert not LedgerEntry.objects.exists()


def test_a_terminal_reference_of_digits_that_is_no_card_number_is_taken(front_desk, patient):
    entry = billing.ledger_payment(
        patient=patient, by=front_desk, amount_usd=D("1"), method="card_terminal",
        reference="4242424242424241",
    )  # fmt: skip
    assert entry.reference == "4242424242424241"  # fails the check digit: a terminal's number


def test_a_payment_goes_to_the_drawer_of_the_site_where_it_is_taken(
    login, front_desk, patient, site, other_site, nurse, protocol
):
    """The patient lives by San Diego but comes to Irvine today: the money is Irvine's."""
    patient.home_location = other_site
    patient.save(update_fields=["home_location"])
    front_desk.locations.add(other_site)
    make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
    client = login(front_desk)
    url = reverse("billing:ledger_new", args=[patient.pk, "payment"])
    assert client.get(url).context["form"]["location"].initial == site  # today's visit's site
    client.post(url, {"location": site.pk, "amount_usd": "40.00", "method": "cash"})
    assert LedgerEntry.objects.get().location == site
    entry = billing.ledger_payment(patient=patient, by=front_desk, amount_usd=D("5"),
                                   method="cash")  # fmt: skip
    assert entry.location == other_site  # no site named: the home site, as before


def test_a_payment_is_taken_only_at_ones_own_sites(login, front_desk, patient, other_site):
    answer = post_json(login(front_desk), f"/api/v1/patients/{patient.pk}/ledger/", {
        "kind": "payment", "method": "cash", "amount_usd": "5.00", "location": other_site.pk,
    })  # fmt: skip
    assert answer.status_code == 400 and "location" in answer.json()["errors"]
    assert not LedgerEntry.objects.exists()


def test_a_visit_is_charged_only_once_its_infusion_has_started(
    login, front_desk, patient, prices, site, nurse, protocol
):
    visit = make_appointment(site=site, nurse=nurse, protocol=protocol, patient=patient)
    answer = post_json(login(front_desk), f"/api/v1/patients/{patient.pk}/ledger/", {
        "kind": "charge", "appointment": visit.pk, "description": "prepay",
        "amount_usd": "495.00",
    })  # fmt: skip
    assert answer.status_code == 400 and "has not started" in str(
        answer.json()["errors"]["appointment"]
    )
    assert not LedgerEntry.objects.exists()
    Appointment.objects.filter(pk=visit.pk).update(status=AppointmentStatus.IN_CHAIR)
    visit.refresh_from_db()
    billing.ledger_charge(patient=patient, by=front_desk, price_item=prices.item("infusion"),
                          appointment=visit)  # fmt: skip
    assert LedgerEntry.objects.filter(kind="charge", appointment=visit).count() == 1


def test_an_amount_typed_as_1e2_is_a_hundred_dollars_and_a_credit_is_named(
    login, front_desk, patient
):
    client = login(front_desk)
    url = reverse("billing:ledger_new", args=[patient.pk, "payment"])
    page = client.post(url, {"location": patient.home_location_id, "amount_usd": "1e2",
                             "method": "cash"}, follow=True)  # fmt: skip
    body = page.content.decode()
    assert "Payment of $100.00 recorded" in body
    assert "now in credit: $100.00" in body


def test_back_then_record_again_asks_before_a_second_same_payment(login, front_desk, patient):
    """Back to the form (a fresh one, a new key) and Record again: the same amount, method
    and reference just recorded is asked about, not written; ticked, it is recorded."""
    client = login(front_desk)
    url = reverse("billing:ledger_new", args=[patient.pk, "payment"])
    body = {"location": patient.home_location_id, "amount_usd": "25.00", "method": "cash"}
    client.post(url, {**body, "form_key": "first"})
    again = client.post(url, {**body, "form_key": "second"})
    assert "confirm_repeat" in again.context["form"].errors
    assert "Yes: this is a second payment" in again.content.decode()
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    client.post(url, {**body, "form_key": "second", "confirm_repeat": "on"})
    assert LedgerEntry.objects.filter(kind="payment").count() == 2
    # Another amount is another payment: not asked.
    client.post(url, {**body, "amount_usd": "30.00", "form_key": "third"})
    assert LedgerEntry.objects.filter(kind="payment").count() == 3


def test_a_second_same_package_just_after_the_first_is_asked_about(
    login, front_desk, patient, prices
):
    client = login(front_desk)
    url = reverse("billing:packages", args=[patient.pk])
    client.post(url, {"action": "sell", "infusions": "8", "form_key": "a"})
    again = client.post(url, {"action": "sell", "infusions": "8", "form_key": "b"})
    assert "already recorded" in again.content.decode()
    assert PackagePurchase.objects.count() == 1
