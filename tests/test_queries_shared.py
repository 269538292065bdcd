"""The shared parts of the read side that were made cheaper at 100,000 reports, each checked against the
definition it replaced: the latest-version filter (base._latest_version) against the lineage limits' plain
reading; the overview's and scorecard's overdue and light counts (base.due_bucket / due_refs) against fi's
per-issue `overdue` and `light`, for several as-of dates and light settings, also odd ones; 数据质量's page
of weak issues (found by key) against the full list; 共性问题's counts against a count of the members."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import queries
from loaders.similar import GroupRules
from loaders.writer import overrides
from queries import Filters, base

DATES = (dt.date(2019, 1, 1), dt.date(2023, 3, 31), dt.date(2023, 12, 31), dt.date(2024, 6, 30),
         dt.date(2024, 7, 15), dt.date(2030, 1, 1))
# (yellow_days, red_days): the configured kind, equal, yellow before red, red before as-of.
LIGHT_DAYS = ((30, 10), (10, 10), (5, 20), (0, -3), (-10, -20))


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def per_issue(db: Path, f: Filters) -> pd.DataFrame:
    """fi as _ctes defines it, one row per filtered issue: unit, category label, status label, light,
    overdue (the per-issue definitions the grouped counts must equal)."""
    p = base._Params()
    sql = f"""{base._ctes(f, p)}
    SELECT fi.unit, fi.category_label AS category, fi.status_label AS status, fi.light, fi.overdue FROM fi"""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql, params=p.values).df()


def expected_counts(issues: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = issues.assign(n=1, overdue=issues["overdue"].fillna(False).astype(int),
                        **{x.column: (issues["light"] == x.value).astype(int) for x in base.vocab().lights})
    cols = ["n", "overdue", *(x.column for x in base.vocab().lights)]
    return out.groupby(keys, dropna=False)[cols].sum().reset_index().sort_values(keys).reset_index(drop=True)


@pytest.fixture()
def corrected(series_db: Path) -> Path:
    """The series with corrections: a superseded version corrected (carried to the later ones), a latest
    one corrected to 完成 (it leaves overdue and the lights), another withdrawn."""
    keys = [k for (k,) in rows(series_db, "SELECT issue_key FROM issue_lineage ORDER BY issue_key")]
    superseded = [k for (k,) in rows(series_db, "SELECT issue_key FROM issue_lineage WHERE superseded "
                                                "ORDER BY issue_key")]
    rng = random.Random(13)
    overrides.add_override(series_db, rng.choice(superseded), "未完成", "复查", "测试员")
    done = overrides.add_override(series_db, rng.choice(keys), "完成", "核实", "测试员")
    wrong = overrides.add_override(series_db, rng.choice(keys), "阶段性完成", "核实", "测试员")
    overrides.withdraw_override(series_db, wrong.override_id, "弄错了", "测试员")
    assert done.override_id
    return series_db


def test_the_series_has_lineage_limits(series_db: Path) -> None:
    """The checks below are only meaningful with limited issues (a later version, a superseded one)."""
    (shown, hidden), = rows(series_db, "SELECT count(shown_from), count(hidden_from) FROM issues")
    assert shown > 0 and hidden > 0


@pytest.mark.parametrize("as_of", DATES)
def test_latest_version_filter_is_the_lineage_limits(corrected: Path, as_of: dt.date) -> None:
    """An issue counts on as_of iff it is shown from then on (or always) and not yet hidden (or never)."""
    want = {k for (k,) in rows(corrected, """SELECT issue_key FROM issues
        WHERE (shown_from IS NULL OR shown_from <= ?) AND (hidden_from IS NULL OR hidden_from > ?)""",
                                [as_of, as_of])}
    f = Filters(as_of=as_of)
    assert queries.issues_count(corrected, f) == len(want)
    assert set(queries.issues_page(corrected, f)["issue_key"]) == want
    assert int(queries.key_figures(corrected, f)["issues"].iloc[0]) == len(want)


@pytest.mark.parametrize("light_days", LIGHT_DAYS)
def test_overview_and_scores_count_overdue_and_lights_per_issue(
    corrected: Path, sample_db: Path, light_days: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """overview_counts per (unit, category, status) and unit_scores per unit: overdue and each light equal
    the count of fi's per-issue `overdue` and `light`, on every date and light setting (the buckets cut at
    dates sorted in Python: any order of as-of, red and yellow)."""
    monkeypatch.setattr(base, "light_days", lambda: light_days)
    lights = [x.column for x in base.vocab().lights]
    for db in (corrected, sample_db):
        for as_of in DATES:
            f = Filters(as_of=as_of)
            issues = per_issue(db, f)
            keys = ["unit", "category", "status"]
            counts = queries.overview_counts(db, f)
            got = (counts[~counts["total"]][[*keys, "n", "overdue", *lights]]
                   .sort_values(keys).reset_index(drop=True))
            want = expected_counts(issues, keys)
            assert got.astype("int64", errors="ignore").to_dict("records") == \
                want.astype("int64", errors="ignore").to_dict("records"), (db.name, as_of)
            scores = queries.unit_scores(db, f).set_index("unit")
            per_unit = expected_counts(issues, ["unit"]).set_index("unit")
            for col in ("overdue", *lights):
                assert scores.loc[per_unit.index, col].astype(int).to_dict() == per_unit[col].to_dict(), col


@pytest.mark.parametrize("threshold", (0.5, 0.9, 1.01))
def test_weak_issues_page_by_key_is_the_one_statement_page(
    sample_db: Path, threshold: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page found by key (limit given) equals the page of the one-statement query (forced by a key cap
    of -1): same rows in the same order, same columns and types; its total is weak_issues_count."""
    key = rows(sample_db, "SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1")[0][0]
    overrides.add_override(sample_db, key, "未完成", "核实", "测试员")
    (province,), = rows(sample_db, "SELECT province FROM reports WHERE province IS NOT NULL "
                                   "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    for f in (Filters(as_of=DATES[3]), Filters(provinces=(province,), statuses=("阶段性完成", "未知"),
                                               as_of=DATES[3])):
        total = queries.weak_issues_count(sample_db, f, threshold)
        for limit in (0, 1, 7, 500):
            for with_total in (False, True):
                got = queries.weak_issues(sample_db, f, threshold, limit=limit, with_total=with_total)
                with monkeypatch.context() as m:
                    m.setattr(queries.quality, "MAX_BY_KEY", -1)
                    want = queries.weak_issues(sample_db, f, threshold, limit=limit, with_total=with_total)
                pd.testing.assert_frame_equal(got, want, check_exact=True)
                assert len(got) == min(limit, total)
                if with_total:
                    assert (got["total"] == total).all()


def test_common_groups_count_their_members(corrected: Path, sample_db: Path) -> None:
    """Each group's issues, per-status counts and units equal those of its members (common_members of its
    titles), so counting per (group, unit, title, status) first loses or doubles nothing."""
    for db in (corrected, sample_db):
        f = Filters(as_of=DATES[3])
        groups = queries.common_groups(db, f, dataclasses.replace(GroupRules.from_config(), min_units=1))
        assert not groups.empty
        for _, g in groups.iterrows():
            members = queries.common_members(db, f, tuple(g["titles"]))
            assert g["issues"] == len(members)
            assert g["units"] == members["unit"].nunique()
            for s in base.vocab().labels:
                assert g[s.column] == (members["status"] == s.value).sum(), s.column
            assert g["open_units"] == members.loc[members["status"] != base.DONE, "unit"].nunique()
