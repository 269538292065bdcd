"""The only writer of the DuckDB file: connections, schema, per-file bulk writes, overrides, checksums.

Concurrency design
------------------
DuckDB lets one process open a database file read-write, or many processes open it read-only, never both
at once; inside one process it also refuses a read-only and a read-write connection to the same file at the
same time. The dashboard reads while the CLI ingests, and the dashboard itself writes overrides and imports,
so nobody may keep a connection open:

* Every operation opens a connection with `connect(db, read_only)`, does its work and closes it. Opening
  retries on lock errors (another process holds the file, or this process has it open in the other mode)
  with a growing pause, for at most `LOCK_TIMEOUT_S` seconds, then raises `DatabaseBusyError` with a plain
  message. Readers use `read_connection(db)`.
* A writer holds its connection for one batch of files (or one override) only, then closes it, so waiting
  readers get in between batches. Inside this process, writers are serialised by a lock per database file
  (DuckDB would otherwise let two threads race on the same file).
* Each file is written in one transaction: the previous version's rows are deleted and the new rows
  inserted from Arrow tables (bulk, not row by row). Any error rolls the transaction back, so the database
  is exactly as before; a `kill -9` leaves the files committed before it (DuckDB's write-ahead log).
* Overrides are append-only: nothing here updates or deletes them, and ingestion never touches the table.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from loaders.config import project_path, section
from loaders.messages import Msg, warning
from loaders.models import STATUSES, Issue, Report, Warning, stable_key

SCHEMA_PATH = Path(__file__).with_name("schema.sql")
LOCK_TIMEOUT_S = 10.0
DATA_TABLES = ("files", "reports", "issues", "measures", "deadlines", "figures", "warnings")
ALL_TABLES = (*DATA_TABLES, "overrides")
# reports columns counting the report's rows in issues (and distinct categories), measures and warnings.
REPORT_COUNTS = ("n_issues", "n_categories", "n_measures", "n_warnings")
# What DuckDB's trim() removes (Unicode space separators, category Zs): n_categories counts categories as
# count(DISTINCT NULLIF(trim(category), '')) does.
_TRIMMED = "\u0020\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
MAX_AUTHOR_CHARS = 100
MAX_NOTE_CHARS = 5000

# Substrings of DuckDB's messages when the file is locked by another process, or open in this process with
# another configuration (read-only vs read-write). Both clear up once the other side closes its connection.
_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock", "different configuration")

_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


class StoreError(Exception):
    """A storage problem explained in plain English (never shown with a traceback)."""


class DatabaseBusyError(StoreError):
    pass


class DatabaseMissingError(StoreError):
    pass


class OverrideError(StoreError, ValueError):
    pass


def default_db() -> Path:
    """The database file named in config.yaml (`paths.database`), resolved against the project root."""
    return project_path(section("paths").get("database", "data/rectification.duckdb"))


def _write_lock(db: Path) -> threading.RLock:
    with _write_locks_guard:
        return _write_locks.setdefault(str(db.resolve()), threading.RLock())


def _busy(db: Path, timeout: float) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"The database {db} is in use by another program (an ingestion or the dashboard writing);"
        f" gave up after {timeout:g} s. Try again in a moment."
    )


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(m in str(exc) for m in _LOCK_MESSAGES)


def _open(db: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
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
                raise _busy(db, timeout) from None
        # Short, jittered pauses: a lock is usually held for well under a second, and a writer waiting on
        # busy readers (or the reverse) must not keep missing the gaps between them.
        time.sleep(min(pause * random.uniform(0.5, 1.0), remaining))
        pause = min(pause * 2, 0.1)


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
        with contextlib.closing(_open(path, True, timeout)) as con:
            yield con
        return
    started = time.monotonic()
    lock = _write_lock(path)
    if not lock.acquire(timeout=timeout):
        raise _busy(path, timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(_open(path, False, max(0.0, timeout - (time.monotonic() - started)))) as con:
            ensure_schema(con)
            yield con
    finally:
        lock.release()


def read_connection(
    db: str | Path | None = None, timeout: float = LOCK_TIMEOUT_S
) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Read-only connection for the dashboard's queries: a context manager; open one per query or page
    render, never keep one in a session or a cache."""
    return connect(db, read_only=True, timeout=timeout)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and the view from schema.sql when any is missing (no write when all exist)."""
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {*ALL_TABLES, "issues_effective"} <= names:
        con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
    columns = {(r[0], r[1]) for r in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name IN ('files', 'warnings', 'reports')").fetchall()}
    if ("files", "parser_version") not in columns:  # a database made before files.parser_version existed
        con.execute("ALTER TABLE files ADD COLUMN parser_version VARCHAR")
    if ("warnings", "message_zh") not in columns:  # made before warnings.message_zh: old rows stay NULL
        con.execute("ALTER TABLE warnings ADD COLUMN message_zh VARCHAR")
    if ("reports", "n_issues") not in columns:  # made before the per-report counts: count the stored rows
        _add_report_counts(con)


# Per-report counts stored with each report (what queries.report_counts shows), computed from the rows
# themselves exactly as that query would count them. Used once, to migrate a database made before them.
_REPORT_COUNTS_SQL = """
UPDATE reports SET n_issues = c.n_issues, n_categories = c.n_categories, n_measures = c.n_measures,
                   n_warnings = c.n_warnings
FROM (
    SELECT r.report_key, COALESCE(i.n, 0) AS n_issues, COALESCE(i.cats, 0) AS n_categories,
           COALESCE(m.n, 0) AS n_measures, COALESCE(w.n, 0) AS n_warnings
    FROM reports r
    LEFT JOIN (SELECT report_key, count(*) AS n, count(DISTINCT NULLIF(trim(category), '')) AS cats
               FROM issues GROUP BY report_key) i ON i.report_key = r.report_key
    LEFT JOIN (SELECT i.report_key, count(*) AS n FROM measures JOIN issues i USING (issue_key)
               GROUP BY i.report_key) m ON m.report_key = r.report_key
    LEFT JOIN (SELECT report_key, count(*) AS n FROM warnings GROUP BY report_key) w
           ON w.report_key = r.report_key
) c
WHERE reports.report_key = c.report_key"""


def _add_report_counts(con: duckdb.DuckDBPyConnection) -> None:
    for name in REPORT_COUNTS:
        con.execute(f"ALTER TABLE reports ADD COLUMN {name} INTEGER")
    con.execute(_REPORT_COUNTS_SQL)


# --- writing parsed reports -----------------------------------------------------------------------------

# Columns written per data table, in schema.sql's order, with their Arrow types (s string, i int32,
# l int64, f float64, d date, t timestamp). tests/test_store.py checks these match schema.sql.
_ARROW_TYPES = {"s": pa.string(), "i": pa.int32(), "l": pa.int64(), "f": pa.float64(), "d": pa.date32(),
                "t": pa.timestamp("us")}
_COLUMNS = {
    "files": "file_sha:s path:s size_bytes:l ingested_at:t n_reports:i parser_version:s",
    "reports": "report_key:s file_sha:s ordinal:i part:s parent_key:s title:s unit:s issuer:s province:s"
    " city:s county:s team:s inspection_start:d inspection_end:d feedback_on:d published_on:d source_url:s"
    " stated_json:s n_issues:i n_categories:i n_measures:i n_warnings:i",
    "issues": "issue_key:s report_key:s seq:i label:s category:s title:s section:s status:s status_source:s"
    " evidence:s rule:s confidence:f measures_text:s",
    "measures": "issue_key:s seq:i text:s",
    "deadlines": "issue_key:s seq:i text:s due_on:d",
    "figures": "report_key:s kind:s value:f unit:s evidence:s",
    "warnings": "report_key:s file_sha:s code:s message:s message_zh:s",
}
_ARROW_SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema([(c.split(":")[0], _ARROW_TYPES[c.split(":")[1]]) for c in spec.split()])
    for table, spec in _COLUMNS.items()
}


@dataclass(frozen=True)
class FileVersion:
    """One file's parse, ready to be written: its identity and the reports found in it."""

    file_sha: str
    path: str
    size: int
    reports: Sequence[Report]
    parser_version: str = ""  # loaders/fingerprint.py at parse time


@dataclass(frozen=True)
class WriteResult:
    reports: int
    issues: int
    warnings: int
    replaced_reports: int  # rows of earlier versions (same path, or same report_key) that this write replaced


class _Rows:
    """Column-oriented rows for every data table, filled from Report objects, turned into Arrow tables."""

    def __init__(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            t: {name: [] for name in s.names} for t, s in _ARROW_SCHEMAS.items()
        }

    def add(self, table: str, **row: Any) -> None:
        for name, values in self.cols[table].items():
            values.append(row.get(name))

    def count(self, table: str) -> int:
        return len(next(iter(self.cols[table].values())))

    def arrow(self, table: str) -> pa.Table:
        return pa.Table.from_pydict(self.cols[table], schema=_ARROW_SCHEMAS[table])


def _add_file(rows: _Rows, fv: FileVersion, now: datetime) -> None:
    rows.add("files", file_sha=fv.file_sha, path=fv.path, size_bytes=fv.size, ingested_at=now,
             n_reports=len(fv.reports), parser_version=fv.parser_version)
    keys = _report_keys(fv.reports, fv.file_sha)
    by_part = {r.part: k for r, k in zip(fv.reports, keys, strict=True)}
    first_report, first_warning = rows.count("reports"), rows.count("warnings")
    for ordinal, (report, rkey) in enumerate(zip(fv.reports, keys, strict=True)):
        _add_report(rows, fv.file_sha, ordinal, report, rkey, by_part.get(report.parent_part or ""))
    for report, rkey in zip(fv.reports, keys, strict=True):
        if rkey != _base_key(report, fv.file_sha):
            part = Msg(report.part, "主报告" if report.part == "main" else report.part)
            _add_warning(rows, rkey, fv.file_sha, warning("duplicate_report", part=part))
    # Every warning of these reports is written by now (a report's rows only ever come from its own file).
    owners = rows.cols["warnings"]["report_key"][first_warning:]
    counts = rows.cols["reports"]["n_warnings"]
    for n, rkey in enumerate(rows.cols["reports"]["report_key"][first_report:], first_report):
        counts[n] = owners.count(rkey)


def _base_key(r: Report, file_sha: str) -> str:
    """Report.key, or for a report with no unit or no date (an excerpt without title or signature) the key
    with the file's sha in it: Report.key alone would be the same for all of them, and each such file would
    silently replace the previous one."""
    if r.unit and r.published_on is not None:
        return r.key
    return stable_key(r.key, "file", file_sha)


def _report_keys(reports: Sequence[Report], file_sha: str) -> list[str]:
    """_base_key, made unique within the file: a repeated key gets a deterministic suffix (and a warning)."""
    seen: dict[str, int] = {}
    keys = []
    for r in reports:
        base = _base_key(r, file_sha)
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(base if n == 0 else stable_key(base, "duplicate", n))
    return keys


def _add_report(rows: _Rows, sha: str, ordinal: int, r: Report, rkey: str, parent_key: str | None) -> None:
    rows.add("reports", report_key=rkey, file_sha=sha, ordinal=ordinal, part=r.part,
             parent_key=parent_key if r.parent_part else None, title=r.title, unit=r.unit, issuer=r.issuer,
             province=r.region.province, city=r.region.city, county=r.region.county, team=r.inspection.team,
             inspection_start=r.inspection.start, inspection_end=r.inspection.end,
             feedback_on=r.inspection.feedback_on, published_on=r.published_on, source_url=r.source_url,
             stated_json=json.dumps(r.stated, ensure_ascii=False, sort_keys=True), n_issues=len(r.issues),
             n_categories=len({c.strip(_TRIMMED) for i in r.issues if (c := i.category) is not None} - {""}),
             n_measures=sum(len(i.measures) for i in r.issues), n_warnings=0)  # counted in _add_file
    for f in r.figures:
        rows.add("figures", report_key=rkey, kind=f.kind, value=float(f.value), unit=f.unit,
                 evidence=f.evidence)
    for w in r.warnings:
        _add_warning(rows, rkey, sha, w)
    seen: dict[str, int] = {}
    for seq, issue in enumerate(r.issues):
        base = r.issue_key(issue) if rkey == r.key else stable_key(rkey, issue.category, issue.title)
        n = seen.get(base, 0)
        seen[base] = n + 1
        ikey = base if n == 0 else stable_key(base, "duplicate", n)
        if n:
            _add_warning(rows, rkey, sha, warning("duplicate_issue", label=issue.label))
        _add_issue(rows, rkey, seq, issue, ikey)


def _add_warning(rows: _Rows, rkey: str, sha: str, w: Warning) -> None:
    rows.add("warnings", report_key=rkey, file_sha=sha, code=w.code, message=w.message,
             message_zh=w.message_zh or None)


def _add_issue(rows: _Rows, rkey: str, seq: int, i: Issue, ikey: str) -> None:
    st = i.status
    rows.add("issues", issue_key=ikey, report_key=rkey, seq=seq, label=i.label, category=i.category,
             title=i.title, section=i.section, status=st.status, status_source=st.source,
             evidence=st.evidence, rule=st.rule, confidence=float(st.confidence),
             measures_text="\n".join(i.measures))
    for n, text in enumerate(i.measures):
        rows.add("measures", issue_key=ikey, seq=n, text=text)
    for n, d in enumerate(i.deadlines):
        rows.add("deadlines", issue_key=ikey, seq=n, text=d.text, due_on=d.due_on)


def _delete_previous(
    con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion], keys_per_file: list[list[str]]
) -> list[int]:
    """Delete earlier versions: the same path with another sha, the same sha, and reports with the same key.
    Returns, per file, how many stored reports it replaced."""
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
    con.execute("DELETE FROM files WHERE file_sha IN (SELECT unnest(?::VARCHAR[]))", [old_shas])
    counts = []
    for fv, keys in zip(versions, keys_per_file, strict=True):
        mine = {sha for sha, path in old if path == fv.path or sha == fv.file_sha}
        counts.append(sum(1 for key, sha in stored if sha in mine or key in keys))
    return counts


def _insert(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Bulk insert from Arrow tables registered as views (must be called inside the transaction)."""
    for table in tables:
        names = ", ".join(_ARROW_SCHEMAS[table].names)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _new_{table}")


def write_files(con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion]) -> list[WriteResult]:
    """Write several files in ONE transaction (all or nothing); one result per file."""
    rows = _Rows()
    now = datetime.now()
    marks = []  # (reports, issues, warnings) row counts after each file, to split the totals per file
    for fv in versions:
        _add_file(rows, fv, now)
        marks.append((rows.count("reports"), rows.count("issues"), rows.count("warnings")))
    keys = rows.cols["reports"]["report_key"]
    keys_per_file = [keys[(marks[n - 1][0] if n else 0) : m[0]] for n, m in enumerate(marks)]
    tables = {t: rows.arrow(t) for t in DATA_TABLES if rows.count(t)}  # conversion errors: before BEGIN
    for table, arrow in tables.items():
        con.register(f"_new_{table}", arrow)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            replaced = _delete_previous(con, versions, keys_per_file)
            _insert(con, tables)
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
    for mark, n_replaced in zip(marks, replaced, strict=True):
        out.append(WriteResult(*(a - b for a, b in zip(mark, before, strict=True)), n_replaced))
        before = mark
    return out


def write_reports(
    con: duckdb.DuckDBPyConnection, file_sha: str, path: str, size: int, reports: Sequence[Report]
) -> WriteResult:
    """Store one file in one transaction, replacing its previous version (same path with another sha) and
    any stored report with the same report_key. On any error the transaction is rolled back."""
    return write_files(con, [FileVersion(file_sha, path, size, reports)])[0]


def write_batch(
    con: duckdb.DuckDBPyConnection, versions: Sequence[FileVersion]
) -> list[WriteResult | StoreError]:
    """Write many files fast in one transaction; if that fails, redo them one transaction per file so a bad
    file is rolled back alone and the others are stored. Returns, per file, its result or its error."""
    if len(versions) > 1:
        try:
            return list(write_files(con, versions))
        except Exception:  # rolled back as a whole: retry one transaction per file
            pass
    out: list[WriteResult | StoreError] = []
    for fv in versions:
        try:
            out.append(write_files(con, [fv])[0])
        except Exception as exc:  # any error rejects this file only; the others go on
            out.append(StoreError(f"could not be stored: {_first_line(exc)}"))
    return out


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --- overrides (append-only) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    override_id: int
    issue_key: str
    status: str
    note: str | None
    author: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"override_id": self.override_id, "issue_key": self.issue_key, "status": self.status,
                "note": self.note, "author": self.author, "created_at": self.created_at.isoformat(sep=" ")}


_OVERRIDE_COLS = "override_id, issue_key, status, note, author, created_at"


def _validate_override(
    issue_key: str, status: str, note: str | None, author: str | None
) -> tuple[str, str | None]:
    author = (author or "").strip()
    if not author:
        raise OverrideError("An override needs the name of its author.")
    if len(author) > MAX_AUTHOR_CHARS:
        raise OverrideError(f"The author's name is longer than {MAX_AUTHOR_CHARS} characters.")
    if status not in STATUSES:
        raise OverrideError(f"Unknown status {status!r}: use one of {', '.join(STATUSES)}.")
    if not (issue_key or "").strip():
        raise OverrideError("An override needs the key of the issue it corrects.")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise OverrideError(f"The note is longer than {MAX_NOTE_CHARS} characters.")
    return author, note


def add_override(
    db: str | Path | None, issue_key: str, status: str, note: str | None, author: str
) -> Override:
    """Append a supervisor's correction of an issue's status (never updates or deletes earlier ones)."""
    author, note = _validate_override(issue_key, status, note, author)
    issue_key = issue_key.strip()
    with connect(db) as con:
        found = con.execute("SELECT count(*) FROM issues WHERE issue_key = ?", [issue_key]).fetchall()
        if not found[0][0]:
            raise OverrideError(f"No issue with key {issue_key!r} in the database.")
        # Ids come from MAX+1: safe because this process's write lock and DuckDB's file lock make us the
        # only writer while the connection is open.
        rows = con.execute(
            f"INSERT INTO overrides ({_OVERRIDE_COLS}) "
            "SELECT COALESCE(MAX(override_id), 0) + 1, ?, ?, ?, ?, ? FROM overrides "
            f"RETURNING {_OVERRIDE_COLS}",
            [issue_key, status, note, author, datetime.now()],
        ).fetchall()
    return Override(*rows[0])


def override_history(db: str | Path | None, issue_key: str | None = None) -> list[Override]:
    """All overrides of one issue (or of every issue), oldest first; the last one is in force."""
    sql = f"SELECT {_OVERRIDE_COLS} FROM overrides"
    params: list[Any] = []
    if issue_key is not None:
        sql += " WHERE issue_key = ?"
        params.append(issue_key)
    with read_connection(db) as con:
        rows = con.execute(sql + " ORDER BY override_id", params).fetchall()
    return [Override(*r) for r in rows]


def orphaned_overrides(db: str | Path | None) -> list[Override]:
    """Overrides whose issue is no longer in the database (its report changed or went): kept, listed here."""
    with read_connection(db) as con:
        rows = con.execute(
            f"SELECT {_OVERRIDE_COLS} FROM overrides o "
            "WHERE NOT EXISTS (SELECT 1 FROM issues i WHERE i.issue_key = o.issue_key) ORDER BY override_id"
        ).fetchall()
    return [Override(*r) for r in rows]


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


def stored_versions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """file_sha -> (path, parser_version) of every stored file (ingestion skips a sha without parsing
    only when its parser_version is the current one)."""
    has_version = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'files' "
        "AND column_name = 'parser_version'").fetchall()[0][0]
    version = "coalesce(parser_version, '')" if has_version else "''"  # constant SQL, no user input
    rows = con.execute(f"SELECT file_sha, path, {version} FROM files").fetchall()
    return {sha: (path, version) for sha, path, version in rows}
