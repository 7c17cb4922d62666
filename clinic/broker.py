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


def over_limit(key: str, limit: int, window_seconds: int) -> bool:
    """A fixed-window counter in Redis: count this hit under ``key`` and say whether it is
    over ``limit`` in the window. The first hit starts the window; a key left without a ttl
    gets one. Redis down raises (RedisError, OSError): the caller decides whether the
    request goes through."""
    client = redis_client()
    count = client.incr(key)
    if count == 1 or client.ttl(key) == -1:
        client.expire(key, window_seconds)
    return count > limit
