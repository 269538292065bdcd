"""Queries of 数据质量 (data quality): stated vs parsed counts, warnings, doubtful statuses, and the
correction form's issue picker and override history."""

from __future__ import annotations

from typing import Any

import pandas as pd

from loaders.vocab import vocab
from queries.base import (
    MAX_BY_KEY,
    OVERRIDE_COLUMNS,
    OVERRIDE_JOIN,
    UNKNOWN,
    Db,
    Filters,
    _connection,
    _ctes,
    _frame,
    _Params,
    _report_conditions,
    _stated,
    _to_pandas,
    category_label,
    status_label,
)
from queries.issues import EVIDENCE

# --- data quality -----------------------------------------------------------------------------------------


def report_counts(db: Db, f: Filters) -> pd.DataFrame:
    """Per report: the totals it states (`stated_<key>` per stated key of the vocabulary, NULL when not
    stated: base._stated) beside the counts of its rows stored with it (reports.n_*)."""
    p = _Params()
    stated = ", ".join(f'sr."{s.key}" AS "stated_{s.key}"' for s in vocab().stated)
    sql = f"""{_ctes(f, p)}, {_stated(p)}
    SELECT fr.report_key, fr.unit, fr.part, fr.published_on, fr.title, {stated},
           fr.n_issues::BIGINT AS issues, fr.n_categories::BIGINT AS categories,
           fr.n_measures::BIGINT AS measures, fr.n_warnings::BIGINT AS warnings
    FROM fr LEFT JOIN sr ON sr.report_key = fr.report_key
    ORDER BY fr.unit, fr.published_on, fr.ordinal"""
    return _frame(db, sql, p)


def warnings_list(db: Db, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Warnings of the filtered reports, and file-level warnings of their files or of files with no report;
    the first `limit` of them (None: all). `message_zh` is NULL for rows stored before it existed.
    Report warnings of the filtered reports (their report row is joined anyway, for the sort: its
    conditions replace a semi-join with `fr`), then file-level warnings (no report_key: a few) of their
    files or of files with no report; sorted and cut before the file paths are joined (for the page only)."""
    p = _Params()
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    order = "unit NULLS FIRST, published_on, code"
    sql = f"""{_ctes(f, p)},
    sel AS (
        SELECT r.unit, r.part, r.published_on, w.code, w.message, w.message_zh, w.file_sha
        FROM warnings w JOIN reports r ON r.report_key = w.report_key
        WHERE {_report_conditions(f, p)}
        UNION ALL
        SELECT NULL, NULL, NULL, w.code, w.message, w.message_zh, w.file_sha
        FROM warnings w
        WHERE w.report_key IS NULL AND (w.file_sha IN (SELECT file_sha FROM fr) OR w.file_sha IS NULL
                                        OR w.file_sha NOT IN (SELECT file_sha FROM reports))
    ),
    top AS MATERIALIZED (SELECT * FROM sel ORDER BY {order} {page})
    SELECT top.unit, top.part, top.published_on, top.code, top.message, top.message_zh, fl.path AS file
    FROM top LEFT JOIN files fl ON fl.file_sha = top.file_sha
    ORDER BY {order}"""
    return _frame(db, sql, p)


def _weak(p: _Params, threshold: float) -> str:
    return (f"(fi.status_label = '{UNKNOWN}' OR (fi.effective_source NOT IN ('override', 'carried') "
            f"AND COALESCE(fi.confidence, 0) < {p.bind('thr', float(threshold))}))")


# weak_issues' columns (of fi, with the correction in force joined as `ov`).
_WEAK_COLUMNS = f"""fi.issue_key, fi.unit, fi.published_on, fi.part, fi.category_label AS category, fi.seq,
           fi.label, fi.title, fi.status_label AS status, fi.status AS parsed_status,
           fi.effective_source AS source, fi.rule, fi.confidence, fi.evidence, {OVERRIDE_COLUMNS},
           {EVIDENCE}"""


def weak_issues(db: Db, f: Filters, threshold: float, limit: int | None = None,
                with_total: bool = False) -> pd.DataFrame:
    """Issues whose status is unknown, or parsed with confidence below threshold (not yet corrected);
    the least certain first, with the evidence against the status and the overdue commitments beside it.
    The columns of 数据质量's list: the issue rows of unit_issues without their
    measures and deadlines (sorting short columns in one pass costs a third of fetching those by key).
    with_total: a `total` column too, the number of such issues (weak_issues_count) counted in the same
    query: apart, each filtered the issues again (~60 ms of CPU of 数据质量's cold render at 10,000 files).
    A page (limit given) is found in two steps on one connection, as the explorer's: the keys of the page
    (and the total) from the sort columns alone, then the shown columns of those keys through the
    primary-key index — keeping every weak issue's text until the sort read all of it (~0.4 of 0.7 s of
    CPU at 100,000 reports)."""
    p = _Params()
    order = "fi.confidence NULLS FIRST, fi.unit, fi.seq, fi.issue_key"
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    columns = _WEAK_COLUMNS
    if limit is not None and limit <= MAX_BY_KEY:
        return _weak_page(db, f, threshold, limit, with_total, order)
    if not with_total:
        return _frame(db, f"{_ctes(f, p)} SELECT {columns} FROM fi {OVERRIDE_JOIN} "
                          f"WHERE {_weak(p, threshold)} ORDER BY {order} {page}", p)
    sql = f"""{_ctes(f, p)},
    weak AS MATERIALIZED (SELECT fi.* FROM fi WHERE {_weak(p, threshold)}),
    shown AS (SELECT {columns} FROM weak fi {OVERRIDE_JOIN} ORDER BY {order} {page})
    SELECT shown.*, (SELECT count(*) FROM weak) AS total FROM shown
    ORDER BY {order.replace("fi.", "shown.")}"""
    return _frame(db, sql, p)


def _weak_page(
    db: Db, f: Filters, threshold: float, limit: int, with_total: bool, order: str
) -> pd.DataFrame:
    """weak_issues' first `limit` rows (limit <= MAX_BY_KEY): their keys and the total, then their rows by key
    (the key list bound; an empty page still runs, for the same columns and types)."""
    p = _Params()
    total = ", (SELECT count(*) FROM weak) AS total" if with_total else ""
    keys_sql = f"""{_ctes(f, p)},
    weak AS MATERIALIZED (SELECT fi.issue_key, fi.confidence, fi.unit, fi.seq FROM fi
                          WHERE {_weak(p, threshold)})
    SELECT fi.issue_key{total} FROM weak fi ORDER BY {order} LIMIT {p.bind("limit", int(limit))}"""
    with _connection(db) as con:
        found = con.sql(keys_sql, params=p.values).fetchall()
        n = found[0][1] if with_total and found else 0
        if with_total and not found:  # no row to carry the total: counted alone (0 unless limit is 0)
            c = _Params()
            count_sql = f"{_ctes(f, c)} SELECT count(*) FROM fi WHERE {_weak(c, threshold)}"
            n = con.sql(count_sql, params=c.values).fetchall()[0][0]
        q = _Params()
        wanted = q.keys(row[0] for row in found)
        shown = f", {q.bind('total', n)}::BIGINT AS total" if with_total else ""
        # The keys passed f's filters already: only the as-of date stays (the lights), so that the key list
        # alone selects the rows and the index answers it (a province filter beside it made the planner
        # scan the province's issues with all their text).
        by_key = Filters(as_of=f.as_of, all_versions=True)
        sql = f"""{_ctes(by_key, q, condition=f"i.issue_key IN ({wanted})")}
    SELECT {_WEAK_COLUMNS}{shown} FROM fi {OVERRIDE_JOIN} ORDER BY {order}"""
        return _to_pandas(con.sql(sql, params=q.values).to_arrow_table())


def weak_issues_count(db: Db, f: Filters, threshold: float) -> int:
    p = _Params()
    df = _frame(db, f"{_ctes(f, p)} SELECT count(*) AS n FROM fi WHERE {_weak(p, threshold)}", p)
    return int(df["n"].iloc[0])


def _search_condition(p: _Params, search: str) -> str:
    """Every word of `search` must be in the issue's unit or title, or start its key (case-insensitive)."""
    conds = []
    for n, word in enumerate(search.split()[:8]):
        w = p.bind(f"w{n}", word.lower())
        conds.append(f"(contains(lower(i.report_unit), {w}) OR contains(lower(i.title), {w}) "
                     f"OR starts_with(i.issue_key, {w}))")
    return " AND ".join(conds)


def issue_search(db: Db, f: Filters, search: str = "", limit: int = 50) -> pd.DataFrame:
    """The correction form's search: the filtered issues whose unit, title or key match every word of
    `search` (all of them when it is blank), the first `limit` in report order; `total` on each row is the
    number of matches."""
    with _connection(db) as con:
        n = None
        if not search.split():
            # Every filtered issue matches: counted by a statement of its own. Referenced twice in one
            # statement, fi (every issue, all its columns) was materialised: 1.0 -> 0.3 s of CPU at 100,000
            # reports.
            q = _Params()
            n = int(con.sql(f"{_ctes(f, q)} SELECT count(*) FROM fi", params=q.values).fetchall()[0][0])
        return _issue_search_page(con, f, search, limit, n)


def _issue_search_page(con: Any, f: Filters, search: str, limit: int, n: int | None) -> pd.DataFrame:
    """issue_search's rows; `total` is n when counted already, else counted here."""
    p = _Params()
    condition = _search_condition(p, search)
    total = "(SELECT count(*) FROM fi)" if n is None else f"{p.bind('total', n)}::BIGINT"
    # The total is counted apart: count(*) OVER () kept every match's columns until the sort, where the
    # first `limit` alone need a top-N (blank search at 500,000 issues: 0.19 -> 0.14 s of CPU).
    order = "unit, published_on, part, seq, issue_key"
    sql = f"""{_ctes(f, p, condition=condition)},
    page AS (
        SELECT fi.issue_key, fi.unit, fi.published_on, fi.part, fi.report_key,
               fi.category_label AS category, fi.seq, fi.label, fi.title, fi.status_label AS status,
               fi.effective_source AS source
        FROM fi ORDER BY {order} LIMIT {p.bind("limit", int(limit))}
    )
    SELECT page.issue_key, page.unit, page.published_on, page.part, r.title AS report_title, page.category,
           page.seq, page.label, page.title, page.status, page.source, {total} AS total
    FROM page JOIN reports r ON r.report_key = page.report_key
    ORDER BY page.unit, page.published_on, page.part, page.seq, page.issue_key"""
    return _to_pandas(con.sql(sql, params=p.values).to_arrow_table())


def issue_detail(db: Db, issue_key: str) -> pd.DataFrame:
    """One issue by its key, with its report, category and current (effective) status; no row when no issue
    has this key (any more)."""
    p = _Params()
    sql = f"""SELECT i.issue_key, r.unit, r.published_on, r.part, r.title AS report_title,
                     {category_label("i.category")} AS category, i.seq, i.label,
                     i.title,
                     {status_label("i.effective_status")} AS status, i.status AS parsed_status,
                     i.effective_source AS source
              FROM issues_effective i JOIN reports r USING (report_key)
              WHERE i.issue_key = {p.bind("key", issue_key)}"""
    return _frame(db, sql, p)


# A row's kind, the row it refers to, the issue title it was made on, and the withdrawal that withdrew it.
_KIND_COLUMNS = ("COALESCE(o.kind, 'correction') AS kind, o.ref_id, o.issue_title, "
                 "(SELECT min(w.override_id) FROM overrides w WHERE w.kind = 'withdrawal' "
                 "AND w.ref_id = o.override_id) AS withdrawn_by")


def issue_overrides_newest_first(db: Db, issue_key: str) -> pd.DataFrame:
    """Every row written for one issue, newest first: corrections, carries, withdrawals (`withdrawn_by`:
    the id of the row that withdrew it). The CLI's list is loaders/writer/overrides.overrides_oldest_first."""
    p = _Params()
    sql = f"""
        SELECT o.override_id, o.created_at, o.status, o.note, o.author, {_KIND_COLUMNS}
        FROM overrides o WHERE o.issue_key = {p.bind("key", issue_key)}
        ORDER BY o.created_at DESC, o.override_id DESC"""
    return _frame(db, sql, p)


def recent_overrides(db: Db, limit: int = 50) -> pd.DataFrame:
    """The latest `limit` rows of overrides, newest first; an orphan's report and title are those stored with
    it."""
    p = _Params()
    sql = f"""
        SELECT o.override_id, o.created_at, r.unit, COALESCE(i.title, o.issue_title) AS title,
               i.status AS parsed_status, o.status, o.note, o.author, {_KIND_COLUMNS}
        FROM overrides o LEFT JOIN issues i ON i.issue_key = o.issue_key
        LEFT JOIN reports r ON r.report_key = COALESCE(i.report_key, o.report_key)
        ORDER BY o.created_at DESC, o.override_id DESC LIMIT {p.bind("limit", int(limit))}"""
    return _frame(db, sql, p)


def orphaned_overrides(db: Db) -> pd.DataFrame:
    """Corrections in force whose issue is gone and that were not carried to an edited issue (the view
    overrides_orphaned): the title and report they were made on, when known. The view's NOT EXISTS hashes
    every issue key (~0.3 s of CPU at 100,000 reports, even with no correction stored); so the issues of the
    corrections in force (a few) are first looked up by key: when all of them exist, none is orphaned and
    the view is not read (its query runs with no row, for the same columns)."""
    with _connection(db) as con:
        keys = [k for (k,) in con.sql("SELECT DISTINCT issue_key FROM overrides_in_force").fetchall()]
        gone = bool(keys)
        if keys and len(keys) <= MAX_BY_KEY:
            p = _Params()
            wanted = p.keys(keys)
            found = con.sql(f"SELECT count(*) FROM issues WHERE issue_key IN ({wanted})",
                            params=p.values).fetchall()[0][0]
            gone = found < len(keys)
        sql = f"""SELECT o.override_id, o.created_at, r.unit, o.issue_title AS title, o.issue_key,
                         o.status, o.note, o.author
                  FROM overrides_orphaned o LEFT JOIN reports r ON r.report_key = o.report_key
                  {"" if gone else "WHERE FALSE"}
                  ORDER BY o.override_id"""
        return _to_pandas(con.sql(sql).to_arrow_table())

