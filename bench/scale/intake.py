"""Per site, set-based from the patients just copied: intake with prior treatments,
screening (and a physician's clearance where it was positive), consent signature,
communication consents and the weight taken at intake.

Each row is dated where the service would have dated it: minutes after registration,
by the site's staff. Nothing here is a copy of a service; it writes the rows the services
would have written, in the shapes their constraints demand (allergies stated exactly
once, a clearance only for a positive screen, limits only with a clearance).
"""

from .db import run

KG_PER_LB = "0.45359237"

# A patient's usual weight, 55-115 kg, fixed by their id (no soft dose limit is reached:
# 0.5 mg/kg stays below the protocol's 60 mg soft maximum).
FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION pg_temp.scale_kg(patient bigint) RETURNS numeric
       LANGUAGE sql IMMUTABLE AS
       $$ SELECT 55 + mod(patient * 37, 60) + mod(patient, 10) / 10.0 $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.scale_entered(kg numeric, in_lb boolean)
       RETURNS numeric LANGUAGE sql IMMUTABLE AS
       $$ SELECT CASE WHEN in_lb THEN round(kg / 0.45359237, 1) ELSE round(kg, 1) END $$""",
    f"""CREATE OR REPLACE FUNCTION pg_temp.scale_stored_kg(entered numeric, in_lb boolean)
       RETURNS numeric LANGUAGE sql IMMUTABLE AS
       $$ SELECT CASE WHEN in_lb THEN round(entered * {KG_PER_LB}, 2) ELSE entered END $$""",
]

PATIENTS_OF_SITE = """
FROM patients_patient p JOIN scale_site s ON s.location_id = p.home_location_id
WHERE p.home_location_id = %(site)s
"""

INTAKE = (
    """
INSERT INTO patients_clinicalintake (
    patient_id, diagnosis_code, diagnosis_description, diagnosed_on, diagnosed_by,
    symptom_duration_months, comorbidities, comorbidity_other, current_medications,
    no_known_drug_allergies, allergies, recorded_at, recorded_by_id)
SELECT p.id, 'M79.7', 'Fibromyalgia', (p.created_at - interval '400 days')::date,
    'Primary care physician', 6 + mod(p.id, 120),
    (CASE mod(p.id, 4) WHEN 0 THEN ARRAY['depression'] WHEN 1 THEN ARRAY['anxiety', 'headaches']
     WHEN 2 THEN ARRAY[]::text[] ELSE ARRAY['ibs'] END)::varchar(30)[],
    '', CASE WHEN mod(p.id, 3) = 0 THEN 'Duloxetine 60 mg daily'
        ELSE 'Pregabalin 75 mg twice daily' END,
    mod(p.id, 5) <> 0, CASE WHEN mod(p.id, 5) = 0 THEN 'Penicillin (rash)' ELSE '' END,
    p.created_at + interval '30 minutes', s.nurse_id
"""
    + PATIENTS_OF_SITE
)

PRIOR_TREATMENTS = """
INSERT INTO patients_priortreatment (intake_id, kind, detail, result)
SELECT i.id, t.kind, '', t.result
FROM patients_clinicalintake i JOIN patients_patient p ON p.id = i.patient_id
CROSS JOIN (VALUES ('gabapentinoids', 'no_effect'), ('snri_ssri', 'partial'),
                   ('exercise', 'helped')) AS t (kind, result)
WHERE p.home_location_id = %(site)s AND (t.kind <> 'exercise' OR mod(p.id, 2) = 0)
"""

SCREENING = (
    """
INSERT INTO patients_screening (
    patient_id, cardiovascular, pregnancy, psychosis, hepatic_disease, intracranial_pressure,
    intraocular_pressure, substance_misuse, notes, recorded_at, recorded_by_id)
SELECT p.id, CASE WHEN mod(p.id, 12) = 0 THEN 'yes' ELSE 'no' END,
    CASE WHEN p.sex = 'male' THEN 'not_applicable' ELSE 'no' END, 'no', 'no', 'no', 'no', 'no',
    '', p.created_at + interval '40 minutes', s.nurse_id
"""
    + PATIENTS_OF_SITE
)

CLEARANCE = """
INSERT INTO patients_clearance (
    screening_id, decision, note, decided_at, physician_id, alert_systolic_above_mmhg)
SELECT sc.id, 'cleared_with_conditions',
    'Hypertension controlled on lisinopril; treat with a tighter systolic limit.',
    sc.recorded_at + interval '1 day', s.physician_id, 160
FROM patients_screening sc JOIN patients_patient p ON p.id = sc.patient_id
JOIN scale_site s ON s.location_id = p.home_location_id
WHERE p.home_location_id = %(site)s AND sc.cardiovascular = 'yes'
"""

CONSENT = (
    """
INSERT INTO patients_consentsignature (patient_id, document_id, typed_name, signed_at, witness_id)
SELECT p.id, s.consent_id, p.legal_first_name || ' ' || p.legal_last_name,
    p.created_at + interval '20 minutes', p.created_by_id
"""
    + PATIENTS_OF_SITE
)

# The two channels as a join: SMS for everyone, email for patients who gave an address.
COMMUNICATION = """
INSERT INTO patients_communicationconsent (patient_id, channel, granted, method, recorded_at,
    recorded_by_id)
SELECT p.id, c.channel, true, 'written', p.created_at + interval '25 minutes', p.created_by_id
FROM patients_patient p CROSS JOIN (VALUES ('sms'), ('email')) AS c (channel)
WHERE p.home_location_id = %(site)s AND (c.channel = 'sms' OR p.email <> '')
"""

INTAKE_WEIGHT = """
INSERT INTO patients_weightmeasurement (
    patient_id, weight_kg, entered_value, entered_unit, change_from_previous_percent,
    large_change_confirmed, measured_at, measured_by_id, correction_reason, recorded_at)
SELECT p.id, pg_temp.scale_stored_kg(w.entered, w.in_lb), w.entered,
    CASE WHEN w.in_lb THEN 'lb' ELSE 'kg' END, NULL, false,
    p.created_at + interval '35 minutes', s.nurse_id, '', p.created_at + interval '35 minutes'
FROM patients_patient p JOIN scale_site s ON s.location_id = p.home_location_id
CROSS JOIN LATERAL (SELECT mod(p.id, 5) < 3 AS in_lb) AS unit
CROSS JOIN LATERAL (SELECT pg_temp.scale_entered(pg_temp.scale_kg(p.id), unit.in_lb) AS entered,
                           unit.in_lb) AS w
WHERE p.home_location_id = %(site)s
"""

STEPS = {
    "patients_clinicalintake": INTAKE,
    "patients_priortreatment": PRIOR_TREATMENTS,
    "patients_screening": SCREENING,
    "patients_clearance": CLEARANCE,
    "patients_consentsignature": CONSENT,
    "patients_communicationconsent": COMMUNICATION,
    "patients_weightmeasurement": INTAKE_WEIGHT,
}


def define_functions() -> None:
    for sql in FUNCTIONS:
        run(sql)


def write(site_id: int) -> dict[str, int]:
    return {table: run(sql, {"site": site_id}) for table, sql in STEPS.items()}
