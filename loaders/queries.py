"""Every read query the dashboard runs: named functions, bound parameters, pandas DataFrames out."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from loaders import store

UNKNOWN = "未知"  # label of an issue whose status nothing decided (effective_status IS NULL)
STATUS_LABELS: tuple[str, ...] = ("完成", "阶段性完成", "未完成", UNKNOWN)
AGING_BUCKETS: tuple[str, ...] = ("≤30天", "31–90天", "91–365天", ">365天")
OTHER = "其他"  # the group that holds every unit beyond the top N in charts


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters. Empty tuples mean "no restriction"."""

    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()  # report keys
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # values of STATUS_LABELS
    sources: tuple[str, ...] = ()  # explicit / inferred / override
    min_confidence: float = 0.0
    as_of: dt.date = field(default_factory=dt.date.today)


class _Params:
    """Collects named parameters while SQL text is composed, so every value is bound, never inlined."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, name: str, value: Any) -> str:
        self.values[name] = value
        return f"${name}"


class Reader:
    """One read-only connection shared by several queries: pass it as `db` to any function here. Opening a
    connection costs ~25 ms, as much as a small query; a page render runs its queries on one
    (`with Reader.open(db) as reader: …`), then closes it, so writers get in between renders."""

    def __init__(self, con: Any) -> None:
        self.con = con

    @staticmethod
    @contextlib.contextmanager
    def open(db: str | Path) -> Iterator[Reader]:
        """A Reader on `db` for the duration of the block (keep the block short: it holds the file)."""
        with store.read_connection(db) as con:
            yield Reader(con)


Db = str | Path | Reader  # a database file (one connection per query) or an open Reader


@contextlib.contextmanager
def _connection(db: Db) -> Iterator[Any]:
    if isinstance(db, Reader):
        yield db.con
        return
    # A short-lived read-only connection per query: the CLI and the dashboard's own writes can get in between.
    with store.read_connection(db) as con:
        yield con


def _frame(db: Db, sql: str, params: _Params | None = None) -> pd.DataFrame:
    with _connection(db) as con:
        table = con.sql(sql, params=params.values if params else None).to_arrow_table()
    return _to_pandas(table)


# Integer and boolean columns holding NULLs become pandas' nullable types, as DuckDB's own .df() does.
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """The DataFrame DuckDB's .df() would give (same dtypes and values), built from Arrow: .df() turns every
    string into a Python object first, which took most of the time of queries returning many rows."""
    cols: dict[int, pd.Series] = {}  # by position: a result may repeat a column name
    for pos, col in enumerate(table.columns):
        kind = col.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            # .df() leaves a column with no string at all (empty, or only NULLs) as objects (None).
            empty = col.null_count == len(col)
            cols[pos] = pd.Series([None] * len(col), dtype=object) if empty else col.to_pandas()
        elif pa.types.is_date(kind):
            cols[pos] = pd.Series(col.cast(pa.timestamp("us")).to_pandas(), dtype="datetime64[us]")
        elif pa.types.is_decimal(kind):  # sum() of integers is a HUGEINT: .df() gives floats
            cols[pos] = pd.Series(col.cast(pa.float64()).to_pandas(), dtype="float64")
        elif kind in _NULLABLE and col.null_count:
            cols[pos] = col.to_pandas(types_mapper=_NULLABLE.get)
        else:
            cols[pos] = col.to_pandas()
    frame = pd.DataFrame(cols, columns=range(len(cols)))
    frame.columns = pd.Index(_unique_names(table.column_names))
    return frame


def _unique_names(names: list[str]) -> list[str]:
    """A repeated column name gets a suffix, as .df() does: x, x_1, x_2."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(f"{name}_{n}" if n else name)
    return out


def _frame_migrated(db: Db, sql: Callable[[set[tuple[str, str]]], str], p: _Params) -> pd.DataFrame:
    """_frame for SQL that depends on the columns the database has: `sql` gets the (table, column) pairs.
    A database written before a column was added lacks it until its next write (store.ensure_schema
    migrates on read-write connections only; the dashboard reads read-only)."""
    with _connection(db) as con:
        have = {(t, c) for t, c in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns").fetchall()}
        table = con.sql(sql(have), params=p.values).to_arrow_table()
    return _to_pandas(table)


def _report_conditions(f: Filters, p: _Params) -> str:
    conds = ["TRUE"]
    for name, col, values in (
        ("provinces", "r.province", f.provinces),
        ("cities", "r.city", f.cities),
        ("units", "r.unit", f.units),
        ("reports", "r.report_key", f.reports),
    ):
        if values:
            conds.append(f"list_contains({p.bind(name, list(values))}::VARCHAR[], {col})")
    return " AND ".join(conds)


def _issue_conditions(f: Filters, p: _Params, search: str = "") -> str:
    conds = ["TRUE"]
    if f.categories:
        conds.append(f"list_contains({p.bind('categories', list(f.categories))}::VARCHAR[], i.category)")
    if f.statuses:
        conds.append(
            f"list_contains({p.bind('statuses', list(f.statuses))}::VARCHAR[], "
            f"COALESCE(i.effective_status, '{UNKNOWN}'))"
        )
    if f.sources:
        conds.append(f"list_contains({p.bind('sources', list(f.sources))}::VARCHAR[], i.effective_source)")
    if f.min_confidence > 0:
        # A supervisor's correction is certain; the parser's confidence no longer applies to it.
        conds.append(
            f"(i.effective_source = 'override' OR "
            f"COALESCE(i.confidence, 0) >= {p.bind('min_conf', float(f.min_confidence))})"
        )
    needle = search.strip()
    if needle:
        # Case matters only for Latin letters; lower() over every measure text costs ~6x: skip it otherwise.
        fold = any(c.isascii() and c.isalpha() for c in needle)
        q = p.bind("search", needle.lower() if fold else needle)
        title, text = ("lower(i.title)", "lower(i.measures_text)") if fold else ("i.title", "i.measures_text")
        conds.append(f"(contains({title}, {q}) OR contains(COALESCE({text}, ''), {q}))")
    return " AND ".join(conds)


def _when_filtered(f: Filters, condition: str) -> str:
    """`condition` (for _ctes) when a filter narrows the issues, else "". Unfiltered, every issue is
    joined anyway and the plain join is cheaper (~15 % at 100,000 reports); filtered, the planner misjudges
    how many issues remain and hashes all of them unless they are first limited by the condition (~30 %)."""
    narrowed = (f.provinces or f.cities or f.units or f.reports or f.categories or f.statuses or f.sources
                or f.min_confidence > 0)
    return condition if narrowed else ""


def _ctes(f: Filters, p: _Params, search: str = "", query: str = "", condition: str = "") -> str:
    """fr: the filtered reports; fi: the filtered issues with their report's columns and status label.
    `query`: CTEs to define before them (`name AS (…)`); `condition`: SQL on the issue `i` that limits fi
    further — a query over few deadlines limits it to their issue keys, so the issues are probed with those
    keys instead of every issue being hashed (the planner cannot tell how few they are)."""
    only = f" AND {condition}" if condition else ""
    # Materialised when limited: otherwise the planner merges the key filter into the outer joins and
    # still hashes every issue.
    fi = "fi AS MATERIALIZED" if condition else "fi AS"
    return f"""
    WITH {query + "," if query else ""}
    fr AS (SELECT r.* FROM reports r WHERE {_report_conditions(f, p)}),
    {fi} (
        SELECT i.*, fr.unit, fr.province, fr.city, fr.published_on, fr.part, fr.title AS report_title,
               COALESCE(i.effective_status, '{UNKNOWN}') AS status_label,
               COALESCE(NULLIF(trim(i.category), ''), '（未分类）') AS category_label
        FROM issues_effective i JOIN fr ON fr.report_key = i.report_key
        WHERE {_issue_conditions(f, p, search)}{only}
    )"""


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


def key_figures(db: Db, f: Filters) -> pd.DataFrame:
    """One row: reports, units, issues, per-status counts, completion rate and overdue issues."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    sql = f"""{_ctes(f, p)}
    SELECT (SELECT count(*) FROM fr) AS reports,
           (SELECT count(DISTINCT unit) FROM fr) AS units,
           count(fi.issue_key) AS issues,
           count(*) FILTER (WHERE status_label = '完成') AS done,
           count(*) FILTER (WHERE status_label = '阶段性完成') AS partial,
           count(*) FILTER (WHERE status_label = '未完成') AS open,
           count(*) FILTER (WHERE status_label = '{UNKNOWN}') AS unknown,
           count(*) FILTER (WHERE status_label <> '完成' AND issue_key IN
               (SELECT issue_key FROM deadlines WHERE due_on < {as_of})) AS overdue
    FROM fi"""
    df = _frame(db, sql, p)
    issues = df["issues"].astype("float")
    df["done_rate"] = (df["done"] / issues.where(issues > 0)).fillna(0.0)
    return df


def status_by_unit(db: Db, f: Filters) -> pd.DataFrame:
    p = _Params()
    return _frame(
        db, f"{_ctes(f, p)} SELECT unit, status_label AS status, count(*) AS n FROM fi GROUP BY ALL", p
    )


def status_split(db: Db, f: Filters) -> pd.DataFrame:
    p = _Params()
    return _frame(db, f"{_ctes(f, p)} SELECT status_label AS status, count(*) AS n FROM fi GROUP BY ALL", p)


def status_by_category(db: Db, f: Filters) -> pd.DataFrame:
    p = _Params()
    return _frame(
        db,
        f"{_ctes(f, p)} SELECT category_label AS category, status_label AS status, count(*) AS n "
        "FROM fi GROUP BY ALL",
        p,
    )


# Reports on one inspection (same team, start and feedback date): a later progress report restates the
# figures so far, so only the newest one counts. A report that names none of these stands alone.
_INSPECTION = """CASE WHEN fr.team IS NULL AND fr.inspection_start IS NULL AND fr.feedback_on IS NULL
    THEN fr.report_key ELSE concat_ws('|', fr.team, fr.inspection_start, fr.feedback_on) END"""


def figures_by_unit(db: Db, f: Filters, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Accountability figures (figures.kind in kinds) per unit over the filtered reports: summed over the
    unit's inspections, each inspection counted from its newest report (its figures are cumulative)."""
    p = _Params()
    sql = f"""{_ctes(f, p)},
    g AS (SELECT fr.unit, g.kind, g.value, g.unit AS measure,
                 rank() OVER (PARTITION BY fr.unit, g.kind, {_INSPECTION}
                              ORDER BY fr.published_on DESC NULLS LAST, fr.report_key DESC) AS newest
          FROM figures g JOIN fr ON fr.report_key = g.report_key
          WHERE list_contains({p.bind("kinds", list(kinds))}::VARCHAR[], g.kind))
    SELECT unit, kind, sum(value) AS value, any_value(measure) AS measure
    FROM g WHERE newest = 1 GROUP BY ALL ORDER BY unit, kind"""
    return _frame(db, sql, p)


# --- one unit ---------------------------------------------------------------------------------------------


def unit_reports(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT fr.report_key, fr.title, fr.part, fr.issuer, fr.team, fr.inspection_start, fr.inspection_end,
           fr.feedback_on, fr.published_on, fr.source_url,
           (SELECT count(*) FROM fi WHERE fi.report_key = fr.report_key) AS issues
    FROM fr WHERE fr.unit = {p.bind("unit", unit)} ORDER BY fr.published_on, fr.ordinal"""
    return _frame(db, sql, p)


def unit_figures(db: Db, f: Filters, unit: str) -> pd.DataFrame:
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT fr.published_on, fr.part, g.kind, g.value, g.unit AS measure, g.evidence
    FROM figures g JOIN fr ON fr.report_key = g.report_key
    WHERE fr.unit = {p.bind("unit", unit)} AND g.kind NOT LIKE 'stated.%'
    ORDER BY fr.published_on, fr.part, g.kind"""
    return _frame(db, sql, p)


_ISSUE_ORDER = "fi.unit, fi.published_on, fi.part, fi.seq, fi.issue_key"  # total: issue_key is unique
# fi: an issue with its report's columns and labels (as _ctes builds it); dl: its deadlines in one cell.
_ISSUE_COLUMNS = """fi.issue_key, fi.unit, fi.published_on, fi.part, fi.report_title,
    fi.category_label AS category, fi.seq, fi.label, fi.title, fi.status_label AS status,
    fi.status AS parsed_status, fi.effective_source AS source, fi.rule, fi.confidence, fi.evidence,
    fi.measures_text, fi.override_author, fi.override_note, fi.override_at, dl.deadlines, dl.first_due"""
_DEADLINE_CELLS = """SELECT d.issue_key,
               string_agg(d.text || COALESCE('（' || strftime(d.due_on, '%Y-%m-%d') || '）', ''), '；'
                          ORDER BY d.seq) AS deadlines,
               min(d.due_on) AS first_due
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
    return f"""{_ctes(f, p, search)},
    pg AS MATERIALIZED (SELECT * FROM fi WHERE {where} ORDER BY {order} {page}),  -- used twice: compute once
    dl AS ({_DEADLINE_CELLS} WHERE d.issue_key IN (SELECT issue_key FROM pg) GROUP BY d.issue_key)
    SELECT {_ISSUE_COLUMNS}
    FROM pg AS fi LEFT JOIN dl ON dl.issue_key = fi.issue_key
    ORDER BY {order}"""


_MAX_BY_KEY = 2048  # DuckDB answers `issue_key IN (…)` from the primary-key index up to this many values


def _issue_frame(
    db: Db, f: Filters, p: _Params, where: str = "TRUE", order: str = "", limit: int | None = None,
    offset: int = 0, search: str = "",
) -> pd.DataFrame:
    """The rows of _issue_rows. A page (limit given) is found in two steps on one connection: the keys of
    the page, sorted and cut on narrow columns only, then the wide columns (measures, evidence…) of just
    those keys, fetched through the primary-key index. Sorting every matching row with all its text took
    about 1 s at 100,000 reports. All rows (limit None: the CSV) are read in one pass."""
    if limit is None or limit > _MAX_BY_KEY:
        return _frame(db, _issue_rows(f, p, where, order, limit, offset, search), p)
    order = order or _ISSUE_ORDER
    page = f"LIMIT {p.bind('limit', int(limit))} OFFSET {p.bind('offset', int(offset))}"
    keys_sql = f"{_ctes(f, p, search)} SELECT fi.issue_key FROM fi WHERE {where} ORDER BY {order} {page}"
    with _connection(db) as con:
        keys = [key for (key,) in con.sql(keys_sql, params=p.values).fetchall()]
        q = _Params()
        # An empty page still runs the query (with no key matching), for the same columns and types.
        wanted = ", ".join(q.bind(f"k{n}", key) for n, key in enumerate(keys)) or q.bind("k0", None)
        sql = _issue_rows_by_key(f"issue_key IN ({wanted})", order)
        table = con.sql(sql, params=q.values).to_arrow_table()
    return _to_pandas(table)


def _issue_rows_by_key(where: str, order: str) -> str:
    """_issue_rows' columns for the issues `where` selects by key (materialised first, so the key condition
    is answered by the index, not by a scan of every issue)."""
    return f"""WITH sel AS MATERIALIZED (SELECT * FROM issues_effective WHERE {where}),
    fi AS (
        SELECT i.*, r.unit, r.province, r.city, r.published_on, r.part, r.title AS report_title,
               COALESCE(i.effective_status, '{UNKNOWN}') AS status_label,
               COALESCE(NULLIF(trim(i.category), ''), '（未分类）') AS category_label
        FROM sel i JOIN reports r ON r.report_key = i.report_key
    ),
    dl AS ({_DEADLINE_CELLS} WHERE d.issue_key IN (SELECT issue_key FROM sel) GROUP BY d.issue_key)
    SELECT {_ISSUE_COLUMNS}
    FROM fi LEFT JOIN dl ON dl.issue_key = fi.issue_key
    ORDER BY {order}"""


def unit_issues(
    db: Db, f: Filters, unit: str, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """One unit's issues (within the filters) in _ISSUE_ORDER; limit/offset cut one page of them."""
    p = _Params()
    return _issue_frame(db, f, p, where=f"fi.unit = {p.bind('unit', unit)}", limit=limit, offset=offset)


# --- deadlines --------------------------------------------------------------------------------------------


def deadline_rows(db: Db, f: Filters) -> pd.DataFrame:
    """Every dated deadline of the filtered issues (the unit page: one unit's deadlines)."""
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, fi.effective_source AS source,
           d.text, d.due_on
    FROM fi JOIN deadlines d ON d.issue_key = fi.issue_key
    WHERE d.due_on IS NOT NULL ORDER BY d.due_on, fi.unit"""
    return _frame(db, sql, p)


def deadline_summary(db: Db, f: Filters) -> pd.DataFrame:
    """One row: issues with a dated deadline, overdue issues, and issues not 完成 due within 30 / 90 days."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    # One row per issue first (does it have a dated deadline before / within 30 / 90 days of as-of?), then
    # plain counts: four count(DISTINCT) over every (issue, deadline) pair cost four hash tables.
    per_issue = f"""d AS MATERIALIZED (
          SELECT issue_key, bool_or(due_on < {as_of}) AS late,
                 bool_or(due_on >= {as_of} AND due_on <= {as_of}::DATE + 30) AS soon_30,
                 bool_or(due_on >= {as_of} AND due_on <= {as_of}::DATE + 90) AS soon_90
          FROM deadlines WHERE due_on IS NOT NULL GROUP BY issue_key)"""
    sql = f"""{_ctes(f, p, query=per_issue,
                      condition=_when_filtered(f, "i.issue_key IN (SELECT issue_key FROM d)"))}
    SELECT count(*) AS with_deadline,
           count(*) FILTER (WHERE status_label <> '完成' AND late) AS overdue,
           count(*) FILTER (WHERE status_label <> '完成' AND soon_30) AS due_30,
           count(*) FILTER (WHERE status_label <> '完成' AND soon_90) AS due_90
    FROM fi JOIN d ON d.issue_key = fi.issue_key"""
    return _frame(db, sql, p)


def deadline_points(db: Db, f: Filters, top_units: int, max_points: int = 3000) -> pd.DataFrame:
    """Points for the timeline (unit, due_on, status, n, title, text): the top_units units with the most
    deadlines, the rest as one row "其他"; one point per deadline, or, beyond max_points deadlines, one per
    row, month and status (n = how many; title and text are an example)."""
    p = _Params()
    many = f"(SELECT count(*) FROM d) > {p.bind('max_points', int(max_points))}"
    top = p.bind("top", int(top_units))
    sql = f"""{_ctes(f, p)},
    d0 AS (SELECT fi.unit, fi.title, fi.status_label AS status, dd.text, dd.due_on
           FROM fi JOIN deadlines dd ON dd.issue_key = fi.issue_key WHERE dd.due_on IS NOT NULL),
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


def _missed(p: _Params, f: Filters) -> str:
    as_of = p.bind("as_of", f.as_of)
    days = f"date_diff('day', m.first_missed, {as_of}::DATE)"
    missed = f"""missed AS MATERIALIZED (
        SELECT issue_key, min(due_on) AS first_missed, count(*) AS n_missed
        FROM deadlines WHERE due_on < {as_of} GROUP BY issue_key
    )"""
    return f"""{_ctes(f, p, query=missed,
                 condition=_when_filtered(f, "i.issue_key IN (SELECT issue_key FROM missed)"))},
    od AS (
        SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, fi.effective_source AS source,
               m.first_missed AS due_on, m.n_missed, {days} AS days_overdue,
               CASE WHEN {days} <= 30 THEN '{AGING_BUCKETS[0]}' WHEN {days} <= 90 THEN '{AGING_BUCKETS[1]}'
                    WHEN {days} <= 365 THEN '{AGING_BUCKETS[2]}' ELSE '{AGING_BUCKETS[3]}' END AS bucket
        FROM fi JOIN missed m ON m.issue_key = fi.issue_key
        WHERE fi.status_label <> '完成'
    )"""


def overdue_issues(db: Db, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Issues not 完成 with a deadline before as-of, aged from the first missed deadline; longest first."""
    p = _Params()
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    order = "days_overdue DESC, unit, issue_key"
    # The text of the first missed deadline is looked up for the listed issues only, not for every one.
    sql = f"""{_missed(p, f)},
    top AS MATERIALIZED (SELECT * FROM od ORDER BY {order} {page}),
    first AS (SELECT issue_key, arg_min(text, due_on) AS deadline FROM deadlines
              WHERE due_on < {p.bind("as_of", f.as_of)} AND issue_key IN (SELECT issue_key FROM top)
              GROUP BY issue_key)
    SELECT top.unit, top.issue_key, top.title, top.status, top.source, first.deadline, top.due_on,
           top.n_missed, top.days_overdue, top.bucket
    FROM top JOIN first ON first.issue_key = top.issue_key ORDER BY {order}"""
    return _frame(db, sql, p)


def overdue_buckets(db: Db, f: Filters) -> pd.DataFrame:
    """How many overdue issues fall in each aging bucket (bucket, n; empty buckets absent)."""
    p = _Params()
    return _frame(db, f"{_missed(p, f)} SELECT bucket, count(*) AS n FROM od GROUP BY bucket", p)


def due_soon(db: Db, f: Filters, days: int, limit: int | None = None) -> pd.DataFrame:
    """Deadlines of issues not 完成 that fall due from as-of to as-of + days (inclusive), soonest first."""
    p = _Params()
    as_of = p.bind("as_of", f.as_of)
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    until = f"{as_of}::DATE + {p.bind('days', int(days))}::INTEGER"
    window = f"""dw AS MATERIALIZED (SELECT issue_key, text, due_on FROM deadlines
                 WHERE due_on >= {as_of} AND due_on <= {until})"""
    sql = f"""{_ctes(f, p, query=window,
                      condition=_when_filtered(f, "i.issue_key IN (SELECT issue_key FROM dw)"))}
    SELECT fi.unit, fi.issue_key, fi.title, fi.status_label AS status, d.text AS deadline, d.due_on,
           date_diff('day', {as_of}::DATE, d.due_on) AS days_left
    FROM fi JOIN dw d ON d.issue_key = fi.issue_key
    WHERE fi.status_label <> '完成'
    ORDER BY d.due_on, fi.unit, fi.issue_key {page}"""
    return _frame(db, sql, p)


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


# --- data quality -----------------------------------------------------------------------------------------


def report_counts(db: Db, f: Filters) -> pd.DataFrame:
    """Per report: the stated totals (JSON) beside what the parser found."""
    p = _Params()
    return _frame_migrated(db, lambda have: _report_counts_sql(f, p, ("reports", "n_issues") in have), p)


def _report_counts_sql(f: Filters, p: _Params, stored: bool) -> str:
    """Counts stored with each report by store.py; on a database not migrated yet, counted here (slow:
    measures are joined to issues)."""
    counts = """fr.n_issues::BIGINT AS issues, fr.n_categories::BIGINT AS categories,
           fr.n_measures::BIGINT AS measures, fr.n_warnings::BIGINT AS warnings"""
    joins = ""
    if not stored:
        counts = """COALESCE(ic.n, 0) AS issues, COALESCE(ic.cats, 0) AS categories,
           COALESCE(mc.n, 0) AS measures, COALESCE(wc.n, 0) AS warnings"""
        joins = """
    LEFT JOIN (SELECT report_key, count(*) AS n, count(DISTINCT NULLIF(trim(category), '')) AS cats
               FROM issues WHERE report_key IN (SELECT report_key FROM fr) GROUP BY report_key) ic
           ON ic.report_key = fr.report_key
    LEFT JOIN (SELECT i.report_key, count(*) AS n FROM measures m JOIN issues i USING (issue_key)
               WHERE i.report_key IN (SELECT report_key FROM fr) GROUP BY i.report_key) mc
           ON mc.report_key = fr.report_key
    LEFT JOIN (SELECT report_key, count(*) AS n FROM warnings
               WHERE report_key IN (SELECT report_key FROM fr) GROUP BY report_key) wc
           ON wc.report_key = fr.report_key"""
    return f"""{_ctes(f, p)}
    SELECT fr.report_key, fr.unit, fr.part, fr.published_on, fr.title, fr.stated_json, {counts}
    FROM fr{joins}
    ORDER BY fr.unit, fr.published_on, fr.ordinal"""


def stated_figures(db: Db, f: Filters) -> pd.DataFrame:
    """Figures of kind stated.* (the totals a report states about itself), long form."""
    p = _Params()
    sql = f"""{_ctes(f, p)}
    SELECT g.report_key, substr(g.kind, 8) AS kind, g.value, g.evidence
    FROM figures g JOIN fr ON fr.report_key = g.report_key WHERE g.kind LIKE 'stated.%'"""
    return _frame(db, sql, p)


def warnings_list(db: Db, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Warnings of the filtered reports, and file-level warnings of their files or of files with no report;
    the first `limit` of them (None: all). `message_zh` is NULL for rows stored before it existed (and in a
    database not yet migrated)."""
    p = _Params()
    return _frame_migrated(db, lambda have: _warnings_sql(f, p, ("warnings", "message_zh") in have, limit), p)


def _warnings_sql(f: Filters, p: _Params, with_zh: bool, limit: int | None) -> str:
    """Report warnings of the filtered reports (their report row is joined anyway, for the sort: its
    conditions replace a semi-join with `fr`), then file-level warnings (no report_key: a few) of their
    files or of files with no report; sorted and cut before the file paths are joined (for the page only)."""
    zh = "w.message_zh" if with_zh else "NULL::VARCHAR"  # constant SQL
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    order = "unit NULLS FIRST, published_on, code"
    return f"""{_ctes(f, p)},
    sel AS (
        SELECT r.unit, r.part, r.published_on, w.code, w.message, {zh} AS message_zh, w.file_sha
        FROM warnings w JOIN reports r ON r.report_key = w.report_key
        WHERE {_report_conditions(f, p)}
        UNION ALL
        SELECT NULL, NULL, NULL, w.code, w.message, {zh}, w.file_sha
        FROM warnings w
        WHERE w.report_key IS NULL AND (w.file_sha IN (SELECT file_sha FROM fr) OR w.file_sha IS NULL
                                        OR w.file_sha NOT IN (SELECT file_sha FROM reports))
    ),
    top AS MATERIALIZED (SELECT * FROM sel ORDER BY {order} {page})
    SELECT top.unit, top.part, top.published_on, top.code, top.message, top.message_zh, fl.path AS file
    FROM top LEFT JOIN files fl ON fl.file_sha = top.file_sha
    ORDER BY {order}"""


def _weak(p: _Params, threshold: float) -> str:
    return (f"(fi.status_label = '{UNKNOWN}' OR (fi.effective_source <> 'override' "
            f"AND COALESCE(fi.confidence, 0) < {p.bind('thr', float(threshold))}))")


def weak_issues(db: Db, f: Filters, threshold: float, limit: int | None = None) -> pd.DataFrame:
    """Issues whose status is unknown, or parsed with confidence below threshold (not yet corrected);
    the least certain first. The columns of 数据质量's list: the issue rows of unit_issues without their
    measures and deadlines (sorting short columns in one pass costs a third of fetching those by key)."""
    p = _Params()
    order = "fi.confidence NULLS FIRST, fi.unit, fi.seq, fi.issue_key"
    page = f"LIMIT {p.bind('limit', int(limit))}" if limit is not None else ""
    sql = f"""{_ctes(f, p)}
    SELECT fi.issue_key, fi.unit, fi.published_on, fi.part, fi.category_label AS category, fi.seq, fi.label,
           fi.title, fi.status_label AS status, fi.status AS parsed_status, fi.effective_source AS source,
           fi.rule, fi.confidence, fi.evidence, fi.override_author, fi.override_note, fi.override_at
    FROM fi WHERE {_weak(p, threshold)} ORDER BY {order} {page}"""
    return _frame(db, sql, p)


def weak_issues_count(db: Db, f: Filters, threshold: float) -> int:
    p = _Params()
    df = _frame(db, f"{_ctes(f, p)} SELECT count(*) AS n FROM fi WHERE {_weak(p, threshold)}", p)
    return int(df["n"].iloc[0])


def issue_choices(db: Db, f: Filters, search: str = "", limit: int = 500) -> pd.DataFrame:
    """A capped list of the filtered (and searched) issues for the correction form's picker."""
    p = _Params()
    sql = f"""{_ctes(f, p, search)}
    SELECT fi.issue_key, fi.unit, fi.part, fi.seq, fi.label, fi.title, fi.status_label AS status,
           fi.effective_source AS source
    FROM fi ORDER BY fi.unit, fi.published_on, fi.part, fi.seq, fi.issue_key
    LIMIT {p.bind("limit", int(limit))}"""
    return _frame(db, sql, p)


def override_history(db: Db, issue_key: str) -> pd.DataFrame:
    p = _Params()
    sql = f"""SELECT created_at, status, note, author FROM overrides
              WHERE issue_key = {p.bind("key", issue_key)} ORDER BY created_at DESC, override_id DESC"""
    return _frame(db, sql, p)


def recent_overrides(db: Db, limit: int = 50) -> pd.DataFrame:
    p = _Params()
    sql = f"""SELECT o.created_at, r.unit, i.title, i.status AS parsed_status, o.status, o.note, o.author
              FROM overrides o LEFT JOIN issues i USING (issue_key) LEFT JOIN reports r USING (report_key)
              ORDER BY o.created_at DESC, o.override_id DESC LIMIT {p.bind("limit", int(limit))}"""
    return _frame(db, sql, p)
