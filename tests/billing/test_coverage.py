"""Coverage versions, who pays, and benefits checks by phone or portal: the rules, and the
refusals that write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, connection, transaction

from billing import services as billing
from billing.models import BenefitsCheck, Coverage, PaymentChoice
from billing.selectors.coverage import current_coverages, current_funding
from clinic.errors import ConflictError
from tests.factories import PatientFactory

JAN_1 = datetime.date(2026, 1, 1)


def test_the_patient_is_the_subscriber_unless_said_otherwise(coverage, patient):
    assert coverage.subscriber_name == patient.legal_name
    assert coverage.subscriber_date_of_birth == patient.date_of_birth
    assert current_coverages(patient) == [coverage]


def test_a_change_is_a_new_version_and_the_old_one_is_kept(coverage, front_desk, patient):
    version = billing.coverage_change(
        coverage=coverage, by=front_desk, reason="New card", member_id="W999"
    )
    assert version.supersedes == coverage and version.member_id == "W999"
    assert version.payer_name == "Aetna"  # unchanged fields carried over
    assert current_coverages(patient) == [version]
    assert Coverage.objects.filter(patient=patient).count() == 2


def test_changing_a_superseded_version_is_a_conflict(coverage, front_desk):
    billing.coverage_change(coverage=coverage, by=front_desk, reason="New card", member_id="W2")
    with pytest.raises(ConflictError):
        billing.coverage_change(coverage=coverage, by=front_desk, reason="x", member_id="W3")
    assert Coverage.objects.count() == 2


def test_a_change_needs_a_reason_and_a_change(coverage, front_desk):
    with pytest.raises(ValidationError) as refused:
        billing.coverage_change(coverage=coverage, by=front_desk, reason=" ", member_id="W2")
    assert "change_reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        billing.coverage_change(coverage=coverage, by=front_desk, reason="Same")
    assert Coverage.objects.count() == 1


def test_ending_a_coverage_leaves_none_current(coverage, front_desk, patient):
    ended = billing.coverage_end(
        coverage=coverage, by=front_desk, reason="Lost job", ended_on=datetime.date(2026, 3, 31)
    )
    assert ended.ended and ended.effective_to == datetime.date(2026, 3, 31)
    assert current_coverages(patient) == []
    with pytest.raises(ConflictError):
        billing.coverage_end(
            coverage=Coverage.objects.get(pk=ended.pk), by=front_desk, reason="x",
            ended_on=datetime.date(2026, 4, 1),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"member_id": " "}, "member_id"),
        ({"payer_name": ""}, "payer_name"),
        ({"effective_to": datetime.date(2025, 12, 31)}, "effective_to"),
        ({"rank": "secondary"}, "rank"),  # a secondary before any primary
    ],
)
def test_a_bad_coverage_names_the_field_and_saves_nothing(patient, front_desk, fields, field):
    base = dict(payer_name="Aetna", member_id="W1", effective_from=JAN_1)
    with pytest.raises(ValidationError) as refused:
        billing.coverage_add(patient=patient, by=front_desk, **{**base, **fields})
    assert field in refused.value.message_dict
    assert not Coverage.objects.exists()


def test_one_current_primary_per_patient(coverage, patient, front_desk):
    with pytest.raises(ValidationError) as refused:
        billing.coverage_add(
            patient=patient, by=front_desk, payer_name="Cigna", member_id="C1",
            effective_from=JAN_1,
        )  # fmt: skip
    assert "rank" in refused.value.message_dict
    secondary = billing.coverage_add(
        patient=patient, by=front_desk, payer_name="Cigna", member_id="C1",
        effective_from=JAN_1, rank="secondary", relationship="spouse",
        subscriber_name="Ana Lopez",
    )  # fmt: skip
    assert current_coverages(patient) == [coverage, secondary]


def test_a_nurse_may_not_record_coverage(patient, nurse):
    with pytest.raises(PermissionDenied):
        billing.coverage_add(patient=patient, by=nurse, payer_name="A", member_id="1",
                             effective_from=JAN_1)  # fmt: skip
    assert not Coverage.objects.exists()


def test_another_sites_patient_is_refused(front_desk, other_site, nurse):
    stranger = PatientFactory(home_location=other_site)
    with pytest.raises(ValidationError):
        billing.coverage_add(patient=stranger, by=front_desk, payer_name="A", member_id="1",
                             effective_from=JAN_1)  # fmt: skip


def test_who_pays_starts_from_registration_and_the_newest_choice_counts(
    patient, coverage, front_desk
):
    assert current_funding(patient) == patient.payment
    billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    billing.payment_choice_record(
        patient=patient, funding="self_pay", by=front_desk, reason="Not covered"
    )
    assert current_funding(patient) == "self_pay"


def test_insurance_cannot_be_chosen_without_a_coverage(patient, front_desk):
    with pytest.raises(ValidationError) as refused:
        billing.payment_choice_record(patient=patient, funding="insurance", by=front_desk)
    assert "funding" in refused.value.message_dict
    assert not PaymentChoice.objects.exists()


def test_a_phone_check_records_who_when_result_and_the_patients_share(coverage, front_desk):
    check = billing.benefits_check_record(
        coverage=coverage, by=front_desk, method="phone", result="prior_auth",
        reference_number="CALL-778", patient_responsibility_usd=Decimal("125.50"),
    )  # fmt: skip
    assert check.checked_by == front_desk and check.patient == coverage.patient
    assert check.patient_responsibility_usd == Decimal("125.50")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reference_number": ""}, "reference_number"),
        ({"patient_responsibility_usd": Decimal("-1")}, "patient_responsibility_usd"),
        ({"method": "electronic"}, "method"),
        ({"checked_at": datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)}, "checked_at"),
    ],
)
def test_a_bad_check_names_the_field_and_saves_nothing(coverage, front_desk, fields, field):
    base = dict(method="phone", result="covered", reference_number="R1")
    with pytest.raises(ValidationError) as refused:
        billing.benefits_check_record(coverage=coverage, by=front_desk, **{**base, **fields})
    assert field in refused.value.message_dict
    assert not BenefitsCheck.objects.exists()


def test_the_database_refuses_to_edit_a_coverage_or_a_check(coverage, front_desk):
    billing.benefits_check_record(
        coverage=coverage, by=front_desk, method="portal", result="covered", reference_number="P"
    )
    for table in ("billing_coverage", "billing_benefitscheck"):
        with pytest.raises(InternalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET recorded_at = now()")  # noqa: S608
