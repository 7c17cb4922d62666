"""`manage.py seed_scale`: a clinic network's years of data, for load and size tests.

Modules, in the order they run:

- ``plan``: the network's size, open days, chair slots, nurse rota and courses (no database);
- ``network``: sites, chairs, hours, staff, protocol and consent form through the ORM;
- ``people``: per site, patients, escorts, courses, appointments and shifts by COPY;
- ``intake``: per site, intake, screening, clearance, consents and intake weight, set-based;
- ``visits``: per site, status histories and each completed visit's chart, orders and drug
  log, set-based;
- ``messages``: per site, the reminder outbox and the access log, set-based;
- ``indexes``: the plain (non-unique, constraint-free) indexes dropped before the sites and
  built again after them;
- ``db``: COPY, id reservation from the tables' own sequences, running one statement, and
  the load session's settings.

Nothing is switched off: every row goes in with every constraint and trigger live (the
append-only triggers guard UPDATE and DELETE, and nothing here updates or deletes; the
signing queue's triggers add each order to ``infusions_orderawaitingsignature`` and take it
out again at its signature, one set-based statement per INSERT).
"""

import datetime
import json
import multiprocessing
from collections import Counter
from decimal import Decimal

from django.db import connection, connections, transaction

from . import db, indexes, intake, messages, network, people, plan, visits

__all__ = ["db", "build", "existing", "network", "plan", "total_steps"]
from .db import copy_rows, run

TEMP_TABLES = [
    """CREATE TEMP TABLE scale_site (location_id bigint PRIMARY KEY, code text, desk_id bigint,
        nurse_id bigint, physician_id bigint, admin_id bigint, consent_id bigint)""",
    """CREATE TEMP TABLE scale_visit (appointment_id bigint PRIMARY KEY, witness_id bigint,
        booked_by_id bigint)""",
    """CREATE TEMP TABLE scale_dose (dose_mg numeric PRIMARY KEY, draw_volume_ml numeric,
        final_concentration_mg_per_ml numeric, rounding_rules jsonb, notes jsonb)""",
    """CREATE TEMP TABLE scale_variant (kind text, level int, answers jsonb, score numeric,
        interpretation text, details jsonb)""",
]
STEPS_PER_SITE = 3 + visits.STEP_COUNT

# Tables every row of which a trigger writes and then deletes (vacuumed all the same).
EMPTIED_BY_TRIGGERS = ("infusions_orderawaitingsignature",)


def existing() -> dict[str, int]:
    """What the database holds that is not a scale network's (the command refuses it)."""
    from clinic.models import Location, User
    from patients.models import Patient

    scale_sites = network.existing_sites()
    return {
        "sites": Location.objects.exclude(code__startswith=network.PREFIX).count(),
        "staff": User.objects.exclude(username__startswith=network.PREFIX).count(),
        "patients": Patient.objects.exclude(home_location__in=scale_sites).count(),
    }


def build(size: plan.Size, *, now: datetime.datetime, password: str | None = None,
          progress=None, jobs: int = 1) -> dict[str, int]:  # fmt: skip
    """Write the network; return the rows written per table.

    ``jobs`` > 1 seeds that many sites at once, each in its own process and connection
    (the sites share nothing but the reference rows, committed first). It needs committed
    data, so not inside a test's transaction.
    """
    tick = progress.update if progress else (lambda n=1: None)
    with transaction.atomic():
        built = network.build(size, now.date(), password)
    counts: Counter = Counter(built.counts)
    tick()
    db.tune_session()
    with transaction.atomic():  # committed: the workers' connections write without them
        dropped = indexes.drop()
    try:
        if jobs <= 1:
            _prepare_session(built)
            for site in built.sites:
                if progress:
                    progress.set_postfix_str(site.location.name)
                counts.update(_seed_site(size, built, site, now, tick))
        else:
            connections.close_all()  # each worker opens its own
            work = [(size, index, now) for index in range(size.sites)]
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for site_counts, timings in pool.imap_unordered(_seed_site_in_worker, work):
                    counts.update(site_counts)
                    for table, seconds in timings.items():
                        db.TIMINGS[table] += seconds
                    tick(STEPS_PER_SITE)
    finally:
        if progress:
            progress.set_postfix_str("indexes")
        _restore_indexes(dropped, jobs)
    tick()
    # VACUUM as well as ANALYZE: a database in use has been vacuumed by autovacuum, which
    # sets the visibility map; a fresh bulk load has not, and every index-only scan then
    # reads the table too (the patient list's count: 350 ms before, 65 ms after). Inside a
    # transaction (the tests) VACUUM cannot run: ANALYZE only. The signing queue is written
    # and emptied by its triggers: none of its rows is counted, each left a dead tuple, and
    # unvacuumed the nurse board's count of orders to sign read all 800,000 of them (13 ms).
    finish = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    for table in sorted({*counts, *EMPTIED_BY_TRIGGERS}):
        run(f"{finish} {table}")
    tick()
    return dict(sorted(counts.items()))


def _restore_indexes(dropped, jobs: int) -> None:
    """Build the dropped indexes again: ``jobs`` at a time, the largest tables first."""
    if not dropped:
        return
    ordered = indexes.largest_first(dropped)
    if jobs <= 1:
        for table, _name, sql in ordered:
            db.TIMINGS[f"{table} (indexes)"] += indexes.create(sql)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        work = [(table, sql) for table, _name, sql in ordered]
        for table, seconds in pool.imap_unordered(_create_index_in_worker, work):
            db.TIMINGS[f"{table} (indexes)"] += seconds


def _create_index_in_worker(task) -> tuple[str, float]:
    table, sql = task
    db.tune_session()
    # The pool's processes share the two cores: each build sorts in its own process.
    run("SET max_parallel_maintenance_workers = 0")
    return table, indexes.create(sql)


def _seed_site(size, built, site, now, tick) -> Counter:
    counts: Counter = Counter()
    with transaction.atomic():
        # Foreign keys are checked at the end of each statement instead of at commit:
        # with a site's million deferred checks queued, every row-level trigger call
        # (the weights' and measures' correction guard) slowed to milliseconds.
        run("SET CONSTRAINTS ALL IMMEDIATE")
        counts.update(people.SitePeople(size, built, site, now).write())
        tick()
        counts.update(intake.write(site.location.pk))
        tick()
        counts.update(visits.write(site.location.pk, built.protocol_version.pk, now, tick))
        counts.update(messages.write(site.location.pk, site.index, now))
        tick()
    return counts


_worker_network: dict = {}


def _seed_site_in_worker(task) -> tuple[Counter, dict[str, float]]:
    size, index, now = task
    if "network" not in _worker_network:  # once per worker process
        _worker_network["network"] = built = network.load(size, now.date())
        db.tune_session()
        _prepare_session(built)
    built = _worker_network["network"]
    db.TIMINGS.clear()
    counts = _seed_site(size, built, built.sites[index], now, lambda n=1: None)
    return counts, dict(db.TIMINGS)


def total_steps(size: plan.Size) -> int:
    return 3 + size.sites * STEPS_PER_SITE


def _prepare_session(built: network.Network) -> None:
    """This connection's working tables and functions (temporary: gone with the session)."""
    for sql in TEMP_TABLES:
        table = sql.split()[3]
        run(f"DROP TABLE IF EXISTS {table}")
        run(sql)
    intake.define_functions()
    copy_rows(
        "scale_site",
        ["location_id", "code", "desk_id", "nurse_id", "physician_id", "admin_id", "consent_id"],
        [
            (s.location.pk, s.location.code, s.desk[0], s.nurses[0], s.physician, s.admin,
             built.consent.pk)
            for s in built.sites
        ],
    )  # fmt: skip
    copy_rows(
        "scale_dose",
        ["dose_mg", "draw_volume_ml", "final_concentration_mg_per_ml", "rounding_rules", "notes"],
        _doses(built.protocol_version),
    )
    copy_rows(
        "scale_variant",
        ["kind", "level", "answers", "score", "interpretation", "details"],
        _measure_variants(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scale_site; ANALYZE scale_dose; ANALYZE scale_variant")


def _doses(version):
    """Every dose a scale patient can get, calculated by the dosing code itself."""
    from protocols.dosing import calculate_dose

    rules = version.rules()
    for tenths in range(150, 800):
        dose = Decimal(tenths) / 10
        result = calculate_dose(weight_kg=dose * 2, rules=rules, vial_mg_per_ml=Decimal("50"))
        yield (
            result.dose_mg, result.draw_volume_ml, result.final_concentration_mg_per_ml,
            json.dumps(result.rounding_rules), json.dumps(list(result.notes)),
        )  # fmt: skip


def _measure_variants():
    """FIQR and PHQ-9 answer sets by level (1 mild .. 9 severe), scored by the service's
    scoring. PHQ-9 item 9 is always 0 here (a positive one needs a physician's follow-up)."""
    from patients.services.measures import score_answers

    for level in range(1, 10):
        for kind, answers in (
            ("fiqr", {f"item_{n}": min(10, level + n % 2) for n in range(1, 22)}),
            ("phq9", {f"item_{n}": min(3, level // 3) if n < 9 else 0 for n in range(1, 10)}),
        ):
            scored = score_answers(kind, answers)
            yield (
                kind, level, json.dumps(answers), scored["score"], scored["interpretation"],
                json.dumps(scored["details"]),
            )  # fmt: skip
