"""The one place that turns REDIS_URL into a redis-py client."""

import redis
from django.conf import settings


def client_url(url: str) -> str:
    # Celery/kombu spell a unix socket redis+socket://; redis-py spells it unix://.
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


def redis_client(url: str | None = None, timeout_seconds: float = 2.0) -> redis.Redis:
    return redis.Redis.from_url(
        client_url(url or settings.REDIS_URL),
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
    )
