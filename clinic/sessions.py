"""HIPAA automatic logoff: an idle timeout and an absolute cap on every session.

The idle limit (SESSION_IDLE_TIMEOUT_SECONDS, default 15 min) ends a session nobody has
used; the absolute cap (SESSION_COOKIE_AGE, default 12 h) ends it however busy it is.
A page request after a timeout goes to the login page with ``next`` set, so a nurse logged
out mid-infusion comes straight back to the chair screen she was on.
"""

import time
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect

LAST_SEEN = "clinic:last_seen"
STARTED = "clinic:started"
TOUCH_AFTER_SECONDS = 60
# Polls a screen makes by itself (the chair screen's alert banner) send this header; they
# must not keep an unattended tablet logged in.
BACKGROUND_HEADER = "X-Clinic-Background"


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    """Both clocks start at login, so the first pages after it need no session write."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED] = request.session[LAST_SEEN] = now


def redirect_and_back(request, url: str, here: str | None = None) -> HttpResponse:
    """To ``url`` with ``next`` = the page the user is on (``here``, or this request's).

    An htmx swap must not paint the target page into a fragment: the whole screen goes
    (HX-Redirect), and ``next`` is the page htmx was on, not the fragment's URL.
    """
    if request.headers.get("HX-Request"):
        page = urlsplit(request.headers.get("HX-Current-URL", "/"))
        response = HttpResponse(status=204)
        back = page.path + (f"?{page.query}" if page.query else "")
        response["HX-Redirect"] = f"{url}?next={quote(back)}"
        return response
    return redirect(f"{url}?next={quote(here or request.get_full_path())}")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and "_auth_user_id" in request.session:
            now = time.time()
            idle_for = now - request.session.get(LAST_SEEN, now)
            age = now - request.session.setdefault(STARTED, now)
            if (
                idle_for > settings.SESSION_IDLE_TIMEOUT_SECONDS
                or age > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                if request.path.startswith(("/api/", "/fhir/")):
                    return self.get_response(request)  # now anonymous: the API answers 401/403
                messages.info(request, "You were logged out after a period of inactivity.")
                return redirect_and_back(request, settings.LOGIN_URL_PATH)
            background = request.headers.get(BACKGROUND_HEADER) == "1"
            if not background and now - request.session.get(LAST_SEEN, 0) > TOUCH_AFTER_SECONDS:
                request.session[LAST_SEEN] = now  # a session write at most once a minute
        return self.get_response(request)
