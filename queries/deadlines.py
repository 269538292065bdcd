"""Queries of 时限 (deadlines): dated deadlines, their summary and timeline, overdue issues and their
aging, and what falls due soon."""

from __future__ import annotations

import pandas as pd

from queries.base import (
    AGING_BUCKETS,
    DONE,
    OTHER,
    Db,
    Filters,
    _ctes,
    _frame,
    _lineage_of,
    _overdue,
    _Params,
    _when_filtered,
    light_columns,
)

# --- deadlines --------------------------------------------------------------------------------------------


def deadline_rows(db: Db, f: Filters) -> pd.DataFrame:
    """Every dated deadline of the filtered issues (the unit page: one unit's deadlines); `overdue`: this
    deadline has passed by as-of and the issue is not 完成."""
    p = _Params()

    # Under a filter, only issues with a dated deadline (first_due set) are joined to the deadlines (~15 %
    # faster); unfiltered, that check makes the planner hash the issues instead (300 → 420 ms, measured).
    dated = _when_filtered(f, "AND fi.first_due IS NOT NULL")

    sql = f"""{_ctes(f, p)}
    SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, fi.effective_source AS source,
           d.text, d.due_on, COALESCE(lin.due_revisions, 0) AS due_revisions, lin.original_due,
           {_overdue(p, f, "fi.status_label", "d.due_on")} AS overdue
    FROM fi JOIN deadlines d ON d.issue_key = fi.issue_key
    LEFT JOIN {_lineage_of(f, p)} lin ON lin.issue_key = fi.issue_key
    WHERE d.due_on IS NOT NULL {dated} ORDER BY d.due_on, fi.unit, fi.issue_key, d.seq"""
    return _frame(db, sql, p)


def deadline_summary(db: Db, f: Filters) -> pd.DataFrame:
    """One row: issues with a dated deadline, overdue issues, issues not 完成 due within 30 / 90 days, and
    issues whose deadline moved along their lineage (a later report of the inspection set another date), and
    the issues under each deadline light (red, yellow, green: only dated issues have one); `aging_<n>`: the
    overdue issues in AGING_BUCKETS[n] (overdue_buckets' counts, here without filtering the issues again:
    时限 reads both, and each filtering cost ~0.1 s of its cold render at 10,000 files)."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    bucket_of = _AGE_BUCKET.format(as_of=as_of)
    aging = ", ".join(f"count(*) FILTER (WHERE fi.overdue AND {bucket_of} = '{bucket}') AS aging_{n}"
                      for n, bucket in enumerate(AGING_BUCKETS))
    # An issue has a dated deadline iff it has a first one, and is late iff that one is before as-of
    # (issues.first_due, no join); only the deadlines due within 90 days are read, one row per issue.
    window = f"""dw AS MATERIALIZED (
          SELECT issue_key, bool_or(due_on <= {as_of}::DATE + 30) AS soon_30
          FROM deadlines WHERE due_on >= {as_of} AND due_on <= {as_of}::DATE + 90 GROUP BY issue_key)"""

    sql = f"""{_ctes(f, p, query=window)}
    SELECT count(*) AS with_deadline,
           count(*) FILTER (WHERE fi.overdue) AS overdue,
           count(*) FILTER (WHERE status_label <> '{DONE}' AND dw.soon_30) AS due_30,
           count(*) FILTER (WHERE status_label <> '{DONE}' AND dw.issue_key IS NOT NULL) AS due_90,
           count(*) FILTER (WHERE fi.issue_key IN (SELECT issue_key FROM issue_lineage
                                                   WHERE due_revisions > 0)) AS revised,
           {light_columns()},
           {aging}
    FROM fi LEFT JOIN dw ON dw.issue_key = fi.issue_key
    WHERE fi.first_due IS NOT NULL"""
    return _frame(db, sql, p)


def deadline_points(db: Db, f: Filters, top_units: int, max_points: int = 3000) -> pd.DataFrame:
    """Points for the timeline (unit, due_on, status, n, title, text): the top_units units with the most
    deadlines, the rest as one row "其他"; one point per deadline, or, beyond max_points deadlines, one per
    row, month and status (n = how many; title and text are an example)."""
    p = _Params()
    many = f"(SELECT count(*) FROM d) > {p.bind('max_points', int(max_points))}"
    top = p.bind("top", int(top_units))

    # Under a filter, only issues with a dated deadline (first_due set) are joined to the deadlines (~15 %
    # faster); unfiltered, that check makes the planner hash the issues instead (300 → 420 ms, measured).
    dated = _when_filtered(f, "AND fi.first_due IS NOT NULL")

    sql = f"""{_ctes(f, p)},
    d0 AS (SELECT fi.unit, fi.title, fi.status_label AS status, dd.text, dd.due_on
           FROM fi JOIN deadlines dd ON dd.issue_key = fi.issue_key
           WHERE dd.due_on IS NOT NULL {dated}),
    top AS (SELECT unit FROM d0 GROUP BY unit ORDER BY count(*) DESC, unit LIMIT {top}),
    d AS (SELECT CASE WHEN unit IN (SELECT unit FROM top) THEN unit ELSE '{OTHER}' END AS unit,
                 title, status, text, due_on FROM d0)
    SELECT unit, due_on, status, 1 AS n, title, text FROM d WHERE NOT {many}
    UNION ALL
    SELECT unit, date_trunc('month', due_on)::DATE + 14 AS due_on, status, count(*) AS n,
           any_value(title) AS title, any_value(text) AS text
    FROM d WHERE {many} GROUP BY unit, date_trunc('month', due_on), status
    ORDER BY due_on, unit"""
    return _frame(db, sql, p)


_DAYS_LATE = "date_diff('day', fi.first_due, {as_of}::DATE)"
# An overdue issue's aging bucket, from its first deadline (issues.first_due); {as_of}: the bound as-of date.
_AGE_BUCKET = (f"CASE WHEN {_DAYS_LATE} <= 30 THEN '{AGING_BUCKETS[0]}' "
               f"WHEN {_DAYS_LATE} <= 90 THEN '{AGING_BUCKETS[1]}' "
               f"WHEN {_DAYS_LATE} <= 365 THEN '{AGING_BUCKETS[2]}' ELSE '{AGING_BUCKETS[3]}' END")


def _overdue_aged(p: _Params, f: Filters) -> str:
    """od: the overdue filtered issues (fi.overdue), aged from their first deadline (issues.first_due)."""
    as_of = p.bind("as_of", f.as_of)
    return f"""{_ctes(f, p)},
    od AS (
        SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, fi.effective_source AS source,
               fi.first_due AS due_on, {_DAYS_LATE.format(as_of=as_of)} AS days_overdue,
               {_AGE_BUCKET.format(as_of=as_of)} AS bucket
        FROM fi WHERE fi.overdue
    )"""


def overdue_issues(db: Db, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Issues not 完成 with a deadline before as-of, aged from the first missed deadline; longest first."""
    p = _Params()
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    order = "days_overdue DESC, unit, issue_key"

    # The text of the first missed deadline and how many were missed are looked up for the listed issues
    # only, not for every one.
    sql = f"""{_overdue_aged(p, f)},
    top AS MATERIALIZED (SELECT * FROM od ORDER BY {order} {page}),
    first AS (SELECT issue_key, arg_min(text, due_on) AS deadline, count(*) AS n_missed FROM deadlines
              WHERE due_on < {p.bind("as_of", f.as_of)} AND issue_key IN (SELECT issue_key FROM top)
              GROUP BY issue_key)
    SELECT top.unit, top.issue_key, top.title, top.status, top.source, first.deadline, top.due_on,
           first.n_missed, top.days_overdue, top.bucket, COALESCE(lin.due_revisions, 0) AS due_revisions,
           lin.original_due
    FROM top JOIN first ON first.issue_key = top.issue_key
    LEFT JOIN issue_lineage lin ON lin.issue_key = top.issue_key ORDER BY {order}"""
    return _frame(db, sql, p)


def overdue_buckets(db: Db, f: Filters) -> pd.DataFrame:
    """How many overdue issues fall in each aging bucket (bucket, n; empty buckets absent)."""
    p = _Params()
    return _frame(db, f"{_overdue_aged(p, f)} SELECT bucket, count(*) AS n FROM od GROUP BY bucket", p)


def due_soon(db: Db, f: Filters, days: int, limit: int | None = None) -> pd.DataFrame:
    """Deadlines of issues not 完成 that fall due from as-of to as-of + days (inclusive), soonest first."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    until = f"{as_of}::DATE + {p.bind('days', int(days))}::INTEGER"
    window = f"""dw AS MATERIALIZED (SELECT issue_key, text, due_on FROM deadlines
                 WHERE due_on >= {as_of} AND due_on <= {until})"""

    # An issue with a deadline in the window has its first one no later than the window's end: under a
    # filter, checking that first leaves fewer issues to join (~15 %; unfiltered it makes no difference).
    early = _when_filtered(f, f"AND fi.first_due <= {until}")

    sql = f"""{_ctes(f, p, query=window,
                     condition=_when_filtered(f, "i.issue_key IN (SELECT issue_key FROM dw)"))}
    SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, d.text AS deadline, d.due_on,
           date_diff('day', {as_of}::DATE, d.due_on) AS days_left,
           COALESCE(lin.due_revisions, 0) AS due_revisions, lin.original_due
    FROM fi JOIN dw d ON d.issue_key = fi.issue_key
    LEFT JOIN {_lineage_of(f, p)} lin ON lin.issue_key = fi.issue_key
    WHERE fi.status_label <> '{DONE}' {early}
    ORDER BY d.due_on, fi.unit, fi.issue_key {page}"""
    return _frame(db, sql, p)
