"""The DuckDB file: connections, schema and its migrations, per-file bulk writes, checksums.

Rows come from loaders/writer/rows.py (parsed reports → Arrow tables); supervisors' corrections are written by
loaders/writer/overrides.py through this module's connections. Those two and this are the only writers.

Concurrency design
------------------
DuckDB lets one process open a database file read-write, or many processes open it read-only, never both
at once; inside one process it also refuses a read-only and a read-write connection to the same file at the
same time. The dashboard reads while the CLI ingests, and the dashboard itself writes overrides and imports,
so nobody may keep a connection open:

* Every operation opens a connection with `connect(db, read_only)`, does its work and closes it. Opening
  (loaders/database.py, shared with the read side) retries on lock errors (another process holds the file,
  or this process has it open in the other mode) with a growing pause, for at most `LOCK_TIMEOUT_S`
  seconds, then raises `DatabaseBusyError` with a plain message. Readers use
  `loaders.database.read_connection(db)`.
* A writer holds its connection for one write (a part of a batch of files sized by loaders/writer/ingest.py to
  about 1.5 s, or one override) only, then closes it, so waiting readers get in between writes. Inside
  this process, writers are serialised by a lock per database file (DuckDB would otherwise let two threads
  race on the same file).
* Each file is written in one transaction: the previous version's rows are deleted and the new rows
  inserted from Arrow tables (bulk, not row by row). Any error rolls the transaction back, so the database
  is exactly as before; a `kill -9` leaves the files committed before it (DuckDB's write-ahead log).
* Overrides are append-only (loaders/writer/overrides.py): nothing updates or deletes them, and ingestion
  never touches the table.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

# Connections and their errors are shared with the read side (loaders/database.py); re-exported here for
# the writer's callers (the CLI, the dashboard's write services), which catch them as store.*.
from loaders.database import LOCK_TIMEOUT_S as LOCK_TIMEOUT_S
from loaders.database import DatabaseBusyError as DatabaseBusyError
from loaders.database import DatabaseMissingError as DatabaseMissingError
from loaders.database import StoreError as StoreError
from loaders.database import busy_error, open_connection
from loaders.database import default_db as default_db
from loaders.database import read_connection as read_connection
from loaders.models import Report
from loaders.similar import title_clause
from loaders.writer import carry, lineage
from loaders.writer.fingerprint import parser_fingerprint
from loaders.writer.rows import ARROW_SCHEMAS, FileVersion, Rows, add_file, first_due, report_counts

Connection = duckdb.DuckDBPyConnection  # for the modules writing through this one's connections
SCHEMA_PATH = Path(__file__).with_name("schema.sql")
DATA_TABLES = ("files", "reports", "issues", "measures", "deadlines", "figures", "warnings")
ALL_TABLES = (*DATA_TABLES, "overrides")
# Derived from the data tables (loaders/writer/lineage.py), updated for the units every write touches
# (update_lineage: extended when the write only adds later reports, else rebuilt per unit).
DERIVED_TABLES = ("report_threads", "issue_lineage")
# reports columns counting the report's rows in issues (and distinct categories), measures and warnings.
REPORT_COUNTS = ("n_issues", "n_categories", "n_measures", "n_warnings")

_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(db: Path) -> threading.RLock:
    with _write_locks_guard:
        return _write_locks.setdefault(str(db.resolve()), threading.RLock())


@contextlib.contextmanager
def connect(
    db: str | Path | None = None, read_only: bool = False, timeout: float = LOCK_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection, retried while the file is locked; closed on exit (keep the block short).

    A read-write connection creates the file and the schema when missing, and holds this process's write
    lock for the file, so writers in different threads take turns.
    """
    path = Path(db) if db is not None else default_db()
    if read_only:
        with read_connection(path, timeout) as con:
            yield con
        return
    started = time.monotonic()
    lock = _write_lock(path)
    if not lock.acquire(timeout=timeout):
        raise busy_error(path, timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        left = max(0.0, timeout - (time.monotonic() - started))
        with contextlib.closing(open_connection(path, False, left)) as con:
            ensure_schema(con)
            yield con
    finally:
        lock.release()


@functools.cache
def _schema_columns() -> frozenset[tuple[str, str]]:
    """Every (table or view, column) schema.sql defines, read from an empty in-memory database built by it."""
    with contextlib.closing(duckdb.connect(":memory:")) as con:
        con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
        return frozenset((t, c) for t, c in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns").fetchall())


def schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has every table, view and column of schema.sql (nothing to migrate); a
    read-only connection will do."""
    have = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns").fetchall()}
    return _schema_columns() <= have and not have & _DROPPED_COLUMNS and _indexed(con) and _has_macros(con)


def _has_macros(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has schema.sql's table macro issues_counted_in (information_schema does not list
    macros; the store's copy of the corrections reads it, and older databases have a view of their own)."""
    return con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'issues_counted_in' "
                       "AND function_type = 'table_macro' AND database_name = current_database()"
                       ).fetchall()[0][0] > 0


def _indexed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has schema.sql's indexes (older databases have none)."""
    return con.execute("SELECT count(*) FROM duckdb_indexes() WHERE index_name IN "
                       "('measures_issue', 'deadlines_issue')").fetchall()[0][0] == 2


def migrate(db: str | Path | None = None, timeout: float = LOCK_TIMEOUT_S) -> bool:
    """Bring a database made by an older version up to schema.sql (ensure_schema), once, before anything
    reads it: the read side assumes the current schema and has no fallbacks. Checked on a read-only
    connection first, so a current database (even a read-only file) is never opened for writing. True when
    it migrated. Raises StoreError (DatabaseBusyError while another program holds the file) when it cannot."""
    with read_connection(db, timeout) as con:
        if schema_current(con):
            return False
    with connect(db, timeout=timeout):  # a read-write connection runs ensure_schema
        return True


def skip_compaction(con: duckdb.DuckDBPyConnection) -> None:
    """This connection's checkpoint (when it closes) writes the new rows without merging the tables' row
    groups: DuckDB's vacuum re-compresses the last row groups of every table at each checkpoint (0.3 s of
    CPU per write at 1,000 files, ~85 % of a write's checkpoint), so a run of many writes (ingest) pays it
    once, at its last write, instead of at every write."""
    con.execute("SET max_vacuum_tasks = 0")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and the view from schema.sql when any is missing (no write when all exist)."""
    if schema_current(con):  # every write opens with this: two catalog queries, not the six below
        return
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    old_overrides = "overrides" in names and not con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'overrides' "
        "AND column_name = 'kind'").fetchall()[0][0]
    if old_overrides:  # made before withdrawals and carries: its rows are corrections (creates the views)
        _add_override_kinds(con)
    elif not {*ALL_TABLES, *DERIVED_TABLES, "issues_effective", "overrides_active", "overrides_in_force",
              "overrides_orphaned", "issues_counted", "issues_current"} <= names or not _has_macros(con):
        con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
    if not set(DERIVED_TABLES) <= names:  # made before the lineage tables: build them for every unit
        in_transaction(con, lambda: rebuild_lineage(con, None))
    columns = {(r[0], r[1]) for r in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name IN ('files', 'warnings', 'reports', 'issues')").fetchall()}
    if ("files", "parser_version") not in columns:  # a database made before files.parser_version existed
        con.execute("ALTER TABLE files ADD COLUMN parser_version VARCHAR")
    if ("files", "displaced_by") not in columns:  # made before it: no file is known to be displaced
        con.execute("ALTER TABLE files ADD COLUMN displaced_by VARCHAR")
    if ("warnings", "message_zh") not in columns:  # made before warnings.message_zh: old rows stay NULL
        con.execute("ALTER TABLE warnings ADD COLUMN message_zh VARCHAR")
    if ("reports", "n_issues") not in columns:  # made before the per-report counts: count the stored rows
        _add_report_counts(con)
    if ("reports", "published_on_source") not in columns:  # made before it: NULL until the file is re-parsed
        con.execute("ALTER TABLE reports ADD COLUMN published_on_source VARCHAR")
    if ("issues", "first_due") not in columns:  # made before issues.first_due: from the stored deadlines
        _add_first_due(con)
    if ("issues", "owner") not in columns:  # made before issues.owner: NULL until the file is parsed again
        con.execute("ALTER TABLE issues ADD COLUMN owner VARCHAR")
    if ("issues", "counter_evidence") not in columns:  # made before them: NULL until the file is parsed again
        con.execute("ALTER TABLE issues ADD COLUMN counter_evidence VARCHAR")
    if ("issues", "overdue_commitments") not in columns:
        con.execute("ALTER TABLE issues ADD COLUMN overdue_commitments VARCHAR[]")
    if ("issues", "title_clause") not in columns:  # made before it: from the stored titles, as ingest does
        in_transaction(con, lambda: _add_title_clause(con))
    if ("issues", "hidden_from") not in columns:  # made before the copies: from reports and issue_lineage
        in_transaction(con, lambda: _add_issue_copies(con))
    if ("issues", "correction_source") not in columns:  # made before the copy: from issues_counted
        in_transaction(con, lambda: _add_corrections(con))
    dropped = columns & _DROPPED_COLUMNS
    if dropped:
        _drop_columns(con, dropped)
    if not _indexed(con):  # made before the index (the measures' one copy of their text is read by key)
        con.execute("CREATE INDEX IF NOT EXISTS measures_issue ON measures (issue_key)")
        con.execute("CREATE INDEX IF NOT EXISTS deadlines_issue ON deadlines (issue_key)")
    if not columns >= _ADDED_COLUMNS or dropped:
        # The views were bound to the columns their tables had then (information_schema still lists those):
        # recreate them over the columns just added, so the database reads as schema.sql says.
        con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))


# The columns ensure_schema adds to a database made before them.
_ADDED_COLUMNS = {("files", "parser_version"), ("files", "displaced_by"), ("warnings", "message_zh"),
                  ("reports", "n_issues"), ("reports", "published_on_source"), ("issues", "first_due"),
                  ("issues", "owner"), ("issues", "counter_evidence"), ("issues", "overdue_commitments"),
                  ("issues", "title_clause"), ("issues", "report_unit"), ("issues", "report_province"),
                  ("issues", "report_city"), ("issues", "report_published_on"), ("issues", "report_part"),
                  ("issues", "shown_from"), ("issues", "hidden_from"), ("issues", "correction_status"),
                  ("issues", "correction_source")}


# Columns of older databases that schema.sql no longer has, dropped by ensure_schema. issues.measures_text
# held every measure's text a second time (the measures table holds it once): ~40 % of the database,
# rewritten by every checkpoint that touched the issues.
_DROPPED_COLUMNS = frozenset({("issues", "measures_text")})


def _drop_columns(con: duckdb.DuckDBPyConnection, dropped: set[tuple[str, str]]) -> None:
    """Drop the obsolete columns `dropped`, then CHECKPOINT so their blocks are freed now (the file keeps its
    size; DuckDB reuses the space). Nothing reads them any more; the measures table keeps the text."""
    for table, column in _DROPPED_COLUMNS:  # names from this module, never from the database
        if (table, column) in dropped:
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("CHECKPOINT")


T = TypeVar("T")


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """`work()` in one transaction: committed with everything it wrote, or rolled back and re-raised."""
    con.execute("BEGIN TRANSACTION")
    try:
        result = work()
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has rolled back already
            con.execute("ROLLBACK")
        raise
    return result


# issues' copies of their report's columns (schema.sql; loaders/writer/rows.py writes them with the issue).
_REPORT_COPIES = ("unit", "province", "city", "published_on", "part")  # issues.report_<name> = reports.<name>


def _add_issue_copies(con: duckdb.DuckDBPyConnection) -> None:
    """issues' copies of their report's columns and of their lineage's limits, for a database made before
    them (in the caller's transaction: a column added but never filled would filter every issue out)."""
    for name in (*(f"report_{c}" for c in _REPORT_COPIES), "shown_from", "hidden_from"):
        kind = "DATE" if name in ("report_published_on", "shown_from", "hidden_from") else "VARCHAR"
        con.execute(f"ALTER TABLE issues ADD COLUMN {name} {kind}")
    assign = ", ".join(f"report_{c} = r.{c}" for c in _REPORT_COPIES)
    con.execute(f"UPDATE issues SET {assign} FROM reports r WHERE r.report_key = issues.report_key")
    refresh_lineage_limits(con, None)


def refresh_lineage_limits(con: duckdb.DuckDBPyConnection, units: Sequence[str] | None) -> None:
    """issues.shown_from / hidden_from of these units' issues (None: every unit) from issue_lineage, the one
    definition of which version of a problem counts on a date (queries/base.py _latest_version reads them).
    Call after their lineage is rebuilt, in the same transaction. Only the rows whose limits change are
    written: most issues are a problem's only version, and their NULLs stay (a LEFT JOIN of every issue of
    the units with its lineage cost 0.27 s of CPU per 50-unit write at 100,000 reports)."""
    if units is not None and not units:
        return
    params = {"units": None if units is None else list(units)}
    unit_of_issue = "($units IS NULL OR list_contains($units::VARCHAR[], issues.report_unit))"
    # The lineage rows with a limit (a later version, or superseded): few; both sides filtered by unit first.
    limited = """SELECT issue_key, CASE WHEN version > 1 THEN published_on END AS shown_from,
                        CASE WHEN superseded THEN COALESCE(successor_on, DATE '0001-01-01') END AS hidden_from
                 FROM issue_lineage
                 WHERE ($units IS NULL OR list_contains($units::VARCHAR[], unit))
                   AND (version > 1 OR superseded)"""
    con.execute(f"""
        UPDATE issues SET shown_from = NULL, hidden_from = NULL
        WHERE {unit_of_issue} AND (shown_from IS NOT NULL OR hidden_from IS NOT NULL)
          AND issue_key NOT IN (SELECT issue_key FROM ({limited}))""", params)
    con.execute(f"""
        UPDATE issues SET shown_from = w.shown_from, hidden_from = w.hidden_from FROM ({limited}) w
        WHERE {unit_of_issue} AND issues.issue_key = w.issue_key
          AND (issues.shown_from IS DISTINCT FROM w.shown_from
               OR issues.hidden_from IS DISTINCT FROM w.hidden_from)""", params)


def lineage_limits(row: lineage.LineageRow) -> tuple[date | None, date | None]:
    """issues.shown_from / hidden_from of an issue whose lineage row is `row`: what refresh_lineage_limits'
    SQL computes (the two must agree; a test checks them on random corpora)."""
    shown = row.published_on if row.version > 1 else None
    hidden = (row.successor_on or date(1, 1, 1)) if row.superseded else None
    return shown, hidden


def _write_lineage_limits(con: duckdb.DuckDBPyConnection, rows: Sequence[lineage.LineageRow]) -> None:
    """issues.shown_from / hidden_from of the issues of these lineage rows (just written), from the rows
    themselves: refresh_lineage_limits for a few keys without reading issue_lineage. Its per-unit SQL read
    issues and issue_lineage twice each (~0.13 s of CPU per write at 10,000 files, growing with the file);
    this probes issues once, writing only the rows that change."""
    if not rows:
        return
    limits = [lineage_limits(row) for row in rows]
    values = pa.table({"issue_key": pa.array([row.issue_key for row in rows], pa.string()),
                       "shown_from": pa.array([s for s, _ in limits], pa.date32()),
                       "hidden_from": pa.array([h for _, h in limits], pa.date32())})
    with _registered(con, values):
        con.execute("""
            UPDATE issues SET shown_from = v.shown_from, hidden_from = v.hidden_from FROM _values v
            WHERE issues.issue_key = v.issue_key
              AND (issues.shown_from IS DISTINCT FROM v.shown_from
                   OR issues.hidden_from IS DISTINCT FROM v.hidden_from)""")


def _add_corrections(con: duckdb.DuckDBPyConnection) -> None:
    """issues.correction_status / correction_source for a database made before them (in the caller's
    transaction: a column added but never filled would count every corrected issue at its parsed status)."""
    for name in ("correction_status", "correction_source"):
        con.execute(f"ALTER TABLE issues ADD COLUMN {name} VARCHAR")
    # The views were bound to the columns issues had; issues_counted is read below.
    con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
    refresh_corrections(con, None)


# issues_counted_in's effective status where a correction counts (its own or carried), for
# refresh_corrections: the per-unit form of issues_counted (schema.sql), reading only the units' rows.
_COUNTED_CORRECTIONS = """SELECT issue_key, effective_status, effective_source
FROM issues_counted_in($units::VARCHAR[])
WHERE effective_source IN ('override', 'carried')"""


# The units of $units a correction or carry (withdrawn or not) may concern: those with a row naming a report
# of theirs (an issue's key hashes its report's, whose key hashes its unit: a row's report_key is its
# issue's), and all of them when a row was stored before rows named their report (NULL: anyone's). A
# withdrawal names no report; the row it withdraws does. The other units' issues count no correction: their
# copies are only cleared. Kept although issues_counted_in is per unit (see bench/NOTES.md, corrdepth).
_UNITS_CORRECTED = """SELECT DISTINCT r.unit FROM overrides o JOIN reports r ON r.report_key = o.report_key
WHERE o.kind IS DISTINCT FROM 'withdrawal' AND list_contains($units::VARCHAR[], r.unit)
UNION
SELECT unnest($units::VARCHAR[]) WHERE EXISTS (
    SELECT 1 FROM overrides WHERE report_key IS NULL AND kind IS DISTINCT FROM 'withdrawal')"""


def _corrected_units(con: duckdb.DuckDBPyConnection, units: Sequence[str] | None) -> list[str] | None:
    """The units of `units` (None: every unit) whose issues may count a correction (None: every unit)."""
    if units is not None:
        return sorted(u for (u,) in con.execute(_UNITS_CORRECTED, {"units": list(units)}).fetchall())
    stored = con.execute("SELECT count(*) FROM overrides WHERE kind IS DISTINCT FROM 'withdrawal'").fetchall()
    return None if stored[0][0] else []


def refresh_corrections(con: duckdb.DuckDBPyConnection, units: Sequence[str] | None) -> None:
    """issues.correction_status / correction_source of these units' issues (None: every unit) from
    issues_counted_in, the one definition of which correction counts for an issue (its own, or one carried
    along its lineage, which stays within a unit). Call in the transaction that changed what it reads: a
    write, once its lineage is up to date (update_lineage), or a correction recorded or withdrawn. Only the
    rows that change are written; the units no correction names only get stale copies cleared."""
    if units is not None and not units:
        return
    params = {"units": None if units is None else list(units)}
    unit_of_issue = "($units IS NULL OR list_contains($units::VARCHAR[], issues.report_unit))"
    corrected = _corrected_units(con, units)
    counted = con.sql(_COUNTED_CORRECTIONS, params={"units": corrected}).to_arrow_table() if (
        corrected is None or corrected) else pa.table(
        {"issue_key": pa.array([], pa.string()), "effective_status": pa.array([], pa.string()),
         "effective_source": pa.array([], pa.string())})
    with _registered(con, counted):
        con.execute(f"""
            UPDATE issues SET correction_status = NULL, correction_source = NULL
            WHERE {unit_of_issue} AND correction_source IS NOT NULL
              AND issue_key NOT IN (SELECT issue_key FROM _values)""", params)
        con.execute(f"""
            UPDATE issues SET correction_status = v.effective_status, correction_source = v.effective_source
            FROM _values v
            WHERE {unit_of_issue} AND issues.issue_key = v.issue_key
              AND (issues.correction_status IS DISTINCT FROM v.effective_status
                   OR issues.correction_source IS DISTINCT FROM v.effective_source)""", params)


def _add_title_clause(con: duckdb.DuckDBPyConnection) -> None:
    """issues.title_clause for a database made before it: loaders.similar.title_clause of each distinct
    stored title (the one definition ingest uses), joined back by title. In the caller's transaction: a
    column added but never filled would leave 共性问题 without keys."""
    con.execute("ALTER TABLE issues ADD COLUMN title_clause VARCHAR")
    titles = [t for (t,) in con.execute("SELECT DISTINCT title FROM issues").fetchall()]
    clauses = pa.table({"title": pa.array(titles, pa.string()),
                        "clause": pa.array([title_clause(t) for t in titles], pa.string())})
    with _registered(con, clauses):
        con.execute("UPDATE issues SET title_clause = v.clause FROM _values v WHERE issues.title = v.title")


def _add_first_due(con: duckdb.DuckDBPyConnection) -> None:
    """Add issues.first_due to a database made before it, from the stored deadlines by rows.first_due (its
    one definition); issues without a dated deadline keep NULL."""
    dated = con.execute("SELECT issue_key, list(due_on) FROM deadlines WHERE due_on IS NOT NULL "
                        "GROUP BY issue_key").fetchall()
    values = pa.table({"issue_key": [key for key, _ in dated],
                       "first_due": pa.array([first_due(dates) for _, dates in dated], pa.date32())})

    def work() -> None:
        con.execute("ALTER TABLE issues ADD COLUMN first_due DATE")
        with _registered(con, values):
            con.execute("UPDATE issues SET first_due = v.first_due FROM _values v "
                        "WHERE issues.issue_key = v.issue_key")

    # One transaction: a column added but never filled would read as "no deadline" for good.
    in_transaction(con, work)


def _add_override_kinds(con: duckdb.DuckDBPyConnection) -> None:
    # One transaction: the views must never see the new columns half added. Re-running schema.sql only
    # replaces the views (every table exists).
    con.execute("BEGIN TRANSACTION")
    try:
        for name, kind in (("kind", "VARCHAR"), ("ref_id", "BIGINT"), ("report_key", "VARCHAR"),
                           ("issue_title", "VARCHAR")):
            con.execute(f"ALTER TABLE overrides ADD COLUMN {name} {kind}")
        con.execute("ALTER TABLE overrides ALTER COLUMN status DROP NOT NULL")  # a withdrawal has none
        con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


# Per report: its issues' categories and measure counts, in order, and its number of warnings.
_REPORT_ROWS_SQL = """
SELECT r.report_key, COALESCE(i.cats, []), COALESCE(i.measures, []), COALESCE(w.n, 0)
FROM reports r
LEFT JOIN (SELECT i.report_key, list(i.category ORDER BY i.seq) AS cats,
                  list(COALESCE(m.n, 0) ORDER BY i.seq) AS measures
           FROM issues i LEFT JOIN (SELECT issue_key, count(*) AS n FROM measures GROUP BY issue_key) m
                ON m.issue_key = i.issue_key
           GROUP BY i.report_key) i ON i.report_key = r.report_key
LEFT JOIN (SELECT report_key, count(*) AS n FROM warnings GROUP BY report_key) w
       ON w.report_key = r.report_key"""


def _add_report_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Add reports.n_* to a database made before them, counted from the stored rows by rows.report_counts
    (their one definition)."""
    found = con.execute(_REPORT_ROWS_SQL).fetchall()
    counts = [report_counts(cats, measures, int(warnings)) for _, cats, measures, warnings in found]
    values = pa.table({"report_key": [key for key, *_ in found],
                       **{name: pa.array([c[name] for c in counts], pa.int32()) for name in REPORT_COUNTS}})

    def work() -> None:
        for name in REPORT_COUNTS:
            con.execute(f"ALTER TABLE reports ADD COLUMN {name} INTEGER")
        assign = ", ".join(f"{name} = v.{name}" for name in REPORT_COUNTS)
        with _registered(con, values):
            con.execute(f"UPDATE reports SET {assign} FROM _values v WHERE reports.report_key = v.report_key")

    in_transaction(con, work)


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, values: pa.Table) -> Iterator[None]:
    """`values` readable as the view _values for the duration of the block."""
    con.register("_values", values)
    try:
        yield
    finally:
        con.unregister("_values")


# --- writing parsed reports (rows built by loaders/writer/rows.py) ------------------------------------------


@dataclass(frozen=True)
class WriteResult:
    reports: int
    issues: int
    warnings: int
    replaced_reports: int  # rows of earlier versions (same path, or same report_key) that this write replaced
    # (old id, new id, new issue key): see loaders/writer/carry.py
    carried: tuple[tuple[int, int, str], ...] = ()
    orphaned: tuple[carry.Held, ...] = ()  # corrections whose issue this write removed, not carried
    displaced: tuple[str, ...] = ()  # paths of other stored files whose report this write took over


def _delete_previous(
    con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion], keys_per_file: list[list[str]]
) -> tuple[list[set[str]], carry.Snapshot, list[tuple[str, ...]]]:
    """Delete earlier versions: the same path with another sha, the same sha, and reports with the same key.
    Returns, per file, the keys of the stored reports it replaced; the corrections in force on the deleted
    issues (for carry.carry once the new rows are in); per file, the paths of other files it displaced."""
    paths = [v.path for v in versions]
    shas = [v.file_sha for v in versions]
    old = con.execute(
        "SELECT file_sha, path FROM files WHERE path IN (SELECT unnest(?::VARCHAR[])) "
        "OR file_sha IN (SELECT unnest(?::VARCHAR[]))", [paths, shas]
    ).fetchall()
    old_shas = [sha for sha, _ in old]
    all_keys = [k for keys in keys_per_file for k in keys]
    stored = con.execute(
        "SELECT report_key, file_sha FROM reports WHERE file_sha IN (SELECT unnest(?::VARCHAR[])) "
        "OR report_key IN (SELECT unnest(?::VARCHAR[]))", [old_shas, all_keys]
    ).fetchall()
    doomed = [key for key, _ in stored]
    if not doomed and not old_shas:  # nothing stored is replaced (most writes of a fresh ingest): each
        # DELETE below would still scan its table (~30 ms of a write at 1,000 files, more as the file grows)
        return [set() for _ in versions], carry.Snapshot([], set()), [() for _ in versions]
    held = carry.snapshot(con, doomed)
    issue_filter = (
        "issue_key IN (SELECT issue_key FROM issues WHERE report_key IN (SELECT unnest(?::VARCHAR[])))"
    )
    con.execute(f"DELETE FROM measures WHERE {issue_filter}", [doomed])
    con.execute(f"DELETE FROM deadlines WHERE {issue_filter}", [doomed])
    for table in ("issues", "figures"):
        con.execute(f"DELETE FROM {table} WHERE report_key IN (SELECT unnest(?::VARCHAR[]))", [doomed])
    con.execute(
        "DELETE FROM warnings WHERE report_key IN (SELECT unnest(?::VARCHAR[])) "
        "OR file_sha IN (SELECT unnest(?::VARCHAR[]))", [doomed, old_shas]
    )
    con.execute("DELETE FROM reports WHERE report_key IN (SELECT unnest(?::VARCHAR[]))", [doomed])
    # Another file that loses a report to this write no longer holds what it held: its row is marked with
    # the sha of the file that took the report (its other reports stay), so ingest does not call it
    # unchanged, and parses it again (restoring the report) when it is ingested without that file.
    displaced = dict(con.execute(
        "SELECT file_sha, path FROM files WHERE file_sha IN (SELECT unnest(?::VARCHAR[]))",
        [sorted({sha for _, sha in stored} - set(old_shas))]).fetchall())
    con.execute("DELETE FROM files WHERE file_sha IN (SELECT unnest(?::VARCHAR[]))", [old_shas])
    counts, lost = [], []
    for fv, keys in zip(versions, keys_per_file, strict=True):
        mine = {sha for sha, path in old if path == fv.path or sha == fv.file_sha}
        counts.append({key for key, sha in stored if sha in mine or key in keys})
        taken = sorted({sha for key, sha in stored if sha in displaced and key in keys})
        con.execute("UPDATE files SET displaced_by = ? WHERE file_sha IN (SELECT unnest(?::VARCHAR[]))",
                    [fv.file_sha, taken])
        lost.append(tuple(displaced[sha] for sha in taken))
    return counts, held, lost


def _replaced_reports(
    con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion], keys: list[str]
) -> dict[str, str]:
    """report_key -> unit of the stored reports a write replaces (as _delete_previous finds them)."""
    return dict(con.execute(
        "SELECT r.report_key, r.unit FROM reports r LEFT JOIN files f ON f.file_sha = r.file_sha "
        "WHERE f.path IN (SELECT unnest(?::VARCHAR[])) OR r.file_sha IN (SELECT unnest(?::VARCHAR[])) "
        "OR r.report_key IN (SELECT unnest(?::VARCHAR[]))",
        [[v.path for v in versions], [v.file_sha for v in versions], keys]).fetchall())


# --- lineage (derived: loaders/writer/lineage.py) -----------------------------------------------------------

# A report as lineage reads it: lineage.ReportIn's fields, in their order (the reports table's names).
_REPORT_FIELDS = tuple(f.name for f in fields(lineage.ReportIn))


def _lineage_issues(where: str, condition: str) -> str:
    """The issues `where` selects (alias i, their report r) as lineage reads them: dated deadlines and, where
    `condition` holds (on their unit), measures as lists, grouped once, not per row. Both are SQL
    constants of this module (the security test checks the call sites)."""
    return f"""WITH i AS (
        SELECT i.issue_key, i.report_key, i.seq, i.title, i.label, i.category, i.status, r.unit
        FROM issues i JOIN reports r ON r.report_key = i.report_key
        WHERE {where}),
    m AS (SELECT issue_key, list(text ORDER BY seq) AS texts FROM measures
          WHERE issue_key IN (SELECT issue_key FROM i WHERE {condition})
          GROUP BY issue_key),
    d AS (SELECT issue_key, list(due_on) AS dates FROM deadlines
          WHERE due_on IS NOT NULL AND issue_key IN (SELECT issue_key FROM i) GROUP BY issue_key)
SELECT i.issue_key, i.report_key, i.seq, i.title, i.label, i.category, m.texts, i.status, d.dates
FROM i LEFT JOIN m ON m.issue_key = i.issue_key LEFT JOIN d ON d.issue_key = i.issue_key"""


# The units' reports and their issues (for units with several reports: only they are matched, the others'
# measures are not read). `$units` is NULL for every unit.
_LINEAGE_REPORTS = f"""SELECT {", ".join(_REPORT_FIELDS)} FROM reports r
WHERE $units IS NULL OR list_contains($units::VARCHAR[], r.unit)"""
_LINEAGE_ISSUES = _lineage_issues("$units IS NULL OR list_contains($units::VARCHAR[], r.unit)",
                                  "list_contains($matched::VARCHAR[], unit)")
# Some reports' issues, all measured (a write compares what it replaces with what it writes).
_REPORTS_ISSUES = _lineage_issues("i.report_key IN (SELECT unnest($keys::VARCHAR[]))", "TRUE")
# Columns of the derived tables, as named in schema.sql and on loaders/writer/lineage.py's row dataclasses.
_DERIVED_COLUMNS = {
    "report_threads": ("report_key", "unit", "thread_id", "thread_round", "position", "prev_thread_id"),
    "issue_lineage": ("issue_key", "unit", "thread_id", "lineage_id", "version", "published_on", "first_on",
                      "first_seq",
                      "prev_issue_key", "score",
                      "title_score", "measures_score", "merged_into", "successor_on", "superseded",
                      "target_due", "original_due", "prev_due", "known_due", "due_revisions",
                      "measures_added", "recurrence_of", "recurrence_score"),
}


def rebuild_lineage(con: duckdb.DuckDBPyConnection, units: Sequence[str] | None) -> None:
    """Recompute the threads and lineage of these units (None: every unit) from their stored reports; call
    inside the write's transaction, after its rows are in, so the derived rows always match them."""
    if units is not None and not units:
        return
    params = {"units": None if units is None else list(units)}
    for table in _DERIVED_COLUMNS:
        con.execute(f"DELETE FROM {table} WHERE $units IS NULL OR list_contains($units::VARCHAR[], unit)",
                    params)
    reports: dict[str, list[lineage.ReportIn]] = {}
    unit_of: dict[str, str] = {}
    for row in con.execute(_LINEAGE_REPORTS, params).fetchall():
        rep = lineage.ReportIn(*row)
        reports.setdefault(rep.unit, []).append(rep)
        unit_of[rep.report_key] = rep.unit
    issues: dict[str, list[lineage.IssueIn]] = {}
    # A unit with one report has nothing to match: its measures are not read (most units, at scale).
    matched = [unit for unit, reps in reports.items() if len(reps) > 1]
    for key, rkey, seq, title, label, cat, measures, status, due in con.execute(
            _LINEAGE_ISSUES, {**params, "matched": matched}).fetchall():
        issues.setdefault(unit_of[rkey], []).append(lineage.IssueIn(
            key, rkey, seq, title, label, cat, tuple(measures or ()), status, tuple(due or ())))
    built: dict[str, list] = {"report_threads": [], "issue_lineage": []}
    for unit, reps in reports.items():
        result = lineage.build(reps, issues.get(unit, []))
        built["report_threads"] += result.threads
        built["issue_lineage"] += result.lineage
    _write_derived(con, built)
    # The issues' copies of what their lineage says counts when (queries filter on them, not on the lineage).
    refresh_lineage_limits(con, units)


def _write_derived(con: duckdb.DuckDBPyConnection, built: dict[str, list],
                   changed: dict[str, list] | None = None,
                   changed_columns: dict[str, set[str]] | None = None) -> None:
    """Insert derived rows (lineage.ThreadRow / LineageRow objects) into their tables, and write `changed`
    (stored rows with new values, same keys) over their stored rows in place. In place, not deleted and
    inserted again: a checkpoint after deletes vacuums the row groups that hold them, and an extension's
    changed heads lie all over issue_lineage, so every compacting write of an ingest rewrote most of the
    table and its key index (4-8 s of holding the file at 10,000 files). `changed_columns`: per table, the
    columns in which some changed row differs from its stored one (None: all); only those are written (an
    extension changes 2-5 of issue_lineage's 22: an UPDATE of all cost ~5x the CPU and wall time)."""
    for table, all_columns in _DERIVED_COLUMNS.items():
        key = all_columns[0]  # the key comes first (report_key, issue_key)
        for rows, update in ((built[table], False), ((changed or {}).get(table, []), True)):
            columns = all_columns
            if update and changed_columns is not None:
                columns = tuple(c for c in all_columns if c == key or c in changed_columns.get(table, ()))
            if not rows or len(columns) == 1:
                continue
            con.register("_derived", pa.Table.from_pylist([{c: getattr(r, c) for c in columns}
                                                           for r in rows]))
            try:
                if update:
                    assign = ", ".join(f"{c} = d.{c}" for c in columns[1:])
                    con.execute(f"UPDATE {table} SET {assign} FROM _derived d WHERE {table}.{key} = d.{key}")
                else:
                    names = ", ".join(columns)
                    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _derived")
            finally:
                con.unregister("_derived")


# The stored rows lineage.extend reads: a unit's heads and first versions with their issues' fields. Both
# tables are scanned whole, so both are filtered by unit first; `IN (SELECT unnest(...))` and not
# list_contains here: DuckDB turned list_contains into a join that read every column of every issue_lineage
# row (2-3x the CPU at 10,000 files, where this query was the largest part of planning a write).
_EXTEND_ROWS = f"""SELECT {", ".join("l." + c for c in _DERIVED_COLUMNS["issue_lineage"])},
       i.report_key, i.seq, i.title, i.label, i.category, i.status
FROM issue_lineage l JOIN issues i ON i.issue_key = l.issue_key
WHERE l.unit IN (SELECT unnest($units::VARCHAR[])) AND i.report_unit IN (SELECT unnest($units::VARCHAR[]))
  AND (NOT l.superseded OR l.version = 1)"""
# The measures of some issues (heads), in order. list_contains, not `IN (SELECT unnest(...))`: the latter
# reads the text of every stored measure (a semi join), the former filters on the key before the text is
# fetched (5x less CPU for ~500 heads at 10,000 files).
_HEAD_MEASURES = ("SELECT issue_key, list(text ORDER BY seq) FROM measures "
                  "WHERE list_contains($keys::VARCHAR[], issue_key) GROUP BY issue_key")


@dataclass
class LineageCounts:
    """How a write's units got their lineage (tests and the bench read it)."""

    new: int = 0  # units with no stored report: built from the write's rows alone
    extended: int = 0  # units whose stored threads only grew (lineage.extend)
    rebuilt: int = 0  # rebuilt whole from every stored report


@dataclass
class LineagePlan:
    """What update_lineage writes for the units that only gained reports (all but the rebuilt ones)."""

    counts: LineageCounts
    rebuild: set[str]  # units found to need a rebuild whole
    built: dict[str, list]  # new derived rows per table
    changed: dict[str, list]  # stored derived rows with new values (same keys) per table
    keys: frozenset[str] = frozenset()  # the new reports it was made for
    # per table, the columns in which some row of `changed` differs from its stored row
    changed_columns: dict[str, set[str]] = field(default_factory=dict)


def _plan_lineage(
    con: duckdb.DuckDBPyConnection, reports: dict[str, list[lineage.ReportIn]], new_keys: set[str],
    tables: dict[str, pa.Table],
) -> LineagePlan:
    """The derived rows of units that gained the reports `new_keys` (rows in `tables`), `reports` being all
    their reports per unit: built from the rows alone for a unit with none stored, extended from the stored
    rows the connection reads, or marked for a rebuild. Reads only: a write runs it in its transaction,
    warm_lineage on a read-only connection before it (same scoring, so the write finds it cached)."""
    plan = LineagePlan(LineageCounts(), set(), {"report_threads": [], "issue_lineage": []},
                       {"report_threads": [], "issue_lineage": []}, frozenset(new_keys))
    if not reports:
        return plan
    counts, built, changed = plan.counts, plan.built, plan.changed
    stored_threads: dict[str, list[lineage.ThreadRow]] = {}
    for row in con.execute("SELECT report_key, unit, thread_id, thread_round, position, prev_thread_id "
                           "FROM report_threads WHERE list_contains($units::VARCHAR[], unit)",
                           {"units": sorted(reports)}).fetchall():
        stored_threads.setdefault(row[1], []).append(lineage.ThreadRow(*row))
    unit_of = {rep.report_key: unit for unit, reps in reports.items() for rep in reps}
    new_issues: dict[str, list[lineage.IssueIn]] = {}
    for issue in _issues_of_rows(tables):
        if issue.report_key in unit_of:  # not of a unit rebuilt whole
            new_issues.setdefault(unit_of[issue.report_key], []).append(issue)
    plans: dict[str, list[list[lineage.ReportIn]]] = {}
    for unit in sorted(reports):
        reps = reports[unit]
        if all(rep.report_key in new_keys for rep in reps) and unit not in stored_threads:
            result = lineage.build(reps, new_issues.get(unit, []))
            built["report_threads"] += result.threads
            built["issue_lineage"] += result.lineage
            counts.new += 1
        elif (threads := lineage.placement(reps, new_keys, stored_threads.get(unit, []))) is not None:
            plans[unit] = threads
        else:
            plan.rebuild.add(unit)
    for unit in _out_of_step(con, sorted(plans), new_keys):
        del plans[unit]
        plan.rebuild.add(unit)
    if not plans:
        return plan
    counts.extended = len(plans)
    stored = _stored_for_extension(con, plans, new_keys, stored_threads)
    for unit, threads in plans.items():
        try:
            result = lineage.extend(reports[unit], threads, new_keys, stored[unit], new_issues.get(unit, []))
        except lineage.OutOfStep:  # derived rows lost or edited by hand (never written so): rebuild
            counts.extended -= 1
            plan.rebuild.add(unit)
            continue
        before = {t.report_key: t for t in stored[unit].threads}
        built["report_threads"] += [t for t in result.threads if t.report_key not in before]
        moved = [t for t in result.threads if t.report_key in before and before[t.report_key] != t]
        changed["report_threads"] += moved
        _note_changed_columns(plan, "report_threads", [(before[t.report_key], t) for t in moved])
        for lin in result.lineage:
            (changed if lin.issue_key in stored[unit].rows else built)["issue_lineage"].append(lin)
        _note_changed_columns(plan, "issue_lineage", [(stored[unit].rows[lin.issue_key], lin)
                                                      for lin in result.lineage
                                                      if lin.issue_key in stored[unit].rows])
    return plan


def _note_changed_columns(plan: LineagePlan, table: str, pairs: list[tuple[object, object]]) -> None:
    """Add to plan.changed_columns[table] the columns in which a (stored, new) pair of rows differs."""
    found = plan.changed_columns.setdefault(table, set())
    for old, new in pairs:
        found.update(c for c in _DERIVED_COLUMNS[table] if getattr(old, c) != getattr(new, c))


def warm_lineage(con: duckdb.DuckDBPyConnection, prep: Prepared) -> LineagePlan | None:
    """The lineage a write of `prep` will make, computed on a connection opened before the write's (read-only:
    readers are not kept waiting): linking new issues to the stored heads is most of a write's time at 10,000
    files. Returned for the write to use as it is when nothing was written in between (the caller checks) and
    the write replaces nothing; None when it replaces a stored report. Either way the scores are left in
    lineage's caches (pure functions of the texts), so a write that computes its lineage again finds them."""
    written = _reports_of_rows(prep.tables) if "reports" in prep.tables else {}
    if not written:
        return None
    reports: dict[str, list[lineage.ReportIn]] = {}
    units = sorted({rep.unit for rep in written.values()})
    replaces = False
    for row in con.execute(_LINEAGE_REPORTS, {"units": units}).fetchall():
        rep = lineage.ReportIn(*row)
        if rep.report_key in written:
            replaces = True
        else:
            reports.setdefault(rep.unit, []).append(rep)
    for rep in written.values():
        reports.setdefault(rep.unit, []).append(rep)
    plan = _plan_lineage(con, reports, set(written), prep.tables)
    return None if replaces else plan


def update_lineage(
    con: duckdb.DuckDBPyConnection, replaced: Collection[str], added: Collection[str],
    new_keys: Collection[str], tables: dict[str, pa.Table], planned: LineagePlan | None = None,
) -> LineageCounts:
    """Bring the derived tables up to date after a write's rows are in (inside its transaction). Units that
    lost or replaced a stored report (`replaced`) are rebuilt whole. Units that only gained reports (their
    keys `new_keys`, their rows in `tables`, the write's Arrow tables) are built from those rows when they
    had none stored, extended (lineage.placement / lineage.extend: the stored rows that change and the new
    ones are written) when the new reports only extend the stored threads, and rebuilt whole otherwise.
    `planned`: warm_lineage's plan for these rows, made on the database as it was before this write, which
    must have inserted them and nothing else (then the plan is what this would compute)."""
    rebuild = set(replaced)
    units = sorted(set(added) - rebuild)
    if planned is not None and not rebuild and planned.keys == set(new_keys):
        plan = planned
    else:
        reports: dict[str, list[lineage.ReportIn]] = {}
        if units:
            for row in con.execute(_LINEAGE_REPORTS, {"units": units}).fetchall():
                rep = lineage.ReportIn(*row)
                reports.setdefault(rep.unit, []).append(rep)
        plan = _plan_lineage(con, reports, set(new_keys), tables)
    counts = plan.counts
    rebuild |= plan.rebuild
    built, changed = plan.built, plan.changed
    counts.rebuilt = len(rebuild)
    rebuild_lineage(con, sorted(rebuild))
    _write_derived(con, built, changed, plan.changed_columns)
    # Every issue row this write inserted gets its copies of its lineage's limits (rebuild_lineage refreshed
    # its units' own), and so does every stored issue whose lineage row the plan changed. The other issues
    # of the units keep theirs: neither their row nor their lineage row changed. An issue row written again
    # for a report unchanged for lineage keeps its stored lineage row, which the plan does not hold: its
    # unit is refreshed whole (a replacement; rare in an ingest).
    written = [*built["issue_lineage"], *changed["issue_lineage"]]
    _write_lineage_limits(con, written)
    covered = {row.issue_key for row in written}
    kept = {unit for key, unit in _unit_of_issues(tables).items() if key not in covered} - rebuild
    refresh_lineage_limits(con, sorted(kept))
    # Every unit the write touched: its issue rows are new (their copies empty), its lineage may have changed
    # which correction carries where, and carry.carry may have moved a correction onto one of its issues.
    refresh_corrections(con, sorted(rebuild | set(_unit_of_rows(tables).values())))
    return counts


def _out_of_step(con: duckdb.DuckDBPyConnection, units: list[str], new_keys: set[str]) -> set[str]:
    """Units whose issue_lineage rows do not number their stored issues (rows lost or edited by hand): an
    extension builds on the stored rows, so these are rebuilt instead."""
    if not units:
        return set()
    have = dict(con.execute(
        "SELECT unit, count(*) FROM issue_lineage WHERE list_contains($units::VARCHAR[], unit) GROUP BY unit",
        {"units": units}).fetchall())
    want = dict(con.execute(
        "SELECT unit, sum(n_issues) FROM reports WHERE list_contains($units::VARCHAR[], unit) "
        "AND NOT list_contains($new::VARCHAR[], report_key) GROUP BY unit",
        {"units": units, "new": sorted(new_keys)}).fetchall())
    return {unit for unit in units if have.get(unit, 0) != want.get(unit)}


def _stored_for_extension(
    con: duckdb.DuckDBPyConnection, plans: dict[str, list[list[lineage.ReportIn]]], new_keys: set[str],
    stored_threads: dict[str, list[lineage.ThreadRow]],
) -> dict[str, lineage.Stored]:
    """What lineage.extend reads of each planned unit: its heads and first versions (rows and issues), and
    the measures of the heads it links new issues to (only those: the rest of the unit is not read)."""
    columns = _DERIVED_COLUMNS["issue_lineage"]
    rows: dict[str, dict[str, lineage.LineageRow]] = {unit: {} for unit in plans}
    issues: dict[str, lineage.IssueIn] = {}
    for found in con.execute(_EXTEND_ROWS, {"units": sorted(plans)}).fetchall():
        row = lineage.LineageRow(**dict(zip(columns, found, strict=False)))
        rows[row.unit][row.issue_key] = row
        rkey, seq, title, label, category, status = found[len(columns):]
        issues[row.issue_key] = lineage.IssueIn(row.issue_key, rkey, seq, title, label, category, (), status)
    extended = {tid for unit, threads in plans.items()
                for tid in lineage.extended_threads(unit, threads, new_keys)}
    heads = [key for unit_rows in rows.values() for key, row in unit_rows.items()
             if not row.superseded and row.thread_id in extended]
    if heads:
        for key, texts in con.execute(_HEAD_MEASURES, {"keys": heads}).fetchall():
            issues[key] = replace(issues[key], measures=tuple(texts))
    return {unit: lineage.Stored(stored_threads[unit], rows[unit],
                                 {key: issues[key] for key in rows[unit]}) for unit in plans}


def _unchanged_for_lineage(
    con: duckdb.DuckDBPyConnection, stored: Collection[str], tables: dict[str, pa.Table]
) -> set[str]:
    """Of the stored reports a write replaces (`stored`, before they are deleted), those it writes again with
    everything lineage reads unchanged (the report's inspection, date and place in its file; its issues'
    keys, order, titles, labels, categories, measures, statuses and dated deadlines): a re-parse that changed
    nothing else leaves their units' derived rows as they are (the rows keep their keys)."""
    if "reports" not in tables:
        return set()
    written = _reports_of_rows(tables)
    again = [key for key in stored if key in written]
    if not again:
        return set()
    rows = con.execute(f"SELECT {', '.join(_REPORT_FIELDS)} FROM reports "
                       "WHERE report_key IN (SELECT unnest(?::VARCHAR[]))", [again]).fetchall()
    before: dict[str, tuple[lineage.ReportIn, list[lineage.IssueIn]]] = {
        rep.report_key: (rep, []) for rep in (lineage.ReportIn(*row) for row in rows)}
    for key, rkey, seq, title, label, cat, measures, status, due in con.execute(
            _REPORTS_ISSUES, {"keys": again}).fetchall():
        before[rkey][1].append(lineage.IssueIn(key, rkey, seq, title, label, cat, tuple(measures or ()),
                                               status, tuple(sorted(due or ()))))
    after: dict[str, list[lineage.IssueIn]] = {key: [] for key in again}
    for issue in _issues_of_rows(tables):
        if issue.report_key in after:
            after[issue.report_key].append(replace(issue, due_dates=tuple(sorted(issue.due_dates))))
    return {key for key in again
            if before.get(key, (None, []))[0] == written[key]
            and sorted(before[key][1], key=lambda i: i.seq) == sorted(after[key], key=lambda i: i.seq)}




def _unit_of_rows(tables: dict[str, pa.Table]) -> dict[str, str]:
    """report_key -> unit of a write's reports."""
    if "reports" not in tables:
        return {}
    cols = tables["reports"].select(["report_key", "unit"]).to_pydict()
    return dict(zip(cols["report_key"], cols["unit"], strict=True))


def _unit_of_issues(tables: dict[str, pa.Table]) -> dict[str, str]:
    """issue_key -> unit of a write's issues."""
    if "issues" not in tables:
        return {}
    cols = tables["issues"].select(["issue_key", "report_unit"]).to_pydict()
    return dict(zip(cols["issue_key"], cols["report_unit"], strict=True))


def _reports_of_rows(tables: dict[str, pa.Table]) -> dict[str, lineage.ReportIn]:
    """The lineage's view of a write's reports, from its Arrow tables."""
    cols = tables["reports"].select(list(_REPORT_FIELDS)).to_pydict()
    return {rep.report_key: rep for rep in (lineage.ReportIn(*row) for row in zip(
        *(cols[n] for n in _REPORT_FIELDS), strict=True))}


def _issues_of_rows(tables: dict[str, pa.Table]) -> list[lineage.IssueIn]:
    """The lineage's view of a write's issues, from its Arrow tables (what the database now holds for them:
    measures in order, dated deadlines)."""
    if "issues" not in tables:
        return []
    measures: dict[str, list[tuple[int, str]]] = {}
    if "measures" in tables:
        m = tables["measures"].select(["issue_key", "seq", "text"]).to_pydict()
        for key, seq, text in zip(m["issue_key"], m["seq"], m["text"], strict=True):
            measures.setdefault(key, []).append((seq, text))
    due: dict[str, list] = {}
    if "deadlines" in tables:
        d = tables["deadlines"].select(["issue_key", "due_on"]).to_pydict()
        for key, on in zip(d["issue_key"], d["due_on"], strict=True):
            if on is not None:
                due.setdefault(key, []).append(on)
    i = tables["issues"].select(["issue_key", "report_key", "seq", "title", "label", "category",
                                 "status"]).to_pydict()
    return [lineage.IssueIn(key, rkey, seq, title, label, category,
                            tuple(text for _, text in sorted(measures.get(key, []))), status,
                            tuple(due.get(key, ())))
            for key, rkey, seq, title, label, category, status in zip(
                i["issue_key"], i["report_key"], i["seq"], i["title"], i["label"], i["category"],
                i["status"], strict=True)]


def _insert(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Bulk insert from Arrow tables registered as views (must be called inside the transaction)."""
    for table in tables:
        names = ", ".join(ARROW_SCHEMAS[table].names)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _new_{table}")


@dataclass(frozen=True)
class Prepared:
    """Files turned into Arrow tables (with their final keys), ready for one write: built before the
    connection is opened, so the database is held only for the SQL (the rows cost ~1 ms per real file)."""

    versions: tuple[FileVersion, ...]
    tables: dict[str, pa.Table]
    marks: tuple[tuple[int, int, int], ...]  # (reports, issues, warnings) row counts after each file
    keys_per_file: tuple[list[str], ...]
    units: frozenset[str]  # units of the new reports (their lineage is rebuilt)
    now: datetime
    # warm_lineage's plan, made before the write's connection opened; set only while the database is known
    # to be unchanged since (loaders/writer/ingest.py checks), used only if the write replaces nothing.
    lineage: LineagePlan | None = None


def prepare(versions: Sequence[FileVersion], now: datetime | None = None) -> Prepared:
    """Rows and Arrow tables of these files (conversion errors are raised here, before any write)."""
    rows = Rows()
    now = now or datetime.now()
    marks = []
    for fv in versions:
        add_file(rows, fv, now)
        marks.append((rows.count("reports"), rows.count("issues"), rows.count("warnings")))
    keys = rows.cols["reports"]["report_key"]
    keys_per_file = tuple(keys[(marks[n - 1][0] if n else 0) : m[0]] for n, m in enumerate(marks))
    tables = {t: rows.arrow(t) for t in DATA_TABLES if rows.count(t)}
    return Prepared(tuple(versions), tables, tuple(marks), keys_per_file,
                    frozenset(rows.cols["reports"]["unit"]), now)


def write_files(con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion]) -> list[WriteResult]:
    """Write several files in ONE transaction (all or nothing); one result per file."""
    return write_prepared(con, prepare(versions))


def write_prepared(con: duckdb.DuckDBPyConnection, prep: Prepared) -> list[WriteResult]:
    """Write prepared files in ONE transaction (all or nothing); one result per file."""
    versions, tables, marks, now = prep.versions, prep.tables, prep.marks, prep.now
    keys = [k for ks in prep.keys_per_file for k in ks]
    for table, arrow in tables.items():
        con.register(f"_new_{table}", arrow)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            stored = _replaced_reports(con, versions, keys)
            same = _unchanged_for_lineage(con, stored, tables)
            replaced, held, displaced = _delete_previous(con, versions, list(prep.keys_per_file))
            _insert(con, tables)
            outcome = carry.carry(con, held, now)
            # Units losing a stored report, or getting one again changed, are rebuilt whole; the others are
            # brought up to date with the reports new to them.
            added = {key: unit for key, unit in _unit_of_rows(tables).items() if key not in same}
            changed = {unit for key, unit in stored.items() if key not in same}
            update_lineage(con, changed, set(added.values()), added, tables,
                           None if stored else prep.lineage)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has already rolled back
                con.execute("ROLLBACK")
            raise
    finally:
        for table in tables:
            con.unregister(f"_new_{table}")
    before = (0, 0, 0)
    out = []
    for mark, mine, gone in zip(marks, replaced, displaced, strict=True):
        # Corrections carried or orphaned belong to the file that replaced their issue's report.
        moved = tuple(c for c, h in zip(outcome.carried, _carried_held(held, outcome), strict=True)
                      if h.report_key in mine)
        lost = tuple(h for h in outcome.orphaned if h.report_key in mine)
        reports, issues, warnings = (a - b for a, b in zip(mark, before, strict=True))
        out.append(WriteResult(reports, issues, warnings, len(mine), moved, lost, gone))
        before = mark
    return out


def _carried_held(held: carry.Snapshot, outcome: carry.Outcome) -> list[carry.Held]:
    by_id = {h.override_id: h for h in held.held}
    return [by_id[original] for original, _, _ in outcome.carried]


def write_reports(
    con: duckdb.DuckDBPyConnection, file_sha: str, path: str, size: int, reports: Sequence[Report]
) -> WriteResult:
    """Store one file in one transaction, replacing its previous version (same path with another sha) and
    any stored report with the same report_key. On any error the transaction is rolled back."""
    return write_files(con, [FileVersion(file_sha, path, size, reports, parser_fingerprint())])[0]


def write_batch(
    con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion], prepared: Prepared | None = None
) -> list[WriteResult | StoreError]:
    """Write many files fast in one transaction (from `prepared`, their rows built beforehand, when given);
    if that fails, redo them one transaction per file so a bad file is rolled back alone and the others are
    stored. Returns, per file, its result or its error."""
    if len(versions) > 1 or prepared is not None:
        try:
            return list(write_prepared(con, prepared) if prepared is not None else write_files(con, versions))
        except Exception:  # rolled back as a whole: retry one transaction per file
            pass
    out: list[WriteResult | StoreError] = []
    for fv in versions:
        try:
            out.append(write_files(con, [fv])[0])
        except Exception as exc:  # any error rejects this file only; the others go on
            error = StoreError(f"could not be stored: {_first_line(exc)}")
            error.__cause__ = exc  # its kind, for the Chinese message (loaders/writer/accept.py)
            out.append(error)
    return out


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --- checksums and counts -------------------------------------------------------------------------------


def table_checksums(db: str | Path | None) -> dict[str, tuple[int, str]]:
    """Per table: (row count, md5 of all rows as JSON in sorted order). Equal checksums = unchanged tables."""
    out: dict[str, tuple[int, str]] = {}
    with read_connection(db) as con:
        for table in ALL_TABLES:
            rows = con.execute(
                "SELECT count(*), md5(COALESCE(string_agg(j, chr(10) ORDER BY j), '')) "
                f"FROM (SELECT to_json(t)::VARCHAR AS j FROM {table} t)"
            ).fetchall()
            out[table] = (int(rows[0][0]), str(rows[0][1]))
    return out


def table_counts(db: str | Path | None) -> dict[str, int]:
    """Row count per table."""
    with read_connection(db) as con:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in ALL_TABLES}


def stored_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """file_sha -> path of every stored file."""
    return dict(con.execute("SELECT file_sha, path FROM files").fetchall())


def stored_versions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str | None]]:
    """file_sha -> (path, parser_version, displaced_by) of every stored file (ingestion skips a sha without
    parsing only when its parser_version is the current one; displaced_by: the sha of a file that took over
    one of its reports, or None). The database is migrated (ingest migrates before it asks)."""
    rows = con.execute(
        "SELECT file_sha, path, coalesce(parser_version, ''), displaced_by FROM files").fetchall()
    return {sha: (path, version, by) for sha, path, version, by in rows}
