"""Superbills: CPT 96365/+96366 from the charted minutes at their boundaries, J3490 with the
NDC and mg given, ICD-10 chosen from the patient's diagnoses, the money from the ledger."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.coding import additional_hours, infusion_codes
from billing.models import ClinicianNpi
from infusions.services import infusion_complete
from tests.chair_clock import advance


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [(15, []), (16, [("96365", 1)]), (60, [("96365", 1)]), (90, [("96365", 1)]),
     (91, [("96365", 1), ("96366", 1)]), (150, [("96365", 1), ("96366", 1)]),
     (151, [("96365", 1), ("96366", 2)])],
)  # fmt: skip
def test_infusion_codes_at_their_boundaries(minutes, codes):
    lines = infusion_codes(minutes, mg_given=Decimal("35.0"), ndc="0409-2053-10")
    assert [(line.code, line.units) for line in lines if line.code != "J3490"] == codes
    assert bool(codes) == any(line.code == "J3490" for line in lines)


def test_the_drug_line_carries_mg_and_ndc():
    drug = infusion_codes(40, mg_given=Decimal("34.90"), ndc="0409-2053-10")[-1]
    assert drug.code == "J3490" and "34.9 mg" in drug.description
    assert "NDC 0409-2053-10" in drug.description


def test_additional_hours_count_a_part_over_30_minutes():
    assert [additional_hours(m) for m in (60, 90, 91, 120, 151, 180, 211)] == [0, 0, 1, 1, 2, 2, 3]


def test_the_superbill_of_a_charted_infusion(
    login, front_desk, running, nurse, physician, site_billing, prices
):
    record = running
    advance(41)
    infusion_complete(record=record, by=nurse, administered_mg=Decimal("34.9"))
    visit = record.appointment
    patient = visit.patient
    ClinicianNpi.objects.create(clinician=physician, npi="1987654324", credentials="MD")
    # Completing the infusion charged the visit at the site's price (billing.services.charging).
    billing.ledger_payment(patient=patient, by=front_desk, amount_usd=Decimal("500.00"),
                           method="hsa_fsa")  # fmt: skip
    page = login(front_desk).get(reverse("billing:superbill", args=[visit.pk]))
    bill = page.context["bill"]
    assert [s.minutes for s in bill.services] == [41]
    assert [line.code for line in bill.services[0].lines] == ["96365", "J3490"]
    assert bill.services[0].clinician == physician and bill.services[0].clinician_npi
    assert (bill.charges_usd, bill.paid_usd, bill.balance_usd) == (
        Decimal("550.00"), Decimal("500.00"), Decimal("50.00"))  # fmt: skip
    text = page.content.decode()
    for expected in ("NPI 1234567893", "TIN 12-3456789", "NPI 1987654324", "M79.7",
                     "34.9 mg", "NDC 0409-2053-10", patient.legal_name):  # fmt: skip
        assert expected in text, expected
    course = login(front_desk).get(reverse("billing:course_superbill", args=[visit.course_id]))
    assert course.status_code == 200 and len(course.context["bill"].services) == 1


def test_a_nurse_does_not_print_superbills(login, nurse, appointment):
    assert login(nurse).get(reverse("billing:superbill", args=[appointment.pk])).status_code == 403
