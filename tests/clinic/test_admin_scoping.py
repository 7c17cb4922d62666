"""Site scoping in the Django admin (issue 8): anyone but a clinic admin sees only the rows of
the sites they work at, on every admin page of site-bound data, through ``SiteScoped``."""

import datetime
from collections import deque

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.admin_roles import SiteScoped
from clinic.models import Location, User
from clinic.roles import Role
from scheduling.models import Chair, ChairOutOfService, ClosedDay, LocationSchedule, OpeningHours
from tests.factories import UserFactory

from .role_world import two_site_world

# Admins of models that reach a site but are not scoped, and why.
NOT_SCOPED = {
    "audit.accesslog": "clinic admins only: the privacy officer's log of who read what",
}


def path_to_location(model, depth: int = 4) -> str | None:
    """The shortest lookup from ``model`` to ``Location`` through forward foreign keys."""
    queue = deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        if path.count("__") >= depth:
            continue
        for field in current._meta.get_fields():
            if not (
                field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
            ):
                continue
            lookup = f"{path}__{field.name}" if path else field.name
            if field.related_model is Location:
                return lookup
            if field.related_model is not User:
                queue.append((field.related_model, lookup))
    return None


def test_every_admin_of_site_bound_rows_is_site_scoped():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if path_to_location(model) is None or label in NOT_SCOPED:
            continue
        if not isinstance(model_admin, SiteScoped):
            unscoped.append(label)
    assert unscoped == [], "site-bound rows in the admin without SiteScoped"


@pytest.fixture(scope="module")
def clinic(django_db_setup, django_db_blocker):
    """Two sites with one of every object (tests/clinic/role_world.py), built once."""
    with django_db_blocker.unblock(), two_site_world("scope") as world:
        here, there = world.site, world.other
        for site in (here, there):
            LocationSchedule.objects.create(location=site)
            OpeningHours.objects.create(
                location=site, weekday=0, opens_at=datetime.time(8), closes_at=datetime.time(17)
            )
            ClosedDay.objects.create(location=site, date=datetime.date(2030, 1, 1), reason="x")
            start = timezone.now() + datetime.timedelta(days=60)
            ChairOutOfService.objects.create(
                chair=Chair.objects.filter(location=site).first(), starts_at=start,
                ends_at=start + datetime.timedelta(hours=2), reason="Repair",
            )  # fmt: skip
        ClosedDay.objects.create(location=None, date=datetime.date(2030, 12, 25), reason="All")
        rows = {"here": world.here, "there": world.there}
        yield {"here": here, "there": there, "staff": world.staff, "rows": rows}


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def sites_seen(model_admin, user) -> set:
    queryset = model_admin.get_queryset(as_request(user))
    return set(queryset.values_list(model_admin.site_path, flat=True))


SCOPED = sorted(
    (model._meta.label_lower, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, SiteScoped)
)


# Models the test clinic has rows of at both sites (the others are checked all the same: no
# row of another site, and the query runs).
AT_BOTH_SITES = {
    "patients.patient", "patients.escortcontact", "patients.clinicalintake",
    "patients.screening", "patients.weightmeasurement", "patients.outcomemeasure",
    "patients.consentsignature", "patients.communicationconsent",
    "patients.consultationrequest", "scheduling.course", "scheduling.appointment",
    "scheduling.chair", "scheduling.nurseshift", "scheduling.locationschedule",
    "scheduling.openinghours", "scheduling.closedday", "scheduling.chairoutofservice",
    "scheduling.calendarfeed", "scheduling.outboundmessage", "infusions.doseorder",
    "infusions.druglogentry", "infusions.lot", "infusions.infusionrecord",
    "infusions.vitalsreading", "infusions.correction",
}  # fmt: skip


def every_site(model_admin) -> set:
    manager = model_admin.model._default_manager
    return set(manager.values_list(model_admin.site_path, flat=True))


@pytest.mark.parametrize(("label", "model_admin"), SCOPED, ids=[label for label, _ in SCOPED])
def test_staff_see_only_their_sites_rows_and_clinic_admins_see_all(db, clinic, label, model_admin):
    here, there = clinic["here"].pk, clinic["there"].pk
    everywhere = every_site(model_admin)
    if label in AT_BOTH_SITES:
        assert {here, there} <= everywhere, f"{label}: the test clinic has no row at both sites"
    for who in ("front_desk", "nurse", "physician"):
        seen = sites_seen(model_admin, getattr(clinic["staff"], who))
        assert there not in seen, f"{label} as {who} shows another site's rows"
        assert seen == everywhere & ({here, None} if model_admin.shared_when_null else {here})
    assert sites_seen(model_admin, clinic["staff"].clinic_admin) == everywhere
    root = User(username="root-scope", is_superuser=True, is_active=True)
    assert sites_seen(model_admin, root) == everywhere


# --- Through the admin's pages: a physician reads dose records and lots there ------------------

PHYSICIAN_READS = [
    ("infusions", "doseorder", "order"),
    ("infusions", "druglogentry", "drug_log_entry"),
    ("infusions", "lot", "lot"),
]


@pytest.fixture
def staff_physician(db, clinic):
    physician = clinic["staff"].physician
    physician.is_staff = True
    physician.save(update_fields=["is_staff"])
    return physician


def change_link(app, model, pk) -> str:
    return reverse(f"admin:{app}_{model}_change", args=[pk])


@pytest.mark.parametrize(("app", "model", "kind"), PHYSICIAN_READS)
def test_a_physician_sees_only_their_sites_records_in_the_admin(
    login, clinic, staff_physician, app, model, kind
):
    client = login(staff_physician)
    mine, theirs = clinic["rows"]["here"][kind], clinic["rows"]["there"][kind]
    page = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert change_link(app, model, mine) in html
    assert change_link(app, model, theirs) not in html
    assert client.get(change_link(app, model, mine)).status_code == 200
    other = client.get(change_link(app, model, theirs))
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")
    history = client.get(reverse(f"admin:{app}_{model}_history", args=[theirs]))
    assert history.status_code in (302, 404)


@pytest.mark.parametrize(("app", "model", "kind"), PHYSICIAN_READS)
def test_a_clinic_admin_sees_both_sites_records_in_the_admin(login, clinic, app, model, kind):
    client = login(clinic["staff"].clinic_admin)
    html = client.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
    for site in ("here", "there"):
        pk = clinic["rows"][site][kind]
        assert change_link(app, model, pk) in html
        assert client.get(change_link(app, model, pk)).status_code == 200


def test_a_physician_receives_lots_only_at_their_sites(login, clinic, staff_physician):
    page = login(staff_physician).get(reverse("admin:infusions_lot_add"))
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["location"].queryset
    assert list(choices) == [clinic["here"]]


def test_a_site_less_closed_day_is_everyones(db, clinic):
    staff = UserFactory(username="scope-desk", role=Role.FRONT_DESK, locations=[clinic["here"]])
    seen = sites_seen(admin.site._registry[ClosedDay], staff)
    assert seen == {clinic["here"].pk, None}
