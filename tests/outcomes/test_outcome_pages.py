"""The outcome screens: the patient page's Outcome tab, the printable page (queries constant
in the number of infusions), the summary letter as a PDF carrying the numbers, the review
screen, the physician's reviews due and the front desk's booster list."""

import datetime
import io

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outcomes.models import CourseReview
from scheduling.models import Course, CourseStatus
from tests.factories import PatientFactory
from tests.helpers import make_bookable

from .course_helpers import after, answer, before, course_of_visits, fiqr, give, pain, visits


def filled(count, patient, protocol, site, nurse, front_desk, given=None):
    """A course of ``count`` with ``given`` infusions given: pain 8 before each and 5 after,
    FIQR 60 at baseline and 52 after the last given."""
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
        count=count,
    )  # fmt: skip
    v = visits(course)
    given = count if given is None else given
    answer(patient, nurse, v[0].starts_at - datetime.timedelta(days=1), "fiqr", "baseline",
           fiqr(6))  # fmt: skip
    for visit in v[:given]:
        pain(patient, nurse, before(visit), "pre_infusion", 8)
        pain(patient, nurse, after(visit), "post_infusion", 5)
    answer(patient, nurse, after(v[given - 1]), "fiqr", "post_infusion", fiqr(5, item_10=7))
    give(*v[:given])
    return course


@pytest.fixture
def course(patient, protocol, site, nurse, front_desk):
    return filled(8, patient, protocol, site, nurse, front_desk, given=4)


def test_the_outcome_tab_shows_the_numbers_and_black_and_white_charts(
    login, course, patient, physician
):
    detail = login(physician).get(reverse("patients:detail", args=[patient.pk]) + "?tab=outcome")
    assert reverse("outcomes:patient_outcome", args=[patient.pk]) in detail.content.decode()
    page = login(physician).get(reverse("outcomes:patient_outcome", args=[patient.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "37.5% lower" in text  # 8 -> 5
    assert "Responder (pain down 30% or more)" in text
    assert "Short of the 14% MCID" in text  # FIQR 60 -> 52: 13.3%
    assert "Due now" in text
    # Two pain series, told apart without colour: a dash pattern and two marker shapes.
    assert text.count("<svg") == 2  # pain and FIQR; no PHQ-9 answered
    assert "<strong>PHQ-9 over the course</strong>: no answers yet." in text
    assert 'stroke-dasharray="8 5"' in text and "<rect" in text and "<circle" in text
    assert "30% below baseline (5.6)" in text


def test_the_front_desk_does_not_see_the_outcome(login, course, patient, front_desk):
    assert login(front_desk).get(
        reverse("outcomes:patient_outcome", args=[patient.pk])
    ).status_code == 403  # fmt: skip


def test_the_printable_page_costs_the_same_queries_for_2_and_8_infusions(
    login, protocol, site, nurse, front_desk, physician
):
    counts = []
    for count in (2, 8):
        patient = make_bookable(PatientFactory(home_location=site), nurse)
        course = filled(count, patient, protocol, site, nurse, front_desk)
        client = login(physician)
        url = reverse("outcomes:course_outcome", args=[course.pk])
        client.get(url)  # warm the session and the site's caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        assert page.content.decode().count('class="not-given"') == 0
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_summary_letter_is_a_pdf_carrying_the_numbers(login, course, physician):
    url = reverse("outcomes:course_letter", args=[course.pk])
    for to, words in (("patient", "Dear"), ("physician", "Dear Dr Lee")):
        response = login(physician).get(url, {"to": to, "referrer": "Dr Lee"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(" ".join(page.extract_text() for page in pages).split())
        assert words in text
        assert "37.5% lower" in text
        assert "60" in text and "52" in text
        assert "Short of the 14% minimal clinically important difference" in text
    assert login(physician).get(url, {"to": "someone"}).status_code == 400


def test_the_review_screen_records_a_decision_and_shows_refusals(login, course, physician):
    url = reverse("outcomes:course_review", args=[course.pk])
    page = login(physician).get(url)
    assert "Record the review" in page.content.decode()
    refused = login(physician).post(url, {"decision": "change_protocol", "reason": "x"})
    assert refused.status_code == 200  # the form again, with the service's words
    assert "Name the protocol to change to." in refused.content.decode()
    assert not CourseReview.objects.exists()
    done = login(physician).post(url, {"decision": "continue", "reason": "Pain 37.5% lower"})
    assert done.status_code == 302
    review = CourseReview.objects.get()
    assert review.outcome["pain"]["reduction_percent"] == "37.5"


def test_the_physician_home_lists_the_reviews_due(
    login, course, physician, django_assert_max_num_queries
):
    client = login(physician)
    home = client.get(reverse("infusions:physician_home"))
    assert reverse("outcomes:reviews_due") in home.content.decode()
    with django_assert_max_num_queries(8):
        card = client.get(reverse("outcomes:reviews_due"), headers={"HX-Request": "true"})
    assert "<html" not in card.content.decode()  # the card alone, for the home's htmx
    assert course.patient.display_name in card.content.decode()
    assert "4 infusions given, review after infusion 4" in card.content.decode()


def test_the_booster_list_books_with_one_click(
    login, patient, protocol, site, nurse, front_desk, chairs, shifts,
    django_assert_max_num_queries,
):  # fmt: skip
    first = timezone.localdate() - datetime.timedelta(days=56)
    course = course_of_visits(
        patient=patient, protocol=protocol, site=site, nurse=nurse, booked_by=front_desk,
        count=8, first=first,
    )  # fmt: skip
    give(*visits(course))
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.COMPLETED)
    pain(patient, nurse, before(visits(course)[0]), "pre_infusion", 8)
    pain(patient, nurse, visits(course)[-1].ends_at + datetime.timedelta(days=30), "follow_up", 7)
    client = login(front_desk)
    client.get(reverse("outcomes:boosters"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("outcomes:boosters"))
    assert patient.display_name in page.content.decode()
    options_url = reverse("outcomes:booster_options", args=[course.pk])
    assert options_url in page.content.decode()  # each row loads its free times
    options = client.get(options_url, headers={"HX-Request": "true"}).content.decode()
    assert options.count('name="starts_at"') == 3  # three times to choose from, each a button
    chosen = options.split('name="starts_at" value="')[2].split('"')[0]  # the second
    other = client.get(options_url, {"date": "not a date"}, headers={"HX-Request": "true"})
    assert other.status_code == 200 and "Enter a valid date." in other.content.decode()
    form = options.split('action="')[2].split("</form>")[0]
    fields = dict(
        (part.split('name="')[1].split('"')[0], part.split('value="')[1].split('"')[0])
        for part in form.split("<input")[1:]
    )
    assert fields["starts_at"] == chosen
    booked = client.post(reverse("outcomes:booster_book", args=[course.pk]), fields, follow=True)
    assert "A booster infusion is booked" in booked.content.decode()
    session = Course.objects.get(patient=patient, planned_infusions=1).appointments.get()
    assert session.starts_at == datetime.datetime.fromisoformat(chosen)  # the second offered
    assert Course.objects.filter(patient=patient, planned_infusions=1).count() == 1
    assert "Nobody at the moment." in booked.content.decode()


def _letter_text(response) -> str:
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_patients_letter_is_in_spanish_when_preferred_and_the_physicians_in_english(
    login, course, patient, physician
):
    type(patient).objects.filter(pk=patient.pk).update(preferred_language="Spanish")
    url = reverse("outcomes:course_letter", args=[course.pk])
    mine = _letter_text(login(physician).get(url, {"to": "patient"}))
    assert "Resumen del tratamiento" in mine
    assert "recibió 4 de las 8 infusiones previstas" in mine
    assert "37,5% menos" in mine  # 8 -> 5, in Spanish number format
    assert "Responde al tratamiento" in mine
    assert "No alcanza la diferencia mínima clínicamente importante del 14%" in mine
    assert "Dolor (0-10) antes y después de cada infusión" in mine  # the chart's title
    assert "Course summary" not in mine and "Dear" not in mine
    theirs = _letter_text(login(physician).get(url, {"to": "physician", "referrer": "Dr Lee"}))
    assert "Dear Dr Lee" in theirs and "Course summary" in theirs and "37.5% lower" in theirs
    assert "Resumen" not in theirs
    # The English page around it stays English: nothing leaks from the letter's language.
    page = login(physician).get(reverse("outcomes:course_outcome", args=[course.pk]))
    assert "Responder (pain down 30% or more)" in page.content.decode()
