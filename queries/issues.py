"""Issue rows: the 单位 (unit) page's reports, figures and issues, and the 问题清单 explorer's count and
pages (a page is fetched in two steps: the keys, then the wide columns of those keys)."""

from __future__ import annotations

import pandas as pd

from queries.base import (
    MAX_BY_KEY,
    REPORT_COPIES,
    Db,
    Filters,
    _connection,
    _ctes,
    _frame,
    _light,
    _Params,
    _to_pandas,
    category_label,
    status_label,
)
from queries.lineage import _one_unit

# --- one unit ---------------------------------------------------------------------------------------------


def unit_reports(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    p = _Params()
    # Only the unit's reports are listed: only its issues are counted (not every issue, then picked).
    sql = f"""{_ctes(_one_unit(f, unit), p)}
    SELECT fr.report_key, fr.title, fr.part, fr.issuer, fr.team, fr.inspection_start, fr.inspection_end,
           fr.feedback_on, fr.published_on, fr.source_url,
           (SELECT count(*) FROM fi WHERE fi.report_key = fr.report_key) AS issues
    FROM fr WHERE fr.unit = {p.bind("unit", unit)} ORDER BY fr.published_on, fr.ordinal"""
    return _frame(db, sql, p)


def unit_figures(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT fr.published_on, fr.part, g.kind, g.value, g.unit AS figure_unit, g.evidence
    FROM figures g JOIN fr ON fr.report_key = g.report_key
    WHERE fr.unit = {p.bind("unit", unit)} AND g.kind NOT LIKE 'stated.%'
    ORDER BY fr.published_on, fr.part, g.kind"""
    return _frame(db, sql, p)


_ISSUE_ORDER = "fi.unit, fi.published_on, fi.part, fi.seq, fi.issue_key"  # total: issue_key is unique
# A problem where it was first reported (issue_lineage `lin`, joined when the order names it).
_UNIT_ORDER = ("fi.unit, COALESCE(lin.first_on, fi.published_on), COALESCE(lin.first_seq, fi.seq), "
               "fi.published_on, fi.issue_key")
_LINEAGE_JOIN = "LEFT JOIN issue_lineage lin ON lin.issue_key = fi.issue_key"
# fi: an issue with its report's columns and labels (as _ctes builds it); dl: its deadlines in one cell.
# rt: the issue's report (joined for its title); cx: its row of issues_counted, for the corrections shown
# beside its status (its own, or one carried from an earlier version, counting or not).
_ISSUE_COLUMNS = """fi.issue_key, fi.unit, fi.published_on, fi.part, rt.title AS report_title,
    fi.category_label AS category, fi.seq, fi.label, fi.title, fi.status_label AS status,
    fi.status AS parsed_status, fi.effective_source AS source, fi.rule, fi.confidence, fi.evidence,
    COALESCE(mt.measures_text, '') AS measures_text, cx.override_author, cx.override_note, cx.override_at,
    dl.deadlines, fi.first_due,
    COALESCE(lin.lineage_id, fi.issue_key) AS lineage_id, COALESCE(lin.version, 1) AS version,
    lin.score AS link_score, lin.prev_issue_key, lin.merged_into,
    COALESCE(lin.superseded, FALSE) AS superseded, lin.original_due, lin.prev_due, lin.known_due,
    COALESCE(lin.due_revisions, 0) AS due_revisions,
    cx.carried_status, cx.carried_author, cx.carried_note, cx.carried_at, lin.recurrence_of,
    lin.recurrence_score"""
# The status engine's counter-evidence and overdue commitments (one cell, joined by ；).
EVIDENCE = "fi.counter_evidence, array_to_string(fi.overdue_commitments, '；') AS overdue_commitments"
# An issue's measures in one cell, one per line (the measures table holds the only copy of their text; an
# issue without measures shows '': _MEASURES_JOIN's COALESCE).
MEASURE_CELLS = """SELECT m.issue_key, string_agg(m.text, chr(10) ORDER BY m.seq) AS measures_text
        FROM measures m"""
MEASURES_JOIN = "LEFT JOIN mt ON mt.issue_key = fi.issue_key"
# An issue's deadline phrases in one cell (its first dated one is issues.first_due, read as stored).
_DEADLINE_CELLS = """SELECT d.issue_key,
               string_agg(d.text || COALESCE('（' || strftime(d.due_on, '%Y-%m-%d') || '）', ''), '；'
                          ORDER BY d.seq) AS deadlines
        FROM deadlines d"""


def _issue_rows(
    f: Filters, p: _Params, where: str = "TRUE", order: str = "", limit: int | None = None,
    offset: int = 0, search: str = "",
) -> str:
    """Issue rows for the unit page, the explorer and the CSV: the page of rows is cut first, then only
    those rows get their deadlines folded into one cell (folding all rows first is slow at scale)."""
    order = order or _ISSUE_ORDER
    page = ""
    if limit is not None:
        page = f"LIMIT {p.bind('limit', int(limit))} OFFSET {p.bind('offset', int(offset))}"
    ordered = _LINEAGE_JOIN if "lin." in order else ""
    return f"""{_ctes(f, p, search)},
    -- used twice: compute once
    pg AS MATERIALIZED (SELECT fi.* FROM fi {ordered} WHERE {where} ORDER BY {order} {page}),
    dl AS ({_DEADLINE_CELLS} WHERE d.issue_key IN (SELECT issue_key FROM pg) GROUP BY d.issue_key),
    mt AS ({MEASURE_CELLS} WHERE m.issue_key IN (SELECT issue_key FROM pg) GROUP BY m.issue_key),
    cx AS (SELECT * FROM issues_counted WHERE issue_key IN (SELECT issue_key FROM pg))
    SELECT {_ISSUE_COLUMNS}, {EVIDENCE}, fi.light
    FROM pg AS fi JOIN reports rt ON rt.report_key = fi.report_key
    LEFT JOIN dl ON dl.issue_key = fi.issue_key {MEASURES_JOIN} {_LINEAGE_JOIN}
    LEFT JOIN cx ON cx.issue_key = fi.issue_key
    ORDER BY {order}"""


def _issue_frame(
    db: Db, f: Filters, p: _Params, where: str = "TRUE", order: str = "", limit: int | None = None,
    offset: int = 0, search: str = "", unit: str | None = None,
) -> pd.DataFrame:
    """The rows of _issue_rows. A page (limit given) is found in two steps on one connection: the keys of
    the page, sorted and cut on narrow columns only, then the wide columns (measures, evidence…) of just
    those keys, fetched through the primary-key index. Sorting every matching row with all its text took
    about 1 s at 100,000 reports. All rows (limit None: the CSV) are read in one pass. `unit`: the rows are
    that unit's (`where` says so), and an order naming `lin.` reads only its lineage rows (its issues'
    lineage is the unit's: joining all of issue_lineage hashed 2.6 M rows at 100,000 reports)."""
    if limit is None or limit > MAX_BY_KEY:
        return _frame(db, _issue_rows(f, p, where, order, limit, offset, search), p)
    order = order or _ISSUE_ORDER
    page = f"LIMIT {p.bind('limit', int(limit))} OFFSET {p.bind('offset', int(offset))}"
    lineage = "issue_lineage" if unit is None else (
        f"(SELECT * FROM issue_lineage WHERE unit = {p.bind('lineage_unit', unit)})")
    ordered = f"LEFT JOIN {lineage} lin ON lin.issue_key = fi.issue_key" if "lin." in order else ""
    keys_sql = (f"{_ctes(f, p, search)} SELECT fi.issue_key FROM fi {ordered} WHERE {where} "
                f"ORDER BY {order} {page}")
    with _connection(db) as con:
        keys = [key for (key,) in con.sql(keys_sql, params=p.values).fetchall()]
        q = _Params()
        wanted = q.keys(keys)
        sql = _issue_rows_by_key(f"issue_key IN ({wanted})", order, q, f, unit)
        table = con.sql(sql, params=q.values).to_arrow_table()
    return _to_pandas(table)


def _issue_rows_by_key(where: str, order: str, p: _Params, f: Filters, unit: str | None = None) -> str:
    """_issue_rows' columns for the issues `where` selects by key (materialised first, so the key condition
    is answered by the index, not by a scan of every issue); the deadline light on f.as_of, bound in p.
    `unit`: every key is that unit's, whose corrections alone are read (issues_counted_in, schema.sql): the
    view computes every unit's carried corrections (~1.5 s of CPU at 100,000 reports with corrections)."""
    counted = "issues_counted" if unit is None else f"issues_counted_in([{p.bind('counted_unit', unit)}])"
    return f"""WITH sel AS MATERIALIZED (SELECT * FROM {counted} WHERE {where}),
    fi AS (
        SELECT i.*, {REPORT_COPIES}, {status_label("i.effective_status")} AS status_label,
               {category_label("i.category")} AS category_label
        FROM sel i
    ),
    -- by the keys themselves, not a semi-join with sel: only a list of keys is answered by the indexes
    dl AS ({_DEADLINE_CELLS} WHERE d.{where} GROUP BY d.issue_key),
    mt AS ({MEASURE_CELLS} WHERE m.{where} GROUP BY m.issue_key)
    SELECT {_ISSUE_COLUMNS}, {EVIDENCE},
           {_light(p, f, "fi.status_label", "fi.first_due")} AS light
    FROM fi JOIN reports rt ON rt.report_key = fi.report_key
    LEFT JOIN dl ON dl.issue_key = fi.issue_key {MEASURES_JOIN}
    LEFT JOIN (SELECT * FROM issue_lineage WHERE {where}) lin ON lin.issue_key = fi.issue_key
    JOIN sel cx ON cx.issue_key = fi.issue_key
    ORDER BY {order}"""


def unit_issues(
    db: Db, f: Filters, unit: str, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """One unit's issues (within the filters), each problem in the order it was first reported (its first
    version's report and place in it: a problem restated later keeps its place); limit/offset cut a page."""
    p = _Params()
    return _issue_frame(db, f, p, where=f"fi.unit = {p.bind('unit', unit)}", order=_UNIT_ORDER, limit=limit,
                        offset=offset, unit=unit)


# --- explorer ---------------------------------------------------------------------------------------------


def issues_count(db: Db, f: Filters, search: str = "") -> int:
    p = _Params()
    df = _frame(db, f"{_ctes(f, p, search)} SELECT count(*) AS n FROM fi", p)
    return int(df["n"].iloc[0])


def issues_page(
    db: Db, f: Filters, search: str = "", limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """The explorer's rows in a stable order; limit=None returns all matching rows (the CSV)."""
    p = _Params()
    return _issue_frame(db, f, p, limit=limit, offset=offset, search=search)
