"""The README tour's screenshots, taken from the demo clinic (``make screenshots``).

Seeds the demo data into the configured database (the same one ``make run`` uses), starts
the web process ``make run`` starts on a free loopback port, logs in as each demo user in
Debian's Chromium and saves each role's screens at desktop and tablet sizes under
``docs/screenshots/``. Dev only: it logs in with the published demo password and code.

A page that needs an object the demo does not have today (say, no running infusion) is
skipped with a line saying so, rather than photographed empty.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 768, "height": 1024}}
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Shot:
    name: str
    path: str | Callable[[], str | None]
    sizes: tuple[str, ...] = ("desktop", "tablet")


@dataclass
class Role:
    username: str
    title: str
    shots: list[Shot] = field(default_factory=list)


def _running_chair() -> str | None:
    from infusions.models import InfusionRecord

    record = InfusionRecord.objects.filter(status="running").order_by("pk").first()
    return f"/infusions/appointments/{record.appointment_id}/chair/" if record else None


def _dose_panel() -> str | None:
    from infusions.models import DoseOrder

    order = DoseOrder.objects.active().order_by("-pk").first()
    return f"/infusions/appointments/{order.appointment_id}/dose/" if order else None


def _patient_mid_course() -> str | None:
    from scheduling.models import Course

    course = Course.objects.filter(status="active").order_by("pk").first()
    return f"/patients/{course.patient_id}/" if course else None


def _reschedule() -> str | None:
    from django.utils import timezone

    from scheduling.models import Appointment

    later = Appointment.objects.filter(
        status="scheduled", course__status="active", starts_at__gt=timezone.now()
    ).order_by("starts_at")
    appointment = later.first()
    return f"/scheduling/appointments/{appointment.pk}/reschedule/" if appointment else None


def _make_up() -> str | None:
    from scheduling.models import Appointment

    cancelled = Appointment.objects.filter(
        status="cancelled", course__status__in=("planned", "active"), made_up_by__isnull=True
    ).order_by("-starts_at")
    appointment = cancelled.first()
    return f"/scheduling/appointments/{appointment.pk}/make-up/" if appointment else None


def _patient_courses() -> str | None:
    path = _patient_mid_course()
    return f"{path}?tab=courses" if path else None


def _printable_record() -> str | None:
    from infusions.models import InfusionRecord

    record = InfusionRecord.objects.filter(status="discharged").order_by("-pk").first()
    return f"/infusions/appointments/{record.appointment_id}/record/" if record else None


def roles() -> list[Role]:
    return [
        Role(
            "frontdesk",
            "Front desk",
            [
                Shot("home", "/"),
                Shot("week", "/scheduling/board/week/", ("desktop",)),
                Shot("planner", "/scheduling/plan/", ("desktop",)),
                Shot("patients", "/patients/", ("desktop",)),
                Shot("patient", _patient_mid_course, ("desktop",)),
                Shot("patient-courses", _patient_courses, ("desktop",)),
                Shot("reschedule", _reschedule, ("desktop",)),
                Shot("make-up", _make_up, ("desktop",)),
                Shot("requests", "/patients/consultations/", ("desktop",)),
                Shot("reminders", "/scheduling/reminders/", ("desktop",)),
            ],
        ),
        Role(
            "nurse",
            "Nurse",
            [
                Shot("home", "/"),
                Shot("chair", _running_chair),
                Shot("dose-panel", _dose_panel),
                Shot("drug-log", "/infusions/drug-log/", ("desktop",)),
            ],
        ),
        Role(
            "physician",
            "Physician",
            [
                Shot("home", "/"),
                Shot("unsigned-orders", "/infusions/orders/unsigned/", ("desktop",)),
                Shot("printable-record", _printable_record, ("desktop",)),
            ],
        ),
        Role(
            "admin",
            "Clinic admin",
            [
                Shot("home", "/"),
                Shot("rota", "/scheduling/setup/rota/", ("desktop",)),
                Shot("site", "/scheduling/setup/site/", ("desktop",)),
                Shot("staff", "/staff/", ("desktop",)),
                Shot("django-admin", "/admin/", ("desktop",)),
            ],
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the web process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def _demo_secrets() -> tuple[str, str]:
    """The published demo password and the demo authenticator's current code."""
    from django.conf import settings
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice(key=settings.DEMO_TOTP_KEY)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return settings.DEMO_PASSWORD, f"{totp.token():0{device.digits}d}"


def _log_in(page, base: str, username: str, password: str, code: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if page.get_by_label("Code").count():
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()


def _resolve(role: Role) -> None:
    """Look up each shot's page now: the ORM may not be used inside Playwright's loop."""
    for shot in role.shots:
        if callable(shot.path):
            shot.path = shot.path()


def _photograph(browser, base: str, role: Role) -> list[str]:
    """One login per role (a demo code is refused the second time), then each size."""
    taken = []
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    _log_in(page, base, role.username, *_demo_secrets())
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for shot in role.shots:
            if size not in shot.sizes:
                continue
            if shot.path is None:
                print(f"  skipped {role.username} {shot.name}: the demo has no such object today")
                continue
            response = page.goto(base + shot.path)
            page.wait_for_load_state("networkidle")
            if response is None or response.status >= 400:
                status = response.status if response else "no answer"
                print(f"  skipped {role.username} {shot.name}: {shot.path} answered {status}")
                continue
            target = OUT / f"{role.username}-{shot.name}-{size}.png"
            page.screenshot(path=str(target), full_page=False)
            taken.append(target.name)
    context.close()
    return taken


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    if not settings.DEV:
        raise SystemExit("make screenshots logs in with the published demo password: dev only")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(base, server)
        tour = roles()
        for role in tour:
            _resolve(role)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for role in tour:
                for name in _photograph(browser, base, role):
                    print(f"  saved docs/screenshots/{name}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
