"""Webhook payloads and PHI (issue 15): ids and links only, unless the subscription includes
the resource (``include_phi``), which needs the key's read scope of the event's resource
group; the resource is read as the key would read its link, when the delivery is sent."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AccessLog
from integrations.events import appointment_changed
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import api_key_update, webhook_subscribe
from integrations.tasks import webhook_deliveries_send
from patients.services import patient_register
from tests.helpers import make_appointment

from .test_webhooks import Receiver


@pytest.fixture
def endpoint():
    receiver = Receiver()
    yield receiver
    receiver.close()


def register(front_desk, site):
    return patient_register(
        registered_by=front_desk, legal_first_name="Maria", legal_last_name="Lopez",
        date_of_birth=datetime.date(1975, 4, 12), phone="+19495550123", home_location=site,
    )  # fmt: skip


def test_a_subscription_with_the_scope_gets_the_patient_as_the_api_shows_it(
    endpoint, issue, clinic_admin, front_desk, site
):
    key, _ = issue(["patients:read"])
    webhook_subscribe(key=key, url=endpoint.url, events=["patient.registered"],
                      created_by=clinic_admin, include_phi=True)  # fmt: skip
    patient = register(front_desk, site)
    assert webhook_deliveries_send() == 1
    data = json.loads(endpoint.received[0][1])["data"]
    assert data["patient"] == patient.pk
    assert data["resource"]["id"] == patient.pk
    assert data["resource"]["legal_last_name"] == "Lopez"
    assert data["resource"]["mrn"] == patient.mrn
    # The outbox row keeps ids only; the disclosure is in the access log as the key's read.
    assert "Lopez" not in json.dumps(WebhookDelivery.objects.get().payload)
    assert AccessLog.objects.filter(user=key.user, patient=patient).exists()


def test_without_include_phi_the_payload_holds_ids_and_links_only(
    endpoint, issue, clinic_admin, front_desk, site
):
    key, _ = issue(["patients:read"])
    webhook_subscribe(key=key, url=endpoint.url, events=["patient.registered"],
                      created_by=clinic_admin)  # fmt: skip
    register(front_desk, site)
    webhook_deliveries_send()
    body = endpoint.received[0][1].decode()
    assert "resource" not in json.loads(body)["data"] and "Lopez" not in body


def test_include_phi_is_refused_without_the_events_read_scope(issue, clinic_admin):
    key, _ = issue(["scheduling:read"])
    with pytest.raises(ValidationError) as refused:
        webhook_subscribe(key=key, url="https://partner.example/hook",
                          events=["appointment.booked", "measure.recorded"],
                          created_by=clinic_admin, include_phi=True)  # fmt: skip
    assert "charting:read" in str(refused.value.message_dict["include_phi"])
    assert not WebhookSubscription.objects.exists()


def test_a_key_that_lost_the_scope_sends_ids_only(
    endpoint, issue, clinic_admin, site, nurse, protocol
):
    key, _ = issue(["scheduling:read"])
    webhook_subscribe(key=key, url=endpoint.url, events=["appointment.booked"],
                      created_by=clinic_admin, include_phi=True)  # fmt: skip
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    appointment_changed(appointment, "booked")
    api_key_update(key=key, changed_by=clinic_admin, name=key.name, scopes=["patients:read"],
                   sites=[site], allowed_networks=[], expiry_date=None,
                   requests_per_minute=None)  # fmt: skip
    webhook_deliveries_send()
    data = json.loads(endpoint.received[0][1])["data"]
    assert data["appointment"] == appointment.pk and "resource" not in data


def test_an_appointment_event_carries_the_appointment_with_the_scope(
    endpoint, issue, clinic_admin, site, nurse, protocol
):
    key, _ = issue(["scheduling:read"])
    webhook_subscribe(key=key, url=endpoint.url, events=["appointment.booked"],
                      created_by=clinic_admin, include_phi=True)  # fmt: skip
    appointment = make_appointment(site=site, nurse=nurse, protocol=protocol)
    appointment_changed(appointment, "booked")
    webhook_deliveries_send()
    resource = json.loads(endpoint.received[0][1])["data"]["resource"]
    assert resource["id"] == appointment.pk and resource["patient"]["id"] == appointment.patient_id


def test_the_admin_form_refuses_include_phi_without_the_scope(login, clinic_admin, issue):
    key, _ = issue(["scheduling:read"])
    client = login(clinic_admin)
    form = {"key": key.pk, "url": "https://partner.example/hook",
            "events": ["patient.registered"], "include_phi": "on", "is_active": "on"}  # fmt: skip
    response = client.post(reverse("admin:integrations_webhooksubscription_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "patients:read" in str(errors["include_phi"])
    assert not WebhookSubscription.objects.exists()
    form["events"] = ["appointment.booked"]
    response = client.post(reverse("admin:integrations_webhooksubscription_add"), form)
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().include_phi
