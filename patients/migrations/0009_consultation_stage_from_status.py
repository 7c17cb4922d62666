"""Fold the request's queue ``status`` into its ``stage`` before the status goes (0010).

Where the two disagreed, ``status`` said something the stage did not: converted (registered
as a patient) while the stage was still before registration, or closed while the stage was
not lost. Those requests move to the stage the status meant, each with a stage-history row
saying so; every lost request keeps a reason in ``closed_reason``."""

from django.db import migrations

FORWARD = """
WITH moved AS (
    SELECT id, stage AS from_stage,
           CASE WHEN status = 'closed' THEN 'lost' ELSE 'registered' END AS to_stage,
           CASE WHEN status = 'closed'
                THEN COALESCE(NULLIF(closed_reason, ''), 'Closed (no reason recorded)')
                ELSE 'Registered (from the old queue status)' END AS reason
      FROM patients_consultationrequest
     WHERE (status = 'converted' AND stage IN ('new', 'contacted', 'consultation_booked'))
        OR (status = 'closed' AND stage <> 'lost')
), history AS (
    INSERT INTO patients_consultationstagechange
           (request_id, from_stage, to_stage, changed_at, changed_by_id, reason)
    SELECT id, from_stage, to_stage, now(), NULL, reason FROM moved
)
UPDATE patients_consultationrequest cr SET stage = moved.to_stage
  FROM moved WHERE cr.id = moved.id;

UPDATE patients_consultationrequest cr
   SET closed_reason = COALESCE(
       (SELECT NULLIF(sc.reason, '') FROM patients_consultationstagechange sc
         WHERE sc.request_id = cr.id AND sc.to_stage = 'lost'
         ORDER BY sc.changed_at DESC, sc.id DESC LIMIT 1),
       'Closed (no reason recorded)')
 WHERE cr.stage = 'lost' AND cr.closed_reason = '';
"""

# Back to the queue status the stage implies (a lost request that had become a patient
# stays converted, as the old close service left it).
BACKWARD = """
UPDATE patients_consultationrequest SET status = CASE
    WHEN stage IN ('registered', 'first_infusion_booked') THEN 'converted'
    WHEN stage = 'lost' AND patient_id IS NOT NULL THEN 'converted'
    WHEN stage = 'lost' THEN 'closed'
    ELSE 'open' END;
"""


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_consultation_pipeline")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
