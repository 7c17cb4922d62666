"""Every refusal of the API is JSON in its one shape ``{"detail", "errors"}``: rate limits
(429, per key and per user) and the login lockout of the token endpoint (issue 15)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.throttling import StaffRateThrottle

PATIENTS = "/api/v1/patients/"


def test_a_key_over_its_rate_gets_429_in_the_error_shape(issue, as_key):
    _, secret = issue(["patients:read"], requests_per_minute=3)
    client = as_key(secret)
    assert [client.get(PATIENTS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(PATIENTS)
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}
    assert "throttled" in body["detail"] and int(response["Retry-After"]) > 0


def test_each_key_has_its_own_count(issue, as_key):
    _, first = issue(["patients:read"], requests_per_minute=1)
    _, second = issue(["patients:read"], name="Other", requests_per_minute=1)
    assert as_key(first).get(PATIENTS).status_code == 200
    assert as_key(first).get(PATIENTS).status_code == 429
    assert as_key(second).get(PATIENTS).status_code == 200


def test_a_user_over_the_rate_gets_429_in_the_error_shape(login, nurse, monkeypatch):
    monkeypatch.setattr(StaffRateThrottle, "rate", "2/minute", raising=False)
    cache.delete(f"throttle_user_{nurse.pk}")  # a user id of an earlier run, within its minute
    client = login(nurse)
    assert [client.get(PATIENTS).status_code for _ in range(2)] == [200, 200]
    response = client.get(PATIENTS)
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"}


def test_the_default_rates_come_from_the_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"api_key": "600/minute", "user": "1200/minute"}
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


@pytest.mark.parametrize("attempts", [5, 6])
def test_a_locked_account_gets_json_from_the_token_endpoint(client, nurse, password, attempts):
    url = reverse("api-token")
    for _ in range(attempts):
        client.post(url, {"username": "nurse", "password": "wrong-password-123"})
    response = client.post(url, {"username": "nurse", "password": password})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}
    assert "locked for 15 minutes" in body["detail"]
    assert response["Retry-After"] == "900"


def test_the_login_page_still_shows_the_lockout_page(client, nurse, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": "nurse", "password": "wrong-password-123"})
    response = client.post(reverse("login"), {"username": "nurse", "password": password})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_api_url_is_a_json_404_and_a_page_stays_html(login, nurse):
    client = login(nurse)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_crash_under_the_api_is_json(rf):
    from clinic.views import server_error

    response = server_error(rf.get("/api/v1/patients/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


def test_with_redis_down_the_api_answers_without_counting(login, nurse, settings):
    """The rate counters live in Redis; Redis down must not take the API down with it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert login(nurse).get(PATIENTS).status_code == 200
