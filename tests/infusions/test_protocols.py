"""Protocols: versions are append-only, revising adds one, only physicians and clinic admins
edit, and the admin and API go through the same services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infusions import demo
from infusions.models import Protocol, ProtocolVersion
from infusions.services import protocol_create, protocol_revise, protocol_update
from protocols.dosing import calculate_dose

FM = {"name": "Fibromyalgia 0.5 mg/kg over 40 min", "code": "fm-0-5-40"}
MAXIMA = {"soft_max_mg": Decimal("60"), "hard_max_mg": Decimal("100")}


@pytest.fixture
def fm(physician):
    return protocol_create(created_by=physician, **FM, **MAXIMA)


def admin_url(model_name: str, view: str, *args) -> str:
    return reverse(f"admin:protocols_{model_name}_{view}", args=args)


def as_staff(user):
    """A role user given admin access (the medical director's account, for physicians)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


# --- Services -------------------------------------------------------------------------------


def test_a_new_protocol_has_version_1_with_the_seed_protocols_numbers(fm, physician):
    version = fm.current_version
    assert (version.number, version.created_by, version.change_note) == (
        1,
        physician,
        "First version.",
    )
    assert version.mg_per_kg == Decimal("0.5") and version.infusion_minutes == 40
    assert version.allowed_vial_mg_per_ml == [10, 50, 100]
    assert version.vial_needs_dilution == [100]
    assert (version.weight_max_age_hours, version.min_discharge_score) == (0, 9)
    assert (version.systolic_high_mmhg, version.spo2_low_percent) == (180, 92)
    assert fm.infusion_minutes == 40 and fm.is_standing_order_allowed is False


def test_a_versions_rules_give_the_worked_example(fm):
    calculation = calculate_dose(
        weight_kg=Decimal("70"), rules=fm.current_version.rules(), vial_mg_per_ml=Decimal("50")
    )
    assert (calculation.dose_mg, calculation.pump_rate_ml_per_h) == (Decimal("35.0"), 150)
    assert str(calculation.dose_mg) == "35.0"


def test_revising_a_protocol_adds_version_2_and_leaves_version_1_unchanged(fm, physician):
    first = fm.current_version
    second = protocol_revise(
        protocol=fm, changed_by=physician, change_note="Longer infusion per director",
        infusion_minutes=50, standing_order=True,
    )  # fmt: skip
    assert second.number == 2 and second.pk != first.pk
    assert (second.infusion_minutes, second.soft_max_mg, second.hard_max_mg) == (50, 60, 100)
    stored_first = ProtocolVersion.objects.get(pk=first.pk)
    assert (stored_first.infusion_minutes, stored_first.standing_order) == (40, False)
    assert fm.current_version == second
    assert fm.infusion_minutes == 50 and fm.is_standing_order_allowed is True
    assert [v.number for v in fm.versions.order_by("number")] == [1, 2]


def test_a_revision_that_changes_nothing_is_refused(fm, physician):
    with pytest.raises(ValidationError, match="Nothing differs from version 1"):
        protocol_revise(protocol=fm, changed_by=physician, change_note="x", mg_per_kg="0.50")
    assert fm.versions.count() == 1


def test_a_revision_needs_a_change_note(fm, physician):
    with pytest.raises(ValidationError) as refused:
        protocol_revise(protocol=fm, changed_by=physician, change_note="  ", infusion_minutes=45)
    assert "change_note" in refused.value.message_dict


def test_a_misspelt_number_is_a_programming_error(fm, physician):
    with pytest.raises(TypeError, match="mg_kg"):
        protocol_revise(protocol=fm, changed_by=physician, change_note="x", mg_kg=Decimal("1"))


def test_the_database_refuses_to_update_or_delete_a_protocol_version(fm):
    version = fm.current_version
    for sql in (
        "UPDATE infusions_protocolversion SET mg_per_kg = 5 WHERE id = %s",
        "DELETE FROM infusions_protocolversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
    assert ProtocolVersion.objects.get(pk=version.pk).mg_per_kg == Decimal("0.5")


@pytest.mark.parametrize("role", ["nurse", "second_nurse", "front_desk"])
def test_only_physicians_and_clinic_admins_create_or_revise_protocols(request, fm, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        protocol_revise(protocol=fm, changed_by=user, change_note="x", infusion_minutes=45)
    with pytest.raises(PermissionDenied):
        protocol_create(created_by=user, name="Other", code="other", **MAXIMA)
    with pytest.raises(PermissionDenied):
        protocol_update(protocol=fm, changed_by=user, is_active=False)
    assert fm.versions.count() == 1 and Protocol.objects.count() == 1


def test_a_clinic_admin_may_revise_a_protocol(fm, clinic_admin):
    version = protocol_revise(
        protocol=fm, changed_by=clinic_admin, change_note="Stock change", vial_needs_dilution=[]
    )
    assert version.number == 2 and version.created_by == clinic_admin


def test_a_soft_maximum_above_the_hard_maximum_is_refused_with_a_field_error(fm, physician):
    with pytest.raises(ValidationError) as refused:
        protocol_revise(
            protocol=fm, changed_by=physician, change_note="x", soft_max_mg=Decimal("120")
        )
    assert "soft_max_mg" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        protocol_create(
            created_by=physician, name="Other", code="other", soft_max_mg=Decimal("90"),
            hard_max_mg=Decimal("80"),
        )  # fmt: skip
    assert "soft_max_mg" in refused.value.message_dict
    assert fm.versions.count() == 1 and Protocol.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"min_weight_kg": Decimal("300")}, "min_weight_kg"),
        ({"mg_per_kg": Decimal("0")}, "mg_per_kg"),
        ({"allowed_vial_mg_per_ml": [Decimal("10")]}, "vial_needs_dilution"),
        ({"systolic_low_mmhg": 200}, "systolic_low_mmhg"),
        ({"spo2_low_percent": 101}, "spo2_low_percent"),
    ],
)
def test_inconsistent_numbers_are_refused_naming_the_field(fm, physician, changes, field):
    with pytest.raises(ValidationError) as refused:
        protocol_revise(protocol=fm, changed_by=physician, change_note="x", **changes)
    assert field in refused.value.message_dict


def test_the_database_checks_the_maxima_even_past_the_service(fm, physician):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolVersion.objects.create(
            protocol=fm, number=2, created_by=physician, change_note="raw",
            soft_max_mg=Decimal("200"), hard_max_mg=Decimal("100"),
        )  # fmt: skip


def test_a_protocol_is_withdrawn_but_its_code_never_changes(fm, physician):
    withdrawn = protocol_update(protocol=fm, changed_by=physician, is_active=False)
    assert withdrawn.is_active is False
    with pytest.raises(TypeError, match="code"):
        protocol_update(protocol=fm, changed_by=physician, code="new-code")


def test_the_demo_protocols_are_created_once_by_the_demo_physician(db, settings):
    from clinic import demo as clinic_demo

    clinic_demo.seed()
    assert len(demo.seed_protocols()) == 2
    assert demo.seed_protocols() == []
    pain = Protocol.objects.get(code="pain-0-5h-240").current_version
    assert (pain.mg_per_kg, pain.infusion_minutes, pain.bag_volume_ml) == (2, 240, 250)
    assert pain.created_by.username == "physician"
    fm = Protocol.objects.get(code="fm-0-5-40").current_version
    assert (fm.soft_max_mg, fm.hard_max_mg) == (60, 100)


# --- API ------------------------------------------------------------------------------------


def test_every_role_reads_protocols_with_the_current_version(login, fm, front_desk):
    protocol_revise(protocol=fm, changed_by=fm.created_by, change_note="x", infusion_minutes=45)
    body = login(front_desk).get("/api/v1/protocols/").json()
    (protocol,) = body["results"]
    assert protocol["code"] == "fm-0-5-40" and protocol["infusion_minutes"] == 45
    assert protocol["current_version"]["number"] == 2
    versions = login(front_desk).get(f"/api/v1/protocol-versions/?protocol={fm.pk}").json()
    assert [v["number"] for v in versions["results"]] == [2, 1]


def test_listing_protocols_costs_the_same_queries_however_many_there_are(
    login, fm, physician, django_assert_num_queries
):
    client = login(physician)
    client.get("/api/v1/protocols/")  # warm the session and the user's roles
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/protocols/")
    for n in range(3):
        protocol_create(created_by=physician, name=f"P{n}", code=f"p{n}", **MAXIMA)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/protocols/").json()["results"]) == 4


def test_a_physician_revises_through_the_api(login, fm, physician):
    body = {"protocol": fm.pk, "change_note": "Bigger bag", "bag_volume_ml": "250"}
    response = login(physician).post(
        "/api/v1/protocol-versions/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2 and response.json()["bag_volume_ml"] == "250.0"
    assert response.json()["infusion_minutes"] == 40


def test_a_nurse_may_not_revise_through_the_api(login, fm, nurse):
    body = {"protocol": fm.pk, "change_note": "x", "infusion_minutes": 45}
    response = login(nurse).post(
        "/api/v1/protocol-versions/", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert fm.versions.count() == 1


def test_soft_above_hard_through_the_api_is_a_400_naming_soft_max_mg(login, fm, physician):
    body = {"protocol": fm.pk, "change_note": "x", "soft_max_mg": "150"}
    response = login(physician).post(
        "/api/v1/protocol-versions/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "soft_max_mg" in response.json()["errors"]


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["physician", "clinic_admin"])
@pytest.mark.parametrize("model_name", ["protocol", "protocolversion"])
def test_the_protocol_admin_opens_for_physicians_and_clinic_admins(
    request, login, fm, role, model_name
):
    client = login(as_staff(request.getfixturevalue(role)))
    changelist = client.get(admin_url(model_name, "changelist"))
    assert changelist.status_code == 200
    record = changelist.context["cl"].result_list[0]
    assert client.get(admin_url(model_name, "change", record.pk)).status_code == 200


def test_a_nurse_with_admin_access_gets_403_from_the_protocol_admin(login, fm, nurse):
    client = login(as_staff(nurse))
    assert client.get(admin_url("protocol", "changelist")).status_code == 403
    assert client.get(admin_url("protocolversion", "add")).status_code == 403
    assert client.post(admin_url("protocol", "add"), {}).status_code == 403


def revision_form(version, **changes) -> dict:
    from infusions.services import VERSION_FIELDS

    form = {"protocol": version.protocol_id, "change_note": "Director's revision"}
    for name in VERSION_FIELDS:
        value = getattr(version, name)
        if isinstance(value, list):
            form[name] = ",".join(str(c) for c in value)
        elif isinstance(value, bool):
            if value:
                form[name] = "on"
        else:
            form[name] = str(value)
    return form | changes


def test_revising_in_the_admin_starts_from_the_current_version_and_adds_the_next(
    login, fm, physician
):
    client = login(as_staff(physician))
    page = client.get(admin_url("protocolversion", "add") + f"?protocol={fm.pk}")
    assert page.context["adminform"].form.initial["soft_max_mg"] == Decimal("60")
    first = fm.current_version
    response = client.post(
        admin_url("protocolversion", "add"), revision_form(first, hard_max_mg="90")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    second = fm.current_version
    assert (second.number, second.hard_max_mg, second.created_by) == (2, 90, physician)
    assert ProtocolVersion.objects.get(pk=first.pk).hard_max_mg == 100


def test_the_admin_shows_soft_above_hard_on_the_form_and_saves_nothing(login, fm, physician):
    client = login(as_staff(physician))
    form = revision_form(fm.current_version, soft_max_mg="150")
    response = client.post(admin_url("protocolversion", "add"), form)
    assert response.status_code == 200
    assert "soft_max_mg" in response.context["adminform"].form.errors
    assert fm.versions.count() == 1


def test_a_version_is_never_changed_or_deleted_in_the_admin(login, fm, clinic_admin):
    client = login(as_staff(clinic_admin))
    version = fm.current_version
    page = client.get(admin_url("protocolversion", "change", version.pk))
    assert page.context["has_change_permission"] is False
    form = revision_form(version, mg_per_kg="1.0")
    assert client.post(admin_url("protocolversion", "change", version.pk), form).status_code == 403
    assert client.post(admin_url("protocolversion", "delete", version.pk)).status_code == 403
    assert client.post(admin_url("protocol", "delete", fm.pk)).status_code == 403
    assert ProtocolVersion.objects.get(pk=version.pk).mg_per_kg == Decimal("0.5")


def test_creating_a_protocol_in_the_admin_creates_its_version_1(login, fm, clinic_admin):
    client = login(as_staff(clinic_admin))
    page = client.get(admin_url("protocol", "add"))
    assert page.status_code == 200 and "Version 1: Dose" in page.content.decode()
    assert client.get(admin_url("protocolversion", "add")).status_code == 200
    form = revision_form(fm.current_version, soft_max_mg="200", hard_max_mg="300")
    form |= {"name": "Chronic pain", "code": "pain", "description": "", "mg_per_kg": "2"}
    response = client.post(admin_url("protocol", "add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pain = Protocol.objects.get(code="pain")
    assert (pain.created_by, pain.current_version.number) == (clinic_admin, 1)
    assert pain.current_version.mg_per_kg == 2


def test_renaming_and_withdrawing_in_the_admin_go_through_the_service(login, fm, physician):
    client = login(as_staff(physician))
    form = {"name": "FM classic", "description": "", "code": "ignored"}
    # The read-only list of versions is an inline: its management form comes with the page.
    form |= {"versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1"}
    response = client.post(admin_url("protocol", "change", fm.pk), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    fm.refresh_from_db()
    assert (fm.name, fm.code, fm.is_active) == ("FM classic", "fm-0-5-40", False)
