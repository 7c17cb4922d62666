"""Correcting a mistyped weight and a misheard pain score on a tablet: the mistaken entry
stays, struck through with the reason, beside its correction; no CSP violation."""

from decimal import Decimal

import pytest

from patients import services
from patients.models import OutcomeMeasure, WeightMeasurement
from tests.browser_helpers import TABLET, assert_fits_and_touchable, log_in, screenshot
from tests.factories import PatientFactory

pytestmark = pytest.mark.browser


def test_a_nurse_corrects_a_weight_and_a_pain_score_on_a_tablet(
    browser, live_server, password, nurse, site
):
    patient = PatientFactory(home_location=site, legal_first_name="Ana", legal_last_name="Ruiz")
    for value in ("70", "77"):
        services.weight_record(patient=patient, value=Decimal(value), unit="kg",
                               measured_by=nurse, confirm_large_change=True)  # fmt: skip
    services.measure_record(patient=patient, kind="pain_nrs", answers={"score": 8},
                            recorded_by=nurse)  # fmt: skip
    services.measure_record(patient=patient, kind="pain_nrs", answers={"score": 9},
                            recorded_by=nurse, context="post_infusion")  # fmt: skip

    context, page = log_in(browser, live_server, nurse, password, TABLET)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=weights")
    wrong = WeightMeasurement.objects.get(entered_value=Decimal("77"))
    page.locator(f"#weight-{wrong.pk}").get_by_role("link", name="Correct").click()
    page.get_by_label("Weight").fill("72")
    page.get_by_role("button", name="Save correction").click()
    assert page.get_by_text("Say what was wrong with the weight.").is_visible()
    page.get_by_label("Reason for the correction").fill("Typed 77 for 72")
    assert_fits_and_touchable(page, TABLET)
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_url("**?tab=weights")
    struck = page.locator(f"#weight-{wrong.pk}")
    assert struck.locator("del").first.is_visible() and "Typed 77 for 72" in struck.inner_text()
    assert page.get_by_text("Current weight: 72.00 kg").is_visible()
    screenshot(page, "corrections-weights-tablet")

    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=measures")
    misheard = OutcomeMeasure.objects.get(score=9)
    page.locator(f"#measure-{misheard.pk}").get_by_role("link", name="Correct").click()
    page.locator("label.scale-step", has_text="3").first.click()
    page.get_by_label("Reason for the correction").fill("Heard 9 for 3")
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_url("**?tab=measures")
    struck = page.locator(f"#measure-{misheard.pk}")
    assert "Heard 9 for 3" in struck.inner_text()
    trends = page.locator("#measure-trends")
    assert "-5" in trends.inner_text()  # 8 at baseline, 3 now: the 9 no longer counts
    screenshot(page, "corrections-measures-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert not problems, problems
    context.close()
