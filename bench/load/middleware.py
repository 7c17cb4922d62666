"""Measurement for `make bench-load`, installed only when ``BENCH_LOAD=1`` (clinic/settings).

``count_queries`` goes first in the stack, so a request's count includes what the session,
authentication and audit middleware read; ``floor`` goes last, so the floor request passes
through everything a real page does and then reads one row.
"""

import json
import os
import time

from django.db import connection
from django.http import HttpResponse, JsonResponse

FLOOR_PATH = "/bench/floor/"
HEADER = "X-Bench-Queries"
SLOWEST_LOG = os.environ.get("BENCH_LOAD_SLOWEST_LOG", "")
LOG_FROM_MS = 2.0


def count_queries(get_response):
    def middleware(request):
        seen = {"count": 0, "slowest": (0.0, "")}

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                seen["count"] += 1
                if elapsed > seen["slowest"][0] and elapsed >= LOG_FROM_MS and not many:
                    try:
                        text = context["cursor"].cursor.mogrify(sql, params).decode()
                    except Exception:  # a closed cursor: keep the statement without values
                        text = sql
                    seen["slowest"] = (elapsed, text)

        with connection.execute_wrapper(record):
            response = get_response(request)
        response[HEADER] = str(seen["count"])
        ms, text = seen["slowest"]
        if SLOWEST_LOG and text:
            with open(SLOWEST_LOG, "a") as log:
                log.write(json.dumps({"ms": ms, "path": request.path, "sql": text}) + "\n")
        return response

    return middleware


def floor(get_response):
    def middleware(request):
        if request.path != FLOOR_PATH:
            return get_response(request)
        if not request.user.is_authenticated:
            return HttpResponse(status=401)
        from clinic.models import Location

        site = Location.objects.values("pk", "name").order_by("pk").first()
        return JsonResponse(site or {})

    return middleware
