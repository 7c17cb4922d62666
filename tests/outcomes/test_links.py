"""Patient links: a course's due measures answered from home. The token (expiry, reuse,
tampering, revocation), the date-of-birth throttle, save-and-continue, the answers stored
like the staff's, and PHQ-9 item 9 raising the same-day alert."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from outcomes import questions
from outcomes.models import LinkAnswer, PatientLink
from outcomes.services import (
    link_check_date_of_birth,
    link_create,
    link_resend,
    link_revoke,
    link_save_answer,
    link_submit,
)
from outcomes.tokens import link_token
from patients.models import OutcomeMeasure
from patients.selectors import open_phq9_follow_ups_for
from patients.services import phq9_follow_up_record
from tests.helpers import make_appointment

# Pain before infusion 1, FIQR and PHQ-9 at baseline: 1 + 21 + 9 questions.
TOTAL = 31


@pytest.fixture
def visit(site, nurse, protocol):
    """A first session in two hours: its baseline and "before" measures are open now."""
    return make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(hours=2),
    )  # fmt: skip


@pytest.fixture
def link(visit, front_desk):
    return link_create(course=visit.course, by=front_desk)


def answer_all(link, phq9_item9=0):
    for step in questions.steps(link.items):
        value = 5 if step.kind != "phq9" else 1
        if step.kind == "phq9" and step.field == "item_9":
            value = phq9_item9
        link_save_answer(link=link, step=step.number, value=value)


def prove(client, link):
    url = reverse("outcomes:answer", args=[link_token(link)])
    return client.post(url, {"date_of_birth": link.patient.date_of_birth.isoformat()})


# --- Making links ----------------------------------------------------------------------


def test_a_link_asks_for_the_measures_open_now_in_the_patients_language(link, visit):
    assert [item["measure"] for item in link.items] == ["pain_nrs", "fiqr", "phq9"]
    assert len(questions.steps(link.items)) == TOTAL
    assert link.language == "en"
    assert link.expires_at - link.created_at == pytest.approx(
        datetime.timedelta(hours=72), abs=datetime.timedelta(seconds=5)
    )
    token = link_token(link)
    assert visit.patient.legal_last_name not in token
    assert str(visit.patient.date_of_birth) not in token


@pytest.mark.parametrize(
    ("preferred", "language"),
    [("Spanish", "es"), ("Español", "es"), ("es", "es"), ("English", "en"), ("Estonian", "en")],
)
def test_the_link_speaks_the_patients_preferred_language(preferred, language):
    from outcomes.services.links import link_language

    assert link_language(preferred) == language


def test_a_spanish_speaking_patient_gets_a_spanish_link(visit, front_desk):
    visit.patient.preferred_language = "Spanish"
    visit.patient.save()
    assert link_create(course=visit.course, by=front_desk).language == "es"


def test_a_new_link_replaces_the_open_one(link, front_desk):
    second = link_resend(link=link, by=front_desk)
    link.refresh_from_db()
    assert link.state() == "revoked" and second.state() == "live"
    assert PatientLink.objects.live().filter(course=link.course).count() == 1


def test_nothing_due_refuses_and_writes_nothing(site, nurse, protocol, front_desk):
    later = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() + datetime.timedelta(days=60),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        link_create(course=later.course, by=front_desk)
    assert "course" in refused.value.message_dict
    assert not PatientLink.objects.exists()


# --- The token --------------------------------------------------------------------------


def test_an_expired_link_says_so_and_offers_a_new_one(client, link):
    PatientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    url = reverse("outcomes:answer", args=[link_token(link)])
    response = client.get(url)
    assert response.status_code == 410
    body = response.content.decode()
    assert "This link has expired" in body
    assert link.patient.legal_last_name not in body
    response = client.post(reverse("outcomes:answer_new_link", args=[link_token(link)]))
    assert "We have told your clinic" in response.content.decode()
    link.refresh_from_db()
    assert link.new_link_requested_at is not None


def test_a_tampered_token_finds_nothing(client, link):
    token = link_token(link)
    forged = f"{link.pk + 1}:{token.split(':', 1)[1]}"
    for bad in (forged, token[:-2] + "xx", "1", "x"):
        response = client.get(reverse("outcomes:answer", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_a_revoked_link_no_longer_opens(client, link, front_desk):
    link_revoke(link=link, by=front_desk, reason="Wrong course")
    response = client.get(reverse("outcomes:answer", args=[link_token(link)]))
    assert response.status_code == 410
    assert "This link no longer works" in response.content.decode()
    with pytest.raises(ValidationError):
        link_save_answer(link=link, step=1, value=3)


def test_a_link_is_used_once(client, link):
    answer_all(link)
    link_submit(link=link)
    with pytest.raises(ValidationError):
        link_submit(link=link)
    assert OutcomeMeasure.objects.count() == 3
    response = client.get(reverse("outcomes:answer", args=[link_token(link)]))
    assert response.status_code == 410
    assert "Your answers were already sent" in response.content.decode()
    assert "Ask my clinic for a new link" not in response.content.decode()  # nothing due


def test_a_replaced_link_points_to_the_newer_one(client, link, front_desk):
    from outcomes.services import link_resend

    link_resend(link=link, by=front_desk)
    with translation.override("en"):
        page = client.get(reverse("outcomes:answer", args=[link_token(link)]))
    body = page.content.decode()
    assert "A newer link was sent to you" in body and "Ask my clinic" not in body


# --- Date of birth -----------------------------------------------------------------------


def test_nothing_shows_before_the_date_of_birth(client, link):
    token = link_token(link)
    response = client.get(reverse("outcomes:answer", args=[token]))
    body = response.content.decode()
    assert "date of birth" in body
    assert link.patient.legal_first_name not in body
    assert "Question 1" not in body
    step = client.get(reverse("outcomes:answer_step", args=[token, 1]))
    assert step.status_code == 302 and step.url == reverse("outcomes:answer", args=[token])


def test_wrong_dates_of_birth_lock_the_link_and_it_survives_a_new_session(client, link, settings):
    wrong = {"date_of_birth": "1901-01-01"}
    url = reverse("outcomes:answer", args=[link_token(link)])
    for _ in range(settings.PATIENT_LINK_DOB_TRIES - 1):
        response = client.post(url, wrong)
        assert response.status_code == 400
        assert "does not match" in response.content.decode()
    response = client.post(url, wrong)
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    client.cookies.clear()  # another browser, the same link: still locked (kept on the row)
    right = {"date_of_birth": link.patient.date_of_birth.isoformat()}
    response = client.post(url, right)
    assert response.status_code == 429
    link.refresh_from_db()
    assert link.is_locked()
    PatientLink.objects.filter(pk=link.pk).update(locked_until=timezone.now())
    response = client.post(url, right)
    assert response.status_code == 302


def test_too_many_wrong_dates_in_all_revoke_the_link(link, settings):
    settings.PATIENT_LINK_DOB_MAX_FAILURES = 3
    settings.PATIENT_LINK_DOB_TRIES = 10
    for _ in range(3):
        assert not link_check_date_of_birth(link=link, date_of_birth=datetime.date(1900, 1, 1))
    link.refresh_from_db()
    assert link.state() == "revoked"


# --- Answering ---------------------------------------------------------------------------


def test_save_and_continue_keeps_answers_across_sessions(client, link):
    token = link_token(link)
    assert prove(client, link).url == reverse("outcomes:answer_step", args=[token, 1])
    page = client.get(reverse("outcomes:answer_step", args=[token, 1]))
    assert "Question 1 of 31" in page.content.decode()
    response = client.post(reverse("outcomes:answer_step", args=[token, 1]), {"answer": "6"})
    assert response.url == reverse("outcomes:answer_step", args=[token, 2])
    response = client.post(reverse("outcomes:answer_step", args=[token, 2]), {"answer": "11"})
    assert response.status_code == 400  # not one of the answers: nothing kept
    client.cookies.clear()
    assert prove(client, link).url == reverse("outcomes:answer_step", args=[token, 2])
    link.refresh_from_db()
    assert link.draft == {"1": 6}
    assert not OutcomeMeasure.objects.exists()  # nothing recorded before the patient sends


def test_sending_stores_the_answers_like_the_staff_do(client, link):
    answer_all(link)
    token = link_token(link)
    prove(client, link)
    response = client.post(reverse("outcomes:answer_review", args=[token]))
    assert "Thank you" in response.content.decode()
    measures = {m.kind: m for m in OutcomeMeasure.objects.all()}
    assert set(measures) == {"pain_nrs", "fiqr", "phq9"}
    phq9 = measures["phq9"]
    assert phq9.completed_by_patient and phq9.recorded_by is None
    assert phq9.score == 8 and phq9.interpretation == "Mild"
    assert measures["fiqr"].score == 50  # 45/3 + 10 + 50/2
    assert measures["pain_nrs"].context == "pre_infusion"
    assert LinkAnswer.objects.filter(link=link).count() == 3
    link.refresh_from_db()
    assert link.state() == "submitted"


def test_a_question_left_out_refuses_the_whole_sending(link):
    answer_all(link)
    link.refresh_from_db()
    draft = {**link.draft}
    del draft["25"]  # a PHQ-9 item
    PatientLink.objects.filter(pk=link.pk).update(draft=draft)
    with pytest.raises(ValidationError) as refused:
        link_submit(link=link)
    assert "Question 25" in str(refused.value)
    assert not OutcomeMeasure.objects.exists()


def test_a_staff_measure_without_a_recorder_is_refused_by_the_database(link, visit):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.create(
            patient=visit.patient, kind="pain_nrs", answers={"score": 3}, recorded_by=None
        )


# --- PHQ-9 item 9 from home ----------------------------------------------------------------


def test_phq9_item_9_from_home_shows_988_and_alerts_the_sites_physicians(
    client, link, physician, django_capture_on_commit_callbacks
):
    physician.email = "doctor@test.clinic"
    physician.save()
    token = link_token(link)
    prove(client, link)
    for step in questions.steps(link.items)[:-1]:
        link_save_answer(link=link, step=step.number, value=0)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcomes:answer_step", args=[token, TOTAL]), {"answer": "2"}, follow=True
        )
    body = response.content.decode()
    assert 'href="tel:988"' in body and "Suicide & Crisis Lifeline" in body
    # Recorded at once, before the patient sends the rest: the alert is the open PHQ-9.
    phq9 = OutcomeMeasure.objects.get(kind="phq9")
    assert phq9.needs_same_day_follow_up and phq9.completed_by_patient
    assert list(open_phq9_follow_ups_for(physician)) == [phq9]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["doctor@test.clinic"]
    assert link.patient.legal_last_name not in mail.outbox[0].body
    home = client.get(reverse("infusions:physician_home"))
    assert home.status_code == 302  # the patient's browser is not the physician's
    # Sending the rest does not record the PHQ-9 twice; the alert stays until followed up.
    link_submit(link=link)
    assert OutcomeMeasure.objects.filter(kind="phq9").count() == 1
    phq9_follow_up_record(measure=phq9, physician=physician, note="Called; safe; plan made.")
    assert not open_phq9_follow_ups_for(physician).exists()


def test_the_crisis_banner_shows_only_after_the_date_of_birth(client, link):
    """Item 9 answered above zero, then the link opened in another browser (the phone's
    SMS seen by someone else): the date-of-birth page says nothing of it."""
    for step in questions.steps(link.items):
        link_save_answer(link=link, step=step.number, value=2 if step.field == "item_9" else 0)
    with translation.override("en"):
        page = client.get(reverse("outcomes:answer", args=[link_token(link)]))
        assert "988" not in page.content.decode() and "crisis" not in page.content.decode()
        prove(client, link)
        review = client.get(reverse("outcomes:answer_review", args=[link_token(link)]))
    assert 'href="tel:988"' in review.content.decode()


def test_item_9_is_asked_after_the_rest_of_its_phq9_so_a_yes_reaches_the_physicians(client, link):
    """Gone straight to item 9 (a bookmark, the review page's list) with PHQ-9 items left:
    sent to the first of them; the service refuses item 9 before them, so a positive answer
    always finds the PHQ-9 whole and records it at once."""
    token = link_token(link)
    prove(client, link)
    phq9 = [step for step in questions.steps(link.items) if step.kind == "phq9"]
    first, item_9 = phq9[0], phq9[-1]
    jump = client.get(reverse("outcomes:answer_step", args=[token, item_9.number]))
    assert jump.status_code == 302
    assert jump.url == reverse("outcomes:answer_step", args=[token, first.number])
    with pytest.raises(ValidationError):
        link_save_answer(link=link, step=item_9.number, value=2)
    for step in phq9[:-1]:
        link_save_answer(link=link, step=step.number, value=0)
    link_save_answer(link=link, step=item_9.number, value=2)
    assert OutcomeMeasure.objects.get(kind="phq9").needs_same_day_follow_up


def test_the_physicians_home_lists_the_alert_from_home(login, link, physician):
    answer_all(link, phq9_item9=1)
    response = login(physician).get(reverse("infusions:physician_home"))
    body = response.content.decode()
    assert "PHQ-9 item 9 answered 1" in body
    assert "the patient, from home" in body


# --- In Spanish --------------------------------------------------------------------------


def test_the_page_speaks_spanish_for_a_spanish_speaking_patient(client, visit, front_desk):
    visit.patient.preferred_language = "Español"
    visit.patient.save()
    link = link_create(course=visit.course, by=front_desk)
    token = link_token(link)
    page = client.get(reverse("outcomes:answer", args=[token]))
    assert "Su fecha de nacimiento" in page.content.decode()
    prove(client, link)
    step = client.get(reverse("outcomes:answer_step", args=[token, 25]))
    body = step.content.decode()
    assert "Pregunta 25 de 31" in body
    assert "Casi todos los días" in body
    client.post(reverse("outcomes:answer_language", args=[token]), {"language": "en"})
    step = client.get(reverse("outcomes:answer_step", args=[token, 25]))
    assert "Question 25 of 31" in step.content.decode()


# --- Staff doors -------------------------------------------------------------------------


def test_staff_revoke_and_resend_from_the_courses_tab(login, front_desk, link):
    client = login(front_desk)
    response = client.post(reverse("outcomes:link_resend", args=[link.pk]), follow=True)
    assert "Measures link made again" in response.content.decode()
    new = PatientLink.objects.live().get()
    assert new.pk != link.pk
    response = client.post(reverse("outcomes:link_revoke", args=[new.pk]), follow=True)
    assert "Measures link revoked" in response.content.decode()
    response = client.post(reverse("outcomes:link_revoke", args=[new.pk]), follow=True)
    assert "already revoked" in response.content.decode()
    assert not PatientLink.objects.live().exists()


def test_a_clinic_admin_revokes_a_link_in_the_admin(login, clinic_admin, link):
    response = login(clinic_admin).post(
        reverse("admin:outcomes_patientlink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk]},
        follow=True,
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.state() == "revoked" and link.revoked_by == clinic_admin


def test_after_measures_wait_for_the_infusion_to_start(site, nurse, protocol, front_desk):
    """The booked start has passed but the infusion has not started (an order waiting for
    its signature): the link asks "before", not yet "after"; once in the chair, it does."""
    from outcomes.services.links import open_items
    from scheduling.models import Appointment, AppointmentStatus

    late = make_appointment(
        site=site, nurse=nurse, protocol=protocol,
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
    )  # fmt: skip
    contexts = {item["context"] for item in open_items(late.course, timezone.now())}
    assert "post_infusion" not in contexts
    Appointment.objects.filter(pk=late.pk).update(status=AppointmentStatus.IN_CHAIR)
    contexts = {item["context"] for item in open_items(late.course, timezone.now())}
    assert "post_infusion" in contexts
