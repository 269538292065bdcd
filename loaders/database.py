"""The DuckDB file as both sides see it: where it is, opening a connection while another process holds the
file, and the plain errors when it is busy or missing. The only writer (loaders/writer/store.py) and the read
side (queries/) both open connections here; nothing here writes.

DuckDB lets one process open a database file read-write, or many processes open it read-only, never both at
once; inside one process it also refuses a read-only and a read-write connection to the same file at the same
time. So nobody keeps a connection open, and opening retries on lock errors (another process holds the file,
or this process has it open in the other mode) with a growing pause, for at most `LOCK_TIMEOUT_S` seconds,
then raises `DatabaseBusyError` with a plain message.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from loaders.config import project_path, section

LOCK_TIMEOUT_S = 10.0

# Substrings of DuckDB's messages when the file is locked by another process, or open in this process with
# another configuration (read-only vs read-write). Both clear up once the other side closes its connection.
_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock", "different configuration")


class StoreError(Exception):
    """A storage problem explained in plain English (never shown with a traceback)."""


class DatabaseBusyError(StoreError):
    pass


class DatabaseMissingError(StoreError):
    pass


def default_db() -> Path:
    """The database file named in config.yaml (`paths.database`), resolved against the project root."""
    return project_path(section("paths").get("database", "data/rectification.duckdb"))


def busy_error(db: Path, timeout: float) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"The database {db} is in use by another program (an ingestion or the dashboard writing);"
        f" gave up after {timeout:g} s. Try again in a moment."
    )


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(m in str(exc) for m in _LOCK_MESSAGES)


def open_connection(db: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """A new connection to `db`, retried while the file is locked for at most `timeout` seconds. A
    read-only connection to a file that does not exist raises DatabaseMissingError (DuckDB would create
    it). The caller closes it."""
    if read_only and not db.exists():
        raise DatabaseMissingError(f"No database at {db} yet: run `python -m loaders ingest` first.")
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        try:
            return duckdb.connect(str(db), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"Cannot open the database {db}: {exc}") from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise busy_error(db, timeout) from None
        # Short, jittered pauses: a lock is usually held for well under a second, and a writer waiting on
        # busy readers (or the reverse) must not keep missing the gaps between them.
        time.sleep(min(pause * random.uniform(0.5, 1.0), remaining))
        pause = min(pause * 2, 0.1)


@contextlib.contextmanager
def read_connection(
    db: str | Path | None = None, timeout: float = LOCK_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection (the dashboard's queries): open one per query or page render, never
    keep one in a session or a cache. Closed on exit."""
    path = Path(db) if db is not None else default_db()
    with contextlib.closing(open_connection(path, True, timeout)) as con:
        yield con
