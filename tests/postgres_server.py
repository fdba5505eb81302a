"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, listening on 127.0.0.1.

    with PostgresServer.start() as server:
        url = server.create_database("gradebook")
        # postgresql+psycopg2://postgres@127.0.0.1:PORT/gradebook

The server runs as the `postgres` user when the tests run as root (PostgreSQL refuses to run as
root), with trust authentication, on loopback only, without fsync (a test's data is thrown away).
`missing_reason()` says why no server can start here, for a skip message; CI sets
COURSE_REQUIRE_POSTGRES=1 so that the tests fail instead of skipping.
"""
from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REQUIRED = "COURSE_REQUIRE_POSTGRES"
SERVER_USER = "postgres"
# Debian installs the server outside PATH, in one folder per major version.
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


def binary(name: str) -> str | None:
    """Path of a PostgreSQL server program (initdb, pg_ctl): PATH first, then Debian's folders."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(DEBIAN_BINARIES.glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(versions[-1]) if versions else None


def server_user() -> str | None:
    """The user the server runs as: `postgres` for root, else whoever runs the tests."""
    if os.geteuid() != 0:
        return None
    return SERVER_USER


def missing_reason() -> str | None:
    """Why no test server can start here, or None when it can."""
    if not (binary("initdb") and binary("pg_ctl")):
        return ("PostgreSQL server programs (initdb, pg_ctl) not found on PATH or in "
                f"{DEBIAN_BINARIES}/*/bin; install them with `apt-get install postgresql`")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return (f"running as root, and there is no {SERVER_USER!r} user to run PostgreSQL "
                    "(the Debian package `postgresql` creates it)")
    if importlib.util.find_spec("psycopg2") is None:  # SQLAlchemy's driver for postgresql://
        return "the PostgreSQL driver psycopg2 is not installed (pip install psycopg2-binary)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server in its own temporary folder; `stop()` ends it and removes the folder."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port

    @classmethod
    def start(cls) -> PostgresServer:
        folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
        user = server_user()
        if user:  # the folder must belong to the server's user
            entry = pwd.getpwnam(user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        server = cls(folder, free_port())
        try:
            server._run(binary("initdb"), "--pgdata", str(folder / "data"), "--username",
                        SERVER_USER, "--auth", "trust", "--encoding", "UTF8", "--no-sync")
            options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            server._run(binary("pg_ctl"), "start", "--wait", "--timeout", "60", "--pgdata",
                        str(folder / "data"), "--log", str(folder / "server.log"),
                        "-o", options)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def _run(self, *command: str) -> None:
        result = subprocess.run(command, user=server_user(), cwd=self.folder,
                                capture_output=True, text=True)
        if result.returncode != 0:
            log = self.folder / "server.log"
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}\n"
                               f"{log.read_text() if log.exists() else ''}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database `name` and return its SQLAlchemy URL."""
        import psycopg2
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=SERVER_USER,
                                      dbname="postgres")
        connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(binary("pg_ctl"), "stop", "--mode", "immediate", "--wait", "--pgdata",
                      str(self.folder / "data"))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
