"""Cancelling a booked consultation: from the pipeline page and the API, with a reason, who
and when (an append-only status row, like an appointment's); the physician's time is free
again; the request goes back to "contacted" or keeps its stage, as the desk decides. Twice,
or once it has started: a clear refusal and nothing written."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clinic.roles import Role
from patients import services as patients
from patients.models import Stage
from patients.selectors import stage_history
from scheduling import services
from scheduling.models import Consultation, ConsultationStatusChange
from tests.factories import LocationFactory, UserFactory
from tests.helpers import at, next_monday

pytestmark = pytest.mark.django_db


def ask(site, name="Dana Reyes"):
    return patients.consultation_submit(name=name, phone="+17145550123", preferred_location=site)


def book(request, physician, front_desk, starts_at):
    return services.consultation_book(
        request=request, location=request.preferred_location, physician=physician,
        mode="in_person", starts_at=starts_at, booked_by=front_desk,
    )  # fmt: skip


@pytest.fixture
def booked(front_desk, physician, site, clinic_open):
    return book(ask(site), physician, front_desk, at(next_monday(), 10))


def history(consultation) -> list[tuple[str, str]]:
    return [(row.from_status, row.to_status) for row in consultation.status_changes.all()]


def written() -> tuple[int, int, int]:
    """Rows a refused cancel must not write: status rows, stage rows, cancelled ones."""
    from patients.models import ConsultationStageChange

    return (
        ConsultationStatusChange.objects.count(),
        ConsultationStageChange.objects.count(),
        Consultation.objects.filter(status="cancelled").count(),
    )


# --- The service -------------------------------------------------------------------------------


def test_cancelling_frees_the_physician_and_sends_the_request_back_to_contacted(
    booked, front_desk, physician, site
):
    assert history(booked) == [("", "booked")]
    services.consultation_cancel(
        consultation=booked, cancelled_by=front_desk, reason="Caller has the flu"
    )
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    row = booked.status_changes.last()
    assert (row.from_status, row.to_status, row.changed_by, row.reason) == (
        "booked", "cancelled", front_desk, "Caller has the flu"
    )  # fmt: skip
    assert row.changed_at is not None
    request = booked.request
    request.refresh_from_db()
    assert request.stage == Stage.CONTACTED
    last = list(stage_history(request))[-1]
    assert (last.from_stage, last.to_stage) == ("consultation_booked", "contacted")
    assert "Caller has the flu" in last.reason
    # The time is free: the same physician, the same minute, for someone else.
    again = book(ask(site, "Next Caller"), physician, front_desk, booked.starts_at)
    assert again.status == "booked"
    # And the request itself can be booked again.
    book(request, physician, front_desk, booked.starts_at + datetime.timedelta(hours=1))


def test_the_desk_may_keep_the_stage_while_it_books_the_new_time(booked, front_desk, physician):
    services.consultation_cancel(
        consultation=booked, cancelled_by=front_desk, reason="Moving it", back_to_contacted=False
    )
    request = booked.request
    request.refresh_from_db()
    assert request.stage == Stage.CONSULTATION_BOOKED
    moved = book(request, physician, front_desk, booked.starts_at + datetime.timedelta(hours=2))
    request.refresh_from_db()
    assert moved.status == "booked" and request.stage == Stage.CONSULTATION_BOOKED
    with pytest.raises(ValidationError, match="already has a consultation booked"):
        book(request, physician, front_desk, booked.starts_at + datetime.timedelta(hours=4))


def test_cancelling_twice_is_refused_and_writes_nothing(booked, front_desk):
    services.consultation_cancel(consultation=booked, cancelled_by=front_desk, reason="Flu")
    before = written()
    with pytest.raises(ValidationError, match="cancelled cannot become cancelled"):
        services.consultation_cancel(consultation=booked, cancelled_by=front_desk, reason="Again")
    assert written() == before


def test_a_consultation_that_has_started_or_passed_cannot_be_cancelled(booked, front_desk):
    before = written()
    for moment in (booked.starts_at, booked.ends_at + datetime.timedelta(days=1)):
        with time_machine.travel(moment, tick=False):
            with pytest.raises(ValidationError, match="has started or passed"):
                services.consultation_cancel(
                    consultation=booked, cancelled_by=front_desk, reason="Too late"
                )
    booked.refresh_from_db()
    assert booked.status == "booked" and written() == before


def test_a_cancel_needs_a_reason_the_desk_role_and_the_site(booked, front_desk, nurse, physician):
    before = written()
    with pytest.raises(ValidationError, match="Say why"):
        services.consultation_cancel(consultation=booked, cancelled_by=front_desk, reason=" ")
    for user in (nurse, physician):
        with pytest.raises(PermissionDenied):
            services.consultation_cancel(consultation=booked, cancelled_by=user, reason="No")
    elsewhere = UserFactory(role=Role.FRONT_DESK, locations=[LocationFactory()])
    with pytest.raises(ValidationError, match="do not book at this site"):
        services.consultation_cancel(consultation=booked, cancelled_by=elsewhere, reason="No")
    assert written() == before


def test_a_request_registered_meanwhile_keeps_its_stage(booked, front_desk, site):
    request = booked.request
    patients.consultation_convert(
        request=request, registered_by=front_desk, legal_first_name="Dana",
        legal_last_name="Reyes", date_of_birth=datetime.date(1980, 2, 2), phone=request.phone,
        home_location=site,
    )  # fmt: skip
    services.consultation_cancel(consultation=booked, cancelled_by=front_desk, reason="Not needed")
    request.refresh_from_db()
    assert request.stage == Stage.REGISTERED


def test_the_status_rows_cannot_be_rewritten(booked):
    from django.db import DatabaseError, transaction

    row = booked.status_changes.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsultationStatusChange.objects.filter(pk=row.pk).update(reason="edited")


# --- The pipeline page -----------------------------------------------------------------------


def test_the_desk_cancels_from_the_pipeline_page(login, booked, front_desk):
    client = login(front_desk)
    pipeline = client.get(reverse("scheduling:pipeline")).content.decode()
    url = reverse("scheduling:consultation_cancel", args=[booked.pk])
    assert f'href="{url}"' in pipeline and "Cancel consultation" in pipeline
    page = client.get(url)
    assert page.status_code == 200 and "Move the request back" in page.content.decode()
    refused = client.post(url, {"reason": "", "back_to_contacted": "on"})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    done = client.post(url, {"reason": "Caller cancelled", "back_to_contacted": "on"})
    assert done.status_code == 302 and done.url == reverse("scheduling:pipeline")
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert booked.status_changes.last().changed_by == front_desk
    again = client.get(url).content.decode()
    assert "already cancelled" in again
    before = written()
    twice = client.post(url, {"reason": "Twice"})
    assert "cannot become cancelled" in twice.content.decode() and written() == before
    # The request is back at "contacted": the card offers booking again.
    pipeline = client.get(reverse("scheduling:pipeline")).content.decode()
    assert reverse("scheduling:consultation_book", args=[booked.request_id]) in pipeline


def test_the_page_refuses_a_past_consultation_and_other_roles(login, booked, front_desk, nurse):
    url = reverse("scheduling:consultation_cancel", args=[booked.pk])
    assert login(nurse).post(url, {"reason": "No"}).status_code == 403
    before = written()
    with time_machine.travel(booked.starts_at + datetime.timedelta(minutes=5), tick=False):
        page = login(front_desk).post(url, {"reason": "Late"})
    assert page.status_code == 200 and "has started or passed" in page.content.decode()
    assert written() == before


# --- The API -----------------------------------------------------------------------------------


def cancel_api(client, consultation, **body):
    return client.post(
        f"/api/v1/consultations/{consultation.pk}/cancel/", body, content_type="application/json"
    )


def test_the_api_cancels_with_a_reason_and_records_who(login, booked, front_desk):
    api = login(front_desk)
    assert cancel_api(api, booked).status_code == 400  # no reason
    response = cancel_api(api, booked, reason="Caller cancelled", back_to_contacted=False)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert [(r["from_status"], r["to_status"]) for r in body["status_changes"]] == [
        ("", "booked"), ("booked", "cancelled")
    ]  # fmt: skip
    assert body["status_changes"][-1]["reason"] == "Caller cancelled"
    booked.request.refresh_from_db()
    assert booked.request.stage == Stage.CONSULTATION_BOOKED  # kept, as asked
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ConsultationStatusChange)
    ).latest("pk")
    assert entry.actor == front_desk


def test_the_api_refuses_twice_past_and_other_roles_writing_nothing(
    login, booked, front_desk, nurse
):
    assert cancel_api(login(nurse), booked, reason="No").status_code == 403
    assert cancel_api(login(front_desk), booked, reason="Flu").status_code == 200
    before = written()
    twice = cancel_api(login(front_desk), booked, reason="Again")
    assert twice.status_code == 400 and "cannot become cancelled" in twice.content.decode()
    assert written() == before


def test_the_api_refuses_a_past_consultation(login, booked, front_desk):
    before = written()
    with time_machine.travel(booked.ends_at + datetime.timedelta(hours=1), tick=False):
        response = cancel_api(login(front_desk), booked, reason="Late")
    assert response.status_code == 400
    assert "has started or passed" in response.content.decode()
    assert written() == before
