"""Supervisors' corrections of an issue's status (the `overrides` table): append-only.

Adding one needs the author's name and an issue that is in the database; nothing here updates or deletes a
stored row. A mistaken correction is *withdrawn* by a new row (kind `withdrawal`) that names it; the issue's
status then falls back to its previous active correction, or to the parsed status. When a republished
version of a report edits an issue's title slightly (so the issue gets a new key), ingestion *carries* the
correction in force to the matching issue with a new row (kind `carry`, see loaders/writer/carry.py). A
correction
whose issue has gone and could not be carried is kept and listed as orphaned. Connections come from
loaders/writer/store.py (short-lived, retried while the file is locked, one writer per file in this process).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loaders.models import STATUSES
from loaders.writer.store import (
    Connection,
    StoreError,
    connect,
    in_transaction,
    read_connection,
    refresh_corrections,
)

MAX_AUTHOR_CHARS = 100
MAX_NOTE_CHARS = 5000
CORRECTION, CARRY, WITHDRAWAL = "correction", "carry", "withdrawal"


class OverrideError(StoreError, ValueError):
    """An override refused (no author, unknown status or issue, too long), in plain English."""


@dataclass(frozen=True)
class Override:
    override_id: int
    issue_key: str
    status: str | None  # None only for a withdrawal
    note: str | None
    author: str
    created_at: datetime
    kind: str = CORRECTION  # correction / carry / withdrawal
    ref_id: int | None = None  # carry: the override carried; withdrawal: the override withdrawn
    issue_title: str | None = None  # the issue's title when the row was written

    def to_json(self) -> dict[str, Any]:
        return {"override_id": self.override_id, "issue_key": self.issue_key, "status": self.status,
                "note": self.note, "author": self.author, "created_at": self.created_at.isoformat(sep=" "),
                "kind": self.kind, "ref_id": self.ref_id, "issue_title": self.issue_title}


_COLS = "override_id, issue_key, status, note, author, created_at, kind, ref_id, issue_title"
_SELECT = ("SELECT override_id, issue_key, status, note, author, created_at, "
           f"COALESCE(kind, '{CORRECTION}'), ref_id, issue_title FROM overrides")


def _clean_author_note(author: str | None, note: str | None) -> tuple[str, str | None]:
    author = (author or "").strip()
    if not author:
        raise OverrideError("An override needs the name of its author.")
    if len(author) > MAX_AUTHOR_CHARS:
        raise OverrideError(f"The author's name is longer than {MAX_AUTHOR_CHARS} characters.")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise OverrideError(f"The note is longer than {MAX_NOTE_CHARS} characters ({len(note)}); "
                            "nothing was stored.")
    return author, note


def _validate_override(
    issue_key: str, status: str, note: str | None, author: str | None
) -> tuple[str, str | None]:
    author, note = _clean_author_note(author, note)
    if status not in STATUSES:
        raise OverrideError(f"Unknown status {status!r}: use one of {', '.join(STATUSES)}.")
    if not (issue_key or "").strip():
        raise OverrideError("An override needs the key of the issue it corrects.")
    return author, note


def _append(con: Connection, issue_key: str, status: str | None, note: str | None, author: str,
            kind: str, ref_id: int | None, report_key: str | None, title: str | None,
            created_at: datetime | None = None) -> Override:
    """Insert one row. Ids come from MAX+1: safe because this process's write lock and DuckDB's file lock
    make the caller the only writer while its connection is open."""
    rows = con.execute(
        f"INSERT INTO overrides ({_COLS}, report_key) "
        "SELECT COALESCE(MAX(override_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM overrides "
        f"RETURNING {_COLS}",
        [issue_key, status, note, author, created_at or datetime.now(), kind, ref_id, title, report_key],
    ).fetchall()
    return Override(*rows[0])


def add_override(
    db: str | Path | None, issue_key: str, status: str, note: str | None, author: str
) -> Override:
    """Append a supervisor's correction of an issue's status (never updates or deletes earlier ones).
    Refused, with nothing stored, when no issue has this key (any more)."""
    author, note = _validate_override(issue_key, status, note, author)
    issue_key = issue_key.strip()
    with connect(db) as con:
        found = con.execute("SELECT report_key, title FROM issues WHERE issue_key = ?",
                            [issue_key]).fetchall()
        if not found:
            raise OverrideError(f"No issue with key {issue_key!r} in the database (a re-ingest may have "
                                "changed it); nothing was stored.")
        report_key, title = found[0]
        return _recorded(con, lambda: _append(con, issue_key, status, note, author, CORRECTION, None,
                                              report_key, title))


def withdraw_override(db: str | Path | None, override_id: int, note: str | None, author: str) -> Override:
    """Withdraw a mistaken correction (or carry) with a new row naming it. The issue's status falls back to
    its previous active correction, else to the parsed status. A note saying why is required."""
    author, note = _clean_author_note(author, note)
    if not note:
        raise OverrideError("A withdrawal needs a note saying why the correction was wrong.")
    with connect(db) as con:
        rows = con.execute(f"{_SELECT} WHERE override_id = ?", [int(override_id)]).fetchall()
        if not rows:
            raise OverrideError(f"No override #{override_id} in the database; nothing was stored.")
        target = Override(*rows[0])
        if target.kind == WITHDRAWAL:
            raise OverrideError(f"Override #{override_id} is itself a withdrawal; it cannot be withdrawn.")
        done = con.execute("SELECT override_id FROM overrides WHERE kind = ? AND ref_id = ?",
                           [WITHDRAWAL, target.override_id]).fetchall()
        if done:
            raise OverrideError(f"Override #{override_id} was already withdrawn by #{done[0][0]}.")
        return _recorded(con, lambda: _append(con, target.issue_key, None, note, author, WITHDRAWAL,
                                              target.override_id, None, target.issue_title))


def _recorded(con: Connection, append: Callable[[], Override]) -> Override:
    """Run `append` (one row written for an issue) and rewrite the copies of the effective status it changes
    (issues.correction_*: the issue's unit, where its lineage carries the correction) in one transaction:
    no reader sees the row without its effect, and a failure stores neither."""

    def record() -> Override:
        row = append()
        unit = con.execute("SELECT report_unit FROM issues WHERE issue_key = ?", [row.issue_key]).fetchall()
        if unit:  # an orphaned correction's issue is gone: it counts nowhere, nothing to rewrite
            refresh_corrections(con, [unit[0][0]])
        return row

    return in_transaction(con, record)


def overrides_oldest_first(db: str | Path | None, issue_key: str | None = None) -> list[Override]:
    """All rows of one issue (or of every issue), oldest first: corrections, carries, withdrawals."""
    sql = _SELECT
    params: list[Any] = []
    if issue_key is not None:
        sql += " WHERE issue_key = ?"
        params.append(issue_key)
    with read_connection(db) as con:
        rows = con.execute(sql + " ORDER BY override_id", params).fetchall()
    return [Override(*r) for r in rows]


def withdrawn_ids(db: str | Path | None) -> dict[int, int]:
    """Withdrawn override id -> the id of the withdrawal."""
    with read_connection(db) as con:
        rows = con.execute("SELECT ref_id, override_id FROM overrides WHERE kind = ?",
                           [WITHDRAWAL]).fetchall()
    return {int(a): int(b) for a, b in rows}


def orphaned_overrides(db: str | Path | None) -> list[Override]:
    """Corrections in force whose issue is no longer in the database (its report changed or went) and that
    were not carried to an edited issue: kept, listed here and on 数据质量."""
    with read_connection(db) as con:
        # The view overrides_orphaned (schema.sql) is the one definition of an orphan.
        rows = con.execute(f"{_SELECT} WHERE override_id IN (SELECT override_id FROM overrides_orphaned) "
                           "ORDER BY override_id").fetchall()
    return [Override(*r) for r in rows]
