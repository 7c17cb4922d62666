"""Keep a logged-in but unverified session to the code step: no page, API call or admin.

Runs after django-otp's OTPMiddleware (which tells whether the session is verified) and
after the idle timeout. Only logging in and out, the code step, enrolment and static files
are open to such a session; everything else goes to the code step (or, for a physician or
clinic admin without a device, to enrolment) and comes back to where it was afterwards.
"""

from django.conf import settings
from django.urls import reverse

from ..sessions import redirect_and_back
from ..views import api_error
from . import services

OPEN_URL_NAMES = ("login", "logout", "two_factor:verify", "two_factor:enrol")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not services.code_needed(request) or self._is_open(request):
            return self.get_response(request)
        if request.path.startswith(("/api/", "/fhir/")):
            if request.headers.get("Authorization", "").startswith("Token "):
                # A token is issued only after the code; DRF checks it (and ignores the
                # session cookie once a token header is there).
                return self.get_response(request)
            detail = "Two-factor verification required: log in with your code."
            return api_error(request, 403, detail)
        step = "two_factor:verify"
        if services.is_required_for(request.user) and not request.session.get(
            services.HAS_DEVICE_SESSION_KEY
        ):
            step = "two_factor:enrol"
        here = request.get_full_path() if request.method == "GET" else "/"
        return redirect_and_back(request, reverse(step), here)

    @staticmethod
    def _is_open(request) -> bool:
        path = request.path
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return path in {reverse(name) for name in OPEN_URL_NAMES}
