import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.models import Location, User
from clinic.roles import Role
from infusions.models import DoseOrder, InfusionRecord, Lot
from infusions.services import dose_order_create, infusion_check_in, lot_receive, protocol_create
from patients.models import Patient
from patients.services import next_mrn, weight_record
from protocols.models import Protocol
from scheduling.models import Appointment, Chair, Course
from scheduling.services import SessionRequest, course_book

TEST_PASSWORD = "correct-horse-battery-staple-42"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"site-{n}")
    address = "1 Test Way, Irvine, CA"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff member. ``UserFactory(role=Role.NURSE, locations=[site])``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.clinic")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, value, **kwargs):
        if value:
            self.groups.add(Group.objects.get(name=Role(value).label))
            if value == Role.CLINIC_ADMIN:
                self.is_staff = True
        self.save()

    @factory.post_generation
    def locations(self, create, value, **kwargs):
        if value:
            self.locations.add(*value)


class ChairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chair

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Chair {n}")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.LazyFunction(next_mrn)
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1940, 1, 1), end_date=datetime.date(2004, 1, 1)
    )
    home_location = factory.SubFactory(LocationFactory)


class ProtocolFactory(factory.django.DjangoModelFactory):
    """A protocol with its version 1, through ``protocol_create`` (0.5 mg/kg over 40 min)."""

    class Meta:
        model = Protocol

    name = factory.Sequence(lambda n: f"Fibromyalgia {n}: 0.5 mg/kg over 40 min")
    code = factory.Sequence(lambda n: f"fm{n}")
    created_by = factory.SubFactory(UserFactory, role=Role.PHYSICIAN)
    soft_max_mg = Decimal("60")
    hard_max_mg = Decimal("100")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return protocol_create(**kwargs)


class CourseFactory(factory.django.DjangoModelFactory):
    """A course row made directly (not booked: see ``booked_course`` for the real way)."""

    class Meta:
        model = Course

    location = factory.SubFactory(LocationFactory)
    patient = factory.SubFactory(PatientFactory, home_location=factory.SelfAttribute("..location"))
    protocol = factory.SubFactory(ProtocolFactory)
    planned_infusions = 8
    booked_by = factory.LazyAttribute(
        lambda o: UserFactory(role=Role.FRONT_DESK, locations=[o.location])
    )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A visit made directly (no availability checks): 2 hours from ``starts_at`` (now by
    default), the infusion from +15 to +55 min, in a new chair at the course's site."""

    class Meta:
        model = Appointment

    course = factory.SubFactory(CourseFactory)
    sequence = 1
    patient = factory.SelfAttribute("course.patient")
    location = factory.SelfAttribute("course.location")
    chair = factory.SubFactory(ChairFactory, location=factory.SelfAttribute("..location"))
    nurse = factory.LazyAttribute(lambda o: UserFactory(role=Role.NURSE, locations=[o.location]))
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    infusion_starts_at = factory.LazyAttribute(
        lambda o: o.starts_at + datetime.timedelta(minutes=15)
    )
    infusion_ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=55))


class DoseOrderFactory(factory.django.DjangoModelFactory):
    """An order calculated by ``dose_order_create`` from a weight recorded now (70 kg by
    default: ``weight_value``, ``weight_unit``), by the visit's nurse, 50 mg/mL vials."""

    class Meta:
        model = DoseOrder

    class Params:
        weight_value = "70"
        weight_unit = "kg"

    appointment = factory.SubFactory(AppointmentFactory)
    created_by = factory.SelfAttribute("appointment.nurse")
    weight = factory.LazyAttribute(
        lambda o: weight_record(
            patient=o.appointment.patient,
            value=Decimal(o.weight_value),
            unit=o.weight_unit,
            measured_by=o.created_by,
            confirm_large_change=True,
            confirm_unusual_weight=True,
        )  # fmt: skip
    )
    vial_mg_per_ml = Decimal("50")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return dose_order_create(**kwargs)


class InfusionRecordFactory(factory.django.DjangoModelFactory):
    """A chart opened by ``infusion_check_in`` (the visit checked in) by the visit's nurse."""

    class Meta:
        model = InfusionRecord

    appointment = factory.SubFactory(AppointmentFactory)
    checked_in_by = factory.SelfAttribute("appointment.nurse")

    @classmethod
    def _create(cls, model_class, *, appointment, checked_in_by, **kwargs):
        return infusion_check_in(appointment=appointment, by=checked_in_by, **kwargs)


class LotFactory(factory.django.DjangoModelFactory):
    """A lot received by ``lot_receive`` (with its 'received' entry): two 10 mL vials of
    50 mg/mL, in date for a year, received by a clinic admin at the site."""

    class Meta:
        model = Lot

    location = factory.SubFactory(LocationFactory)
    lot_number = factory.Sequence(lambda n: f"L{n:05}")
    concentration_mg_per_ml = Decimal("50")
    vial_volume_ml = Decimal("10")
    received_vials = 2
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    received_by = factory.LazyAttribute(
        lambda o: UserFactory(role=Role.CLINIC_ADMIN, locations=[o.location])
    )

    @classmethod
    def _create(cls, model_class, *, received_vials, **kwargs):
        return lot_receive(vials=received_vials, **kwargs)


def booked_course(*, patient, protocol, location, starts, chair, nurse, booked_by, **kwargs):
    """A course booked the real way, by ``scheduling.services.course_book``: one session at
    each of ``starts``, all in ``chair`` with ``nurse`` (the clinic must be open and staffed
    then, the patient cleared to book); ``kwargs`` go to the service."""
    sessions = [SessionRequest(start, chair, nurse) for start in starts]
    return course_book(
        patient=patient, protocol=protocol, location=location, sessions=sessions,
        booked_by=booked_by, **kwargs,
    )  # fmt: skip


def on_the_visit_day(appointment, minutes_before: int = 30):
    """Travel (time_machine, ticking) to shortly before the visit: check-in is only allowed
    on the visit's day in its site's zone."""
    import time_machine

    moment = appointment.starts_at - datetime.timedelta(minutes=minutes_before)
    return time_machine.travel(moment, tick=True)
