"""Backup and restore: pg_dump a database with clinical rows, pg_restore it into a new empty
one, and find the same rows there, still append-only."""

import stat
from decimal import Decimal

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from clinic import backups
from clinic.models import User
from infusions.models import DrugLogEntry, VitalsReading
from infusions.services import drug_draw, infusion_check_in, lot_receive, vitals_record
from patients.models import Patient
from scheduling.models import Appointment
from tests.factories import PatientFactory


@pytest.fixture
def clinical_rows(site, nurse, physician, appointment, order):
    """Two patients, an appointment with a chart and a vitals reading, a drawn lot."""
    PatientFactory(home_location=site, legal_last_name="Okafor")
    record = infusion_check_in(appointment=appointment, by=nurse)
    reading, _ = vitals_record(
        record=record, taken_by=nurse, systolic_mmhg=121, diastolic_mmhg=79, pulse_bpm=71,
        spo2_percent=98,
    )  # fmt: skip
    lot = lot_receive(
        location=site, lot_number="K-BACKUP", concentration_mg_per_ml=Decimal("50"),
        vial_volume_ml=Decimal("10"), vials=2, received_by=physician,
        expires_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
    )  # fmt: skip
    draw = drug_draw(order=order, lot=lot, ml=Decimal("1"), drawn_by=nurse)
    return {"patient": appointment.patient, "reading": reading, "draw": draw}


@pytest.fixture
def restored_database():
    """A database name next to the test database's, dropped afterwards however it went."""
    target = backups.configured_database(connection.settings_dict["NAME"] + "_restored")

    def drop():
        admin = target.connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        admin.close()

    drop()
    yield target
    drop()


def fetch(database, query, parameters=()):
    restored = database.connect()
    try:
        with restored.cursor() as cursor:
            cursor.execute(query, parameters)
            return cursor.fetchall()
    finally:
        restored.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_the_same_rows(
    clinical_rows, restored_database, tmp_path, capsys
):
    dump_file = tmp_path / "clinic.dump"
    call_command("backup_database", output=dump_file)
    assert dump_file.stat().st_size > 0
    assert stat.S_IMODE(dump_file.stat().st_mode) & 0o077 == 0  # the owner's eyes only

    call_command("restore_database", dump_file, database=restored_database.name, create=True)
    assert f"Restored {dump_file} into {restored_database.name}" in capsys.readouterr().out

    for model in (User, Patient, Appointment, VitalsReading, DrugLogEntry):
        table = model._meta.db_table
        [(count,)] = fetch(restored_database, f"SELECT count(*) FROM {table}")  # noqa: S608
        assert count == model.objects.count() > 0, table
    patient, reading, draw = (clinical_rows[k] for k in ("patient", "reading", "draw"))
    assert fetch(
        restored_database,
        "SELECT mrn, legal_last_name, date_of_birth FROM patients_patient WHERE id = %s",
        [patient.pk],
    ) == [(patient.mrn, patient.legal_last_name, patient.date_of_birth)]
    assert fetch(
        restored_database,
        "SELECT systolic_mmhg, taken_by_id FROM infusions_vitalsreading WHERE id = %s",
        [reading.pk],
    ) == [(121, reading.taken_by_id)]
    assert fetch(
        restored_database,
        "SELECT kind, mg, balance_mg FROM infusions_druglogentry WHERE id = %s",
        [draw.pk],
    ) == [(draw.kind, Decimal("50.00"), Decimal("950.00"))]

    # Sequences came along too: the next MRN after a restore is never one already given.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM patients_mrn_seq")
        live_mrn = cursor.fetchone()
    assert fetch(restored_database, "SELECT last_value FROM patients_mrn_seq") == [live_mrn]

    # The append-only triggers came along: the restored legal record still cannot change.
    for statement in (
        "UPDATE infusions_vitalsreading SET systolic_mmhg = 150 WHERE id = %s",
        "DELETE FROM infusions_druglogentry WHERE id = %s",
    ):
        with pytest.raises(psycopg2.DatabaseError, match="Cannot"):
            pk = reading.pk if "vitals" in statement else draw.pk
            fetch(restored_database, statement, [pk])


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_database_with_tables_is_refused(site, tmp_path):
    dump_file = tmp_path / "clinic.dump"
    call_command("backup_database", output=dump_file)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_database", dump_file)  # the configured, in-use database


def test_a_missing_backup_file_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore_database", tmp_path / "nope.dump")


def fake_tool(directory, name, major):
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.3'\n")
    tool.chmod(0o755)
    return tool


def test_the_oldest_client_not_older_than_the_server_is_chosen(tmp_path, monkeypatch):
    tools = {major: fake_tool(tmp_path / str(major), "pg_dump", major) for major in (14, 15, 17)}
    monkeypatch.setattr(backups, "candidate_bin_dirs", lambda: [t.parent for t in tools.values()])
    assert backups.pg_tool("pg_dump", 15) == tools[15]
    assert backups.pg_tool("pg_dump", 16) == tools[17]
    with pytest.raises(backups.BackupError, match="No pg_dump for PostgreSQL 18") as error:
        backups.pg_tool("pg_dump", 18)
    assert "(14)" in str(error.value) and "postgresql-client-18" in str(error.value)


def test_the_real_pg_dump_found_here_matches_the_server(db):
    server = backups.server_major_version(backups.configured_database())
    assert backups.tool_major_version(backups.pg_tool("pg_dump", server)) >= server
    assert backups.tool_major_version(backups.pg_tool("pg_restore", server)) >= server
