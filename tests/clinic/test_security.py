"""Authentication and session safeguards (HIPAA 164.312: unique user, automatic logoff)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def real_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_passwords_are_hashed_with_argon2(db, real_hashing):
    user = UserFactory()
    assert identify_hasher(user.password).algorithm == "argon2"


def fail(client, url, username, field="username"):
    return client.post(url, {field: username, "password": "wrong-password-123"})


@pytest.mark.parametrize("path", ["login", "admin:login", "api-token"])
def test_five_failed_logins_lock_the_account_on_every_login_path(client, nurse, password, path):
    url = reverse(path)
    for _ in range(5):
        fail(client, url, "nurse")
    # Even the right password is refused while locked.
    response = client.post(url, {"username": "nurse", "password": password})
    assert response.status_code in (400, 403, 429)  # the API's 400 gives no token either
    assert "_auth_user_id" not in client.session
    assert b"token" not in response.content


def test_the_lockout_ends_after_fifteen_minutes(client, nurse, password):
    for _ in range(5):
        fail(client, reverse("login"), "nurse")
    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = client.post(reverse("login"), {"username": "nurse", "password": password})
    assert response.status_code == 302


def test_an_idle_session_is_logged_out_and_returns_to_the_same_page(client, nurse, password):
    client.post(reverse("login"), {"username": "nurse", "password": password})
    page = reverse("infusions:nurse_home")
    assert client.get(page).status_code == 200
    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page}"
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive_until_the_absolute_cap(client, nurse, password):
    client.post(reverse("login"), {"username": "nurse", "password": password})
    page = reverse("infusions:nurse_home")
    for minutes in range(10, 12 * 60 + 30, 10):  # a click every 10 minutes for 12 hours
        with time_machine.travel(datetime.timedelta(minutes=minutes)):
            response = client.get(page)
            if response.status_code != 200:
                break
    assert minutes > 12 * 60 - 10 and response.status_code == 302


def test_pages_carry_a_strict_content_security_policy_and_frame_denial(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script_or_style_attribute():
    from pathlib import Path

    offenders = []
    for template in Path(__file__).resolve().parents[2].joinpath("templates").rglob("*.html"):
        text = template.read_text()
        if " style=" in text or "<script>" in text or "onclick=" in text:
            offenders.append(str(template))
    assert offenders == []


def test_background_polls_do_not_keep_an_idle_session_alive(client, nurse, password):
    client.post(reverse("login"), {"username": "nurse", "password": password})
    page = reverse("infusions:nurse_home")
    for minutes in (5, 10, 14):  # the screen polls on its own; nobody touches it
        with time_machine.travel(datetime.timedelta(minutes=minutes)):
            client.get(page, HTTP_X_CLINIC_BACKGROUND="1")
    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = client.get(
            page,
            HTTP_HX_REQUEST="true",
            HTTP_X_CLINIC_BACKGROUND="1",
            HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next={page}"
