"""Per site, set-based: the reminder outbox and the read-access log.

Outbox rows follow the shipped reminder rules: the welcome SMS when a course is booked
(first visit), the appointment email 48 h and SMS 24 h before each visit. A row due before
now went out (sent, with its recipient and body) unless the visit was cancelled first
(cancelled) or the patient gave no email address (skipped); a row due later is pending.
The access log has the desk opening the patient's page at booking and the nurse opening
the chair screen at each visit they ran.
"""

from .db import run

# Every scale site keeps Southern California time (plan.ZONE), named in the SQL.

OUTBOX = """
INSERT INTO scheduling_outboundmessage (
    appointment_id, kind, channel, recipient, send_at, status, reason, attempts, last_error,
    claimed_at, attempt_started_at, sent_at, provider_id, subject, body, created_at)
SELECT a.id, m.kind, m.channel,
    CASE WHEN state.status = 'sent' THEN
        CASE WHEN m.channel = 'sms' THEN p.phone ELSE p.email END ELSE '' END,
    m.send_at, state.status, state.reason,
    (state.status = 'sent')::int, '',
    CASE WHEN state.status = 'sent' THEN m.send_at + interval '20 seconds' END, NULL,
    CASE WHEN state.status = 'sent' THEN m.send_at + interval '21 seconds' END,
    CASE WHEN state.status = 'sent' THEN 'scale-' || md5(a.id || m.kind || m.channel) ELSE '' END,
    CASE WHEN state.status = 'sent' AND m.channel = 'email'
         THEN l.name || ': your visit on '
              || to_char(a.starts_at AT TIME ZONE 'America/Los_Angeles', 'Dy Mon FMDD')
         ELSE '' END,
    CASE WHEN state.status <> 'sent' THEN ''
         WHEN m.kind = 'welcome' THEN l.name || ': welcome. Your first visit is '
              || to_char(a.starts_at AT TIME ZONE 'America/Los_Angeles', 'Dy Mon FMDD FMHH12:MI AM')
              || '. Reply STOP to opt out.'
         ELSE l.name || ': reminder of your visit '
              || to_char(a.starts_at AT TIME ZONE 'America/Los_Angeles', 'Dy Mon FMDD FMHH12:MI AM')
              || '. Questions: ' || l.phone || '. Reply STOP to opt out.' END,
    a.created_at
FROM scheduling_appointment a
JOIN patients_patient p ON p.id = a.patient_id
JOIN clinic_location l ON l.id = a.location_id
CROSS JOIN LATERAL (VALUES
    ('welcome', 'sms', a.created_at, a.sequence = 1),
    ('appointment', 'email', a.starts_at - interval '48 hours', true),
    ('appointment', 'sms', a.starts_at - interval '24 hours', true)
) AS m (kind, channel, send_at, applies)
CROSS JOIN LATERAL (SELECT CASE
    WHEN a.status = 'cancelled' AND m.send_at >= a.starts_at - interval '30 hours'
        THEN 'cancelled'
    WHEN m.send_at > %(now)s THEN 'pending'
    WHEN m.channel = 'email' AND p.email = '' THEN 'skipped'
    ELSE 'sent' END AS status) AS decided
CROSS JOIN LATERAL (SELECT decided.status, CASE decided.status
    WHEN 'cancelled' THEN 'Appointment cancelled'
    WHEN 'skipped' THEN 'No email address' ELSE '' END AS reason) AS state
WHERE a.location_id = %(site)s AND m.applies
ORDER BY m.send_at, a.id
"""

ACCESS = """
INSERT INTO audit_accesslog (user_id, patient_id, at, ip_address, view_name, kind)
SELECT read.user_id, a.patient_id, read.at,
    ('10.16.' || %(site_octet)s || '.' || (1 + mod(read.user_id, 200)))::inet,
    read.view_name, 'page'
FROM scheduling_appointment a JOIN scale_visit v ON v.appointment_id = a.id
CROSS JOIN LATERAL (VALUES
    (v.booked_by_id, a.created_at, 'patients:detail', a.sequence = 1),
    (a.nurse_id, a.starts_at + interval '2 minutes', 'infusions:chair', a.status = 'completed')
) AS read (user_id, at, view_name, applies)
WHERE a.location_id = %(site)s AND read.applies
ORDER BY read.at
"""


def write(site_id: int, site_index: int, now) -> dict[str, int]:
    return {
        "scheduling_outboundmessage": run(OUTBOX, {"site": site_id, "now": now}),
        "audit_accesslog": run(ACCESS, {"site": site_id, "site_octet": site_index % 250}),
    }
