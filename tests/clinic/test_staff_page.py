"""The staff page: roles, sites and active, and nothing else; deactivation ends sessions."""

from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.roles import Role
from tests.factories import LocationFactory, UserFactory


def edit(client, user, **data):
    return client.post(reverse("staff_edit", args=[user.pk]), data)


def test_the_staff_page_lists_roles_and_sites_but_no_permissions(login, clinic_admin, nurse):
    page = login(clinic_admin).get(reverse("staff_list")).content.decode()
    assert "Nurse" in page and "Irvine" in page
    assert "permission" not in page.lower()


def test_a_clinic_admin_changes_a_colleagues_roles_and_sites(login, site, clinic_admin, nurse):
    tustin = LocationFactory(name="Tustin", code="tustin")
    response = edit(
        login(clinic_admin), nurse, roles=["nurse", "front_desk"],
        locations=[site.pk, tustin.pk], is_active="on",
    )  # fmt: skip
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.has_role(Role.FRONT_DESK) and set(nurse.locations.all()) == {site, tustin}


def test_unticking_active_deactivates_through_the_account_service(login, clinic_admin, nurse):
    Token.objects.create(user=nurse)
    edit(login(clinic_admin), nurse, roles=["nurse"])
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert not Token.objects.filter(user=nurse).exists()


def test_an_admin_cannot_lock_themselves_out_or_leave_someone_without_a_role(
    login, clinic_admin, nurse
):
    client = login(clinic_admin)
    response = edit(client, clinic_admin, roles=["nurse"], is_active="on")
    assert "cannot remove your own clinic admin role" in response.content.decode()
    response = edit(client, nurse, roles=[], is_active="on")
    assert "needs at least one role" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert clinic_admin.has_role(Role.CLINIC_ADMIN) and nurse.has_role(Role.NURSE)


def test_superusers_are_not_on_a_clinic_admins_staff_page(login, clinic_admin):
    root = UserFactory(username="root", is_superuser=True)
    client = login(clinic_admin)
    assert "root" not in client.get(reverse("staff_list")).content.decode()
    assert client.get(reverse("staff_edit", args=[root.pk])).status_code == 404


def test_the_staff_page_is_for_clinic_admins(login, nurse, front_desk):
    assert login(nurse).get(reverse("staff_list")).status_code == 403
    assert edit(login(front_desk), nurse, roles=["clinic_admin"]).status_code == 403
