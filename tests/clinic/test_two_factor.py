"""Two-factor authentication (TOTP, django-otp): required for physicians and clinic admins,
available to everyone; a used code cannot be reused; wrong codes are throttled and count
toward the lockout; no page, API call or admin page without the code step."""

import datetime
import re
from urllib.parse import quote, urlparse

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.two_factor.middleware import OPEN_URL_NAMES
from tests import two_factor
from tests.urlwalk import all_urls, error_detail

CHAIR_SCREEN = "/infusions/nurse/"
# A fixed moment in the middle of a 30-second step, so codes are predictable.
NOON = datetime.datetime(2026, 3, 2, 20, 0, 10, tzinfo=datetime.UTC)


def password_login(client, user, password, next_url=""):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def enter_code(client, code, next_url=""):
    return client.post(reverse("two_factor:verify"), {"otp_token": code, "next": next_url})


@pytest.fixture
def physician_phone(physician):
    return two_factor.confirmed_device(physician)


# --- Enrolment ---------------------------------------------------------------------------


def test_a_physician_without_a_device_must_set_one_up_after_the_password(
    client, physician, password
):
    response = password_login(client, physician, password, next_url="/patients/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor:enrol')}?next={quote('/patients/')}"
    # Nothing else is reachable until then.
    response = client.get("/patients/")
    assert response["Location"] == f"{reverse('two_factor:enrol')}?next={quote('/patients/')}"


def test_enrolment_shows_a_qr_code_and_the_secret_and_the_first_code_turns_it_on(
    client, physician, password, django_assert_max_num_queries
):
    password_login(client, physician, password)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("two_factor:enrol"), {"next": "/patients/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=physician, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert "issuer=Ketamine%20clinic" in device.config_url

    response = client.post(
        reverse("two_factor:enrol"),
        {"device_id": device.pk, "otp_token": two_factor.totp_code(device), "next": "/patients/"},
    )
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/patients/").status_code == 200  # verified: no more code step


def test_a_wrong_enrolment_code_is_refused_and_turns_nothing_on(client, physician, password):
    password_login(client, physician, password)
    client.get(reverse("two_factor:enrol"))
    device = TOTPDevice.objects.get(user=physician)
    response = client.post(reverse("two_factor:enrol"), {"device_id": device.pk, "otp_token": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["otp_token"]
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=physician).exists()
    assert client.get("/patients/").status_code == 302


def test_a_password_alone_cannot_replace_an_existing_device(
    client, physician, password, physician_phone
):
    password_login(client, physician, password)
    response = client.get(reverse("two_factor:enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert TOTPDevice.objects.filter(user=physician).count() == 1


# --- Login with a code -------------------------------------------------------------------


def test_login_with_a_code_returns_to_the_page_asked_for(
    client, physician, password, physician_phone
):
    response = password_login(client, physician, password, next_url=CHAIR_SCREEN + "?chair=3")
    assert response.status_code == 302
    step = urlparse(response["Location"])
    assert step.path == reverse("two_factor:verify")
    next_url = CHAIR_SCREEN + "?chair=3"
    assert step.query == f"next={quote(next_url)}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["next"] == next_url

    response = enter_code(client, two_factor.totp_code(physician_phone), next_url)
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_the_code_step_does_not_follow_a_next_link_to_another_site(
    client, physician, password, physician_phone
):
    password_login(client, physician, password)
    response = enter_code(client, two_factor.totp_code(physician_phone), "https://evil.example/")
    assert response["Location"] == reverse("home")


@time_machine.travel(NOON, tick=False)
def test_a_used_code_cannot_be_used_again(client, physician, password, physician_phone):
    code = two_factor.totp_code(physician_phone, at=NOON.timestamp())
    password_login(client, physician, password)
    assert enter_code(client, code).status_code == 302

    client.post(reverse("logout"))
    password_login(client, physician, password)
    response = enter_code(client, code)
    assert response.status_code == 400
    assert "already used" in response.context["form"].errors["otp_token"][0]
    assert client.get("/patients/").status_code == 302  # still not verified

    # The phone's next code (30 s later) works.
    with time_machine.travel(NOON + datetime.timedelta(seconds=31), tick=False):
        later = two_factor.totp_code(physician_phone)
        assert later != code
        assert enter_code(client, later).status_code == 302
        assert client.get("/patients/").status_code == 200


@time_machine.travel(NOON, tick=False)
def test_a_used_code_cannot_get_a_second_api_token(client, physician, password, physician_phone):
    code = two_factor.totp_code(physician_phone, at=NOON.timestamp())
    data = {"username": physician.username, "password": password, "otp_token": code}
    assert client.post(reverse("api-token"), data).status_code == 200
    response = client.post(reverse("api-token"), data)
    assert response.status_code == 400
    assert "already used" in response.json()["errors"]["otp_token"][0]


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(
    client, physician, password, physician_phone
):
    password_login(client, physician, password)
    with time_machine.travel(NOON, tick=False):
        right = two_factor.totp_code(physician_phone)
        wrong = f"{(int(right) + 1) % 1000000:06d}"
        response = enter_code(client, wrong)
        assert response.status_code == 400
        assert response.context["form"].errors["otp_token"]
        # Even the right code is refused until the throttle delay (1 s, then 2, 4 ...) passes.
        response = enter_code(client, right)
        assert response.status_code == 400
        assert "Too many wrong codes" in response.context["form"].errors["otp_token"][0]
    with time_machine.travel(NOON + datetime.timedelta(seconds=2), tick=False):
        assert enter_code(client, right).status_code == 302


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(
    client, physician, password, physician_phone
):
    password_login(client, physician, password)
    for attempt in range(5):
        with time_machine.travel(NOON + datetime.timedelta(minutes=attempt), tick=False):
            response = enter_code(client, "000000")
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        response = password_login(client, physician, password)
    assert "_auth_user_id" not in client.session


def test_a_backup_code_works_once(client, physician, password, physician_phone):
    from clinic.two_factor import services

    codes = services.backup_codes_issue(user=physician)
    password_login(client, physician, password)
    assert enter_code(client, codes[0].upper()).status_code == 302
    assert StaticToken.objects.filter(device__user=physician).count() == 9

    client.post(reverse("logout"))
    password_login(client, physician, password)
    assert enter_code(client, codes[0]).status_code == 400


# --- Who must, who may -------------------------------------------------------------------


def test_an_unverified_clinic_admin_reaches_no_page_api_or_admin(
    client, clinic_admin, password, site
):
    two_factor.confirmed_device(clinic_admin)
    password_login(client, clinic_admin, password)
    open_paths = {reverse(name) for name in OPEN_URL_NAMES}
    walked = [url for url in all_urls() if url.path not in open_paths]
    assert len(walked) > 50
    for url in walked:
        response = client.get(url.path)
        if url.is_api:
            assert response.status_code == 403, url.path
            assert error_detail(response).startswith("Two-factor verification required"), url.path
        else:
            assert response.status_code == 302, url.path
            assert urlparse(response["Location"]).path == reverse("two_factor:verify"), url.path
    # Writes too: a POST to the API or the admin changes nothing.
    assert client.post("/api/v1/locations/", {"name": "X", "code": "x"}).status_code == 403
    response = client.post("/admin/clinic/location/add/", {"name": "X", "code": "x"})
    assert response.status_code == 302


def test_the_admin_login_is_no_way_around_the_code(client, clinic_admin, password):
    two_factor.confirmed_device(clinic_admin)
    response = client.post(
        reverse("admin:login"), {"username": clinic_admin.username, "password": password}
    )
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("two_factor:verify")


def test_an_htmx_request_of_an_unverified_session_sends_the_whole_screen_to_the_code_step(
    client, physician, password, physician_phone
):
    password_login(client, physician, password)
    response = client.get(
        "/patients/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/patients/?q=ann"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('two_factor:verify')}?next=/patients/%3Fq%3Dann"


@pytest.mark.parametrize("role_fixture", ["nurse", "front_desk"])
def test_nurses_and_the_front_desk_are_not_asked_for_a_code(
    request, client, password, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    response = password_login(client, user, password, next_url=CHAIR_SCREEN)
    assert response["Location"] == CHAIR_SCREEN
    assert client.get("/patients/").status_code == 200


def test_a_nurse_can_turn_on_two_factor_and_is_then_asked_for_the_code(
    client, nurse, password, django_assert_max_num_queries
):
    password_login(client, nurse, password)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("two_factor:security"))
    assert b"Set up two-factor" in page.content
    client.get(reverse("two_factor:enrol"))
    device = TOTPDevice.objects.get(user=nurse)
    client.post(
        reverse("two_factor:enrol"),
        {"device_id": device.pk, "otp_token": two_factor.totp_code(device)},
    )
    page = client.get(reverse("two_factor:security"))
    assert b"10 backup codes left" in page.content

    client.post(reverse("logout"))
    response = password_login(client, nurse, password, next_url=CHAIR_SCREEN)
    assert urlparse(response["Location"]).path == reverse("two_factor:verify")
    assert client.get(CHAIR_SCREEN).status_code == 302
    response = enter_code(client, two_factor.totp_code(device), CHAIR_SCREEN)
    assert response["Location"] == CHAIR_SCREEN


def test_a_nurse_may_turn_two_factor_off_but_a_physician_may_not(
    client, nurse, physician, physician_phone
):
    two_factor.confirmed_device(nurse)
    client.force_login(nurse)
    client.post(reverse("two_factor:turn_off"))
    assert not TOTPDevice.objects.filter(user=nurse).exists()

    client.force_login(physician)
    response = client.post(reverse("two_factor:turn_off"), follow=True)
    assert b"required for your role" in response.content
    assert TOTPDevice.objects.filter(user=physician).exists()


def test_new_backup_codes_replace_the_old_ones(client, physician, physician_phone):
    from clinic.two_factor import services

    old = services.backup_codes_issue(user=physician)
    client.force_login(physician)
    response = client.post(reverse("two_factor:backup_codes"))
    new = response.context["codes"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


# --- API token ---------------------------------------------------------------------------


def test_the_api_token_needs_the_code_of_a_physician(client, physician, password, physician_phone):
    url = reverse("api-token")
    data = {"username": physician.username, "password": password}
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "otp_token": ["Enter the code from your authenticator app."]
    }
    response = client.post(url, {**data, "otp_token": "123"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["otp_token"]
    with time_machine.travel(NOON, tick=False):
        response = client.post(url, {**data, "otp_token": two_factor.totp_code(physician_phone)})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get(reverse("api-me"), headers={"Authorization": f"Token {token}"})
    assert me.status_code == 200


def test_a_physician_without_a_device_gets_no_api_token(client, physician, password):
    response = client.post(
        reverse("api-token"), {"username": physician.username, "password": password}
    )
    assert response.status_code == 400
    assert "Set up two-factor" in response.json()["errors"]["otp_token"][0]


def test_a_nurse_without_a_device_gets_an_api_token_with_her_password(client, nurse, password):
    response = client.post(reverse("api-token"), {"username": nurse.username, "password": password})
    assert response.status_code == 200


def test_wrong_api_codes_count_toward_the_lockout(client, physician, password, physician_phone):
    url = reverse("api-token")
    data = {"username": physician.username, "password": password}
    for attempt in range(5):
        with time_machine.travel(NOON + datetime.timedelta(minutes=attempt), tick=False):
            client.post(url, {**data, "otp_token": "000000"})
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        response = client.post(url, {**data, "otp_token": two_factor.totp_code(physician_phone)})
    assert response.status_code in (400, 403, 429)
    assert b"token" not in response.content


# --- Admin reset -------------------------------------------------------------------------


def test_a_clinic_admin_resets_a_lost_phone_and_the_physician_must_set_up_again(
    client, clinic_admin, physician, password, physician_phone, django_user_model
):
    from clinic.two_factor import services

    services.backup_codes_issue(user=physician)
    from django.test import Client

    physicians_tablet = Client()
    physicians_tablet.force_login(physician)
    assert physicians_tablet.get("/patients/").status_code == 200

    client.force_login(clinic_admin)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200
    response = client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "reset_two_factor", "_selected_action": [physician_phone.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=physician).exists()
    assert not StaticDevice.objects.filter(user=physician).exists()

    # The physician's verified session is verified no longer: the code step finds no
    # device and sends her to set up a new phone.
    response = physicians_tablet.get("/patients/")
    assert urlparse(response["Location"]).path == reverse("two_factor:verify")
    response = physicians_tablet.get(response["Location"])
    assert urlparse(response["Location"]).path == reverse("two_factor:enrol")
    physicians_tablet.post(reverse("logout"))
    response = password_login(physicians_tablet, physician, password)
    assert urlparse(response["Location"]).path == reverse("two_factor:enrol")


def test_the_admin_never_shows_a_secret_or_a_backup_code(client, clinic_admin, physician_phone):
    client.force_login(clinic_admin)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[physician_phone.pk]))
    assert page.status_code == 200
    assert physician_phone.key not in page.content.decode()
    assert not re.search(r"otpauth://", page.content.decode())
    assert not admin.site.is_registered(StaticDevice)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
