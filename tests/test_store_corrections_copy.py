"""issues.correction_status / correction_source: the store's copy of the correction that counts for each issue
(schema.sql), which every list and count reads instead of joining the corrections (the view issues_counted).

Random corpora (test_lineage_incremental's: several units, rounds, reworded and merged problems, explicit and
silent statuses) are written in random batches while corrections are recorded on random issues, withdrawn,
and carried to a republished report whose titles were edited slightly; after every step the copy must equal
what issues_counted says of every issue, no correction in force may be lost or counted on another issue, and
the read side (queries) must count what the view counts. An older database gets the copy when migrated.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_lineage_incremental import corpus

import queries
from loaders.models import Report
from loaders.writer import overrides, store
from loaders.writer.rows import FileVersion

# The copy as the store keeps it, and as issues_counted says it must be (NULL where no correction counts).
COPY = "SELECT issue_key, correction_status, correction_source FROM issues ORDER BY issue_key"
VIEW = """SELECT issue_key,
                 CASE WHEN effective_source IN ('override', 'carried') THEN effective_status END,
                 CASE WHEN effective_source IN ('override', 'carried') THEN effective_source END
          FROM issues_counted ORDER BY issue_key"""
MINE = "SELECT correction_status, correction_source FROM issues WHERE issue_key = ?"
# Every correction in force whose issue is stored, with the status it set.
IN_FORCE = """SELECT o.issue_key, o.status FROM overrides_in_force o
              WHERE o.issue_key IN (SELECT issue_key FROM issues) ORDER BY o.issue_key"""


def fetch(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_copy_true(db: Path) -> dict[str, int]:
    """The copy equals issues_counted on every issue; every correction in force counts on its own issue, with
    its status. Returns how many issues each kind of correction counts on."""
    copy = fetch(db, COPY)
    assert copy == fetch(db, VIEW)
    by_key = {key: (status, source) for key, status, source in copy}
    for key, status in fetch(db, IN_FORCE):
        assert by_key[key] == (status, "override"), key
    kinds = {"override": 0, "carried": 0}
    for _, source in by_key.values():
        if source:
            kinds[source] += 1
    return kinds


def _title_edited(fv: FileVersion, rng: random.Random) -> FileVersion:
    """The same file republished (a new sha at the same path) with one issue's title edited by a character:
    its key changes, so a correction of it is carried (loaders/writer/carry.py)."""
    rep = fv.reports[0]
    issues = list(rep.issues)
    n = rng.randrange(len(issues))
    issues[n] = replace(issues[n], title=issues[n].title + "等")
    edited = Report(title=rep.title, unit=rep.unit, published_on=rep.published_on, inspection=rep.inspection,
                    issues=tuple(issues))
    return FileVersion(fv.file_sha + "-t", fv.path, fv.size, (edited,), fv.parser_version)


def _correct(db: Path, rng: random.Random) -> None:
    """Record a correction of a random stored issue (often one with a later version, so it carries)."""
    keys = [k for (k,) in fetch(db, "SELECT issue_key FROM issue_lineage WHERE superseded "
                                    "ORDER BY issue_key")]
    keys = keys if keys and rng.random() < 0.7 else [k for (k,) in fetch(
        db, "SELECT issue_key FROM issues ORDER BY issue_key")]
    overrides.add_override(db, rng.choice(keys), rng.choice(("完成", "阶段性完成", "未完成")), "核实",
                           rng.choice(("张三", "李四")))


def _withdraw(db: Path, rng: random.Random) -> None:
    active = [k for (k,) in fetch(db, "SELECT override_id FROM overrides_active ORDER BY override_id")]
    if active:
        overrides.withdraw_override(db, rng.choice(active), "更正有误", "王五")


@pytest.mark.parametrize("seed", range(4))  # each reaches both kinds of correction
def test_the_copy_equals_issues_counted_after_writes_corrections_withdrawals_and_carries(
    seed: int, tmp_path: Path
) -> None:
    files = corpus(seed)
    rng = random.Random(f"corrections{seed}")
    db = tmp_path / "db.duckdb"
    done = 0
    seen = {"override": 0, "carried": 0}
    carries = 0
    while done < len(files):
        batch = files[done : done + rng.choice((1, 2, 3))]
        done += len(batch)
        written = files[: done - len(batch)]
        if written and rng.random() < 0.3:  # a stored report republished with an edited title
            batch = [*batch, _title_edited(rng.choice(written), rng)]
        with store.connect(db) as con:
            results = store.write_files(con, batch)
        carries += sum(len(r.carried) for r in results)
        assert_copy_true(db)
        for _ in range(rng.choice((0, 1, 2))):
            _correct(db, rng)
            assert_copy_true(db)
        if rng.random() < 0.3:
            _withdraw(db, rng)
            assert_copy_true(db)
        kinds = assert_copy_true(db)
        seen = {k: max(seen[k], kinds[k]) for k in seen}
    assert seen["override"] > 0 and seen["carried"] > 0, seen
    _read_side_counts_what_the_view_counts(db)
    if seed == 0:
        assert carries > 0  # the edits reach carry.carry at least once


def _read_side_counts_what_the_view_counts(db: Path) -> None:
    """queries' counts per unit and status (read from the copy) equal the view's on several dates."""
    for day in (dt.date(2021, 1, 1), dt.date(2023, 1, 1), dt.date(2030, 1, 1)):
        f = queries.Filters(as_of=day)
        got = queries.overview_counts(db, f)
        got = got[~got["total"]].groupby(["unit", "status"])["n"].sum()
        with duckdb.connect(str(db), read_only=True) as con:
            want = con.execute(f"""
                SELECT report_unit AS unit, {queries.base.status_label("effective_status")} AS status,
                       count(*) AS n
                FROM issues_counted
                WHERE (shown_from IS NULL OR shown_from <= ?) AND (hidden_from IS NULL OR hidden_from > ?)
                GROUP BY ALL""", [day, day]).df().set_index(["unit", "status"])["n"]
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False,
                                       check_dtype=False)


def test_an_older_database_gets_the_copy_when_migrated(series_db: Path, tmp_path: Path) -> None:
    first = fetch(series_db, "SELECT issue_key FROM issue_lineage WHERE superseded AND version = 1 "
                             "ORDER BY issue_key LIMIT 2")
    for (key,), status in zip(first, ("完成", "未完成"), strict=True):
        overrides.add_override(series_db, key, status, "旧库里的更正", "赵六")
    kinds = assert_copy_true(series_db)
    assert kinds["override"] == 2 and kinds["carried"] > 0
    f = queries.Filters(as_of=dt.date(2026, 1, 1))

    def counts(db: Path) -> pd.DataFrame:  # GROUP BY: rows in no particular order
        got = queries.overview_counts(db, f)
        return got.sort_values(list(got.columns)).reset_index(drop=True)

    expected = [counts(series_db), queries.issues_page(series_db, f, limit=500),
                queries.weak_issues(series_db, f, 0.9)]
    old = tmp_path / "old.duckdb"
    shutil.copy(series_db, old)
    with duckdb.connect(str(old)) as con:  # as a database made before the copy
        for column in ("correction_status", "correction_source"):
            con.execute(f"ALTER TABLE issues DROP COLUMN {column}")
    assert store.migrate(old)
    assert not store.migrate(old)
    assert assert_copy_true(old) == kinds
    got = [counts(old), queries.issues_page(old, f, limit=500),
           queries.weak_issues(old, f, 0.9)]
    for a, b in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_withdrawal_falls_back_to_the_earlier_correction_in_every_count(series_db: Path) -> None:
    (key,), = fetch(series_db, "SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1")
    f = queries.Filters(as_of=dt.date(2026, 1, 1), all_versions=True)
    first = overrides.add_override(series_db, key, "完成", None, "张三")
    second = overrides.add_override(series_db, key, "未完成", None, "李四")
    assert fetch(series_db, MINE, [key]) == [("未完成", "override")]
    overrides.withdraw_override(series_db, second.override_id, "看错了", "李四")
    assert fetch(series_db, MINE, [key]) == [("完成", "override")]
    row = queries.issues_page(series_db, f, limit=500).set_index("issue_key").loc[key]
    assert (row["status"], row["source"], row["override_author"]) == ("完成", "override", "张三")
    overrides.withdraw_override(series_db, first.override_id, "也看错了", "张三")
    assert_copy_true(series_db)
    assert fetch(series_db, MINE, [key]) == [(None, None)]
