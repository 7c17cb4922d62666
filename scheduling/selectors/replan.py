"""Sessions a change of protocol left booked for the wrong infusion time."""

import datetime

from ..models import Appointment, AppointmentStatus, Course, VisitTemplate

STILL_BOOKED = [AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED]


def sessions_to_replan(course: Course) -> list[Appointment]:
    """The course's sessions still booked whose infusion time is not the protocol in force's
    (booked for 40 minutes, the new protocol runs 60): the front desk replans them (cancels
    and books them again in the planner). One or two queries."""
    minutes = course.protocol_in_force.infusion_minutes
    booked = Appointment.objects.filter(course=course, status__in=STILL_BOOKED).order_by(
        "starts_at"
    )
    return [
        session
        for session in booked
        if (session.infusion_ends_at - session.infusion_starts_at).total_seconds() != minutes * 60
    ]


def visit_shape(
    appointment: Appointment,
) -> tuple[datetime.timedelta, datetime.timedelta, datetime.timedelta]:
    """(chair time, infusion offset from arrival, infusion length) for a session moved or made
    up in its place: its own shape, unless the course's protocol in force (a physician
    changed it) runs another infusion time, then the standard visit around that time."""
    own = (
        appointment.ends_at - appointment.starts_at,
        appointment.infusion_starts_at - appointment.starts_at,
        appointment.infusion_ends_at - appointment.infusion_starts_at,
    )
    if appointment.course_id is None:
        return own
    minutes = appointment.course.protocol_in_force.infusion_minutes
    if own[2] == datetime.timedelta(minutes=minutes):
        return own
    template = VisitTemplate.default()
    return (
        template.chair_time(minutes),
        datetime.timedelta(minutes=template.prep_minutes),
        datetime.timedelta(minutes=minutes),
    )
