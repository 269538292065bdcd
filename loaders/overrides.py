"""Supervisors' corrections of an issue's status (the `overrides` table): append-only.

Adding one needs the author's name and an issue that is in the database; nothing here updates or deletes a
stored override, and ingestion never touches the table, so a correction outlives re-ingests of its report.
An override whose issue has gone (its report changed) is kept and listed as orphaned. Connections come from
loaders/store.py (short-lived, retried while the file is locked, one writer per file in this process).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loaders.models import STATUSES
from loaders.store import StoreError, connect, read_connection

MAX_AUTHOR_CHARS = 100
MAX_NOTE_CHARS = 5000


class OverrideError(StoreError, ValueError):
    """An override refused (no author, unknown status or issue, too long), in plain English."""


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
