"""Ingestion: find report files, skip the ones already stored (by sha256), judge the rest in parallel
processes (loaders/writer/pool.py → accept.judge_path), and write the accepted ones from this process in
batches through accept.store_verdicts (the one way judged files reach loaders/writer/store.py).

Guarantees: a file that fails (unreadable, unparsable, no report found, rejected by the database) is listed
with a plain message and leaves the database as it was; the other files are stored. Files are collected in
batches and written in transactions bounded by time (WritePace: about WRITE_SECONDS each, on their own
connection, so readers never wait long); if a write fails it is redone one transaction per file. A kill
leaves the database holding exactly the writes committed before it. Each write's rows and lineage are worked
out before its connection opens (the lineage on a read-only connection readers share: store.warm_lineage),
so the database is held for the SQL and the checkpoint only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import sleep as _sleep  # not through `time`: tests replace ingest.time by a parsing clock

from loaders.config import project_path, section
from loaders.writer import accept, pool, store

SUFFIXES = accept.SUFFIXES
# Write batches grow with time: the first is written BATCH_SECONDS after its first parsed file, so readers
# see progress at once; each later one may wait twice as long as the one before, up to BATCH_MAX_SECONDS,
# and holds at most BATCH_FILES files. Each batch costs this process a connection, a schema check and a
# checkpoint when the connection closes: 100-file batches made that about a third of the parent's CPU.
BATCH_FILES = 500
BATCH_SECONDS = 1.0
BATCH_MAX_SECONDS = 10.0
# A batch is written in one or more transactions, each on its own short connection and sized so that it holds
# the database for at most about WRITE_SECONDS (readers wait up to store.LOCK_TIMEOUT_S = 10 s): the speed is
# learnt from the writes so far (the first takes WRITE_FIRST_FILES files), per file weighted by its rows.
# Between two writes the file is left free for YIELD_SECONDS: several of a waiting reader's retry pauses (on a
# loaded machine a reader's next try can come late), while the worker processes go on parsing.
WRITE_SECONDS = 1.5
WRITE_FIRST_FILES = 16
# Never fewer files per write: a write's fixed cost (open, schema check, lineage queries, checkpoint: ~0.1 s
# of CPU) is most of a small write's time, so on a loaded machine the pace would otherwise shrink to one file
# per write without holding the database any shorter.
WRITE_MIN_FILES = 8
YIELD_SECONDS = 0.5
# DuckDB's checkpoint merges (vacuums) the tables' last row groups: ~85 % of a write's checkpoint CPU at
# 1,000 files. Every COMPACT_EVERY-th write of an ingest does it (and so the last write before a long pause);
# the others skip it. Skipping it always leaves a database 2.5x bigger (one row group per write per table).
COMPACT_EVERY = 4
# No cap on DuckDB's memory for a write: a 300 MB cap (tried; the tree's peak at 10,000 real files 1.46 ->
# 0.86 GiB) made every write into a 100,000-report database fail with "Out of Memory" (the indexes and a
# checkpoint pin more than that), after which DuckDB invalidates the database for the rest of the process.


class MissingPathError(ValueError):
    """A path given to ingest does not exist."""


@dataclass
class IngestSummary:
    files_seen: int = 0
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    reports: int = 0  # reports written by this run
    issues: int = 0
    warnings: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, plain message)
    seconds: float = 0.0
    carried: list[tuple[int, int, str]] = field(default_factory=list)  # (old id, new id, new issue key)
    orphaned: list[store.carry.Held] = field(default_factory=list)  # corrections whose issue went
    displaced: list[tuple[str, str]] = field(default_factory=list)  # (stored file, file taking its report)
    displaced_kept: list[str] = field(default_factory=list)  # stored files giving way to a file of this run

    @property
    def failed(self) -> int:
        return len(self.failures)

    def lines(self) -> list[str]:
        """The closing summary, in plain English."""
        out = [
            f"Files: {self.files_seen} seen, {self.new} new, {self.unchanged} unchanged, "
            f"{self.replaced} replaced, {self.failed} failed ({self.seconds:.1f} s).",
            f"Stored by this run: {self.reports} reports, {self.issues} issues, {self.warnings} warnings.",
        ]
        if self.displaced_kept:
            out.append(f"Displaced: {len(self.displaced_kept)} stored files were not parsed again: a report "
                       "each held comes from another file of this run (ingest such a file alone to restore "
                       "it).")
        if self.carried or self.orphaned:
            out.append(f"Corrections: {len(self.carried)} carried to the edited issue of a new version, "
                       f"{len(self.orphaned)} orphaned (their issue is gone; they are kept but no "
                       "longer counted: see `python -m loaders overrides --orphaned` and 数据质量).")
        out += [f"CARRIED override #{old} -> #{new} on issue {key}" for old, new, key in self.carried]
        out += [f"ORPHANED override #{h.override_id} ({h.status}, by {h.author}) on issue {h.issue_key}: "
                f"{h.title[:60]}" for h in self.orphaned]
        out += [f"DISPLACED {old}: a report it held now comes from {new} (ingest {Path(old).name} alone to "
                "restore it)" for old, new in self.displaced]
        out += [f"FAILED {path}: {message}" for path, message in self.failures]
        return out


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: given files as they are, folders searched recursively for report files."""
    found: dict[str, None] = {}
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise MissingPathError(f"No such file or folder: {raw}")
        if not p.is_dir():
            found.setdefault(str(p.resolve()))
            continue
        # os.walk on the resolved folder: 10,000 files take ~0.1 s, against ~1 s for rglob + resolve each
        inside = []
        for folder, dirs, names in os.walk(p.resolve()):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            inside += [os.path.join(folder, n) for n in names
                       if n.lower().endswith(SUFFIXES) and not n.startswith((".", "~$"))]
        for f in sorted(inside):
            found.setdefault(f)
    return [Path(f) for f in found]


def file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class Progress:
    """A one-line progress bar on stderr (plain lines every few seconds when stderr is not a terminal)."""

    def __init__(self, total: int, enabled: bool = True, label: str = "Ingesting") -> None:
        self.total, self.done, self.enabled, self.label = total, 0, enabled and total > 0, label
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self.last >= (0.1 if self.tty else 5.0) or self.done == self.total):
            self.last = now
            self._draw()

    def _draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        text = f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files"
        sys.stderr.write(("\r" + text) if self.tty else (text + "\n"))
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _known_files(db: Path) -> dict[str, tuple[str, str, str | None]]:
    """file_sha -> (path, parser_version, displaced_by) of the stored files. A database made by an older
    version (or an empty file) is migrated first, so what is read has the current columns."""
    if not db.exists():
        return {}
    store.migrate(db)
    with store.read_connection(db) as con:
        return store.stored_versions(con)


def ingest_paths(
    paths: Iterable[str | Path],
    db: str | Path | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> IngestSummary:
    """Ingest files and folders into the database; see the module docstring for the guarantees."""
    started = time.perf_counter()
    files = collect_files(paths)
    db_path = Path(db) if db is not None else store.default_db()
    known = _known_files(db_path)
    summary = IngestSummary(files_seen=len(files))
    bar = Progress(len(files), progress)
    copies: dict[str, str] = {}
    # stored under the fingerprint accept stamps on what it stores: unchanged
    todo = _skip_unchanged(files, known, accept.parser_fingerprint(), summary, bar, copies)
    old_paths = {path for path, _, _ in known.values()}
    try:
        _parse_and_write(todo, db_path, old_paths, workers or os.cpu_count() or 1, summary, bar)
        _settle_copies(copies, summary)
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _skip_unchanged(
    files: list[Path], known: dict[str, tuple[str, str, str | None]], version: str, summary: IngestSummary,
    bar: Progress, copies: dict[str, str],
) -> list[str]:
    """Hash every file; a file whose sha is stored with the current parser version is unchanged and never
    parsed. One stored under other rules or code is parsed again and replaced. A stored file that gave up a
    report to a later file (displaced) is parsed again, restoring the report, unless that later file is in
    this run too (then the later file keeps it: no back and forth between runs). A file repeating the bytes
    of an earlier file of this run is not parsed either: `copies` maps it to that file (_settle_copies)."""
    current = {sha for sha, (_, v, _) in known.items() if v == version}
    hashed: list[tuple[Path, str]] = []
    for f in files:
        try:
            hashed.append((f, file_sha256(f)[0]))
        except OSError as exc:
            summary.failures.append((str(f), _why(accept.cannot_read(str(f), exc))))
            bar.advance()
    in_run = {sha for _, sha in hashed}
    first: dict[str, str] = {}  # sha -> the first file of this run with these bytes
    todo = []
    for f, sha in hashed:
        by = known[sha][2] if sha in known else None
        if sha in current and by is not None and by in in_run:
            summary.displaced_kept.append(str(f))
            bar.advance()
        elif sha in current and by is None:
            summary.unchanged += 1
            bar.advance()
        elif sha in first:
            copies[str(f)] = first[sha]
            bar.advance()
        else:
            first[sha] = str(f)
            todo.append(str(f))
    return todo


def _settle_copies(copies: dict[str, str], summary: IngestSummary) -> None:
    """A copy of a stored file is unchanged; a copy of a file that failed fails with the same reason."""
    failed = dict(summary.failures)
    for copy, original in copies.items():
        if original in failed:
            reason = failed[original].removeprefix(f"{Path(original).name}: ")
            message = f"{Path(copy).name}: same content as {Path(original).name}: {reason}"
            summary.failures.append((copy, message))
        else:
            summary.unchanged += 1


def _why(verdict: accept.Verdict) -> str:
    """A refused file's reason as the closing summary prints it (plain English)."""
    return verdict.reason.en if verdict.reason is not None else ""


def _weight(verdict: accept.Verdict) -> int:
    """A file's share of a write's time: its rows (issues and measures dominate), at least 1."""
    return 1 + sum(len(r.issues) + sum(len(i.measures) for i in r.issues) for r in verdict.reports or ())


class WritePace:
    """How many files fit in one write transaction of about WRITE_SECONDS, learnt from the writes so far."""

    def __init__(self) -> None:
        self.per_unit: float | None = None  # seconds the database was held per unit of _weight
        self.writes = 0  # writes recorded so far

    def compact(self) -> bool:
        """Whether the next write's checkpoint merges row groups (see COMPACT_EVERY)."""
        return self.writes % COMPACT_EVERY == COMPACT_EVERY - 1

    def take(self, versions: list[accept.Verdict]) -> int:
        if self.per_unit is None:
            return min(len(versions), WRITE_FIRST_FILES)
        budget, used, n = WRITE_SECONDS / self.per_unit, 0, 0
        for fv in versions:
            used += _weight(fv)
            if n >= WRITE_MIN_FILES and used > budget:
                break
            n += 1
        return n

    def record(self, versions: list[accept.Verdict], seconds: float) -> None:
        self.writes += 1
        per = max(seconds, 1e-6) / sum(map(_weight, versions))  # a clock too coarse to see it: nearly free
        # Slower writes count at once (a loaded machine must not overrun the readers' wait); faster ones
        # only half, so one quick write does not make the next one too big.
        self.per_unit = per if self.per_unit is None or per > self.per_unit else (self.per_unit + per) / 2


def _parse_and_write(
    todo: list[str], db: Path, old_paths: set[str], workers: int, summary: IngestSummary, bar: Progress
) -> None:
    pace = WritePace()
    batch: list[accept.Verdict] = []
    first_at = 0.0
    window = BATCH_SECONDS
    for verdict in pool.parse_all(todo, workers):
        if not verdict.accepted:
            summary.failures.append((verdict.name, _why(verdict)))
        else:
            if not batch:
                first_at = time.monotonic()
            batch.append(verdict)
        if batch and (len(batch) >= BATCH_FILES or time.monotonic() - first_at >= window):
            _flush(db, batch, old_paths, summary, pace)
            batch = []
            window = min(window * 2, BATCH_MAX_SECONDS)
        bar.advance()
    if batch:
        _flush(db, batch, old_paths, summary, pace)


def _flush(db: Path, batch: list[accept.Verdict], old_paths: set[str], summary: IngestSummary,
           pace: WritePace | None = None) -> None:
    """Write one batch in transactions of about WRITE_SECONDS each, every one on its own short-lived
    connection, with a pause between them: readers get the file between writes, never wait long."""
    pace = pace or WritePace()
    done = 0
    while done < len(batch):
        if done:
            _sleep(YIELD_SECONDS)
        chunk = batch[done : done + pace.take(batch[done:])]
        done += len(chunk)
        try:  # the rows are built before the database is opened: readers wait only for the SQL
            prepared: store.Prepared | None = accept.prepare(chunk)
        except Exception:  # a file the rows cannot hold: the write finds it, one file at a time
            prepared = None
        before = _file_state(db)
        if prepared is not None:
            prepared = _warm_lineage(db, prepared)
        try:
            with store.connect(db) as con:
                opened = time.monotonic()
                if prepared is not None and prepared.lineage is not None and _file_state(db) != before:
                    prepared = replace(prepared, lineage=None)  # written in between: compute it again
                if not pace.compact():
                    store.skip_compaction(con)
                outcomes = accept.store_verdicts(con, chunk, prepared=prepared)
        except store.StoreError as exc:
            summary.failures.extend((v.name, str(exc)) for v in chunk)
            continue
        pace.record(chunk, time.monotonic() - opened)  # closing (a checkpoint) counts: it holds the file
        _count(outcomes, old_paths, summary)


def _warm_lineage(db: Path, prepared: store.Prepared) -> store.Prepared:
    """`prepared` with its lineage planned on a read-only connection (store.warm_lineage): readers share that
    one, and the write then holds the database for its SQL only (or, if it must compute the lineage again,
    for cached scores)."""
    if not db.exists():
        return prepared
    try:
        with store.read_connection(db) as con:
            return replace(prepared, lineage=store.warm_lineage(con, prepared))
    except Exception:  # a head start only: the write computes the same itself, and reports its errors
        return prepared


def _file_state(db: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """What changes when anything is written to the database: its file's and its write-ahead log's identity,
    size and modification time (a commit appends to the log, a checkpoint rewrites the file)."""
    out: list[tuple[int, int, int] | None] = []
    for path in (db, Path(f"{db}.wal")):
        try:
            st = path.stat()
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def _count(outcomes: list[accept.Outcome], old_paths: set[str], summary: IngestSummary) -> None:
    for out in outcomes:
        res = out.written
        if res is None:
            summary.failures.append((out.path, out.reason.en if out.reason is not None else ""))
            continue
        if res.replaced_reports or out.path in old_paths:
            summary.replaced += 1
        else:
            summary.new += 1
        summary.reports += res.reports
        summary.issues += res.issues
        summary.warnings += res.warnings
        summary.carried += res.carried
        summary.orphaned += res.orphaned
        summary.displaced += [(old, out.path) for old in res.displaced if old != out.path]


def default_reports_dir() -> Path:
    return project_path(section("paths").get("reports_dir", "data/reports"))


def ensure_database(
    db: str | Path | None = None, reports_dir: str | Path | None = None, workers: int | None = None
) -> IngestSummary | None:
    """Build the database from the bundled reports when the file is missing (the dashboard's first start).

    The build goes into a temporary file that replaces the real name only once complete, so a half-built
    database is never visible; a lock file makes concurrent first starts build it once. Returns the build's
    summary, or None when the database already existed.
    """
    db_path = Path(db) if db is not None else store.default_db()
    if db_path.exists():
        return None
    src = Path(reports_dir) if reports_dir is not None else default_reports_dir()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        if db_path.exists():  # another process built it while we waited
            return None
        tmp = db_path.with_name(db_path.name + ".tmp")
        for stale in (tmp, Path(str(tmp) + ".wal")):
            stale.unlink(missing_ok=True)  # left by a build that was killed
        if src.is_dir():
            summary = ingest_paths([src], tmp, workers=workers, progress=False)
        else:
            summary = IngestSummary()
        with store.connect(tmp) as con:  # creates the schema even when nothing was ingested
            con.execute("CHECKPOINT")  # everything in the main file: the .wal must not be left behind
        os.replace(tmp, db_path)
    return summary


def build_lock_path(db: Path) -> Path:
    """The lock file of a first-start build: beside the database (never in the system's temp folder, where
    one per database piled up), removed once the database exists."""
    return db.with_name(db.name + ".build.lock")


@contextlib.contextmanager
def _build_lock(db: Path) -> Iterator[None]:
    """An exclusive lock between processes building the same database (a no-op without fcntl)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: concurrent first starts are unlikely there; build without the lock
        yield
        return
    lock = build_lock_path(db)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            # Safe to remove once the database exists: whoever waits on this file, or opens a new one, looks
            # for the database first and finds it. After a failed build it stays, for the next try.
            if db.exists():
                lock.unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)
