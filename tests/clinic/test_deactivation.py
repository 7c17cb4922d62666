"""Deactivating a user ends their sessions and API token at once (issue 8)."""

import pytest
from django import forms
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.accounts import user_deactivate
from clinic.credentials import end_sessions_and_tokens
from clinic.models import StaffSession
from tests.factories import UserFactory


def logged_in(user, password) -> Client:
    """A browser of its own, logged in through the real login page."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return browser


def is_logged_in(browser: Client) -> bool:
    """The home page sends staff to their screen and everyone else to the login page."""
    response = browser.get(reverse("home"))
    assert response.status_code == 302
    return not response["Location"].startswith(reverse("login"))


def api_get(token: Token):
    return Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {token.key}")


def change_form_data(response) -> dict:
    """What the admin's change form would post back unchanged, from its bound form."""
    form = response.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        widget = getattr(field.field.widget, "widget", field.field.widget)  # admin wrapper
        if field.field.disabled or value is None:
            continue
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif isinstance(widget, forms.MultiWidget):  # the split date and time fields
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, (part_widget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{field.html_name}_{index}"] = part_widget.format_value(part) or ""
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = str(value)
    return data


def test_deactivating_in_the_admin_ends_the_users_sessions_and_token(
    login, clinic_admin, nurse, password
):
    nurse_browser = logged_in(nurse, password)
    other_browser = logged_in(nurse, password)
    token = Token.objects.create(user=nurse)
    assert is_logged_in(nurse_browser)
    assert api_get(token).status_code == 200
    assert StaffSession.objects.filter(user=nurse).count() == 2

    admin = login(clinic_admin)
    url = reverse("admin:clinic_user_change", args=[nurse.pk])
    data = change_form_data(admin.get(url))
    assert data.pop("is_active") == "on"
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    nurse.refresh_from_db()
    assert not nurse.is_active
    assert not StaffSession.objects.filter(user=nurse).exists()
    assert not Token.objects.filter(user=nurse).exists()
    assert not is_logged_in(nurse_browser)
    assert not is_logged_in(other_browser)
    assert api_get(token).status_code == 401
    # The admin who did it is still logged in.
    assert admin.get(reverse("admin:index")).status_code == 200


def test_reactivating_does_not_bring_the_old_session_back(nurse, password):
    browser = logged_in(nurse, password)
    nurse.is_active = False
    nurse.save()
    nurse.is_active = True
    nurse.save()
    assert not is_logged_in(browser)


def test_the_command_deactivates_and_ends_sessions(nurse, password, capsys):
    browser = logged_in(nurse, password)
    token = Token.objects.create(user=nurse)
    call_command("deactivate_user", "nurse")
    assert "nurse is deactivated" in capsys.readouterr().out
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert not is_logged_in(browser)
    assert api_get(token).status_code == 401


def test_the_service_leaves_other_users_sessions_alone(nurse, second_nurse, password):
    nurse_browser = logged_in(nurse, password)
    colleague = logged_in(second_nurse, password)
    colleague_token = Token.objects.create(user=second_nurse)
    user_deactivate(user=nurse)
    assert not is_logged_in(nurse_browser)
    assert is_logged_in(colleague)
    assert api_get(colleague_token).status_code == 200


def test_a_session_key_rotated_after_login_stays_attributed(nurse, password):
    browser = logged_in(nurse, password)
    session = browser.session
    session.cycle_key()
    session.save()
    browser.cookies["sessionid"] = session.session_key
    assert StaffSession.objects.get(session_key=session.session_key).user_id == nurse.pk
    assert end_sessions_and_tokens(nurse) == 1
    assert not is_logged_in(browser)


def test_a_password_set_by_the_admin_logs_the_user_out_elsewhere(
    login, clinic_admin, nurse, password
):
    browser = logged_in(nurse, password)
    admin = login(clinic_admin)
    new_password = "a-different-long-passphrase-77"
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[nurse.pk]),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert not is_logged_in(browser)
    assert admin.get(reverse("admin:index")).status_code == 200
    assert is_logged_in(logged_in(nurse, new_password))


@pytest.mark.django_db
def test_an_inactive_user_saved_by_other_code_has_no_sessions(password):
    user = UserFactory()
    browser = logged_in(user, password)
    user.first_name = "Renamed"
    user.is_active = False
    user.save(update_fields=["first_name", "is_active"])
    assert not StaffSession.objects.filter(user=user).exists()
    assert not is_logged_in(browser)
