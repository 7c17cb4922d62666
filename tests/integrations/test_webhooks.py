"""Webhooks: events queued in the writing transaction, signed deliveries, retries with
backoff, a subscription switched off after failures in a row, the test event (issue 15)."""

import datetime
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import webhooks
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from integrations.services import webhook_subscribe
from integrations.tasks import webhook_deliveries_send
from patients.services import patient_register
from tests.helpers import make_appointment


class Receiver:
    """A real HTTP endpoint on localhost that answers ``statuses`` in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def _make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield _make
    for each in made:
        each.close()


@pytest.fixture
def subscribed(issue, clinic_admin):
    def _subscribe(url, events):
        key, _ = issue(["patients:read", "scheduling:read"])
        return webhook_subscribe(key=key, url=url, events=events, created_by=clinic_admin)

    return _subscribe


def test_a_registration_is_delivered_signed_with_ids_and_links_only(
    receiver, subscribed, front_desk, site
):
    endpoint = receiver()
    subscription = subscribed(endpoint.url, ["patient.registered"])
    patient = patient_register(
        registered_by=front_desk, legal_first_name="Maria", legal_last_name="Lopez",
        date_of_birth=datetime.date(1975, 4, 12), phone="+19495550123", home_location=site,
    )  # fmt: skip
    assert webhook_deliveries_send() == 1
    ((headers, body),) = endpoint.received
    expected = hmac.new(
        subscription.secret.encode(), f"{headers['X-Clinic-Timestamp']}.".encode() + body,
        hashlib.sha256,
    ).hexdigest()  # fmt: skip
    assert headers["X-Clinic-Signature"] == f"sha256={expected}"
    assert headers["X-Clinic-Event"] == "patient.registered"
    payload = json.loads(body)
    assert payload["data"] == {
        "patient": patient.pk,
        "links": {"patient": reverse("patient-detail", args=[patient.pk])},
    }
    assert "Maria" not in body.decode() and "Lopez" not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.response_status == 200
    assert delivery.response_body == "thanks"


def test_a_booking_queues_its_event_for_the_sites_subscribers_only(
    subscribed, site, other_site, nurse, protocol
):
    here = subscribed("https://partner.example/hook", ["appointment.booked"])
    make_appointment(site=other_site, nurse=nurse, protocol=protocol)
    assert not WebhookDelivery.objects.exists()
    from scheduling.models import Appointment

    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    # make_appointment writes rows directly; the booking service is what emits:
    from integrations.events import appointment_changed

    appointment_changed(appointment, "booked")
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == here and delivery.event == "appointment.booked"
    assert delivery.payload["data"]["appointment"] == appointment.pk


@pytest.mark.usefixtures("shifts")
def test_a_course_booked_reads_the_subscriptions_once_and_queues_each_visits_event(
    subscribed, patient, protocol, site, chairs, nurse, front_desk
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.helpers import book, mon_wed_fri, next_monday

    subscribed("https://partner.example/hook", ["appointment.booked"])
    starts = mon_wed_fri(next_monday(), 8)
    with CaptureQueriesContext(connection) as queries:
        course = book(patient, protocol, site, starts, chairs[0], nurse, front_desk)
    reads = [q for q in queries if 'FROM "integrations_webhooksubscription"' in q["sql"]]
    assert len(reads) == 1
    queued = WebhookDelivery.objects.filter(event="appointment.booked")
    assert sorted(d.payload["data"]["appointment"] for d in queued) == sorted(
        course.appointments.values_list("pk", flat=True)
    )
    # Outside a course's change, each event reads them again (a subscription made meanwhile
    # is heard): nothing is kept between calls.
    subscribed("https://other.example/hook", ["appointment.booked"])
    from integrations.events import appointment_changed

    appointment_changed(course.appointments.first(), "booked")
    assert WebhookDelivery.objects.filter(event="appointment.booked").count() == 8 + 2


def test_a_failing_receiver_is_retried_with_growing_delays(receiver, subscribed, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    endpoint = receiver([500, 503])
    subscription = subscribed(endpoint.url, ["patient.registered"])
    webhooks.test_event(subscription)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert delivery.attempts == 1 and delivery.response_status == 500
    assert datetime.timedelta(seconds=25) < first_wait <= datetime.timedelta(seconds=30)
    assert webhooks.deliver(delivery.pk) is None  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.deliver(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > datetime.timedelta(seconds=55)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.deliver(delivery.pk) == DeliveryStatus.DELIVERED
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and len(endpoint.received) == 3


def test_a_subscription_is_switched_off_after_failures_in_a_row(receiver, subscribed, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint = receiver([500] * 10)
    subscription = subscribed(endpoint.url, ["patient.registered"])
    for _ in range(2):
        webhooks.test_event(subscription)
    for _ in range(2):
        WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        webhook_deliveries_send()
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at is not None
    assert subscription.consecutive_failures == 3
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_deliveries_send() == 0  # a switched-off subscription gets nothing


def test_an_unreachable_receiver_is_a_failure_with_the_error(subscribed):
    subscription = subscribed("http://127.0.0.1:9/nothing-listens", ["patient.registered"])
    webhooks.test_event(subscription)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.response_status is None and delivery.error


def test_the_admin_sends_a_test_event(login, clinic_admin, subscribed, receiver):
    endpoint = receiver()
    subscription = subscribed(endpoint.url, ["appointment.booked"])
    response = login(clinic_admin).post(
        reverse("admin:integrations_webhooksubscription_changelist"),
        {"action": "send_test_event", "_selected_action": [subscription.pk]},
    )
    assert response.status_code == 302
    assert webhook_deliveries_send() == 1
    assert json.loads(endpoint.received[0][1])["event"] == "test"


def test_the_admin_subscribes_with_a_new_secret(login, clinic_admin, issue):
    key, _ = issue(["scheduling:read"])
    response = login(clinic_admin).post(
        reverse("admin:integrations_webhooksubscription_add"),
        {"key": key.pk, "url": "https://partner.example/hook",
         "events": ["appointment.booked", "appointment.cancelled"], "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    subscription = WebhookSubscription.objects.get()
    assert len(subscription.secret) == 64
    assert subscription.events == ["appointment.booked", "appointment.cancelled"]
