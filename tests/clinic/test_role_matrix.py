"""The role matrix walk: every URL of the URL conf, with every role and anonymously, against
clinic/role_matrix.py. Each failure names the URL and the role.

The clinic (tests/clinic/role_world.py) is built once for the module, inside a transaction
that is rolled back at the end; each test runs in its own savepoint on top of it. Writes are
detected with Postgres's per-transaction row counters (pg_stat_xact_user_tables), so "nothing
changed" covers every table of the clinic's apps, not a chosen few.
"""

import re
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from clinic import role_matrix
from clinic.models import User
from clinic.role_matrix import ADMIN_MODELS, URLS, VARIANTS, Access
from clinic.roles import Role
from tests.urlwalk import all_urls, has_error_shape

from .role_world import MISSING, NOT_MADE, two_site_world

ROLES = ["front_desk", "nurse", "physician", "clinic_admin"]
WHO = [*ROLES, "anonymous"]
WALKED = all_urls()
SITE_URLS = [url for url in WALKED if not url.path.startswith("/admin/")]
ADMIN_URLS = [url for url in WALKED if url.path.startswith("/admin/")]
LOGIN_PATHS = {reverse(settings.LOGIN_URL), reverse("admin:login")}
SHARED_KINDS = {"protocol", "protocol_version", "consent_document"}
# Tables whose rows a refused request may still write: sessions, lockout and audit trails.
NOT_CLINICAL = re.compile(r"session|axes|audit|access|otp|pgh|log_?entry|django_")
CLINIC_APPS = (
    "clinic_", "patients_", "scheduling_", "infusions_", "waitlist_", "outcomes_", "auth_",
    "authtoken_", "reports_", "billing_", "fhir_r4_",
)  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), two_site_world("matrix") as world:
        yield world


@pytest.fixture
def as_role(db, world, client, login):
    """``as_role("nurse")`` -> a client logged in as the walk's nurse; "anonymous" -> not."""

    def _as(who: str, *, staff_flag: bool = False):
        if who == "anonymous":
            return client
        user = User.objects.get(pk=getattr(world.staff, who).pk)  # as this test's database has it
        if staff_flag and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return login(user)

    return _as


def writes_so_far() -> int:
    """Rows inserted, updated or deleted in the clinic's tables by this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return sum(
            count
            for name, count in cursor.fetchall()
            if name.startswith(CLINIC_APPS) and not NOT_CLINICAL.search(name)
        )


# --- Building paths ---------------------------------------------------------------------------


def rule_for(url) -> Access:
    return URLS[url.name]


def values_for(access: Access, objects: dict[str, int]) -> dict[str, str]:
    values = {}
    for param, kind in access.args.items():
        values[param] = kind[1:] if kind.startswith("=") else str(objects.get(kind, MISSING))
    return values


def path_for(url, access: Access, objects: dict[str, int]) -> str:
    """The URL's path for these objects, with its query (``?patient=...``) if it takes one."""
    path = url.path_with(values_for(access, objects))
    if access.query:
        path += "?" + urlencode(
            {param: objects.get(kind, MISSING) for param, kind in access.query.items()}
        )
    return path


def missing_object(access: Access, objects) -> bool:
    kinds = [*access.args.values(), *access.query.values()]
    return any(not k.startswith("=") and k not in objects for k in kinds)


def site_bound(access: Access) -> bool:
    kinds = {kind for kind in [*access.args.values(), *access.query.values()]}
    return bool({kind for kind in kinds if not kind.startswith("=")} - SHARED_KINDS)


def describe(response) -> str:
    where = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


def sent_to_login(response) -> bool:
    return response.status_code == 302 and urlparse(response["Location"]).path in LOGIN_PATHS


def answered(response) -> bool:
    """An allowed GET: a page, or a redirect somewhere other than the login page."""
    return 200 <= response.status_code < 300 or (
        300 <= response.status_code < 400 and not sent_to_login(response)
    )


def refused_anonymous(url_path: str, response) -> bool:
    if url_path.startswith(("/api/", "/fhir/")):
        return response.status_code in (401, 403)
    return sent_to_login(response)


def request(client, method: str, path: str):
    send = getattr(client, method.lower())
    return send(path, content_type="application/json") if method != "GET" else send(path)


# --- The URL conf and the matrix agree ------------------------------------------------------


def test_every_url_of_the_url_conf_is_in_the_role_matrix():
    unclassified = sorted({url.name for url in SITE_URLS} - set(URLS))
    assert not unclassified, f"classify these in clinic/role_matrix.py URLS: {unclassified}"


def test_the_role_matrix_names_no_url_that_does_not_exist():
    stale = sorted(set(URLS) - {url.name for url in SITE_URLS})
    assert not stale, f"not in the URL conf any more: {stale}"


def test_the_role_matrix_declares_the_arguments_each_url_takes():
    for url in SITE_URLS:
        declared = set(rule_for(url).args) | {"format"}
        assert set(url.params) <= declared, f"{url.name}: {url.params} vs {declared}"


def test_the_walk_makes_an_object_of_every_kind_a_url_names(db, world):
    named = {kind for access in URLS.values() for kind in access.args.values()}
    named = {kind for kind in named if not kind.startswith("=")}
    assert named - NOT_MADE <= set(world.here) & set(world.there)


def test_every_public_url_is_public_in_the_anonymous_walk_too():
    from tests.urlwalk import PUBLIC

    site_public = {name for name in PUBLIC if not name.startswith("admin:")}
    assert {name for name, access in URLS.items() if access.public} == site_public


def test_every_model_in_the_admin_is_in_the_role_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not registered - set(ADMIN_MODELS), "classify in ADMIN_MODELS"
    assert not set(ADMIN_MODELS) - registered, "not in the admin any more"


# --- GET, with every role and anonymously ------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", SITE_URLS, ids=lambda url: url.path_with({}))
def test_get(as_role, world, url, who):
    access = rule_for(url)
    path = path_for(url, access, world.here)
    response = as_role(who).get(path)
    said = f"GET {path} ({url.name}) as {who}: {describe(response)}"
    assert response.status_code < 500, said
    if access.public:
        return
    if who == "anonymous":
        assert refused_anonymous(path, response), said
    elif who in access.read and not access.gets:
        assert response.status_code == 405, said
    elif who in access.read:
        if missing_object(access, world.here) and response.status_code == 404:
            return  # an object the walk does not make; the refusal side is still checked
        assert answered(response), said
    else:
        assert response.status_code == 403, said
        if url.is_api:  # the API's one error shape (FHIR: an OperationOutcome)
            assert has_error_shape(response), said


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "query"), [v.split("?") for v in VARIANTS])
def test_get_variants(as_role, world, name, query, who):
    """Parts of a page with rules of their own: the patient page's clinical tabs."""
    access = VARIANTS[f"{name}?{query}"]
    path = reverse(name, kwargs=values_for(access, world.here)) + f"?{query}"
    response = as_role(who).get(path)
    said = f"GET {path} as {who}: {describe(response)}"
    if who == "anonymous":
        assert refused_anonymous(path, response), said
    elif who in access.read:
        assert answered(response), said
    else:
        assert response.status_code == 403, said


# --- Writes: a refused role gets 403 and changes nothing ---------------------------------------

WRITES = [
    (url, method)
    for url in SITE_URLS
    if url.name in URLS and not URLS[url.name].public
    for method in URLS[url.name].methods
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("url", "method"), WRITES, ids=lambda v: v.path_with({}) if hasattr(v, "path") else v
)
def test_write(as_role, world, url, method, who):
    access = rule_for(url)
    path = url.path_with(values_for(access, world.here))
    client = as_role(who)
    before = writes_so_far()
    response = request(client, method, path)
    said = f"{method} {path} ({url.name}) as {who}: {describe(response)}"
    assert response.status_code < 500, said
    if who in access.write:
        assert response.status_code not in (401, 403) and not sent_to_login(response), said
        return
    if who == "anonymous":
        assert refused_anonymous(path, response), said
    else:
        assert response.status_code == 403, said
    assert writes_so_far() == before, f"{said}, and rows changed"


# --- Object scoping: the same URL for an object at a site the user does not work at ----------


def may_use(access: Access, who: str) -> bool:
    return (access.gets and who in access.read) or bool(access.methods and who in access.write)


SCOPED = [
    (url, who)
    for url in SITE_URLS
    if url.name in URLS and site_bound(URLS[url.name])
    for who in ROLES
    if may_use(URLS[url.name], who)  # the others are refused by role (test_get, test_write)
]


@pytest.mark.parametrize(
    ("url", "who"), SCOPED, ids=lambda v: v.path_with({}) if hasattr(v, "path") else v
)
def test_another_sites_object(as_role, world, url, who):
    access = rule_for(url)
    if missing_object(access, world.there):
        pytest.skip("the walk makes no such object")
    path = path_for(url, access, world.there)
    client = as_role(who)
    before = writes_so_far()
    if access.gets and who in access.read:
        response = client.get(path)
    else:
        response = request(client, access.methods[0], path)
    said = f"{response.request['REQUEST_METHOD']} {path} ({url.name}) as {who}: "
    said += describe(response)
    if who == "clinic_admin":  # clinic admins see every site
        assert response.status_code not in (401, 403, 404), said
        return
    # Some API actions check the (empty) body before they look the object up: a 400 then
    # says nothing about the site, so for writes what counts is that nothing changed.
    refusals = (403, 404) if response.request["REQUEST_METHOD"] == "GET" else (400, 403, 404)
    assert response.status_code in refusals, said
    assert writes_so_far() == before, f"{said}, and rows changed"


@pytest.mark.parametrize("who", ROLES)
def test_lists_show_only_the_users_sites(as_role, world, who):
    """The API's lists of patients, appointments and courses leave other sites out."""
    client = as_role(who)
    for name, kind in [
        ("patient-list", "patient"),
        ("appointment-list", "appointment"),
        ("course-list", "course"),
    ]:
        ids = {row["id"] for row in client.get(reverse(name)).json()["results"]}
        assert world.here[kind] in ids, f"{name} as {who}"
        if who == "clinic_admin":
            assert world.there[kind] in ids, f"{name} as {who}"
        else:
            assert world.there[kind] not in ids, f"{name} as {who}"


# --- The appointment status rules of the API's transition endpoint ---------------------------


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("status", ["cancelled", "no_show", "in_chair", "completed"])
def test_appointment_transition_by_status(as_role, world, who, status):
    allowed = who in role_matrix.APPOINTMENT_STATUS_ROLES[status]
    path = reverse("appointment-transition", args=[world.here["appointment"]])
    response = as_role(who).post(
        path, {"to_status": status, "reason": "Walk"}, content_type="application/json"
    )
    said = f"{status} as {who}: {describe(response)} {response.content[:200]!r}"
    if allowed:
        assert response.status_code != 403, said
    else:
        assert response.status_code == 403, said


# --- The admin ----------------------------------------------------------------------------------

MODEL_VIEWS = {"": "changelist", "add": "add", "change": "change", "delete": "delete"}


def admin_case(path: str) -> tuple[str, str]:
    """``(model label or "", kind)`` for an admin path."""
    parts = path.removeprefix("/admin/").rstrip("/").split("/")
    special = {
        "": "index", "login": "public", "logout": "public", "password_change": "staff",
        "jsi18n": "staff", "autocomplete": "any", "r": "any",
    }  # fmt: skip
    if parts[0] in special or len(parts) == 1:
        kind = special.get(parts[0], "app_list" if path.endswith("/") else "any")
        return "", kind
    label = f"{parts[0]}.{parts[1]}"
    rest = parts[2:]
    if not rest:
        return label, "changelist"
    if rest == ["add"]:
        return label, "add"
    if len(rest) == 1:
        return label, "redirect"  # <id>/ -> <id>/change/, no permission check of its own
    return label, {"change": "change", "delete": "delete", "history": "history",
                   "password": "change"}[rest[1]]  # fmt: skip


NO_ROWS = "0"


def admin_object_id(label: str) -> str:
    model = apps.get_model(label)
    first = model._default_manager.order_by("pk").first()
    return str(first.pk) if first else NO_ROWS


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", ADMIN_URLS, ids=lambda url: url.path_with({}))
def test_admin(as_role, world, url, who):
    """Every role is made staff here: the role, not the is_staff flag, decides."""
    label, kind = admin_case(url.path)
    object_id = admin_object_id(label) if label else ""
    path = url.path_with({"object_id": object_id, "id": object_id})
    response = as_role(who, staff_flag=True).get(path)
    said = f"GET {path} as staff {who}: {describe(response)}"
    assert response.status_code < 500, said
    if kind in ("public", "any"):
        return
    if object_id == NO_ROWS and response.status_code == 302 and response["Location"] == "/admin/":
        return  # the admin says "no such object" before it checks permissions
    if who == "anonymous":
        assert sent_to_login(response), said
        return
    if kind in ("index", "staff", "redirect"):
        assert answered(response), said
        return
    if kind == "app_list":
        app = url.path.split("/")[2]
        visible = any(
            who in rule.view | rule.change
            for model, rule in ADMIN_MODELS.items()
            if model.startswith(f"{app}.")
        )
        assert response.status_code == (200 if visible else 404), said
        return
    rule = ADMIN_MODELS[label]
    allowed = {
        "changelist": rule.view | rule.change,
        "history": rule.view | rule.change,
        "change": rule.view | rule.change,
        "add": rule.add,
        "delete": rule.delete,
    }[kind]
    if who in allowed:
        assert answered(response), said
    else:
        assert response.status_code == 403, said


@pytest.mark.parametrize("who", ["front_desk", "nurse", "physician"])
def test_staff_without_the_admin_flag_are_sent_to_the_admin_login(as_role, who):
    response = as_role(who).get(reverse("admin:index"))
    assert sent_to_login(response), describe(response)


# --- The table for people -------------------------------------------------------------------


def test_each_row_of_the_table_matches_the_urls_that_carry_it_out():
    for row in role_matrix.ACTIONS:
        for name, kind in row.urls:
            roles = role_matrix.url_roles(name, kind)
            if name in row.shared:
                assert row.roles <= roles, f"{row.label}: {name} ({kind})"
            else:
                assert row.roles == roles, f"{row.label}: {name} ({kind}) lets {set(roles)}"
        for model, kind in row.admin:
            roles = role_matrix.admin_roles(model, kind)
            assert row.roles == roles, f"{row.label}: admin {model} {kind} lets {set(roles)}"


def test_the_readme_shows_the_table_the_module_holds():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert role_matrix.readme_block() in readme, "run: python -m clinic.role_matrix"


def test_the_roles_in_the_table_are_the_clinics_roles():
    assert set(role_matrix.ROLES) == set(Role)


# --- What the front desk sees of a patient ------------------------------------------------------

# Words that appear only with clinical details: weights, vitals, doses, screening answers, scores.
# (Not "mg/kg": protocol names carry it, and the front desk books by protocol.)
CLINICAL_WORDS = [" kg", "mmHg", "weight_kg", "dose_mg", "Screening (", "PHQ-9:"]
DESK_TABS = [tab for tab, roles in role_matrix.PATIENT_TABS.items() if Role.FRONT_DESK in roles]


def test_the_front_desk_sees_the_flags_but_no_clinical_detail(as_role, world):
    client = as_role("front_desk")
    patient, appointment = world.here["patient"], world.here["appointment"]
    pages = [
        *[f"{reverse('patients:detail', args=[patient])}?tab={tab}" for tab in DESK_TABS],
        reverse("scheduling:patient_courses", args=[patient]),
        reverse("reminders:patient_messages", args=[patient]),
        reverse("patient-detail", args=[patient]),
        reverse("appointment-detail", args=[appointment]),
        reverse("appointment-list"),
        reverse("scheduling:board"),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        shown = [word for word in CLINICAL_WORDS if word in text]
        assert not shown, f"{path} shows {shown} to the front desk"
    flags = client.get(reverse("patients:detail", args=[patient])).content.decode()
    assert "Needs physician clearance" in flags  # the flag, without the answers behind it
    weights = f"{reverse('patients:detail', args=[patient])}?tab=weights"
    assert " kg" in as_role("nurse").get(weights).content.decode()  # the check does see them
