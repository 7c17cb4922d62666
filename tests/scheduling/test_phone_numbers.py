"""Escort and opt-out phones are stored in E.164, like patients' phones; the migration that
made them phone fields rewrote older values the same way and merged duplicate opt-outs."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from scheduling.models import SmsOptOut
from scheduling.reminders.services import sms_opt_out_record

pytestmark = pytest.mark.django_db

migration = importlib.import_module("scheduling.migrations.0010_escort_phones_and_opt_outs_e164")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("(949) 555-0123", "+19495550123"),
        ("949.555.0123", "+19495550123"),
        ("+1 949 555 0123", "+19495550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555-01", "555-01"),
        ("call the front desk", "call the front desk"),
    ],
)
def test_the_migration_writes_valid_numbers_in_e164_and_leaves_the_rest(value, expected):
    assert migration.e164_or_as_is(value) == expected


def test_a_stop_reply_is_recorded_in_e164():
    sms_opt_out_record(phone="+1 (949) 555-0177")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM scheduling_smsoptout")
        assert cursor.fetchall() == [("+19495550177",)]
    assert SmsOptOut.objects.filter(phone="949-555-0177").exists()


def test_the_migration_merges_opt_outs_of_one_number_keeping_the_earliest():
    start = timezone.now() - datetime.timedelta(days=3)
    rows = [("949-555-0123", 2), ("(949) 555-0123", 0), ("+19495550123", 1), ("555-01", 0)]
    with connection.cursor() as cursor:
        for phone, days in rows:
            cursor.execute(
                "INSERT INTO scheduling_smsoptout (phone, recorded_at) VALUES (%s, %s)",
                [phone, start + datetime.timedelta(days=days)],
            )
    state = MigrationLoader(connection).project_state(("scheduling", "0009_merge_20261205_0652"))
    migration.merge_opt_outs(state.apps.get_model("scheduling", "SmsOptOut"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, recorded_at FROM scheduling_smsoptout ORDER BY phone")
        assert cursor.fetchall() == [("+19495550123", start), ("555-01", start)]


def test_the_migration_rewrites_a_sites_phone_and_leaves_an_unparsable_one():
    site_migration = importlib.import_module("clinic.migrations.0004_location_phone_e164")
    with connection.cursor() as cursor:
        for code, phone in [("e164-a", "(949) 555-0100"), ("e164-b", "ask at the desk")]:
            cursor.execute(
                "INSERT INTO clinic_location (name, code, time_zone, address, phone, is_active) "
                "VALUES (%s, %s, 'America/Los_Angeles', '', %s, true)",
                [code, code, phone],
            )
    state = MigrationLoader(connection).project_state(("clinic", "0003_staff_sessions"))
    site_migration.normalise_location_phones(state.apps, None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, phone FROM clinic_location WHERE code LIKE 'e164-%%' ORDER BY code"
        )
        assert cursor.fetchall() == [("e164-a", "+19495550100"), ("e164-b", "ask at the desk")]
