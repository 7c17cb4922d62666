"""What ``targets()`` prepares through the services for the writes the load drives: infusions
running at the busy site (the nurse's vitals) and patients free to book (the front desk's
book-then-cancel).

A live visit is made as a clinic makes one, each step by the service a desk, nurse or
physician would call, at its own moment (time_machine, a dev dependency like locust):
a booster booked where the planner finds a free chair and nurse on the site's open day,
today if it can (else the nearest open day before), the check-in, a weight and the dose
order, the physician's signature with a code from their authenticator, the two nurses'
checks, the draw from an in-date lot, baseline vitals, the start. Infusions still running
from an earlier run are used first, so repeated runs do not pile up open charts.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.errors import ConflictError
from clinic.models import Location, User
from clinic.roles import Role
from infusions.models import InfusionRecord, InfusionStatus, Lot
from infusions.services import (
    dose_check_record,
    dose_order_create,
    dose_order_sign,
    drug_draw,
    infusion_check_in,
    infusion_start,
    lot_receive,
    vitals_record,
)
from infusions.services.draws import in_date_lots
from patients.models import Patient
from patients.selectors import booking_blockers, treatment_blockers
from patients.services import weight_record
from scheduling.models import Appointment, Course, CourseStatus, NurseShift
from scheduling.services import SessionRequest, Wishes, course_book, course_propose

MIN = datetime.timedelta(minutes=1)
GOOD = dict(systolic_mmhg=122, diastolic_mmhg=78, pulse_bpm=74, spo2_percent=98)
REFUSED = (ValidationError, ConflictError, PermissionDenied)
DAYS_BACK = 14  # how far back to look for an open day with a free chair and nurse


def staff_at(site: Location, role: Role) -> list[User]:
    return list(
        User.objects.filter(groups__name=role.label, locations=site, is_active=True)
        .distinct()
        .order_by("pk")
    )


def between_courses(site: Location):
    """The site's patients who finished a course and have none planned or running."""
    busy = Course.objects.filter(status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE])
    return (
        Patient.objects.filter(
            home_location=site, is_active=True, courses__status=CourseStatus.COMPLETED
        )
        .exclude(pk__in=busy.values("patient"))
        .distinct()
        .order_by("pk")
    )


def bookable_patients(site: Location, count: int, exclude=()) -> list[int]:
    """Patients the front desk may book a course for (no blockers, no course planned)."""
    chosen = []
    for patient in between_courses(site).exclude(pk__in=list(exclude))[: count * 4]:
        if not booking_blockers(patient):
            chosen.append(patient.pk)
        if len(chosen) == count:
            break
    return chosen


def booking_days(site: Location, today: datetime.date) -> list[str]:
    """Start dates for the courses the load books: after the seed's last booked visit (its
    chairs are full until then) and early enough for a course of 8 to end within the nurse
    rota (its shifts end); at worst the last such week, to be booked around."""
    last_visit = Appointment.objects.active().filter(location=site).order_by("-starts_at").first()
    last_shift = NurseShift.objects.filter(location=site).order_by("-ends_at").first()
    first = max(today + datetime.timedelta(days=7), site.date_of(last_visit.starts_at)) \
        if last_visit else today + datetime.timedelta(days=7)  # fmt: skip
    last = site.date_of(last_shift.ends_at) - datetime.timedelta(days=21) if last_shift \
        else first + datetime.timedelta(days=28)  # fmt: skip
    first = min(first + datetime.timedelta(days=1), last)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day.isoformat() for day in days if day.weekday() < 6] or [last.isoformat()]


class LiveVisits:
    """Makes running infusions at ``site`` (see the module's docstring)."""

    def __init__(self, site: Location, protocol) -> None:
        import time_machine  # dev only, like locust

        self.travel = time_machine.travel
        self.site, self.protocol = site, protocol
        self.desk = staff_at(site, Role.FRONT_DESK)[0]
        self.nurses = staff_at(site, Role.NURSE)
        self.physician = staff_at(site, Role.PHYSICIAN)[0]
        self.device = TOTPDevice.objects.filter(
            user=self.physician, confirmed=True
        ).first() or TOTPDevice.objects.create(
            user=self.physician, name="bench-load", confirmed=True
        )  # fmt: skip
        self.now = timezone.now().replace(microsecond=0)
        self.today = site.today(self.now)

    def running(self, count: int) -> list[int]:
        """``count`` running infusions' record ids (fewer, and why on stderr, if the site has
        no free chair and nurse on any recent open day)."""
        records = list(
            InfusionRecord.objects.filter(
                appointment__location=self.site, status=InfusionStatus.RUNNING
            ).order_by("-pk").values_list("pk", flat=True)[:count]
        )  # fmt: skip
        booked = []
        for patient in between_courses(self.site)[: count * 4]:
            if len(records) + len(booked) >= count:
                break
            if booking_blockers(patient) or treatment_blockers(patient):
                continue
            try:
                with transaction.atomic():
                    booked.append(self.book(patient))
            except REFUSED as refused:
                print(f"bench-load: no live visit for patient {patient.pk}: {refused}",
                      file=sys.stderr)  # fmt: skip
        # Charted in the order the visits happen: the physician's authenticator takes each
        # code once, and only a later one after it, so a visit charted after a later one
        # would be signed, and started, on a later day than its own (which the chart refuses).
        for appointment in sorted(booked, key=lambda appointment: appointment.starts_at):
            try:
                with transaction.atomic():
                    records.append(self.visit(appointment).pk)
            except REFUSED as refused:
                print(f"bench-load: no live visit for patient {appointment.patient_id}: "
                      f"{refused}", file=sys.stderr)  # fmt: skip
        return records

    def visit(self, appointment: Appointment) -> InfusionRecord:
        patient = appointment.patient
        day = self.site.date_of(appointment.starts_at)
        # Charted from the visit's start, on its day (check-in is on the visit's day, the
        # weight before the visit ends), or in the last minutes for a visit later today.
        start = min(appointment.starts_at + MIN, self.now - 10 * MIN)
        start = max(start, self.site.at(day, datetime.time(0, 1)))
        nurse = appointment.nurse
        witness = next(n for n in self.nurses if n.pk != nurse.pk)
        with self.travel(start, tick=False):
            record = infusion_check_in(
                appointment=appointment, by=nurse,
                escort_status="present" if appointment.escort_name else "",
                escort_name=appointment.escort_name, escort_phone=appointment.escort_phone,
            )  # fmt: skip
        with self.travel(start + MIN, tick=False):
            last = patient.weights.order_by("-measured_at", "-pk").first()
            weight = weight_record(
                patient=patient, value=last.entered_value if last else Decimal("154"),
                unit=last.entered_unit if last else "lb", measured_by=nurse,
            )  # fmt: skip
            order = dose_order_create(
                appointment=appointment, weight=weight, vial_mg_per_ml=self.strength(),
                created_by=nurse,
            )  # fmt: skip
        signed = self.signing_moment(start + 2 * MIN)
        with self.travel(signed, tick=False):
            order = dose_order_sign(
                order=order, signed_by=self.physician,
                request=RequestFactory().post("/", REMOTE_ADDR="127.0.0.1"),
                otp_token=self.code(signed),
                override_reason="Weight as measured; dose confirmed" if order.has_soft_limit
                else "",
            )  # fmt: skip
        with self.travel(signed + MIN, tick=False):
            for checker in (nurse, witness):
                dose_check_record(order=order, nurse=checker, entered_mg=order.dose_mg)
        with self.travel(signed + 2 * MIN, tick=False):
            drug_draw(order=order, lot=self.lot(order, day), ml=order.draw_volume_ml,
                      drawn_by=nurse)  # fmt: skip
        with self.travel(signed + 3 * MIN, tick=False):
            vitals_record(record=record, taken_by=nurse, **GOOD)
        with self.travel(signed + 4 * MIN, tick=False):
            return infusion_start(record=record, by=nurse)

    def book(self, patient: Patient):
        """A booster on the latest open day (today first) with a free chair and nurse."""
        local_now = timezone.localtime(self.now, self.site.zone)
        for back in range(DAYS_BACK + 1):
            day = self.today - datetime.timedelta(days=back)
            preferred = local_now.time().replace(second=0) if back == 0 else datetime.time(12)
            # Booked the evening before, when the whole day was still ahead.
            with self.travel(self.site.at(day, datetime.time(0, 1)) - 4 * 60 * MIN, tick=False):
                proposal = course_propose(
                    patient=patient, protocol=self.protocol, location=self.site, booster=True,
                    wishes=Wishes(start_date=day, weekdays=(day.weekday(),),
                                  preferred_time=preferred, sessions_per_week=1,
                                  planned_infusions=1),
                )  # fmt: skip
                if proposal.blockers:
                    raise ValidationError(proposal.blockers)
                sessions = [s for s in proposal.sessions if self.site.date_of(s.starts_at) == day]
                if not sessions:
                    continue
                course = course_book(
                    patient=patient, protocol=self.protocol, location=self.site, booster=True,
                    planned_infusions=1, booked_by=self.desk,
                    sessions=[SessionRequest(starts_at=sessions[0].starts_at,
                                             chair=sessions[0].chair, nurse=sessions[0].nurse)],
                )  # fmt: skip
            return course.appointments.get()
        raise ValidationError(f"no free chair and nurse on the last {DAYS_BACK} days")

    def strength(self) -> Decimal:
        latest = Lot.objects.filter(location=self.site).order_by("-pk").first()
        return latest.concentration_mg_per_ml if latest else Decimal("50")

    def lot(self, order, day: datetime.date) -> Lot:
        """An in-date lot holding the dose, or one received now by the site's clinic admin."""
        needed_mg = order.draw_volume_ml * order.vial_mg_per_ml
        lot = (
            in_date_lots(self.site, order.vial_mg_per_ml, day)
            .filter(on_hand_mg__gte=needed_mg)
            .order_by("expires_on", "pk")
            .first()
        )
        if lot is not None:
            return lot
        moment = timezone.now()
        return lot_receive(
            location=self.site, lot_number=f"BENCH-{moment:%Y%m%d%H%M%S}",
            concentration_mg_per_ml=order.vial_mg_per_ml, vial_volume_ml=Decimal("10"),
            expires_on=day + datetime.timedelta(days=365), vials=10,
            received_by=staff_at(self.site, Role.CLINIC_ADMIN)[0], supplier="bench-load",
        )  # fmt: skip

    def _totp(self, moment: datetime.datetime) -> TOTP:
        device = self.device
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = moment.timestamp()
        return totp

    def signing_moment(self, wanted: datetime.datetime) -> datetime.datetime:
        """``wanted``, or the start of the first time step after the authenticator's last
        used one (a code is accepted once, and only a later step's after it)."""
        self.device.refresh_from_db()
        if self._totp(wanted).t() > self.device.last_t:
            return wanted
        step_starts = self.device.t0 + (self.device.last_t + 1) * self.device.step
        return datetime.datetime.fromtimestamp(step_starts + 1, tz=datetime.UTC)

    def code(self, moment: datetime.datetime) -> str:
        return f"{self._totp(moment).token():0{self.device.digits}d}"
