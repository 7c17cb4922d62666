"""Per site, set-based from the appointments just copied: what each visit left behind.

Every visit: the appointment's status history (booked, then checked in / in chair /
completed, or cancelled, or no-show). Every completed visit, at the minutes the chairside
services would have stamped (after the visit's start):

  +1 check-in (record, escort here)      +3 weight, dose order     +4 physician signs
  +6 / +7 the two nurses' checks         +8 draw from the month's lot
  +18 baseline vitals, pre-assessment    +20 ready, running
  +30 +40 +50 +60 vitals while running   +60 completed (administered, witnessed waste)
  +61 end-of-infusion vitals, recovery   +76 +91 recovery vitals   +94 pain, discharge

The record is inserted with its final status, times and dose, and its status history is
inserted beside it: the record-integrity trigger guards UPDATEs, and these rows say exactly
what an UPDATE-by-UPDATE walk would have left (status = the last event, started_at = the
move to running, ended_at = the move to completed).

Doses come from ``protocols.dosing.calculate_dose`` itself (``scale_dose``: one row per
possible dose), so the order rows carry the real calculation, rounding rules and notes.
"""

from .db import reserve, run

# Every scale site keeps Southern California time (plan.ZONE), named in the SQL.

STATUS_HISTORY = """
INSERT INTO scheduling_appointmentstatuschange (
    appointment_id, from_status, to_status, changed_at, changed_by_id, reason)
SELECT a.id, step.from_status, step.to_status, step.at, step.by_id, step.reason
FROM scheduling_appointment a JOIN scale_visit v ON v.appointment_id = a.id
CROSS JOIN LATERAL (VALUES
    (0, '', 'scheduled', a.created_at, v.booked_by_id, 'Course booked', true),
    (1, 'scheduled', 'checked_in', a.starts_at + interval '1 minute', a.nurse_id, '',
     a.status = 'completed'),
    (2, 'checked_in', 'in_chair', a.starts_at + interval '20 minutes', a.nurse_id, '',
     a.status = 'completed'),
    (3, 'in_chair', 'completed', a.starts_at + interval '94 minutes', a.nurse_id, '',
     a.status = 'completed'),
    (1, 'scheduled', 'cancelled', a.starts_at - interval '30 hours', v.booked_by_id,
     'Patient called to cancel', a.status = 'cancelled'),
    (1, 'scheduled', 'no_show', a.starts_at + interval '30 minutes', v.booked_by_id,
     'Did not arrive; no answer on the phone.', a.status = 'no_show')
) AS step (n, from_status, to_status, at, by_id, reason, applies)
WHERE a.location_id = %(site)s AND step.applies
ORDER BY a.id, step.n
"""

# One row per completed visit with everything its rows need; n numbers them in time order
# (the ids of the one-per-visit rows are base + n - 1, so they follow the visits' order).
DONE = """
CREATE TEMP TABLE scale_done AS
SELECT visit.*, dose.draw_volume_ml AS draw_ml, dose.final_concentration_mg_per_ml AS final_conc,
    dose.rounding_rules, dose.notes, dose.draw_volume_ml * 50 AS drawn_mg,
    least(dose.draw_volume_ml * 50, visit.dose_mg) AS given_mg,
    dose.draw_volume_ml * 50 - least(dose.draw_volume_ml * 50, visit.dose_mg) AS waste_mg
FROM (
    SELECT weighed.*, floor(weighed.weight_kg * 5) / 10 AS dose_mg
    FROM (
        SELECT base.*, pg_temp.scale_stored_kg(base.entered, base.in_lb) AS weight_kg
        FROM (
            SELECT a.id AS appointment_id, a.patient_id, a.nurse_id, a.location_id, a.course_id,
                a.sequence, a.starts_at, a.escort_name, a.escort_phone, v.witness_id,
                s.physician_id, s.code, row_number() OVER (ORDER BY a.starts_at, a.id) AS n,
                mod(a.patient_id, 5) < 3 AS in_lb,
                pg_temp.scale_entered(
                    pg_temp.scale_kg(a.patient_id) + (mod(a.id, 7) - 3) * 0.3,
                    mod(a.patient_id, 5) < 3
                ) AS entered,
                greatest(0, 8 - mod(a.patient_id, 3) - a.sequence / 3) AS pain_before,
                date_trunc('month', a.starts_at AT TIME ZONE 'America/Los_Angeles')::date AS month
            FROM scheduling_appointment a
            JOIN scale_visit v ON v.appointment_id = a.id
            JOIN scale_site s ON s.location_id = a.location_id
            WHERE a.location_id = %(site)s AND a.status = 'completed'
        ) AS base
    ) AS weighed
) AS visit
JOIN scale_dose dose ON dose.dose_mg = visit.dose_mg
"""

WEIGHTS = """
INSERT INTO patients_weightmeasurement (
    id, patient_id, weight_kg, entered_value, entered_unit, change_from_previous_percent,
    large_change_confirmed, measured_at, measured_by_id, correction_reason, recorded_at)
SELECT %(weights)s + n - 1, patient_id, weight_kg, entered, CASE WHEN in_lb THEN 'lb' ELSE 'kg' END,
    round((weight_kg - lag(weight_kg) OVER w) * 100 / lag(weight_kg) OVER w, 1), false,
    starts_at + interval '3 minutes', nurse_id, '', starts_at + interval '3 minutes'
FROM scale_done WINDOW w AS (PARTITION BY patient_id ORDER BY n)
"""

ORDERS = """
INSERT INTO infusions_doseorder (
    id, appointment_id, protocol_version_id, weight_id, weight_kg, vial_mg_per_ml, dose_mg,
    dose_rate_mg_per_kg_per_h, draw_volume_ml, bag_volume_ml, final_concentration_mg_per_ml,
    pump_rate_ml_per_h, volume_to_infuse_ml, infusion_minutes, limits, rounding_rules, notes,
    has_soft_limit, created_at, created_by_id)
SELECT %(orders)s + n - 1, appointment_id, %(version)s, %(weights)s + n - 1, weight_kg, 50,
    dose_mg, 0.75, draw_ml, 100.0, final_conc, 150.0, 100.0, 40, '[]', rounding_rules, notes,
    false, starts_at + interval '3 minutes', nurse_id
FROM scale_done ORDER BY n
"""

ORDER_EVENTS = """
INSERT INTO infusions_doseorderevent (
    order_id, from_status, to_status, signed_as, confirmed_with, reason, at, by_id)
SELECT %(orders)s + n - 1, e.from_status, e.to_status, e.signed_as, e.confirmed_with, '',
    starts_at + e.minutes * interval '1 minute',
    CASE WHEN e.signed THEN physician_id ELSE nurse_id END
FROM scale_done CROSS JOIN (VALUES
    (0, '', 'unsigned', '', '', 3, false),
    (1, 'unsigned', 'signed', 'physician', 'code', 4, true)
) AS e (step, from_status, to_status, signed_as, confirmed_with, minutes, signed)
ORDER BY n, e.step
"""

CHECKS = """
INSERT INTO infusions_dosecheck (order_id, nurse_id, entered_mg, matches, checked_at)
SELECT %(orders)s + n - 1, CASE WHEN c.second THEN witness_id ELSE nurse_id END, dose_mg, true,
    starts_at + c.minutes * interval '1 minute'
FROM scale_done CROSS JOIN (VALUES (false, 6), (true, 7)) AS c (second, minutes)
ORDER BY n, c.minutes
"""

RECORDS = """
INSERT INTO infusions_infusionrecord (
    id, appointment_id, order_id, protocol_version_id, status, checked_in_at, started_at,
    ended_at, administered_mg, checked_in_by_id)
SELECT %(records)s + n - 1, appointment_id, %(orders)s + n - 1, %(version)s, 'discharged',
    starts_at + interval '1 minute', starts_at + interval '20 minutes',
    starts_at + interval '60 minutes', given_mg, nurse_id
FROM scale_done ORDER BY n
"""

# Ids are explicit so the last event of each record is the highest (the trigger's "latest").
RECORD_HISTORY = """
INSERT INTO infusions_infusionstatusevent (
    id, record_id, from_status, to_status, at, by_id, reason, recorded_at, late_reason)
SELECT %(events)s + (n - 1) * 7 + e.step, %(records)s + n - 1, e.from_status, e.to_status,
    starts_at + e.minutes * interval '1 minute', nurse_id, '',
    starts_at + e.minutes * interval '1 minute', ''
FROM scale_done CROSS JOIN (VALUES
    (0, '', 'checked_in', 1), (1, 'checked_in', 'pre_assessment', 18),
    (2, 'pre_assessment', 'ready', 20), (3, 'ready', 'running', 20),
    (4, 'running', 'completed', 60), (5, 'completed', 'recovery', 61),
    (6, 'recovery', 'discharged', 94)
) AS e (step, from_status, to_status, minutes)
"""

VITALS = """
INSERT INTO infusions_vitalsreading (
    record_id, taken_at, phase, systolic_mmhg, diastolic_mmhg, pulse_bpm, spo2_percent,
    respiratory_rate_per_min, consciousness, temperature_c, on_oxygen, implausible_confirmed,
    news2_score, news2_band, taken_by_id, recorded_at)
SELECT %(records)s + n - 1, starts_at + r.minutes * interval '1 minute', r.phase,
    sys, sys - 38 - mod(appointment_id + r.minutes, 9),
    62 + mod(appointment_id * 3 + r.minutes, 28),
    96 + mod(appointment_id + r.minutes, 4), 12 + mod(appointment_id + r.minutes, 6), 'A', NULL,
    false, false, NULL, '', nurse_id, starts_at + r.minutes * interval '1 minute'
FROM scale_done
CROSS JOIN (VALUES (18, 'baseline'), (30, 'during'), (40, 'during'), (50, 'during'),
                   (60, 'during'), (61, 'end'), (76, 'recovery'), (91, 'recovery')
) AS r (minutes, phase)
CROSS JOIN LATERAL (SELECT 112 + mod(appointment_id * 7 + r.minutes, 30) AS sys) AS bp
ORDER BY n, r.minutes
"""

ESCORTS = """
INSERT INTO infusions_escortentry (record_id, status, name, phone, at, by_id)
SELECT %(records)s + n - 1, 'present', escort_name, escort_phone, starts_at + interval '1 minute',
    nurse_id
FROM scale_done ORDER BY n
"""

PAIN = """
INSERT INTO patients_outcomemeasure (
    id, patient_id, kind, answers, score, interpretation, details, context, completed_by_patient,
    recorded_at, needs_same_day_follow_up, recorded_by_id, correction_reason, taken_at)
SELECT %(pain)s + (n - 1) * 2 + p.after::int, patient_id, 'pain_nrs',
    jsonb_build_object('score', p.value), p.value, p.value || '/10', '{}', p.context, false,
    starts_at + p.minutes * interval '1 minute', false, nurse_id, '', NULL
FROM scale_done
CROSS JOIN LATERAL (VALUES
    (false, pain_before, 'pre_infusion', 2),
    (true, greatest(0, pain_before - 1 - mod(appointment_id, 3))::int, 'post_infusion', 94)
) AS p (after, value, context, minutes)
"""

DISCHARGES = """
INSERT INTO infusions_discharge (
    record_id, correction_reason, protocol_version_id, score_type, item_scores, total,
    vitals_within_baseline, vitals_override_reason, escort_present, escort_name, pain_nrs,
    pain_measure_id, instructions_given, discharged_at, recorded_at, by_id)
SELECT %(records)s + n - 1, '', %(version)s, 'aldrete',
    jsonb_build_object('activity', 2, 'respiration', 2, 'circulation', 2, 'consciousness', 2,
                       'oxygen_saturation', CASE WHEN mod(appointment_id, 3) = 0 THEN 1 ELSE 2 END),
    CASE WHEN mod(appointment_id, 3) = 0 THEN 9 ELSE 10 END, true, '', true, escort_name,
    greatest(0, pain_before - 1 - mod(appointment_id, 3)), %(pain)s + (n - 1) * 2 + 1, true,
    starts_at + interval '94 minutes', starts_at + interval '94 minutes', nurse_id
FROM scale_done ORDER BY n
"""

# FIQR and PHQ-9 at the start of each course and at the end of each finished one; the
# answers and scores are scale_variant rows made by patients.services.score_answers.
COURSE_MEASURES = """
INSERT INTO patients_outcomemeasure (
    patient_id, kind, answers, score, interpretation, details, context, completed_by_patient,
    recorded_at, needs_same_day_follow_up, recorded_by_id, correction_reason, taken_at)
SELECT d.patient_id, m.kind, m.answers, m.score, m.interpretation, m.details, d.context, false,
    d.starts_at + d.minutes * interval '1 minute', false, d.nurse_id, '', NULL::timestamptz
FROM (
    SELECT DISTINCT ON (course_id) *, 'baseline' AS context, 2 AS minutes,
        6 + mod(patient_id, 4) AS level
    FROM scale_done ORDER BY course_id, n
) AS d JOIN scale_variant m ON m.level = d.level
UNION ALL
SELECT d.patient_id, m.kind, m.answers, m.score, m.interpretation, m.details, 'post_infusion',
    false, d.starts_at + interval '94 minutes', false, d.nurse_id, '', NULL::timestamptz
FROM (
    SELECT DISTINCT ON (done.course_id) done.*, 1 + mod(done.patient_id, 4) AS level
    FROM scale_done done JOIN scheduling_course c ON c.id = done.course_id
    WHERE c.status = 'completed' ORDER BY done.course_id, done.n DESC
) AS d JOIN scale_variant m ON m.level = d.level
"""

# A lot a month at each site: enough 10 mL vials of 50 mg/mL for the month's draws, two
# spare, and 40 spare in the current month for the visits still to come.
LOTS = """
INSERT INTO infusions_lot (
    location_id, lot_number, concentration_mg_per_ml, vial_volume_ml, expires_on,
    received_vials, received_at, received_by_id, supplier, recorded_at)
SELECT %(site)s, max(d.code) || '-' || to_char(d.month, 'YYYYMM'), 50, 10,
    (d.month + interval '2 years')::date, ceil(sum(d.draw_ml) / 10)::int + CASE
        WHEN d.month = date_trunc('month', %(now)s AT TIME ZONE 'America/Los_Angeles')
        THEN 40 ELSE 2 END,
    (d.month + time '06:30') AT TIME ZONE 'America/Los_Angeles', max(s.admin_id), 'Scale Pharma',
    (d.month + time '06:30') AT TIME ZONE 'America/Los_Angeles'
FROM scale_done d JOIN scale_site s ON s.location_id = %(site)s
GROUP BY d.month ORDER BY d.month
"""

RECEIVED = """
INSERT INTO infusions_druglogentry (
    location_id, lot_id, kind, order_id, mg, ml, stock_change_mg, stock_change_ml, balance_mg,
    balance_ml, by_id, witness_id, reason, occurred_at, business_date, recorded_at)
SELECT location_id, id, 'received', NULL, received_vials * 500, received_vials * 10,
    received_vials * 500, received_vials * 10, received_vials * 500, received_vials * 10,
    received_by_id, NULL, received_vials || ' vial(s) of 10.00 mL', received_at,
    (received_at AT TIME ZONE 'America/Los_Angeles')::date, received_at
FROM infusions_lot WHERE location_id = %(site)s AND supplier = 'Scale Pharma'
ORDER BY received_at
"""

# The running balance after each draw, in id order within the lot (the service's "latest
# entry" is the highest id): the received entry first, then the draws in time order.
DRAWN = """
INSERT INTO infusions_druglogentry (
    id, location_id, lot_id, kind, order_id, mg, ml, stock_change_mg, stock_change_ml,
    balance_mg, balance_ml, by_id, witness_id, reason, occurred_at, business_date, recorded_at)
SELECT %(draws)s + d.n - 1, d.location_id, l.id, 'drawn', %(orders)s + d.n - 1, d.drawn_mg,
    d.draw_ml, -d.drawn_mg, -d.draw_ml, l.received_vials * 500 - sum(d.drawn_mg) OVER w,
    l.received_vials * 10 - sum(d.draw_ml) OVER w, d.nurse_id, NULL, '',
    d.starts_at + interval '8 minutes',
    ((d.starts_at + interval '8 minutes') AT TIME ZONE 'America/Los_Angeles')::date,
    d.starts_at + interval '8 minutes'
FROM scale_done d
JOIN infusions_lot l ON l.location_id = d.location_id
    AND l.lot_number = d.code || '-' || to_char(d.month, 'YYYYMM')
WINDOW w AS (PARTITION BY l.id ORDER BY d.n)
ORDER BY d.n
"""

ACCOUNTED = """
INSERT INTO infusions_druglogentry (
    location_id, lot_id, kind, order_id, mg, ml, stock_change_mg, stock_change_ml, balance_mg,
    balance_ml, by_id, witness_id, reason, occurred_at, business_date, recorded_at)
SELECT location_id, NULL, e.kind, %(orders)s + n - 1, e.mg, NULL, 0, 0, NULL, NULL, nurse_id,
    e.witness, '', starts_at + interval '60 minutes',
    ((starts_at + interval '60 minutes') AT TIME ZONE 'America/Los_Angeles')::date,
    starts_at + interval '60 minutes'
FROM scale_done CROSS JOIN LATERAL (VALUES
    ('administered', given_mg, NULL::int), ('wasted', waste_mg, witness_id)
) AS e (kind, mg, witness)
WHERE e.kind = 'administered' OR e.mg > 0
ORDER BY n, e.kind
"""

# A past month's lot is closed at the month's end: what is left (the opened vials'
# remainder and the spare vials) leaves the stock as an adjustment with its reason, so only
# the current month's lot still holds stock, as at a clinic that counts and returns monthly.
MONTH_END = """
INSERT INTO infusions_druglogentry (
    location_id, lot_id, kind, order_id, mg, ml, stock_change_mg, stock_change_ml, balance_mg,
    balance_ml, by_id, witness_id, reason, occurred_at, business_date, recorded_at)
SELECT l.location_id, l.id, 'adjustment', NULL, -left_over.balance_mg, -left_over.balance_ml,
    -left_over.balance_mg, -left_over.balance_ml, 0, 0, l.received_by_id, NULL,
    'Month-end count: opened vials' || chr(39) || ' remainder wasted, spare vials returned',
    closing.at, (closing.at AT TIME ZONE 'America/Los_Angeles')::date, closing.at
FROM infusions_lot l
CROSS JOIN LATERAL (
    SELECT e.balance_mg, e.balance_ml FROM infusions_druglogentry e
    WHERE e.lot_id = l.id AND e.balance_mg IS NOT NULL ORDER BY e.id DESC LIMIT 1
) AS left_over
CROSS JOIN LATERAL (
    SELECT ((date_trunc('month', l.received_at AT TIME ZONE 'America/Los_Angeles')
             + interval '1 month' - interval '1 day')::date + time '19:45')
           AT TIME ZONE 'America/Los_Angeles' AS at
) AS closing
WHERE l.location_id = %(site)s AND l.supplier = 'Scale Pharma' AND closing.at < %(now)s
    AND left_over.balance_mg > 0
ORDER BY l.id
"""

# (table, statement, {parameter: rows per completed visit} for the ids it takes)
STEPS = [
    ("patients_weightmeasurement", WEIGHTS, {"weights": 1}),
    ("infusions_doseorder", ORDERS, {"orders": 1}),
    ("infusions_doseorderevent", ORDER_EVENTS, {}),
    ("infusions_dosecheck", CHECKS, {}),
    ("infusions_infusionrecord", RECORDS, {"records": 1}),
    ("infusions_infusionstatusevent", RECORD_HISTORY, {"events": 7}),
    ("infusions_vitalsreading", VITALS, {}),
    ("infusions_escortentry", ESCORTS, {}),
    ("patients_outcomemeasure", PAIN, {"pain": 2}),
    ("infusions_discharge", DISCHARGES, {}),
    ("patients_outcomemeasure", COURSE_MEASURES, {}),
    ("infusions_lot", LOTS, {}),
    ("infusions_druglogentry", RECEIVED, {}),
    ("infusions_druglogentry", DRAWN, {"draws": 1}),
    ("infusions_druglogentry", ACCOUNTED, {}),
    ("infusions_druglogentry", MONTH_END, {}),
]
SEQUENCES = {
    "weights": "patients_weightmeasurement",
    "orders": "infusions_doseorder",
    "records": "infusions_infusionrecord",
    "events": "infusions_infusionstatusevent",
    "pain": "patients_outcomemeasure",
    "draws": "infusions_druglogentry",
}


def write(site_id: int, version_id: int, now, tick=lambda: None) -> dict[str, int]:
    """All of one site's visit rows."""
    counts: dict[str, int] = {}

    def add(table: str, rows: int) -> None:
        counts[table] = counts.get(table, 0) + rows

    add("scheduling_appointmentstatuschange", run(STATUS_HISTORY, {"site": site_id}))
    tick()
    done = run(DONE, {"site": site_id})
    run("ANALYZE scale_done")
    params = {"site": site_id, "version": version_id, "now": now}
    for table, sql, takes in STEPS:
        for name, per_visit in takes.items():
            params[name] = reserve(SEQUENCES[name], done * per_visit)
        add(table, run(sql, params))
        tick()
    run("DROP TABLE scale_done")
    return counts


STEP_COUNT = 1 + len(STEPS)
