"""Backups with pg_dump and restores with pg_restore (``manage.py backup_database`` and
``restore_database``; the README's "Backup and restore" says when and how).

pg_dump must be at least as new as the server it dumps, and a machine may have several:
Debian's (``/usr/lib/postgresql/<major>/bin``), the one inside the pgserver package that runs
the embedded dev database, one on PATH. ``pg_tool`` asks each its version and takes the
oldest that is not older than the server, so the binary matches the server in use.
``PG_BIN_DIR`` names the folder explicitly (and is then the only one considered).
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.db import connections
from psycopg2 import sql

VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Database:
    """Where a database is, from a Django ``settings_dict``."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict, name: str | None = None) -> Database:
        return cls(
            name=name or settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
        )

    def client_arguments(self) -> list[str]:
        arguments = [f"--dbname={self.name}"]
        if self.host:
            arguments.append(f"--host={self.host}")
        if self.port:
            arguments.append(f"--port={self.port}")
        if self.user:
            arguments.append(f"--username={self.user}")
        return [*arguments, "--no-password"]

    def client_environment(self) -> dict[str, str]:
        # The password goes in the environment, never on a command line others can see.
        return {**os.environ, **({"PGPASSWORD": self.password} if self.password else {})}

    def connect(self, name: str | None = None):
        return psycopg2.connect(
            dbname=name or self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
        )


def server_major_version(database: Database) -> int:
    connection = database.connect("postgres")
    try:
        return connection.server_version // 10000
    finally:
        connection.close()


def candidate_bin_dirs() -> list[Path]:
    if os.environ.get("PG_BIN_DIR"):
        return [Path(os.environ["PG_BIN_DIR"])]
    found: list[Path] = []
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.submodule_search_locations:
        found.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
    found.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    for name in ("pg_dump", "pg_restore"):
        on_path = shutil.which(name)
        if on_path:
            found.append(Path(on_path).parent)
    return list(dict.fromkeys(found))


def tool_major_version(path: Path) -> int | None:
    try:
        completed = subprocess.run(  # noqa: S603 - a PostgreSQL client binary, fixed argument
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = VERSION.search(completed.stdout)
    return int(match.group(1)) if match else None


def pg_tool(name: str, server_major: int) -> Path:
    """The ``name`` binary (pg_dump, pg_restore) best suited to a server of that major."""
    versions: dict[Path, int | None] = {}
    for directory in candidate_bin_dirs():
        path = directory / name
        if path.exists():
            versions[path] = tool_major_version(path)
    usable = [(major, path) for path, major in versions.items() if major and major >= server_major]
    if not usable:
        seen = ", ".join(f"{path} ({major or 'unknown'})" for path, major in versions.items())
        raise BackupError(
            f"No {name} for PostgreSQL {server_major} or newer (found: {seen or 'none'}). "
            "Install the matching client (e.g. postgresql-client-"
            f"{server_major}) or set PG_BIN_DIR to its bin folder."
        )
    return min(usable, key=lambda pair: pair[0])[1]


def run(command: list[str], database: Database) -> None:
    completed = subprocess.run(  # noqa: S603 - a PostgreSQL client binary, our arguments
        command, env=database.client_environment(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{completed.stderr.strip()}")


def default_backup_path(directory: Path, database: Database) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"{database.name}-{stamp}.dump"


def dump(database: Database, path: Path) -> Path:
    """pg_dump ``database`` in the custom format to ``path`` (readable by its owner only).

    Written to a temporary name first, so a failed dump never looks like a backup.
    """
    tool = pg_tool("pg_dump", server_major_version(database))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.touch(mode=0o600)
    try:
        run([str(tool), "--format=custom", f"--file={partial}", *database.client_arguments()],
            database)  # fmt: skip
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def user_tables(database: Database) -> int:
    """How many tables, views and sequences the database holds outside Postgres' own schemas."""
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                " AND n.nspname NOT LIKE 'pg_toast%%'"
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def create_database(database: Database) -> None:
    connection = database.connect("postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
    finally:
        connection.close()


def restore(path: Path, database: Database) -> None:
    """pg_restore ``path`` into ``database``, which must exist and be empty.

    One transaction: a restore that fails part-way leaves the database empty, not half full.
    Ownership and grants are left out, so the dump restores under whichever role runs it.
    """
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    if user_tables(database):
        raise BackupError(
            f"Database {database.name!r} is not empty; restore only into an empty database "
            "(create a new one, or use --create with a new name)."
        )
    tool = pg_tool("pg_restore", server_major_version(database))
    run([str(tool), "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl",
         *database.client_arguments(), str(path)], database)  # fmt: skip


def row_counts(database: Database, tables: list[str]) -> dict[str, int | None]:
    """Rows per table; None for a table the database does not have."""
    connection = database.connect()
    try:
        counts: dict[str, int | None] = {}
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute("SELECT to_regclass(%s)", [table])
                if cursor.fetchone()[0] is None:
                    counts[table] = None
                    continue
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        connection.close()


def configured_database(name: str | None = None) -> Database:
    return Database.from_settings(connections["default"].settings_dict, name)
