"""Today's board at the always-open demo site, built through the services with the clock
moved back to each moment (dev only: time_machine is a dev dependency).

Every step calls the service a nurse or physician would, at the moment it happened:
course_book (the day before), infusion_check_in, weight_record, dose_order_create,
dose_order_sign (the physician's demo authenticator code at that moment), dose_check_record
(two nurses), drug_draw from the site's in-date lot, vitals_record, infusion_start, vitals
every 10 minutes, infusion_complete (with the witnessed waste) once the protocol's minutes
have run, infusion_recovery, a recovery reading >= 30 minutes later and discharge_record;
one patient's blood pressure is too high at the pre-assessment: the alert held and the visit
charted not given (infusion_not_given).

Keyed by the day: when the demo site already has appointments today nothing is added, so a
second run the same day changes nothing and a run on a later day tops that day up.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.errors import ConflictError
from clinic.models import Location, User
from patients.demo import ready_for_treatment
from patients.models import Screening
from patients.services import escort_add, patient_register, screening_record, weight_record
from scheduling.models import Appointment, AppointmentStatus, Chair
from scheduling.services import SessionRequest, appointment_transition, course_book

from ..models import AckAction, Lot, Protocol
from ..services import (
    alert_acknowledge,
    appointment_escort_confirm,
    discharge_record,
    dose_check_record,
    dose_order_create,
    dose_order_sign,
    drug_draw,
    infusion_check_in,
    infusion_complete,
    infusion_not_given,
    infusion_recovery,
    infusion_start,
    vitals_record,
)
from .reminders import consent_for, send_due

DEMO_SITE = "costa-mesa"
MIN = datetime.timedelta(minutes=1)
GOOD = dict(systolic_mmhg=122, diastolic_mmhg=78, pulse_bpm=74, spo2_percent=98)
HIGH_BP = dict(systolic_mmhg=188, diastolic_mmhg=116, pulse_bpm=96, spo2_percent=97)
ALDRETE_9 = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2,
             "oxygen_saturation": 1}  # fmt: skip
FIRST = ["Olivia", "Ethan", "Ava", "Noah", "Mia", "Lucas", "Chloe", "Mateo", "Zoe", "Aiden"]
LAST = ["Ramirez", "Patel", "Brooks", "Tanaka", "Fischer", "Morales", "Singh", "Carter",
        "Haddad", "Novak", "Ibarra", "Lindqvist"]  # fmt: skip


@dataclass
class Visit:
    """One of today's visits: when it started (minutes before now) and how far it got."""

    minutes_ago: int
    stage: str  # no_show, not_given, checked_in, unsigned, one_check, running, alert, recovery,
    # discharged


# The day's plan, earliest first (the physician's signatures must follow each other in time).
PLAN = [
    Visit(270, "discharged"),
    Visit(210, "discharged"),
    Visit(150, "no_show"),
    Visit(120, "recovery"),
    Visit(90, "not_given"),
    Visit(45, "running"),
    Visit(38, "alert"),
    Visit(25, "one_check"),
    Visit(15, "unsigned"),
    Visit(5, "checked_in"),
    Visit(-60, "booked"),
    Visit(-150, "booked"),
]


def seed_today() -> list[str]:
    import time_machine  # dev only, like the whole seed

    site = Location.objects.get(code=DEMO_SITE)
    zone = zoneinfo.ZoneInfo(site.time_zone)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localtime(now, zone).date()
    day_start = datetime.datetime.combine(today, datetime.time(0), zone)
    first_visits = Appointment.objects.filter(
        location=site, sequence=1, starts_at__gte=day_start,
        starts_at__lt=day_start + datetime.timedelta(days=1),
    )  # fmt: skip
    if first_visits.exists():
        return []
    staff = _Staff()
    midnight = datetime.datetime.combine(today, datetime.time(0), zone)
    done, patients = [], []
    for index, visit in enumerate(PLAN):
        start = now - visit.minutes_ago * MIN
        if start < midnight or timezone.localtime(start, zone).date() != today:
            continue  # too early in the day for this stage (see README)
        if visit.stage != "booked" and not _fits(start, visit.stage, now):
            continue
        last = datetime.datetime.combine(today, datetime.time(23, 59), zone)
        if start + 110 * MIN > last:
            continue
        appointment = _book(site, staff, start, index, today, time_machine)
        if appointment is None:
            done.append(f"today at {site.name}: no free chair and nurse for a {visit.stage} visit")
            continue
        _Visit(appointment, staff, time_machine, now).run(visit.stage)
        done.append(f"today at {site.name}: {appointment.patient.display_name} ({visit.stage})")
        patients.append(appointment.patient)
    if patients:
        done.append(f"{send_due(patients)} due reminders sent, skipped or failed")
    return done


def _fits(start, stage, now) -> bool:
    """Whether the stage can have happened between ``start`` and now."""
    needs = {"discharged": 110, "recovery": 70, "running": 35, "alert": 35}.get(stage, 2)
    return start + needs * MIN <= now


class _Staff:
    def __init__(self):
        self.desk = User.objects.get(username="frontdesk")
        self.nurse = User.objects.get(username="nurse")
        self.nurse2 = User.objects.get(username="nurse2")
        self.physician = User.objects.get(username="physician")


def _book(site, staff, start, index, today, time_machine) -> Appointment:
    """A new patient registered and screened the day before, booked a course starting now."""
    salt = today.toordinal()
    first, last = FIRST[index % len(FIRST)], LAST[(index + salt) % len(LAST)]
    dob = datetime.date(1958 + 3 * index, 1 + salt % 12, 1 + salt % 28)
    with time_machine.travel(start - datetime.timedelta(days=1), tick=False):
        patient = patient_register(
            registered_by=staff.desk, legal_first_name=first, legal_last_name=last,
            date_of_birth=dob, phone=f"+1949555{4000 + salt % 375 * 16 + index}",
            home_location=site,
        )  # fmt: skip
        screening_record(
            patient=patient, recorded_by=staff.nurse,
            answers=dict.fromkeys(Screening.QUESTIONS, "no"),
        )  # fmt: skip
        escort_add(
            patient=patient, name=f"Sam {last}", relationship="Partner",
            phone=f"+1949556{4000 + salt % 375 * 16 + index}", is_primary=True,
            added_by=staff.desk,
        )  # fmt: skip
        consent_for(patient, index, staff.desk)
        ready_for_treatment(patient, staff.nurse, index)
        course = _book_course(site, staff, patient, start, index)
    return course.appointments.get(sequence=1) if course else None


def _book_course(site, staff, patient, start, index):
    """Eight infusions two days apart, on the first chair and nurse free for all of them
    (earlier days' demo courses hold some slots)."""
    chairs = list(Chair.objects.filter(location=site, is_active=True).order_by("pk"))
    nurses = [staff.nurse, staff.nurse2][index % 2 :] + [staff.nurse, staff.nurse2][: index % 2]
    protocol = Protocol.objects.get(code="fm-0-5-40")
    for offset in range(len(chairs)):
        chair = chairs[(index + offset) % len(chairs)]
        for nurse in nurses:
            sessions = [
                SessionRequest(starts_at=start + datetime.timedelta(days=2 * n), chair=chair,
                               nurse=nurse)
                for n in range(8)
            ]  # fmt: skip
            try:
                with transaction.atomic():
                    return course_book(
                        patient=patient, protocol=protocol, location=site, sessions=sessions,
                        booked_by=staff.desk,
                    )  # fmt: skip
            except (ValidationError, ConflictError):
                continue
    return None


class _Visit:
    """Walks one appointment through the day, each step at its own moment."""

    def __init__(self, appointment, staff, time_machine, now):
        self.appointment, self.staff, self.tm, self.now = appointment, staff, time_machine, now
        self.start = appointment.starts_at
        self.record = self.order = None
        self.pain_at_discharge = 3

    def at(self, minutes):
        return self.tm.travel(self.start + minutes * MIN, tick=False)

    def run(self, stage):
        if stage == "booked":
            return
        if stage == "no_show":
            with self.at(30):
                appointment_transition(
                    appointment=self.appointment, to_status=AppointmentStatus.NO_SHOW,
                    changed_by=self.staff.desk, reason="Did not arrive; no answer on the phone.",
                )  # fmt: skip
            return
        self.check_in(escort_here=stage != "recovery")
        if stage == "checked_in":
            return
        if stage == "not_given":
            self.send_home()
            return
        self.write_order()
        if stage == "unsigned":
            return
        self.sign()
        with self.at(6):
            dose_check_record(order=self.order, nurse=self.nurse, entered_mg=self.order.dose_mg)
        if stage == "one_check":
            return
        self.start_infusion()
        self.chart_running(alert=stage == "alert")
        if stage in ("running", "alert"):
            return
        self.complete_and_recover(discharge=stage == "discharged")

    def check_in(self, escort_here):
        with self.at(1):
            self.record = infusion_check_in(
                appointment=self.appointment, by=self.nurse,
                escort_status="present" if escort_here else "on_the_way",
                escort_name=self.appointment.escort_name,
                escort_phone=self.appointment.escort_phone,
            )  # fmt: skip
            if escort_here:
                appointment_escort_confirm(
                    appointment=self.appointment, by=self.nurse,
                    name=self.appointment.escort_name, phone=self.appointment.escort_phone,
                )  # fmt: skip

    def send_home(self):
        """Blood pressure too high at the pre-assessment, twice: held, sent home not given."""
        with self.at(10):
            _, alerts = vitals_record(record=self.record, taken_by=self.nurse, **HIGH_BP)
        with self.at(16):
            alert_acknowledge(alert=alerts[0], by=self.nurse, action=AckAction.HELD,
                              note="Rechecked after 5 min rest: 184/112.")  # fmt: skip
        with self.at(18):
            infusion_not_given(
                record=self.record, by=self.nurse,
                reason="BP 188/116, 184/112 on recheck: above the protocol's limit. "
                "Physician told; rebook after a BP review with the PCP.",
            )  # fmt: skip

    @property
    def nurse(self):
        return self.appointment.nurse

    def write_order(self):
        with self.at(3):
            weight = weight_record(
                patient=self.appointment.patient, unit="lb", measured_by=self.nurse,
                value=Decimal("154") + self.appointment.patient_id % 40,  # steady per patient
            )  # fmt: skip
            self.order = dose_order_create(
                appointment=self.appointment, weight=weight, vial_mg_per_ml=Decimal("50"),
                created_by=self.nurse,
            )  # fmt: skip

    def sign(self):
        device = TOTPDevice.objects.get(user=self.staff.physician, confirmed=True)
        with self.at(4):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            self.order = dose_order_sign(
                order=self.order, signed_by=self.staff.physician,
                request=RequestFactory().post("/", REMOTE_ADDR="127.0.0.1"),
                otp_token=f"{totp.token():0{device.digits}d}",
            )  # fmt: skip

    def start_infusion(self):
        with self.at(7):
            dose_check_record(
                order=self.order, nurse=self._witness(), entered_mg=self.order.dose_mg
            )
        lot = _lot(self.appointment.location, self.start)
        with self.at(8):
            drug_draw(order=self.order, lot=lot, ml=self.order.draw_volume_ml, drawn_by=self.nurse)
        with self.at(18):
            vitals_record(record=self.record, taken_by=self.nurse, **GOOD)
        with self.at(20):
            self.record = infusion_start(record=self.record, by=self.nurse)

    def chart_running(self, alert):
        """Vitals every 10 minutes while running, up to now (or the end of the infusion)."""
        minutes = self.order.infusion_minutes
        end = min(self.now, self.start + (20 + minutes) * MIN)
        moment = self.start + 30 * MIN
        while moment <= end:
            last = moment + 10 * MIN > end
            values = HIGH_BP if alert and last else GOOD
            with self.tm.travel(moment, tick=False):
                vitals_record(record=self.record, taken_by=self.nurse, **values)
            moment += 10 * MIN

    def complete_and_recover(self, discharge):
        ended = 20 + self.order.infusion_minutes
        drawn = (self.order.draw_volume_ml * Decimal("50")).quantize(Decimal("0.01"))
        given = min(drawn, self.order.dose_mg)
        waste = {"witness": None}
        if drawn > given:  # the waste is witnessed: the other nurse types their password
            waste = {
                "witness": self._witness(), "witness_password": settings.DEMO_PASSWORD,
                "request": RequestFactory().post("/", REMOTE_ADDR="127.0.0.1"),
            }  # fmt: skip
        with self.at(ended):
            infusion_complete(
                record=self.record, by=self.nurse, administered_mg=given,
                wasted_mg=drawn - given, **waste,
            )  # fmt: skip
        with self.at(ended + 1):
            vitals_record(record=self.record, taken_by=self.nurse, **GOOD)
            infusion_recovery(record=self.record, by=self.nurse)
        if not discharge:
            return  # in recovery; the escort is on the way
        with self.at(ended + 32):
            vitals_record(record=self.record, taken_by=self.nurse, **GOOD)
        with self.at(ended + 34):
            discharge_record(
                record=self.record, by=self.nurse, score_type="aldrete", item_scores=ALDRETE_9,
                escort_present=True, escort_name=self.appointment.escort_name,
                pain_nrs=self.pain_at_discharge,
                instructions_given=True,
            )  # fmt: skip

    def _witness(self):
        return self.staff.nurse2 if self.nurse == self.staff.nurse else self.staff.nurse


def _lot(location, moment) -> Lot:
    return (
        Lot.objects.filter(location=location, expires_on__gte=moment.date())
        .order_by("expires_on")
        .first()
    )
