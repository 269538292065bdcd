"""Queries of the sidebar's filter options and of 总览 (overview): key figures, status counts by unit and
category, accountability figures per unit."""

from __future__ import annotations

import pandas as pd

from loaders.vocab import vocab
from queries.base import (
    Db,
    Filters,
    _ctes,
    _frame,
    _Params,
    _report_conditions,
    category_label,
    due_bucket,
    due_refs,
    status_label,
)

# --- filter options ---------------------------------------------------------------------------------------


def report_options(db: Db) -> pd.DataFrame:
    """All reports, for the sidebar's region / unit / report choices (`label`: unit, date and part)."""
    return _frame(
        db,
        """SELECT report_key, unit, province, city, published_on, part, title,
                  unit || ' ' || COALESCE(strftime(published_on, '%Y-%m-%d'), '日期不详') || ' '
                  || CASE WHEN part = 'main' THEN '主报告' ELSE part END AS label
           FROM reports ORDER BY province, city, unit, published_on, ordinal""",
    )


def category_options(db: Db, f: Filters) -> list[str]:
    p = _Params()
    df = _frame(
        db,
        f"""SELECT DISTINCT i.category FROM issues i JOIN reports r USING (report_key)
            WHERE {_report_conditions(f, p)} AND COALESCE(trim(i.category), '') <> ''
            ORDER BY 1""",
        p,
    )
    return df["category"].tolist()


# --- overview ---------------------------------------------------------------------------------------------


def overview_counts(db: Db, f: Filters) -> pd.DataFrame:
    """The filtered issues counted in one pass: a row per (unit, category, status) with `n`, `overdue` and
    the issues under each light, and one row (`total` true; unit, category and status NULL, counts 0) that
    carries `reports` and `units` of the filtered reports. 总览 derives key_figures,
    status_by_unit, status_split and status_by_category from it (overview_parts): one scan of the issues
    instead of four."""
    p = _Params()
    # Counted per stored category and status first, labelled after: the labels (trim, COALESCE) are then
    # computed per group, not for each of 2.6 M issues (~17 % of the CPU at 100,000 reports); so are
    # overdue and the lights (base.due_bucket: the first deadline's range per issue, the rules per group).
    status = status_label("effective_status")
    sql = f"""{_ctes(f, p)},
    raw AS (SELECT fi.unit, fi.category, fi.effective_status, {due_bucket(p, f)} AS due_bucket,
                   count(fi.issue_key) AS n
            FROM fi GROUP BY ALL)
    SELECT unit, {category_label("category")} AS category, status_label AS status,
           FALSE AS total, sum(n)::BIGINT AS n, {due_refs(f)},
           NULL::BIGINT AS reports, NULL::BIGINT AS units
    FROM (SELECT *, {status} AS status_label FROM raw) GROUP BY ALL
    UNION ALL
    SELECT NULL, NULL, NULL, TRUE, 0, 0, {", ".join("0" for _ in vocab().lights)},
           (SELECT count(*) FROM fr), (SELECT count(DISTINCT unit) FROM fr)"""
    return _frame(db, sql, p)


def overview_parts(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """key_figures, status_by_unit, status_split and status_by_category (same columns and numbers) from one
    overview_counts result."""
    total = counts[counts["total"]].iloc[0]
    rows = counts[~counts["total"]]
    per_status = rows.groupby("status")["n"].sum()
    key = {"reports": total["reports"], "units": total["units"], "issues": rows["n"].sum(),
           **{s.column: per_status.get(s.value, 0) for s in vocab().labels},
           "overdue": rows["overdue"].sum(), **{x.column: rows[x.column].sum() for x in vocab().lights}}
    key_figures = pd.DataFrame({k: pd.Series([v], dtype="int64") for k, v in key.items()})
    issues = key_figures["issues"].astype("float")
    key_figures["done_rate"] = (key_figures["done"] / issues.where(issues > 0)).fillna(0.0)

    def by(*keys: str) -> pd.DataFrame:
        return rows.groupby(list(keys), dropna=False, sort=False)["n"].sum().reset_index()

    return key_figures, by("unit", "status"), by("status"), by("category", "status")


# The four views of the filtered issues' counts, each derived from the one count (overview_counts) the
# overview page reads, so a page asking for one of them sees the numbers 总览 shows.


def key_figures(db: Db, f: Filters) -> pd.DataFrame:
    """One row: reports, units, issues, per-status counts, completion rate, overdue issues and the issues
    under each deadline light (red, yellow, green)."""
    return overview_parts(overview_counts(db, f))[0]


def status_by_unit(db: Db, f: Filters) -> pd.DataFrame:
    return overview_parts(overview_counts(db, f))[1]


def status_split(db: Db, f: Filters) -> pd.DataFrame:
    return overview_parts(overview_counts(db, f))[2]


def status_by_category(db: Db, f: Filters) -> pd.DataFrame:
    return overview_parts(overview_counts(db, f))[3]


# Reports on one inspection (same team, start and feedback date): a later progress report restates the
# figures so far, so only the newest one counts. A report that names none of these stands alone.
_INSPECTION = """CASE WHEN fr.team IS NULL AND fr.inspection_start IS NULL AND fr.feedback_on IS NULL
    THEN fr.report_key ELSE concat_ws('|', fr.team, fr.inspection_start, fr.feedback_on) END"""


def figures_by_unit(db: Db, f: Filters, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Accountability figures (figures.kind in kinds) per unit over the filtered reports: summed over the
    unit's inspections, each inspection counted from its newest report (its figures are cumulative)."""
    p = _Params()
    sql = f"""{_ctes(f, p)},
    g AS (SELECT fr.unit, g.kind, g.value, g.unit AS figure_unit,
                 rank() OVER (PARTITION BY fr.unit, g.kind, {_INSPECTION}
                              ORDER BY fr.published_on DESC NULLS LAST, fr.report_key DESC) AS newest
          FROM figures g JOIN fr ON fr.report_key = g.report_key
          WHERE list_contains({p.bind("kinds", list(kinds))}::VARCHAR[], g.kind))
    SELECT unit, kind, sum(value) AS value, any_value(figure_unit) AS figure_unit
    FROM g WHERE newest = 1 GROUP BY ALL ORDER BY unit, kind"""
    return _frame(db, sql, p)
