"""The network's few hundred reference rows, through the ORM with ``full_clean``: sites
with their scheduling rules, hours and chairs, the staff and their roles, the protocol,
the consent form. Everything large is written by the other modules, set-based."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from clinic.models import Location, User
from clinic.roles import Role
from patients.models import ConsentDocument
from protocols.models import Protocol, ProtocolVersion
from scheduling.closures import closed_dates_between
from scheduling.models import Chair, LocationSchedule, OpeningHours, VisitTemplate

from . import plan

PREFIX = "scale-"
CITIES = ["Anaheim", "Long Beach", "Riverside", "Pasadena", "Santa Ana", "Oceanside",
          "Escondido", "Temecula", "Torrance", "Ontario"]  # fmt: skip
FIRST = ["Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Gabe", "Hana", "Ivan", "Jia", "Kofi",
         "Lena", "Marco", "Nadia", "Omar", "Paula", "Quinn", "Rosa", "Sam", "Tara"]  # fmt: skip
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Flores", "Gupta", "Hughes", "Ito",
        "Jones", "Khan", "Lopez", "Mendez", "Nguyen", "Ortiz", "Park", "Reyes",
        "Silva"]  # fmt: skip
PROTOCOL_CODE = f"{PREFIX}fm-0-5-40"
CONSENT_TITLE = "Scale network treatment consent"


@dataclass
class Site:
    index: int
    location: Location
    chairs: list[int]  # chair ids, by chair number
    desk: list[int]
    nurses: list[int]
    physician: int
    admin: int
    days: list[datetime.date] = field(default_factory=list)  # open days of the window


@dataclass
class Network:
    sites: list[Site]
    director: int  # medical director (physician at every site)
    protocol_version: ProtocolVersion
    consent: ConsentDocument
    counts: dict[str, int] = field(default_factory=dict)


def site_name(index: int) -> str:
    return CITIES[index] if index < len(CITIES) else f"Site {index + 1:02d}"


def existing_sites():
    return Location.objects.filter(code__startswith=PREFIX)


def build(size: plan.Size, today: datetime.date, password: str | None) -> Network:
    groups = {role: Group.objects.get(name=role.label) for role in Role}
    hashed = make_password(password) if password else make_password(None)
    counter = iter(range(1, 10**6))

    def staff(username: str, role: Role, locations: list[Location]) -> int:
        n = next(counter)
        user = User(
            username=username, first_name=FIRST[n % len(FIRST)],
            last_name=LAST[(n * 7) % len(LAST)], email=f"{username}@scale.clinic",
            password=hashed, is_staff=role in (Role.CLINIC_ADMIN, Role.PHYSICIAN),
        )  # fmt: skip
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.add(groups[role])
        user.locations.add(*locations)
        return user.pk

    template = VisitTemplate.objects.filter(is_default=True).first()
    if template is None:
        template = VisitTemplate(
            name="Standard visit", prep_minutes=plan.PREP_MINUTES,
            recovery_minutes=plan.RECOVERY_MINUTES, is_default=True,
        )  # fmt: skip
        template.full_clean()
        template.save()
    first, last = plan.history_window(size, today)
    sites = []
    for index in range(size.sites):
        location = Location(
            name=site_name(index), code=f"{PREFIX}{index + 1:02d}",
            address=f"{100 + index} Main St, {site_name(index)}, CA", phone=f"+1714555{index:04d}",
        )  # fmt: skip
        location.full_clean()
        location.save()
        _site_rules(location)
        chairs = []
        for number in range(1, size.chairs + 1):
            chair = Chair(location=location, name=f"Chair {number:02d}")
            chair.full_clean()
            chair.save()
            chairs.append(chair.pk)
        code = location.code
        site = Site(
            index=index, location=location, chairs=chairs,
            desk=[staff(f"{code}-desk{n}", Role.FRONT_DESK, [location]) for n in (1, 2)],
            nurses=[
                staff(f"{code}-nurse{n:02d}", Role.NURSE, [location])
                for n in range(1, size.nurses_per_site + 1)
            ],
            physician=staff(f"{code}-physician", Role.PHYSICIAN, [location]),
            admin=staff(f"{code}-admin", Role.CLINIC_ADMIN, [location]),
        )  # fmt: skip
        closed = {closure.date for closure in closed_dates_between(location, first, last)}
        site.days = plan.open_days(first, last, closed)
        sites.append(site)
    every = [site.location for site in sites]
    director = staff(f"{PREFIX}director", Role.PHYSICIAN, every)
    staff(f"{PREFIX}admin", Role.CLINIC_ADMIN, every)
    version = _protocol(director, first)
    consent = ConsentDocument(
        title=CONSENT_TITLE, version="1",
        body="Consent to IV ketamine infusion treatment.", effective_from=first,
    )  # fmt: skip
    consent.full_clean()
    consent.save()
    sites_made = len(sites)
    counts = {
        "clinic_location": sites_made,
        "clinic_user": User.objects.filter(username__startswith=PREFIX).count(),
        "scheduling_chair": sites_made * size.chairs,
        "scheduling_locationschedule": sites_made,
        "scheduling_openinghours": sites_made * len(plan.OPEN_WEEKDAYS),
        "infusions_protocol": 1,
        "infusions_protocolversion": 1,
        "patients_consentdocument": 1,
    }
    return Network(
        sites=sites, director=director, protocol_version=version, consent=consent, counts=counts
    )


def load(size: plan.Size, today: datetime.date) -> Network:
    """The network ``build`` wrote, read back (a worker process starts from this)."""
    first, last = plan.history_window(size, today)
    users = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "pk"))
    sites = []
    for index, location in enumerate(existing_sites().order_by("code")):
        code = location.code
        chairs = Chair.objects.filter(location=location).order_by("name")
        site = Site(
            index=index, location=location, chairs=list(chairs.values_list("pk", flat=True)),
            desk=[users[f"{code}-desk{n}"] for n in (1, 2)],
            nurses=[users[f"{code}-nurse{n:02d}"] for n in range(1, size.nurses_per_site + 1)],
            physician=users[f"{code}-physician"], admin=users[f"{code}-admin"],
        )  # fmt: skip
        closed = {closure.date for closure in closed_dates_between(location, first, last)}
        site.days = plan.open_days(first, last, closed)
        sites.append(site)
    return Network(
        sites=sites, director=users[f"{PREFIX}director"],
        protocol_version=ProtocolVersion.objects.get(protocol__code=PROTOCOL_CODE, number=1),
        consent=ConsentDocument.objects.get(title=CONSENT_TITLE, version="1"),
    )  # fmt: skip


def _site_rules(location: Location) -> None:
    schedule = LocationSchedule(
        location=location, nurse_capacity=1, min_gap_hours=24, min_infusions=8,
        max_infusions=12, max_course_days=plan.MAX_COURSE_DAYS, follows_federal_holidays=True,
    )  # fmt: skip
    schedule.full_clean()
    schedule.save()
    for weekday in plan.OPEN_WEEKDAYS:
        hours = OpeningHours(
            location=location, weekday=weekday, opens_at=plan.OPENS, closes_at=plan.CLOSES
        )
        hours.full_clean()
        hours.save()


def _protocol(director: int, first: datetime.date) -> ProtocolVersion:
    protocol = Protocol(
        name="Scale fibromyalgia 0.5 mg/kg over 40 min", code=PROTOCOL_CODE,
        description="The scale network's protocol.", created_by_id=director,
    )  # fmt: skip
    protocol.full_clean()
    protocol.save()
    version = ProtocolVersion(
        protocol=protocol, number=1, mg_per_kg=Decimal("0.5"),
        infusion_minutes=plan.INFUSION_MINUTES, rounding_step_mg=Decimal("0.1"),
        soft_max_mg=Decimal("60"), hard_max_mg=Decimal("100"), created_by_id=director,
        change_note="First version.",
    )  # fmt: skip
    version.full_clean()
    version.save()
    return version
