"""Carrying supervisors' corrections across a republished report whose issue titles were edited slightly.

An issue's key hashes its report_key, category and title, so a one-character edit of a title in a new version
of the same report gives the issue a new key and its correction would silently drop out of every count. Inside
the transaction that replaces a report's rows (loaders/writer/store.py), `snapshot` records the corrections
in force
on the issues about to be deleted; after the new rows are inserted, `carry` appends, for each such correction
whose issue is gone, a `carry` row (loaders/writer/overrides.py: append-only, referencing the original) on
the new
version's issue at the same position of the same report, when the titles are similar enough
(`overrides.carry_min_similarity` in config.yaml) and that issue is new in this version. Anything else is
left orphaned and returned, so the ingest summary and 数据质量 can show it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from loaders.config import section

if TYPE_CHECKING:  # store imports this module: the connection type is only needed by the type checker
    from loaders.writer.store import Connection

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Held:
    """A correction in force on an issue of a report about to be replaced."""

    override_id: int
    issue_key: str
    status: str
    note: str | None
    author: str
    report_key: str
    seq: int
    title: str


@dataclass(frozen=True)
class Snapshot:
    held: list[Held]
    old_keys: set[str]  # every issue key the replaced reports had


@dataclass(frozen=True)
class Outcome:
    carried: list[tuple[int, int, str]]  # (original override_id, new override_id, new issue_key)
    orphaned: list[Held]  # corrections whose issue is gone and that could not be carried


def min_similarity() -> float:
    return float(section("overrides").get("carry_min_similarity", 85))


def similarity(a: str, b: str) -> float:
    """0–100: how alike two issue titles are (whitespace differences do not count)."""
    return float(fuzz.ratio(_SPACE.sub("", a or ""), _SPACE.sub("", b or "")))


_HELD_SQL = """
SELECT o.override_id, o.issue_key, o.status, o.note, o.author, i.report_key, i.seq, i.title
FROM (SELECT * FROM overrides_active
      QUALIFY row_number() OVER (PARTITION BY issue_key ORDER BY override_id DESC) = 1) o
JOIN issues i USING (issue_key)
WHERE i.report_key IN (SELECT unnest(?::VARCHAR[]))
ORDER BY o.override_id"""


def snapshot(con: Connection, report_keys: Sequence[str]) -> Snapshot:
    """The corrections in force on the issues of these reports (call before deleting them)."""
    if not report_keys or not con.execute("SELECT count(*) FROM overrides").fetchall()[0][0]:
        return Snapshot([], set())
    held = [Held(*row) for row in con.execute(_HELD_SQL, [list(report_keys)]).fetchall()]
    if not held:
        return Snapshot([], set())
    reports = sorted({h.report_key for h in held})
    old = con.execute("SELECT issue_key FROM issues WHERE report_key IN (SELECT unnest(?::VARCHAR[]))",
                      [reports]).fetchall()
    return Snapshot(held, {k for (k,) in old})


def carry(con: Connection, snap: Snapshot, now: datetime) -> Outcome:
    """Carry each held correction whose issue is gone to its matching new issue (call after inserting the new
    rows, in the same transaction). Returns what was carried and what is left orphaned."""
    if not snap.held:
        return Outcome([], [])
    gone = [h for h in snap.held if not con.execute(
        "SELECT count(*) FROM issues WHERE issue_key = ?", [h.issue_key]).fetchall()[0][0]]
    if not gone:
        return Outcome([], [])
    reports = sorted({h.report_key for h in gone})
    new_rows = con.execute(
        "SELECT report_key, seq, issue_key, title FROM issues "
        "WHERE report_key IN (SELECT unnest(?::VARCHAR[]))",
        [reports]).fetchall()
    at = {(r, s): (k, t) for r, s, k, t in new_rows}
    corrected = {k for (k,) in con.execute(
        "SELECT DISTINCT issue_key FROM overrides_active WHERE issue_key IN (SELECT unnest(?::VARCHAR[]))",
        [[k for _, _, k, _ in new_rows]]).fetchall()}
    threshold = min_similarity()
    carried, orphaned = [], []
    for h in gone:
        match = at.get((h.report_key, h.seq))
        # The issue now at that position must be new in this version (not an old issue moved up) and not
        # corrected already, and its title must be close to the corrected one.
        if (match is None or match[0] in snap.old_keys or match[0] in corrected
                or similarity(h.title, match[1]) < threshold):
            orphaned.append(h)
            continue
        new_id = con.execute(
            "INSERT INTO overrides (override_id, issue_key, status, note, author, created_at, kind, ref_id, "
            "report_key, issue_title) "
            "SELECT COALESCE(MAX(override_id), 0) + 1, ?, ?, ?, ?, ?, 'carry', ?, ?, ? "
            "FROM overrides RETURNING override_id",
            [match[0], h.status, h.note, h.author, now, h.override_id, h.report_key, match[1]],
        ).fetchall()[0][0]
        corrected.add(match[0])
        carried.append((h.override_id, int(new_id), match[0]))
    return Outcome(carried, orphaned)
