"""Electronic eligibility: the 270 written, the 271 read, and the check recorded through the
file backend (no network); a rejection or a silent clearinghouse records nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services as billing
from billing.eligibility import backends
from billing.eligibility.x12 import Inquiry, build_270, read_271, segments
from billing.models import BenefitsCheck

INQUIRY = Inquiry(
    trace="T1", payer_name="Aetna", payer_id="60054", provider_name="Irvine Ketamine",
    provider_npi="1234567893", member_id="W123", subscriber_first_name="Maria",
    subscriber_last_name="Lopez", subscriber_date_of_birth=datetime.date(1980, 5, 2),
    service_date=datetime.date(2026, 12, 7),
)  # fmt: skip
NOW = datetime.datetime(2026, 12, 5, 10, 30)


def test_the_270_has_a_fixed_width_isa_and_counts_its_segments():
    text = build_270(INQUIRY, now=NOW, control=7)
    assert text.index("~") == 105  # the ISA is 106 characters with its terminator
    parts = segments(text)
    names = [p[0] for p in parts]
    assert names[:3] == ["ISA", "GS", "ST"] and names[-2:] == ["GE", "IEA"]
    st, se = names.index("ST"), names.index("SE")
    assert parts[se][1] == str(se - st + 1)
    assert ["NM1", "IL", "1", "LOPEZ", "MARIA", "", "", "", "MI", "W123"] in parts
    assert ["EQ", "30"] in parts and ["DMG", "D8", "19800502"] in parts


def test_a_dependent_is_asked_in_its_own_loop():
    from dataclasses import replace

    text = build_270(replace(INQUIRY, dependent_first_name="Ana", dependent_last_name="Lopez"),
                     now=NOW, control=1)  # fmt: skip
    assert "HL*4*3*23*0~NM1*03*1*LOPEZ*ANA" in text


@pytest.mark.parametrize(
    ("member", "result"),
    [("W1", "covered"), ("NC1", "not_covered"), ("PA1", "prior_auth"),
     ("OON1", "out_of_network")],
)  # fmt: skip
def test_an_electronic_check_records_the_271s_answer(
    member, result, coverage, front_desk, site_billing, eligibility_files
):
    coverage = billing.coverage_change(
        coverage=coverage, by=front_desk, reason="Test member", member_id=member
    )
    check = billing.benefits_check_electronic(coverage=coverage, by=front_desk)
    assert check.method == "electronic" and check.result == result
    assert check.reference_number.startswith("FAKE-")
    assert check.response_text.startswith("ISA")
    sent = list(eligibility_files.glob("*.270"))
    assert len(sent) == 1 and f"*MI*{member}~" in sent[0].read_text()


def test_the_copay_in_the_271_is_the_expected_share(coverage, front_desk, site_billing):
    check = billing.benefits_check_electronic(coverage=coverage, by=front_desk)
    assert check.patient_responsibility_usd == Decimal("40.00")


def test_a_rejected_inquiry_records_nothing_and_says_why(coverage, front_desk, site_billing):
    coverage = billing.coverage_change(
        coverage=coverage, by=front_desk, reason="Bad id", member_id="ERR1"
    )
    with pytest.raises(ValidationError) as refused:
        billing.benefits_check_electronic(coverage=coverage, by=front_desk)
    assert "72" in refused.value.message_dict["coverage"][0]
    assert not BenefitsCheck.objects.exists()


def test_a_silent_clearinghouse_records_nothing(coverage, front_desk, site_billing, settings):
    settings.ELIGIBILITY_BACKEND = "clearinghouse"
    settings.ELIGIBILITY_CLEARINGHOUSE_URL = "http://127.0.0.1:9/eligibility"  # discard port
    settings.ELIGIBILITY_TIMEOUT_SECONDS = 2
    with pytest.raises(ValidationError) as refused:
        billing.benefits_check_electronic(coverage=coverage, by=front_desk)
    assert "No answer from the clearinghouse" in refused.value.message_dict["coverage"][0]
    assert not BenefitsCheck.objects.exists()


def test_without_the_sites_npi_or_a_payer_id_nothing_is_sent(
    coverage, front_desk, eligibility_files
):
    with pytest.raises(ValidationError):
        billing.benefits_check_electronic(coverage=coverage, by=front_desk)
    assert not eligibility_files.exists() or not list(eligibility_files.iterdir())


def test_the_backend_is_picked_by_settings(settings):
    settings.ELIGIBILITY_BACKEND = "file"
    assert isinstance(backends.get_eligibility_backend(), backends.FileEligibilityBackend)
    settings.ELIGIBILITY_BACKEND = "billing.eligibility.backends.ClearinghouseEligibilityBackend"
    assert isinstance(backends.get_eligibility_backend(), backends.ClearinghouseEligibilityBackend)


def test_read_271_refuses_what_is_not_x12():
    with pytest.raises(ValueError):
        read_271("<html>Service unavailable</html>")
