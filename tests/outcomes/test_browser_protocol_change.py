"""After a change of protocol the chair screen says, on the nurse's tablet (768x1024), that
the review is due again at the new protocol's review point, and why."""

import pytest
from django.urls import reverse

from infusions.services import vitals_record
from outcomes.services import course_review_record
from tests.browser_helpers import TABLET, log_in, screenshot
from tests.helpers import GOOD

from . import test_protocol_in_effect as changed

# The fixtures of the non-browser tests, shared.
new_protocol, seventh = changed.new_protocol, changed.seventh

pytestmark = pytest.mark.browser


def test_the_chair_screen_on_a_tablet_says_the_review_is_due_again(
    browser,
    live_server,
    password,
    seventh,
    record,
    nurse,
    physician,
    new_protocol,
):
    course_review_record(
        course=seventh.course, decision="change_protocol", reason="Pain barely moved",
        by=physician, new_protocol=new_protocol,
    )  # fmt: skip
    changed._give_5_and_6(seventh.course)
    vitals_record(record=record, taken_by=nurse, **GOOD)
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}{reverse('infusions:chair', args=[seventh.pk])}")
    blockers = page.locator("#start-blockers")
    blockers.wait_for()
    text = blockers.inner_text()
    assert changed.NEEDED_AGAIN in text and "after infusion 6 (2 infusions after" in text
    # Nothing runs off the right edge of the tablet.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], width
    blockers.scroll_into_view_if_needed()
    screenshot(page, "outcomes-chair-review-due-again-tablet")
    context.close()
