"""``Authorization: Api-Key <prefix>.<secret>``: a DRF authentication class.

The key is found by its prefix and checked against its stored hash
(djangorestframework-api-key); a revoked or expired key, or one whose service user is
inactive, is refused with 401. A valid key outside its scopes or allowed addresses is
refused with 403 here, at authentication, so no view can forget the check
(``permissions.refusal``). The request then runs as the key's service user.
"""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework_api_key.permissions import KeyParser

from .models import ApiKey
from .permissions import refusal

# Set on the Django request: the key a request used (for the call log), and the outcome of
# authenticating it (the idempotency middleware authenticates ahead of the view).
KEY_ATTR = "_integration_api_key"
OUTCOME_ATTR = "_integration_api_key_outcome"


def key_from(raw: str) -> ApiKey | None:
    """The key whose prefix and secret match ``raw``, revoked or not; else None."""
    prefix, dot, _ = raw.partition(".")
    if not dot or not prefix:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not ApiKey.objects.key_generator.verify(raw, key.hashed_key):
        return None
    return key


class ApiKeyAuthentication(BaseAuthentication):
    keyword = KeyParser.keyword  # "Api-Key"

    def authenticate(self, request):
        raw = KeyParser().get_from_authorization(request._request)
        if raw is None:
            return None
        django_request = request._request
        outcome = getattr(django_request, OUTCOME_ATTR, None)
        if outcome is None:
            outcome = self._check(raw.strip(), django_request)
            setattr(django_request, OUTCOME_ATTR, outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _check(self, raw: str, django_request):
        key = key_from(raw)
        if key is None:
            return AuthenticationFailed("Invalid API key.")
        setattr(django_request, KEY_ATTR, key)
        if key.revoked:
            return AuthenticationFailed("This API key has been revoked.")
        if not key.is_usable():
            return AuthenticationFailed("This API key has expired.")
        if not key.user.is_active:
            return AuthenticationFailed("This API key's service user is inactive.")
        why = refusal(key, django_request)
        if why:
            return PermissionDenied(why)
        return (key.user, key)

    def authenticate_header(self, request) -> str:
        return self.keyword
