"""Neither log can be changed or deleted: not by SQL, not by the ORM, not in the admin."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AccessLog
from tests.factories import PatientFactory


@pytest.fixture
def logged(login, nurse, clinic_admin, site):
    patient = PatientFactory(home_location=site)  # the factory's save is in the change log
    login(nurse).get(reverse("patients:detail", args=[patient.pk]))
    return AccessLog.objects.get(), LogEntry.objects.latest("pk")


def refused(sql, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_sql_cannot_update_or_delete_access_log_rows(logged):
    row, _ = logged
    refused("UPDATE audit_accesslog SET view_name = 'x' WHERE id = %s", [row.pk])
    refused("DELETE FROM audit_accesslog WHERE id = %s", [row.pk])
    assert AccessLog.objects.get().view_name == "patients:detail"


@pytest.mark.django_db
def test_sql_cannot_update_or_delete_change_log_rows(logged):
    _, entry = logged
    refused("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [entry.pk])
    refused("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_orm_cannot_delete_them_either(logged):
    row, entry = logged
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="x")


@pytest.mark.django_db
def test_inserting_still_works(logged, nurse):
    row, _ = logged
    AccessLog.objects.create(user=nurse, patient=row.patient, view_name="x", kind="page")
    assert AccessLog.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["accesslog", "logentry"])
def test_the_admin_shows_them_read_only(login, clinic_admin, logged, model, admin_user):
    row, entry = logged
    app, pk = ("audit", row.pk) if model == "accesslog" else ("auditlog", entry.pk)
    for user in (clinic_admin, admin_user):  # a superuser too
        client = login(user)
        assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{app}_{model}_change", args=[pk])).status_code == 200
        assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
        assert client.get(reverse(f"admin:{app}_{model}_delete", args=[pk])).status_code == 403
        response = client.post(reverse(f"admin:{app}_{model}_change", args=[pk]), {})
        assert response.status_code == 403
        response = client.post(reverse(f"admin:{app}_{model}_changelist"),
                               {"action": "delete_selected", "_selected_action": [pk]})  # fmt: skip
        assert response.status_code in (200, 302)
    assert AccessLog.objects.filter(pk=row.pk).exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
