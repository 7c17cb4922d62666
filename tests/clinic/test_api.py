import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clinic.api import MAX_ID, id_param


def test_a_token_is_issued_for_good_credentials_and_opens_the_api(client, nurse, password):
    response = client.post(reverse("api-token"), {"username": "nurse", "password": password})
    assert response.status_code == 200
    token = response.json()["token"]
    root = client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token}")
    assert root.status_code == 200
    assert "locations" in root.json()


def test_bad_credentials_get_a_400_with_the_common_error_shape(client, nurse):
    response = client.post(reverse("api-token"), {"username": "nurse"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["This field is required."]}


def test_locations_are_scoped_to_the_callers_sites(client, nurse, site, other_site):
    token = Token.objects.create(user=nurse)
    response = client.get(reverse("location-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [row["code"] for row in response.json()["results"]] == ["irvine"]


def test_me_names_roles_and_sites(login, physician, site):
    body = login(physician).get(reverse("api-me")).json()
    assert body["roles"] == ["physician"]
    assert body["location_ids"] == [site.pk]


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_served_to_staff(login, nurse):
    client = login(nurse)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/locations/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), (7, 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 5000, None),
     ("²", None), ("٣", None), ("-1", None), ("1.0", None), ("", None), (None, None)],
)  # fmt: skip
def test_id_param_takes_only_ascii_digits_that_fit_a_bigint(value, expected):
    assert id_param(value) == expected


@pytest.mark.django_db
def test_the_schema_says_a_vitals_reading_may_leave_consciousness_blank(login, nurse):
    """A reading without ACVPU is stored and returned with ``""``: the schema must allow it."""
    schema = login(nurse).get(reverse("api-schema"), {"format": "json"}).json()
    consciousness = schema["components"]["schemas"]["Vitals"]["properties"]["consciousness"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in consciousness["oneOf"]


def test_a_json_body_nested_too_deeply_is_a_400_parse_error(login, nurse):
    body = "[" * 100_000 + "]" * 100_000
    response = login(nurse).post("/api/v1/infusion-vitals/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply.", "errors": {}}
