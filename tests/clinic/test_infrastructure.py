"""The real parts: Postgres, Redis, a Celery worker, and /healthz reporting on them."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from clinic import devservices
from clinic.tasks import ping


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_redis_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_stopped_redis_as_503_naming_redis(client, tmp_path_factory):
    # A Redis of the test's own, so stopping it disturbs nothing else.
    directory = tmp_path_factory.mktemp("redis")
    socket_path = devservices.start_redis(directory)
    try:
        with override_settings(REDIS_URL=f"redis+socket://{socket_path}"):
            assert client.get(reverse("healthz")).status_code == 200
            devservices.stop_redis(directory)
            response = client.get(reverse("healthz"))
    finally:
        devservices.stop_redis(directory)
    assert response.status_code == 503
    assert response.json()["redis"].startswith("unavailable")
    assert response.json()["database"] == "ok"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_a_real_worker_and_redis(celery_worker, settings):
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    answer = result.get(timeout=30)
    assert answer["token"] == token
    # The worker ran against the test database, not the development one.
    assert answer["database"] == settings.DATABASES["default"]["NAME"]


def test_the_cache_reads_the_embedded_redis_url(tmp_path_factory):
    """The embedded Redis is a unix socket that Celery spells redis+socket://; the Django
    cache (the API's rate-limit counters) must be handed redis-py's spelling of it, or every
    throttled API call fails on a fresh machine."""
    from django.core.cache.backends.redis import RedisCache

    from clinic.broker import client_url

    directory = tmp_path_factory.mktemp("redis-cache")
    socket_path = devservices.start_redis(directory)
    try:
        cache = RedisCache(client_url(f"redis+socket://{socket_path}"), {})
        cache.set("throttle-probe", 1)
        assert cache.get("throttle-probe") == 1
    finally:
        devservices.stop_redis(directory)
    assert settings.CACHES["default"]["LOCATION"] == client_url(settings.REDIS_URL)
