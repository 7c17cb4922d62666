"""Which of a patient's weights a dose may be calculated from: a rule read by the dose panel
(selectors) and enforced by the order services, so it lives beside both, in neither."""

import datetime
from zoneinfo import ZoneInfo

from patients.models import WeightMeasurement


def weight_window_problem(*, weight: WeightMeasurement, appointment, version) -> str | None:
    """Why this weight may not be used for this appointment's dose; None when it may.

    ``weight_max_age_hours`` 0: measured on the same local clinic day as the appointment;
    N: within the N hours before the appointment starts. A weight taken during the visit
    (after it started) counts; one taken after the visit ended does not.
    """
    if weight.patient_id != appointment.patient_id:
        return "This weight belongs to another patient."
    if getattr(weight, "corrected_by", None) is not None:
        return "This weight was corrected; order from the corrected weight."
    zone = ZoneInfo(appointment.location.time_zone)
    measured = weight.measured_at.astimezone(zone)
    hours = version.weight_max_age_hours
    if weight.measured_at > appointment.ends_at:
        return "This weight was measured after the visit ended."
    if hours == 0:
        visit_day = appointment.starts_at.astimezone(zone).date()
        if measured.date() != visit_day:
            return (
                f"This weight was measured on {measured:%m/%d/%Y}; the protocol needs one "
                f"taken on the day of the infusion ({visit_day:%m/%d/%Y}). Weigh the patient "
                "now and record the new weight."
            )
        return None
    oldest = appointment.starts_at - datetime.timedelta(hours=hours)
    if weight.measured_at < oldest:
        return (
            f"This weight was measured {measured:%m/%d/%Y %H:%M}, more than {hours} hours "
            "before the infusion. Weigh the patient now and record the new weight."
        )
    return None
