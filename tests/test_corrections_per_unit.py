"""issues_counted_in(units) (schema.sql), the per-unit form of issues_counted that the store's copy of the
corrections is recomputed from (store.refresh_corrections): it must say of every issue of the units exactly
what the view says, so a unit filter reaching the lineage walk can neither drop a correction carried along a
lineage nor count it on another unit's issue.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import duckdb
import pytest
from test_lineage_incremental import corpus

from loaders.writer import overrides, store

# A correction carried two versions or more down its lineage: (first version, version it counts on, status).
CARRIED_FAR = """SELECT c.carried_from, c.issue_key, c.effective_status
FROM issues_counted c JOIN issue_lineage l USING (issue_key)
JOIN issue_lineage f ON f.issue_key = c.carried_from
WHERE c.effective_source = 'carried' AND l.version >= f.version + 2 ORDER BY c.issue_key"""
COPY = ("SELECT issue_key, correction_status, correction_source FROM issues "
        "WHERE correction_source IS NOT NULL ORDER BY issue_key")


def fetch(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_per_unit_form_is_the_view(db: Path) -> None:
    """Every row of issues_counted_in, for each unit, each pair of units and every unit (NULL), equals the
    view's row of that issue, and it lists exactly the units' issues."""
    units = [u for (u,) in fetch(db, "SELECT DISTINCT report_unit FROM issues ORDER BY 1")]
    for chosen in [*([u] for u in units), *(list(p) for p in itertools.combinations(units, 2)), None]:
        got = fetch(db, "SELECT * FROM issues_counted_in(?::VARCHAR[]) ORDER BY issue_key", [chosen])
        want = fetch(db, "SELECT * FROM issues_counted WHERE ?::VARCHAR[] IS NULL "
                         "OR list_contains(?::VARCHAR[], report_unit) ORDER BY issue_key", [chosen, chosen])
        assert got == want, chosen
        assert got


def _first_of_long_lineage(db: Path, unit: str) -> str:
    """The first version of a problem of `unit` reported three times or more whose later versions print no
    status (so a correction of it carries down the whole lineage)."""
    rows = fetch(db, """
        SELECT f.issue_key FROM issue_lineage f
        WHERE f.unit = ? AND f.version = 1
          AND (SELECT count(*) FROM issue_lineage l JOIN issues i USING (issue_key)
               WHERE l.lineage_id = f.lineage_id AND l.version IN (2, 3)
                 AND i.status_source IS DISTINCT FROM 'explicit') = 2
        ORDER BY f.issue_key LIMIT 1""", [unit])
    assert rows, f"the corpus has no long lineage in {unit} with silent later versions"
    return str(rows[0][0])


def test_a_correction_carried_across_two_republications_survives_a_write_of_another_unit(
    tmp_path: Path,
) -> None:
    files = corpus(0)
    unit_a, unit_b = "测试县1", "测试县0"
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        store.write_files(con, [f for f in files if f.reports[0].unit != unit_b])
    first = _first_of_long_lineage(db, unit_a)
    overrides.add_override(db, first, "完成", "核实", "张三")
    far = fetch(db, CARRIED_FAR)
    assert [k for f, k, _ in far if f == first], "the correction carries two versions down"
    carried = [k for (k,) in fetch(db, "SELECT issue_key FROM issues_counted "
                                       "WHERE effective_source = 'carried'")]
    copy_a = fetch(db, COPY)
    assert copy_a == sorted([(first, "完成", "override"), *((k, "完成", "carried") for k in carried)])
    with store.connect(db) as con:  # unit B written: A's carried corrections must stay where they count
        store.write_files(con, [f for f in files if f.reports[0].unit == unit_b])
    assert fetch(db, COPY) == copy_a
    assert fetch(db, CARRIED_FAR) == far
    for units in ([unit_b], [unit_a], [unit_b, unit_a], None):
        with store.connect(db) as con:
            store.in_transaction(con, lambda units=units: store.refresh_corrections(con, units))
        assert fetch(db, COPY) == copy_a, units
    assert not fetch(db, "SELECT issue_key FROM issues "
                         "WHERE report_unit = ? AND correction_source IS NOT NULL", [unit_b])
    assert_per_unit_form_is_the_view(db)
    # A correction in B counts in B only, and A's are untouched by its refresh.
    (key_b,), = fetch(db, "SELECT issue_key FROM issues WHERE report_unit = ? AND issue_key NOT IN "
                          "(SELECT issue_key FROM issue_lineage WHERE superseded) ORDER BY issue_key LIMIT 1",
                      [unit_b])
    overrides.add_override(db, key_b, "未完成", None, "李四")
    assert fetch(db, COPY) == sorted([*copy_a, (key_b, "未完成", "override")])
    assert_per_unit_form_is_the_view(db)


@pytest.mark.parametrize("seed", range(4))
def test_the_per_unit_form_equals_the_view_with_random_corrections(seed: int, tmp_path: Path) -> None:
    rng = random.Random(f"per-unit{seed}")
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        store.write_files(con, corpus(seed))
    firsts = [k for (k,) in fetch(db, "SELECT issue_key FROM issue_lineage WHERE superseded ORDER BY 1")]
    every = [k for (k,) in fetch(db, "SELECT issue_key FROM issues ORDER BY 1")]
    for _ in range(8):
        key = rng.choice(firsts if firsts and rng.random() < 0.7 else every)
        overrides.add_override(db, key, rng.choice(("完成", "阶段性完成", "未完成")), None, "张三")
    active = [i for (i,) in fetch(db, "SELECT override_id FROM overrides_active ORDER BY 1")]
    overrides.withdraw_override(db, rng.choice(active), "更正有误", "王五")
    assert fetch(db, "SELECT count(*) FROM issues_counted WHERE effective_source = 'carried'")[0][0] > 0
    assert_per_unit_form_is_the_view(db)


def test_a_database_made_before_the_macro_gets_it_when_migrated(series_db: Path) -> None:
    (key,), = fetch(series_db, "SELECT issue_key FROM issue_lineage WHERE superseded AND version = 1 "
                               "ORDER BY issue_key LIMIT 1")
    overrides.add_override(series_db, key, "完成", None, "张三")
    expected = fetch(series_db, COPY)
    with duckdb.connect(str(series_db)) as con:  # as made before it: the view had its own definition
        con.execute("CREATE OR REPLACE VIEW issues_counted AS SELECT * FROM issues_effective")
        con.execute("DROP MACRO TABLE issues_counted_in")
    assert store.migrate(series_db)
    assert not store.migrate(series_db)
    assert_per_unit_form_is_the_view(series_db)
    assert fetch(series_db, COPY) == expected
    overrides.add_override(series_db, key, "未完成", None, "李四")  # the copy is refreshed through the macro
    now = fetch(series_db, COPY)
    assert [row[1:] for row in now if row[0] == key] == [("未完成", "override")]
    assert [row[0] for row in now] == [row[0] for row in expected]
    assert all(row[1] == "未完成" for row in now)
