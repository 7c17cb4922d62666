import datetime

import factory
from django.contrib.auth.models import Group

from clinic.models import Location, User
from clinic.roles import Role
from patients.models import Patient
from patients.services import next_mrn
from scheduling.models import Chair

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


def on_the_visit_day(appointment, minutes_before: int = 30):
    """Travel (time_machine, ticking) to shortly before the visit: check-in is only allowed
    on the visit's day in its site's zone."""
    import time_machine

    moment = appointment.starts_at - datetime.timedelta(minutes=minutes_before)
    return time_machine.travel(moment, tick=True)
