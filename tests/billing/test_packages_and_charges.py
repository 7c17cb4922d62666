"""Course packages (sold at the day's package price, one prepaid infusion per completed
visit, unused ones given back pro rata) and the charge a completed infusion makes by itself:
once per visit, from the price list of the visit's day, or a package infusion; no price: no
charge and a "charge to review". Nothing about money is updated in place."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import InternalError, connection, transaction
from django.urls import reverse

from billing.models import ChargeReview, LedgerEntry, PackagePurchase, PackageRelease, PackageUse
from billing.selectors.ledger import balance_usd
from billing.selectors.packages import charges_to_review_for, packages_of
from billing.services.charging import charge_completed_infusion
from billing.services.packages import package_release, package_sell
from infusions.services import infusion_complete
from scheduling.hooks import desk_work, infusion_completed
from tests.chair_clock import advance

D = Decimal


def test_completing_an_infusion_charges_the_visit_once(running, nurse, prices):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=D("34.9"))
    visit = running.appointment
    charge = LedgerEntry.objects.get()
    assert (charge.kind, charge.appointment, charge.amount_usd) == ("charge", visit, D("550.00"))
    assert charge.price_item == prices.item("infusion") and charge.recorded_by == nurse
    # The hook again (a retried task, a second path): nothing more.
    assert charge_completed_infusion(record=running, by=nurse) is None
    assert LedgerEntry.objects.count() == 1
    assert charge_completed_infusion in infusion_completed


def test_a_completed_infusion_uses_a_prepaid_package_infusion(running, nurse, front_desk, prices):
    patient = running.appointment.patient
    purchase = package_sell(patient=patient, by=front_desk, infusions=6)
    assert purchase.charge.amount_usd == D("3000.00") and purchase.price_item == prices.item(
        "package", 6
    )
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=D("34.9"))
    use = PackageUse.objects.get()
    assert use.purchase == purchase and use.appointment == running.appointment
    assert LedgerEntry.objects.filter(kind="charge").count() == 1  # the package only
    assert packages_of(patient).get().left == 5


def test_no_price_list_no_charge_and_the_desk_sees_it(running, nurse, front_desk, login):
    advance(41)
    infusion_complete(record=running, by=nurse, administered_mg=D("34.9"))
    assert not LedgerEntry.objects.exists()
    review = ChargeReview.objects.get()
    assert list(charges_to_review_for(front_desk)) == [review]
    items = {item.key: item for hook in desk_work for item in hook(front_desk)}
    assert items["charges_to_review"].count == 1
    page = login(front_desk).get(reverse("billing:charges_to_review"))
    assert running.appointment.patient.display_name in page.content.decode()
    # Charged by hand for the visit: off the list.
    from billing.services import ledger_charge

    ledger_charge(patient=running.appointment.patient, by=front_desk, amount_usd=D("500.00"),
                  description="Infusion", appointment=running.appointment)  # fmt: skip
    assert not charges_to_review_for(front_desk).exists()


def test_giving_back_unused_infusions_is_a_pro_rata_credit(patient, front_desk, prices):
    purchase = package_sell(patient=patient, by=front_desk, infusions=8)  # $3800
    release = package_release(purchase=purchase, by=front_desk, infusions=3, reason="Moved away")
    assert release.amount_usd == D("1425.00")  # 3800 x 3 / 8
    assert release.credit.kind == "adjustment" and release.credit.amount_usd == D("-1425.00")
    assert "Moved away" in release.credit.reason
    assert balance_usd(patient) == D("2375.00")
    assert packages_of(patient).get().left == 5


@pytest.mark.parametrize(
    "infusions, reason, field",
    [(6, "Too many", "infusions"), (0, "None", "infusions"), (2, " ", "reason")],
)
def test_a_bad_release_is_refused_and_writes_nothing(patient, front_desk, prices, infusions,
                                                     reason, field):  # fmt: skip
    purchase = package_sell(patient=patient, by=front_desk, infusions=8)
    package_release(purchase=purchase, by=front_desk, infusions=3, reason="Part")
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        package_release(purchase=purchase, by=front_desk, infusions=infusions, reason=reason)
    assert field in refused.value.message_dict
    assert LedgerEntry.objects.count() == before and PackageRelease.objects.count() == 1


def test_a_package_size_without_a_price_is_refused(patient, front_desk, prices):
    with pytest.raises(ValidationError) as refused:
        package_sell(patient=patient, by=front_desk, infusions=10)  # no 10-pack on the list
    assert "infusions" in refused.value.message_dict
    assert not LedgerEntry.objects.exists() and not PackagePurchase.objects.exists()


def test_package_rows_are_never_updated(patient, front_desk, prices):
    purchase = package_sell(patient=patient, by=front_desk, infusions=6)
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_packagepurchase SET infusions = 12 WHERE id = %s",
                       [purchase.pk])  # fmt: skip


def test_the_desk_sells_and_gives_back_on_the_packages_page(login, front_desk, patient, prices):
    client = login(front_desk)
    url = reverse("billing:packages", args=[patient.pk])
    assert client.post(url, {"action": "sell", "infusions": "6"}).status_code == 302
    purchase = PackagePurchase.objects.get()
    refused = client.post(url, {"action": "release", "purchase": purchase.pk, "infusions": "9",
                                "reason": "x"})  # fmt: skip
    assert refused.status_code == 200 and "infusions" in refused.context["release"].errors
    done = client.post(url, {"action": "release", "purchase": purchase.pk, "infusions": "1",
                             "reason": "Side effects"})  # fmt: skip
    assert done.status_code == 302 and PackageRelease.objects.get().amount_usd == D("500.00")


def test_the_packages_api(login, front_desk, patient, prices):
    client = login(front_desk)
    base = f"/api/v1/patients/{patient.pk}/packages/"
    sold = client.post(base, {"infusions": 6}, content_type="application/json")
    assert sold.status_code == 201 and sold.json()["left"] == 6
    bad = client.post(base, {"infusions": 7}, content_type="application/json")
    assert bad.status_code == 400 and "infusions" in bad.json()["errors"]
    pk = sold.json()["id"]
    back = client.post(f"{base}{pk}/release/", {"infusions": 2, "reason": "Stopping"},
                       content_type="application/json")  # fmt: skip
    assert back.status_code == 201 and back.json()["left"] == 4 and back.json()["released"] == 2
    assert client.get(base).json()["results"][0]["left"] == 4


def test_package_liability_report(login, clinic_admin, patient, front_desk, prices, site):
    from reports.scope import Scope
    from reports.selectors.packages import package_liability

    purchase = package_sell(patient=patient, by=front_desk, infusions=8)  # $3800, $475 each
    package_release(purchase=purchase, by=front_desk, infusions=2, reason="Part")
    report = package_liability(Scope(site.today(), site.today(), (site,)))
    assert report.headline_value("infusions_left") == 6
    assert report.headline_value("value_usd") == 2850
    client = login(clinic_admin)
    page = client.get(reverse("reports:package_liability"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert client.get(reverse("reports:package_liability_csv")).status_code == 200
    data = client.get(reverse("report-package_liability")).json()
    assert data["headline"]["infusions_left"] == 6


def test_the_card_and_package_pages_cost_the_same_queries_whatever_the_rows(
    login, front_desk, patient, prices
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.services.cards import card_payment_start

    client = login(front_desk)
    urls = [reverse("billing:card_payment", args=[patient.pk]),
            reverse("billing:packages", args=[patient.pk])]  # fmt: skip

    def counts():
        client.get(urls[0])  # the session's first save is not the page's
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    card_payment_start(patient=patient, by=front_desk, amount_usd=D("10.00"))
    package_sell(patient=patient, by=front_desk, infusions=6)
    few = counts()
    for n in range(4):
        card_payment_start(patient=patient, by=front_desk, amount_usd=D(f"{n + 11}.00"))
        package_sell(patient=patient, by=front_desk, infusions=8)
    assert counts() == few


# --- An infusion stopped early ------------------------------------------------------------


def _stop_after(running, nurse, minutes, mg="20.0", reason="Severe dissociation"):
    from infusions.services import infusion_record_stopped_dose, infusion_stop

    advance(minutes)
    infusion_stop(record=running, by=nurse, reason=reason)
    # Nothing until the mg given is charted.
    assert not LedgerEntry.objects.filter(appointment=running.appointment).exists()
    return infusion_record_stopped_dose(record=running, by=nurse, administered_mg=mg)


def test_an_infusion_stopped_after_more_than_15_minutes_is_charged_once(running, nurse, prices):
    record = _stop_after(running, nurse, 25)
    charge = LedgerEntry.objects.get()
    assert (charge.kind, charge.appointment, charge.amount_usd) == (
        "charge", running.appointment, D("550.00"))  # fmt: skip
    assert charge.price_item == prices.item("infusion")
    assert "stopped early after 25 min" in charge.description
    assert not ChargeReview.objects.exists()
    # The hook again: nothing more.
    from billing.services.charging import charge_stopped_infusion

    assert charge_stopped_infusion(record=record, by=nurse) is None
    assert LedgerEntry.objects.count() == 1


def test_a_stopped_infusion_uses_a_prepaid_package_infusion(running, nurse, front_desk, prices):
    purchase = package_sell(patient=running.appointment.patient, by=front_desk, infusions=6)
    _stop_after(running, nurse, 20)
    assert PackageUse.objects.get().purchase == purchase
    assert LedgerEntry.objects.filter(kind="charge").count() == 1  # the package only


def test_a_stop_within_15_minutes_goes_to_the_desk_to_decide(running, nurse, front_desk, prices):
    _stop_after(running, nurse, 10, mg="5.0")
    assert not LedgerEntry.objects.exists()
    review = ChargeReview.objects.get()
    assert review.appointment == running.appointment and "10 min" in review.reason
    assert list(charges_to_review_for(front_desk)) == [review]


def test_a_stopped_infusion_without_prices_is_on_the_list(running, nurse, front_desk):
    _stop_after(running, nurse, 30)
    review = ChargeReview.objects.get()
    assert "no infusion price" in review.reason and "stopped early after 30 min" in review.reason
    assert not LedgerEntry.objects.exists()


def test_a_bad_stopped_dose_is_refused_and_charges_nothing(running, nurse, prices):
    from infusions.services import infusion_record_stopped_dose, infusion_stop

    advance(25)
    infusion_stop(record=running, by=nurse, reason="Patient asked")
    with pytest.raises(ValidationError):
        infusion_record_stopped_dose(record=running, by=nurse, administered_mg="-3")
    assert not LedgerEntry.objects.exists() and not ChargeReview.objects.exists()
