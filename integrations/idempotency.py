"""``Idempotency-Key`` on the API's POSTs: a retried request gets the first answer and
writes nothing new.

One middleware for every POST under ``/api/`` (bookings, registrations, every action), so no
view implements it. With the header:

- the caller is authenticated the way the view will be (DRF's authentication classes), and
  the record is the caller's own: ``(user, key)``. An unauthenticated request goes on to the
  view, which refuses it.
- the first request runs and its answer is stored (status, body, Location), unless it was
  refused before running (401, 403, 429) or failed (5xx). The view and the record share one
  transaction: a worker that dies between the write and the record leaves neither, so the
  retry runs once (never a second booking); a 5xx stores nothing and keeps what the view
  wrote, as without the header;
- the same key with the same method, path and body answers the stored answer again, with
  ``Idempotent-Replayed: true``; with anything else, 422;
- two identical requests at once: a Postgres advisory lock on ``(user, key)`` makes the
  second wait for the first and then replay its answer, so a course is booked once.

Records are kept ``IDEMPOTENCY_KEY_HOURS`` (24) and deleted by a periodic task.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
# Answers given before the request ran: a retry must run it.
NOT_STORED = {401, 403, 429}


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_HOURS", 24))


def _error(status: int, message: str) -> JsonResponse:
    detail = "Invalid input." if status == 400 else message
    return JsonResponse({"detail": detail, "errors": {HEADER: [message]}}, status=status)


def _caller(request):
    """The user DRF will see for this request, or None (the view will refuse it)."""
    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    drf_request = Request(request, authenticators=authenticators)
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if user.is_authenticated else None


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _lock_id(user_pk: int, key: str) -> int:
    """A signed 64-bit advisory lock id for ``(user, key)``."""
    digest = hashlib.sha256(f"idempotency:{user_pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_LENGTH or not key.isprintable():
            return _error(400, f"Send 1 to {MAX_LENGTH} printable characters.")
        fingerprint = _fingerprint(request)  # before DRF may parse a form body
        user = _caller(request)
        if user is None:
            return self.get_response(request)
        lock = _lock_id(user.pk, key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            return self._once(request, user, key, fingerprint)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])

    def _once(self, request, user, key: str, fingerprint: str):
        IdempotencyRecord.objects.filter(
            user=user, key=key, created_at__lt=timezone.now() - keep_for()
        ).delete()
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None:
            if record.fingerprint != fingerprint:
                return _error(
                    422,
                    "This Idempotency-Key was used with a different request; "
                    "send a new key for a new request.",
                )
            return _replay(record)
        with transaction.atomic():  # the view's writes and their record commit together
            response = self.get_response(request)
            if response.status_code < 500 and response.status_code not in NOT_STORED:
                _record(user, key, fingerprint, response)
        return response


def _record(user, key: str, fingerprint: str, response) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        user=user,
        key=key,
        fingerprint=fingerprint,
        status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        location=response.get("Location", "")[:300],
        body=response.content,
    )


def records_clear() -> int:
    """Delete the records older than the keeping time; how many were deleted."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - keep_for()
    ).delete()
    return deleted
