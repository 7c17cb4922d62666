"""The desk's pages: a site's waitlist with its add form, withdrawing, and the fill page of
a freed chair (one click moves a waiting patient's session into it)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import AppointmentStatus
from tests.factories import PatientFactory
from tests.helpers import make_bookable
from waitlist.models import WaitlistEntry, WaitlistStatus, Wish
from waitlist.services import waitlist_add


def test_the_desk_adds_a_patient_on_the_sites_page(login, front_desk, waiting_patient, site):
    client = login(front_desk)
    page = client.get(reverse("waitlist:site"))
    assert page.status_code == 200 and b"Nobody is waiting" in page.content
    posted = client.post(
        reverse("waitlist:site") + f"?location={site.pk}",
        {"patient": waiting_patient.pk, "wish": "start_sooner", "weekdays": ["0", "2"]},
    )
    assert posted.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert entry.weekdays == [0, 2] and entry.created_by == front_desk
    assert waiting_patient.display_name in client.get(posted["Location"]).content.decode()


def test_picking_a_patient_lists_their_sessions_to_move(login, front_desk, later_course, site):
    client = login(front_desk)
    page = client.get(reverse("waitlist:site"), {"patient": later_course.patient_id})
    options = page.context["form"].fields["appointment"].queryset
    assert set(options) == set(later_course.appointments.all())
    assert not client.get(reverse("waitlist:site")).context["form"].fields["appointment"].queryset


def test_a_refused_add_shows_the_reason_on_the_form(login, front_desk, site, move_earlier):
    client = login(front_desk)
    posted = client.post(
        reverse("waitlist:site"),
        {"patient": move_earlier.patient_id, "wish": "move_earlier",
         "appointment": move_earlier.appointment_id},
    )  # fmt: skip
    assert posted.status_code == 200
    assert "already on the waitlist" in posted.content.decode()
    assert WaitlistEntry.objects.count() == 1


def test_the_fill_page_moves_the_session_in_one_click(login, front_desk, move_earlier, freed):
    client = login(front_desk)
    site_page = client.get(reverse("waitlist:site")).content.decode()
    assert reverse("waitlist:fill", args=[freed.pk]) in site_page
    page = client.get(reverse("waitlist:fill", args=[freed.pk]))
    assert page.status_code == 200
    assert move_earlier.patient.display_name in page.content.decode()
    moved = client.post(reverse("waitlist:fill", args=[freed.pk]), {"entry": move_earlier.pk})
    assert moved.status_code == 302
    session = move_earlier.appointment
    session.refresh_from_db()
    assert session.starts_at == freed.starts_at and session.chair == freed.chair
    move_earlier.refresh_from_db()
    assert move_earlier.status == WaitlistStatus.FILLED
    again = client.post(reverse("waitlist:fill", args=[freed.pk]), {"entry": move_earlier.pk})
    assert again.status_code == 200  # no longer an active entry to pick: nothing moves twice


def test_a_session_still_booked_frees_no_chair(login, front_desk, first_course, move_earlier):
    booked = first_course.appointments.get(sequence=3)
    assert booked.status == AppointmentStatus.SCHEDULED
    page = login(front_desk).get(reverse("waitlist:fill", args=[booked.pk]))
    assert "only a cancelled or missed session frees its chair" in page.content.decode()


def test_withdraw_page(login, front_desk, move_earlier):
    client = login(front_desk)
    url = reverse("waitlist:withdraw", args=[move_earlier.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Found a sooner clinic"}).status_code == 302
    move_earlier.refresh_from_db()
    assert move_earlier.status == WaitlistStatus.WITHDRAWN


def test_a_nurse_gets_403(login, nurse, move_earlier, freed):
    client = login(nurse)
    for url in (
        reverse("waitlist:site"),
        reverse("waitlist:withdraw", args=[move_earlier.pk]),
        reverse("waitlist:fill", args=[freed.pk]),
    ):
        assert client.get(url).status_code == 403


def test_the_sites_page_costs_the_same_queries_for_one_entry_or_many(
    login, front_desk, site, move_earlier, freed, nurse
):
    client = login(front_desk)
    client.get(reverse("waitlist:site"))  # sessions, permissions: warm

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("waitlist:site")).status_code == 200
        return len(queries)

    one = count()
    for _ in range(5):
        waitlist_add(
            patient=make_bookable(PatientFactory(home_location=site), nurse), location=site,
            wish=Wish.START_SOONER, by=front_desk,
        )  # fmt: skip
    assert count() == one


def test_only_a_move_earlier_entry_of_the_site_is_filled_from_the_page(
    login, front_desk, freed, waiting_patient, site
):
    sooner = waitlist_add(
        patient=waiting_patient, location=site, wish=Wish.START_SOONER, by=front_desk
    )
    posted = login(front_desk).post(reverse("waitlist:fill", args=[freed.pk]), {"entry": sooner.pk})
    assert posted.status_code == 200
    sooner.refresh_from_db()
    assert sooner.status == WaitlistStatus.ACTIVE


def test_after_a_cancel_the_make_up_page_offers_the_freed_chair_to_the_waitlist(
    login, front_desk, move_earlier, freed, first_course, later_course
):
    """Scheduling does not import the waitlist: the waitlist hooks into the make-up page
    (scheduling.hooks.on_freed_slot), which the desk lands on after cancelling a session."""
    client = login(front_desk)
    page = client.get(reverse("scheduling:make_up", args=[freed.pk])).content.decode()
    assert "1 patient on the waitlist could take this time: fill the chair" in page
    assert reverse("waitlist:fill", args=[freed.pk]) in page
    # Nobody waiting any more: the offer goes.
    client.post(
        reverse("waitlist:withdraw", args=[move_earlier.pk]), {"reason": "Found another day"}
    )
    page = client.get(reverse("scheduling:make_up", args=[freed.pk])).content.decode()
    assert "could take this time" not in page
