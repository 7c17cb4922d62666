import pytest
from django.urls import reverse

from tests import two_factor


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("front_desk", "scheduling:board"),
        ("nurse", "infusions:nurse_home"),
        ("physician", "infusions:physician_home"),
        ("clinic_admin", "scheduling:admin_home"),
    ],
)
def test_each_role_lands_on_its_own_home_page_after_login(client, request, password, who, home):
    user = request.getfixturevalue(who)
    phone = two_factor.confirmed_device(user) if two_factor.needs_code(user) else None
    response = client.post(
        reverse("login"), {"username": user.username, "password": password}, follow=True
    )
    if phone is not None:  # physicians and clinic admins: the code step comes first
        code_step = response.redirect_chain[-1][0]
        assert code_step.startswith(reverse("two_factor:verify"))
        response = client.post(code_step, {"otp_token": two_factor.totp_code(phone)}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(home)


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, nurse):
    response = client.post(reverse("login"), {"username": "nurse", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_a_user_without_a_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"No role assigned" in response.content


def test_a_front_desk_user_cannot_open_the_nurse_home(login, front_desk):
    assert login(front_desk).get(reverse("infusions:nurse_home")).status_code == 403


def test_the_board_lists_chairs_of_my_sites_only(login, front_desk, site, other_site):
    from tests.factories import ChairFactory

    ChairFactory(location=site, name="Recliner A")
    ChairFactory(location=other_site, name="Recliner Z")
    page = login(front_desk).get(reverse("scheduling:board")).content.decode()
    assert "Recliner A" in page
    assert "Recliner Z" not in page


def test_the_board_runs_the_same_number_of_queries_for_one_chair_or_ten(
    login, front_desk, site, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ChairFactory

    client = login(front_desk)
    ChairFactory(location=site)
    client.get(reverse("scheduling:board"))  # warm the session
    with CaptureQueriesContext(connection) as one_chair:
        assert client.get(reverse("scheduling:board")).status_code == 200
    ChairFactory.create_batch(9, location=site)
    with django_assert_num_queries(len(one_chair.captured_queries)):
        assert client.get(reverse("scheduling:board")).status_code == 200


def test_roles_carry_the_permissions_their_apps_declare(db):
    from django.contrib.auth.models import Group

    front_desk = Group.objects.get(name="Front desk")
    codenames = set(front_desk.permissions.values_list("codename", flat=True))
    assert {"view_location", "view_chair"} <= codenames
    assert "view_patient" not in codenames  # the admin shows every site's patients
    assert "change_location" not in codenames
