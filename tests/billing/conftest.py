"""A patient with insurance at the bookable clinic of tests/fixtures/scheduling.py, the
site's billing details, and an eligibility folder of the test's own."""

import datetime

import pytest

from billing import services as billing
from billing.models import SiteBilling


@pytest.fixture(autouse=True)
def eligibility_files(settings, tmp_path):
    settings.ELIGIBILITY_BACKEND = "file"
    settings.ELIGIBILITY_FILE_PATH = str(tmp_path / "eligibility")
    return tmp_path / "eligibility"


@pytest.fixture(autouse=True)
def webhook_rate_window():
    """Each test starts a fresh webhook rate-limit minute for the test client's address."""
    from billing.views.cards import webhook_rate_key
    from clinic.broker import redis_client

    redis_client().delete(webhook_rate_key("127.0.0.1"))


@pytest.fixture
def site_billing(site):
    return SiteBilling.objects.create(
        location=site, practice_name="Irvine Ketamine Clinic",
        practice_address="1 Main St\nIrvine, CA 92618", npi="1234567893", tin="12-3456789",
        ketamine_ndc="0409-2053-10",
    )  # fmt: skip


@pytest.fixture
def coverage(patient, front_desk):
    return billing.coverage_add(
        patient=patient, by=front_desk, payer_name="Aetna", payer_id="60054",
        plan_name="Choice POS II", member_id="W123456789", group_number="G-77",
        effective_from=datetime.date(2026, 1, 1),
    )  # fmt: skip


@pytest.fixture
def prices(site, clinic_admin):
    """Consultation $300, infusion $550, booster $450, packages 6 for $3000, 8 for $3800."""
    from decimal import Decimal

    return billing.price_list_publish(
        location=site, effective_from=site.today(), by=clinic_admin,
        prices_usd={
            "consultation": Decimal("300.00"), "infusion": Decimal("550.00"),
            "booster": Decimal("450.00"), "package_6": Decimal("3000.00"),
            "package_8": Decimal("3800.00"),
        },
    )  # fmt: skip
