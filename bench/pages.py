"""`python -m bench.pages`: milliseconds and queries of the slow pages, one user at a time.

Runs in process (Django's test client, no server) against the database in ``DATABASE_URL``
(the scale data, README "Scale"), signed in as the load benchmark signs in (its
``targets()``: the busiest site's front desk, nurse and clinic admin). Each page is asked
``--repeat`` times after one warm-up; prints the median ms, the queries of one request and
the median as a multiple of the floor's (``/bench/floor/``, the load benchmark's one-row
authenticated request through the whole middleware stack, asked first): the load
benchmark's "p50 x floor" without the queueing of a loaded server. Reads only, apart from
the sessions and tokens the sign-in leaves. Production settings (as gunicorn runs them in
``make bench-load``): unset ``CLINIC_DEV`` and set ``SECRET_KEY`` and
``ALLOWED_HOSTS=testserver`` (requests carry ``X-Forwarded-Proto: https``, as the load
balancer's do). ``--target-ms`` makes it a check: ``--only report --target-ms 500`` exits 1
when a report page (or the dashboard) misses the reports' half second (the floor is never
over it).
"""

import argparse
import json
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ["BENCH_LOAD"] = "1"  # the floor (bench.load.middleware)
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.load.__main__ import targets  # noqa: E402

FLOOR = "floor"


def pages(found: dict) -> list[tuple[str, str, str, dict | None]]:
    """(name, role, path, body): a body is an API call (with the role's token), posted
    unless empty; None is a page (with the role's session)."""
    drug_log = f"/infusions/drug-log/report.csv?location={found['location']}"
    at_site = f"?location={found['location']}&date={found['day']}"
    chair = f"/infusions/appointments/{found['chair_appointments'][0]}/chair/"
    return [
        (FLOOR, "front_desk", "/bench/floor/", None),
        ("day board", "front_desk", f"/scheduling/board/{at_site}", None),
        ("week view", "front_desk", f"/scheduling/board/week/{at_site}", None),
        ("API list: patients", "front_desk", "/api/v1/patients/", {}),
        ("API list: appointments", "front_desk", "/api/v1/appointments/", {}),
        ("API list: courses", "front_desk", "/api/v1/courses/", {}),
        ("planner proposal (API)", "front_desk", "/api/v1/courses/propose/", found["proposals"][0]),
        ("nurse board", "nurse", "/infusions/nurse/", None),
        ("patient page", "front_desk", f"/patients/{found['patients'][0]}/", None),
        ("search: name prefix", "front_desk", f"/patients/search/?q={found['names'][0]}", None),
        ("FHIR: Patient/$everything", "clinic_admin",
         f"/fhir/r4/Patient/{found['fhir_patients'][0]}/$everything", {}),
        ("drug-log report (CSV)", "clinic_admin", drug_log, None),
        ("drug-log report (CSV, a month)", "clinic_admin",
         f"{drug_log}&start={found['month_start']}&end={found['day']}", None),
        ("chair screen", "nurse", chair, None),
        ("reports dashboard", "clinic_admin", "/reports/", None),
        ("reports dashboard (recomputed)", "clinic_admin", "/reports/?fresh=1", None),
        ("report: utilization", "clinic_admin", "/reports/utilization/", None),
        ("report: attendance", "clinic_admin", "/reports/attendance/", None),
        ("report: leads", "clinic_admin", "/reports/leads/", None),
        ("report: courses", "clinic_admin", "/reports/courses/", None),
        ("report: safety", "clinic_admin", "/reports/safety/", None),
        ("report: reminders", "clinic_admin", "/reports/reminders/", None),
        ("report: package liability", "clinic_admin", "/reports/package_liability/", None),
        ("report: revenue", "clinic_admin", "/reports/revenue/", None),
        ("report: balances", "clinic_admin", "/reports/balances/", None),
    ]  # fmt: skip


def client_for(found: dict, role: str, api: bool) -> Client:
    https = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}
    if api:
        return Client(HTTP_AUTHORIZATION=f"Token {found['roles'][role]['token']}", **https)
    client = Client(**https)
    client.cookies[found["cookie_name"]] = found["roles"][role]["cookie"]
    return client


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--json", default="")
    parser.add_argument(
        "--target-ms", type=float, default=0,
        help="exit 1 when a page's median is over this (e.g. --only report --target-ms 500)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    found = targets()
    rows = []
    floor_ms = None
    for name, role, path, body in pages(found):
        if args.only not in name and name != FLOOR:
            continue
        client = client_for(found, role, body is not None)

        def ask(client=client, path=path, body=body):
            if body:
                return client.post(path, data=json.dumps(body), content_type="application/json")
            return client.get(path)

        queries = []  # counted by a wrapper: the test client's request resets connection.queries

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = ask()  # warm-up, and the query count
        assert response.status_code == 200, (name, response.status_code)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            ask()
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        floor_ms = floor_ms or median
        row = {"page": name, "ms": round(median, 1), "queries": len(queries),
               "x_floor": round(median / floor_ms, 1)}  # fmt: skip
        rows.append(row)
        print(f"{name:32} {row['ms']:>7} ms {row['queries']:>6} queries "
              f"{row['x_floor']:>6} x floor", flush=True)  # fmt: skip
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)
    slow = [row["page"] for row in rows[1:] if args.target_ms and row["ms"] > args.target_ms]
    if slow:
        raise SystemExit(f"Over {args.target_ms:g} ms: {', '.join(slow)}")


if __name__ == "__main__":
    main()
