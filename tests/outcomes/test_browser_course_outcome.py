"""The course outcome in a real browser at desktop size: the physician opens the patient's
Outcome tab, reviews the course from it, and the printable page in print media."""

import datetime

import pytest
from django.urls import reverse

from outcomes.models import CourseReview
from tests.browser_helpers import DESKTOP, log_in, screenshot

from .course_helpers import after, answer, before, course_of_visits, fiqr, give, pain, phq9, visits

pytestmark = pytest.mark.browser


def _course(patient, protocol, site, nurse, front_desk):
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk, count=8
    )
    v = visits(course)
    start = v[0].starts_at - datetime.timedelta(days=1)
    answer(patient, nurse, start, "fiqr", "baseline", fiqr(6))
    answer(patient, nurse, start, "phq9", "baseline", phq9(14))
    for visit, (pre, post) in zip(v, [(8, 6), (7, 5), (7, 4), (6, 4)], strict=False):
        pain(patient, nurse, before(visit), "pre_infusion", pre)
        pain(patient, nurse, after(visit), "post_infusion", post)
    answer(patient, nurse, after(v[3]), "fiqr", "post_infusion", fiqr(5))
    answer(patient, nurse, after(v[3]), "phq9", "post_infusion", phq9(8), by_patient=True)
    give(*v[:4])
    return course


def test_the_physician_sees_the_outcome_and_reviews_the_course(
    browser, live_server, password, physician, patient, protocol, site, nurse, front_desk
):
    course = _course(patient, protocol, site, nurse, front_desk)
    context, page = log_in(browser, live_server, physician, password, DESKTOP)
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=outcome")
    outcome = page.locator("#patient-outcome")
    outcome.wait_for()
    assert "50% lower" in outcome.inner_text()  # 8 -> 4
    assert page.locator("svg[role=img]").count() == 3
    screenshot(page, "outcomes-course-outcome-desktop")

    page.get_by_role("link", name="Review the course").click()
    page.get_by_label("Continue the course").check()
    page.get_by_label("Reason").fill("Pain halved, FIQR down 16.7%: continue to 8.")
    page.get_by_role("button", name="Record the review").click()
    page.get_by_text("The review is recorded.").wait_for()
    assert CourseReview.objects.get(course=course).decision == "continue"
    screenshot(page, "outcomes-course-review-desktop")

    page.goto(f"{live_server.url}/outcomes/courses/{course.pk}/")
    page.emulate_media(media="print")
    assert not page.locator(".topbar nav").is_visible()
    screenshot(page, "outcomes-course-outcome-print")
    context.close()


def test_the_desk_picks_a_booster_time_and_the_nurse_sees_the_review_gate_at_check_in(
    browser, live_server, password, physician, patient, protocol, site, nurse, front_desk,
    chairs, shifts, appointment,
):  # fmt: skip
    from django.utils import timezone

    from scheduling.models import AppointmentStatus, Course, CourseStatus
    from tests.browser_helpers import TABLET
    from tests.factories import AppointmentFactory

    # A finished course whose relief has waned: the desk picks the second offered time.
    first = timezone.localdate() - datetime.timedelta(days=56)
    done = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
        count=8, first=first,
    )  # fmt: skip
    give(*visits(done))
    Course.objects.filter(pk=done.pk).update(status=CourseStatus.COMPLETED)
    pain(patient, nurse, before(visits(done)[0]), "pre_infusion", 8)
    pain(patient, nurse, visits(done)[-1].ends_at + datetime.timedelta(days=30), "follow_up", 7)
    context, page = log_in(browser, live_server, front_desk, password, DESKTOP)
    page.goto(f"{live_server.url}/outcomes/boosters/")
    buttons = page.locator(".booster-options button.primary")
    buttons.first.wait_for()
    assert buttons.count() == 3
    screenshot(page, "outcomes-booster-options-desktop")
    chosen = buttons.nth(1).inner_text()
    buttons.nth(1).click()
    page.get_by_text("A booster infusion is booked").wait_for()
    booster = Course.objects.get(patient=patient, planned_infusions=1).appointments.get()
    assert booster.chair.name in chosen
    context.close()

    # The fifth session of a course with no review: the check-in page says so first.
    for days in (8, 6, 4, 2):
        AppointmentFactory(
            course=appointment.course, sequence=10 - days // 2, nurse=nurse,
            chair=appointment.chair,
            starts_at=appointment.starts_at - datetime.timedelta(days=days),
            status=AppointmentStatus.COMPLETED,
        )  # fmt: skip
    context, page = log_in(browser, live_server, nurse, password, TABLET)
    page.goto(f"{live_server.url}{reverse('infusions:chair', args=[appointment.pk])}")
    banner = page.locator(".check-in-notice.danger")
    banner.wait_for()
    assert "cannot start until the physician's review is recorded" in banner.inner_text()
    screenshot(page, "outcomes-check-in-review-gate-tablet")
    context.close()
