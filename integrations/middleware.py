"""The call log of API keys: one row per request made with a key, whatever the answer."""

from .authentication import KEY_ATTR
from .services import key_call_record


class KeyCallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, KEY_ATTR, None)
        if key is not None:
            key_call_record(key=key, request=request, status_code=response.status_code)
        return response
