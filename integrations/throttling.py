"""Rate limits (DRF throttling; the counters live in the Django cache, which is Redis).

Per key: ``requests_per_minute`` of the key, else ``API_KEY_RATE``. Per user (staff with a
session or token): ``API_USER_RATE``. A throttled request gets 429 in the API's error shape
(``clinic.api.exception_handler``) with ``Retry-After``.

When Redis cannot be reached the limits are not counted and the call goes on (logged): a
booking must not fail because the rate counters are down (issue 16's fault drill).
"""

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from .models import ApiKey

logger = logging.getLogger(__name__)


class CountsWhenRedisIsUp:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError as error:
            logger.warning("Rate limit not counted, Redis unavailable: %s", error)
            return True


class KeyRateThrottle(CountsWhenRedisIsUp, SimpleRateThrottle):
    scope = "api_key"

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        if key.requests_per_minute:
            self.num_requests, self.duration = key.requests_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class StaffRateThrottle(CountsWhenRedisIsUp, UserRateThrottle):
    """Per user; a key's calls are counted per key instead."""

    scope = "user"

    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, ApiKey):
            return True
        return super().allow_request(request, view)
