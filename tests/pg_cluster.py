"""A throwaway PostgreSQL + PostGIS cluster for the store tests (started once per test session).

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(``runuser``). It listens on a free port of 127.0.0.1 and a socket in its own folder, with fsync off
(a test cluster need not survive a power cut). ``ZQ_LAND_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns
a missing server into a failure instead of a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REQUIRE_ENV = "ZQ_LAND_REQUIRE_POSTGRES"


@dataclass(frozen=True)
class Cluster:
    port: int
    user: str = "postgres"
    template: str = "zq_template"

    def url(self, db: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A fresh database with PostGIS (a copy of the template), as a store URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.sql("postgres", f'CREATE DATABASE "{name}" TEMPLATE {self.template}')
        return self.url(name)

    def sql(self, db: str, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]


def server_bin() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them under /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_reason() -> str | None:
    """Why no cluster can be started here, or None."""
    bindir = server_bin()
    if bindir is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control") and not glob.glob(
            str(bindir.parent / "share/extension/postgis.control")):
        return "the PostGIS extension is not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


@contextmanager
def running_cluster(base: Path) -> Iterator[Cluster]:
    """Start a cluster in ``base`` on a free port, with a template database that has PostGIS; stop it after."""
    bindir = server_bin()
    assert bindir is not None
    data, sock = base / "data", base / "sock"
    base.mkdir(parents=True, exist_ok=True)
    data.mkdir()
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        for p in (base, data, sock):
            shutil.chown(p, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*cmd: str) -> None:
        done = subprocess.run([*as_user, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
        "--locale=C")
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log.txt"), "-w", "start")
    try:
        cluster = Cluster(port)
        cluster.sql("postgres", f"CREATE DATABASE {cluster.template}")
        cluster.sql(cluster.template, "CREATE EXTENSION postgis")
        yield cluster
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
