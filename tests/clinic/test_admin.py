"""Staff accounts in the admin: a leaver is deactivated, never deleted (issue 8)."""

from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.models import User
from tests.factories import UserFactory

CHANGELIST = reverse("admin:clinic_user_changelist")


def change_url(user) -> str:
    return reverse("admin:clinic_user_change", args=[user.pk])


def logged_in(user, password) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return browser


def test_the_user_admin_offers_deactivate_and_no_delete(login, clinic_admin, nurse):
    response = login(clinic_admin).get(CHANGELIST)
    assert response.status_code == 200
    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "deactivate" in choices
    assert "delete_selected" not in choices


def test_not_even_a_superuser_can_delete_a_user(login, nurse):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = login(root)
    choices = dict(client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in choices
    page = client.get(change_url(nurse))
    assert page.status_code == 200
    assert reverse("admin:clinic_user_delete", args=[nurse.pk]) not in page.content.decode()
    assert client.get(reverse("admin:clinic_user_delete", args=[nurse.pk])).status_code == 403
    response = client.post(reverse("admin:clinic_user_delete", args=[nurse.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [nurse.pk]}
    )
    assert User.objects.filter(pk=nurse.pk).exists()


def test_deactivate_action_ends_sessions_and_tokens(login, clinic_admin, nurse, password):
    nurse_browser = logged_in(nurse, password)
    token = Token.objects.create(user=nurse)
    response = login(clinic_admin).post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [nurse.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 user(s) deactivated" in response.content.decode()
    nurse.refresh_from_db()
    assert nurse.is_active is False
    assert not Token.objects.filter(pk=token.pk).exists()
    home = nurse_browser.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("login"))


def test_a_clinic_admin_cannot_deactivate_themselves_by_the_action(login, clinic_admin):
    response = login(clinic_admin).post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [clinic_admin.pk]}, follow=True
    )
    assert "cannot deactivate your own account" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active is True


def test_staff_without_user_rights_cannot_deactivate(login, physician, nurse):
    physician.is_staff = True
    physician.save()
    response = login(physician).post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [nurse.pk]}
    )
    assert response.status_code == 403
    nurse.refresh_from_db()
    assert nurse.is_active is True
