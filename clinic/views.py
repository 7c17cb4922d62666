from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from .broker import redis_client
from .roles import HOME_PRECEDENCE, Role
from .tasks import BEAT_KEY

# Home page of each role, by URL name; the apps that own the pages fill them in.
ROLE_HOMES = {
    Role.PHYSICIAN: "infusions:physician_home",
    Role.NURSE: "infusions:nurse_home",
    Role.FRONT_DESK: "scheduling:board",
    Role.CLINIC_ADMIN: "scheduling:admin_home",
}


@login_required
def home(request):
    """Send each user to their role's home page."""
    for role in HOME_PRECEDENCE:
        if request.user.has_role(role):
            return redirect(ROLE_HOMES[role])
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "clinic/no_role.html", status=403)


def database_answers_new_connection() -> None:
    """Open a fresh connection, run SELECT 1, close it; raise DatabaseError on failure.

    The request's own (possibly persistent) connection would say "ok" while Postgres refuses
    every new client (``too many clients already``), which is exactly when it matters.
    """
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        fresh.close()


@never_cache
@require_GET
def healthz(request):
    """200 when the database and Redis answer; 503 naming whichever does not."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        database_answers_new_connection()
        checks["database"] = "ok"
    except DatabaseError as error:
        healthy = False
        checks["database"] = f"unavailable: {error.__class__.__name__}"
    try:
        client = redis_client(timeout_seconds=1.0)
        client.ping()
        checks["redis"] = "ok"
        last_beat = client.get(BEAT_KEY)
        checks["beat_last_run"] = last_beat.decode() if last_beat else "not yet"
    except (RedisError, OSError) as error:
        healthy = False
        checks["redis"] = f"unavailable: {error.__class__.__name__}"
    checks["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(checks, status=200 if healthy else 503)


# Under /api/ every refusal is JSON in the API's one shape (clinic.api.exception_handler),
# also those Django gives before a view runs: an unknown URL, a malformed request, a crash.
# Under /fhir/ the same refusals are FHIR OperationOutcomes.


def api_error(request, status: int, detail: str) -> JsonResponse | None:
    """The API's error for a request under /api/ or /fhir/ (FHIR's OperationOutcome there);
    None for a page."""
    if request.path.startswith("/fhir/"):
        issue = {"severity": "error", "code": FHIR_ISSUE.get(status, "exception"),
                 "diagnostics": detail}  # fmt: skip
        outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
        return JsonResponse(outcome, status=status, content_type="application/fhir+json")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "errors": {}}, status=status)
    return None


FHIR_ISSUE = {400: "invalid", 403: "forbidden", 404: "not-found"}


def _api_error(request, status: int, detail: str, page_handler, exception=None):
    if (response := api_error(request, status, detail)) is not None:
        return response
    return page_handler(request) if exception is None else page_handler(request, exception)


def bad_request(request, exception):
    return _api_error(request, 400, "Bad request.", defaults.bad_request, exception)


def permission_denied(request, exception):
    return _api_error(
        request, 403, "You do not have permission to perform this action.",
        defaults.permission_denied, exception,
    )  # fmt: skip


def page_not_found(request, exception):
    return _api_error(request, 404, "Not found.", defaults.page_not_found, exception)


def server_error(request):
    return _api_error(request, 500, "Server error.", defaults.server_error)
