"""What every query shares: the filters and status labels, bound parameters (`_Params`), connections
(`Reader`, `Db`), Arrow → pandas (`_frame`), and the filtered reports and issues (the `fr` / `fi` CTEs of
`_ctes`). The queries themselves live in the sibling modules and are re-exported by `queries`."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from loaders import database
from loaders.config import section
from loaders.vocab import vocab

UNKNOWN = vocab().unknown.value  # label of an issue whose status nothing decided (effective_status IS NULL)
STATUS_LABELS: tuple[str, ...] = tuple(s.value for s in vocab().labels)  # the decided ones, then UNKNOWN
DONE = vocab().done  # the status that counts as completed (overdue, lights and completion rates exclude it)
AGING_BUCKETS: tuple[str, ...] = ("≤30天", "31–90天", "91–365天", ">365天")
OTHER = "其他"  # the group that holds every unit beyond the top N in charts
LIGHTS: tuple[str, ...] = tuple(x.value for x in vocab().lights)  # 红, 黄, 绿 (thresholds: ledger.lights)


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
    # False: each problem once, at its version in the latest report published by as_of (issue_lineage);
    # True: every issue row of every report (a problem restated by three reports is three rows).
    all_versions: bool = False
    lights: tuple[str, ...] = ()  # values of LIGHTS: issues whose deadline light is one of these


def status_columns(agg: str = "count(*) FILTER (WHERE {cond})") -> str:
    """SQL select items: one count per status_label (of fi), named by its vocabulary column (done, partial,
    open, unknown). `agg` is the aggregate, with `{cond}` where the row condition goes."""
    return ",\n           ".join(f"{agg.format(cond=f'status_label = {_literal(s.value)}')} AS {s.column}"
                                   for s in vocab().labels)


def status_refs(template: str) -> str:
    """SQL select items: `template` once per status column, with {c} for its name (done, partial, open,
    unknown), e.g. "COALESCE(iu.{c}, 0) AS {c}" to carry the counts of status_columns through a join."""
    return ", ".join(template.format(c=s.column) for s in vocab().labels)


def light_columns() -> str:
    """SQL select items: one count per deadline light of fi (red, yellow, green)."""
    return ",\n           ".join(f"count(*) FILTER (WHERE light = {_literal(x.value)}) AS {x.column}"
                                   for x in vocab().lights)


UNCATEGORISED = "（未分类）"  # the category label of an issue printed under no category


def status_label(column: str) -> str:
    """SQL: the status label of an issue whose effective status is `column` (NULL → UNKNOWN, the vocabulary's
    未知): every query names an undecided status through this, the pages through queries.UNKNOWN."""
    return f"COALESCE({column}, {_literal(UNKNOWN)})"


def category_label(column: str) -> str:
    """SQL: the category label of an issue whose category is `column` (blank → UNCATEGORISED)."""
    return f"COALESCE(NULLIF(trim({column}), ''), {_literal(UNCATEGORISED)})"


def _literal(value: str) -> str:
    """A vocabulary value (config.yaml, never user input) as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class _Params:
    """Collects named parameters while SQL text is composed, so every value is bound, never inlined."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, name: str, value: Any) -> str:
        self.values[name] = value
        return f"${name}"

    def keys(self, keys: Iterable[str]) -> str:
        """The text of `IN (…)` for these keys, each bound ($k0, $k1…): DuckDB answers such a list of literals
        from the primary-key index (a bound list or a semi join scans). No key binds one NULL: the query still
        runs, matching nothing, for the same columns and types."""
        return ", ".join(self.bind(f"k{n}", key) for n, key in enumerate(keys)) or self.bind("k0", None)


MAX_BY_KEY = 2048  # DuckDB answers `issue_key IN (…)` from the primary-key index up to this many values


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
        with database.read_connection(db) as con:
            yield Reader(con)


Db = str | Path | Reader  # a database file (one connection per query) or an open Reader


@contextlib.contextmanager
def _connection(db: Db) -> Iterator[Any]:
    if isinstance(db, Reader):
        yield db.con
        return
    # A short-lived read-only connection per query: the CLI and the dashboard's own writes can get in between.
    with database.read_connection(db) as con:
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


def light_days() -> tuple[int, int]:
    """(yellow_days, red_days) of config.yaml ledger.lights: red at most red_days left (or overdue), yellow
    at most yellow_days, green beyond."""
    cfg = section("ledger")["lights"]
    return int(cfg["yellow_days"]), int(cfg["red_days"])


def _light_until(p: _Params, f: Filters) -> tuple[str, str]:
    """SQL: the last first-deadline dates of a red and of a yellow light on f.as_of (red: at most red_days
    left, or overdue; yellow: at most yellow_days). A date compared with these is the days-left rule
    without a date_diff per issue."""
    yellow, red = light_days()
    as_of = p.bind("as_of", f.as_of)
    return (f"({as_of}::DATE + {p.bind('red_days', red)}::INTEGER)",
            f"({as_of}::DATE + {p.bind('yellow_days', yellow)}::INTEGER)")


def _light(p: _Params, f: Filters, status: str, due: str) -> str:
    """SQL: the 红/黄/绿 light of an issue with status label `status` and first deadline `due` on f.as_of;
    NULL when it is 完成 or has no dated deadline."""
    red_until, yellow_until = _light_until(p, f)
    return f"""(CASE WHEN {due} IS NULL OR {status} = '{DONE}' THEN NULL
         WHEN {due} <= {red_until} THEN '{LIGHTS[0]}'
         WHEN {due} <= {yellow_until} THEN '{LIGHTS[1]}' ELSE '{LIGHTS[2]}' END)"""


def due_bucket(p: _Params, f: Filters, due: str = "fi.first_due") -> str:
    """SQL: which of four date ranges the first deadline `due` falls in on f.as_of (0–3; NULL without one).
    The ranges are cut at the three dates overdue and the lights compare with (a day before as-of, the last
    red and the last yellow date), sorted, so each range lies wholly on one side of each of them: counted
    per bucket, an issue's overdue and light are a property of its bucket (due_refs). Grouping by this one
    small integer replaced four filtered counts per issue (~25 % of the overview's CPU at 100,000 reports)."""
    cuts = sorted(_due_cuts(f).values())
    whens = " ".join(f"WHEN {due} <= {p.bind(f'due_cut{n}', cut)}::DATE THEN {n}"
                     for n, cut in enumerate(cuts))
    return f"(CASE WHEN {due} IS NULL THEN NULL {whens} ELSE {len(cuts)} END)"


def _due_cuts(f: Filters) -> dict[str, dt.date]:
    """The last date of each range the rules compare a first deadline with: overdue (before as-of), red (at
    most red_days left), yellow (at most yellow_days)."""
    yellow, red = light_days()
    return {"overdue": f.as_of - dt.timedelta(days=1), "red": f.as_of + dt.timedelta(days=red),
            "yellow": f.as_of + dt.timedelta(days=yellow)}


def due_refs(f: Filters) -> str:
    """SQL select items `overdue` and one per light (red, yellow, green): sums of `n` over rows grouped by
    (…, `status_label`, `due_bucket`), 0 where the status is 完成 — the same numbers as fi's
    per-issue `overdue` and `light` counted, with the dates compared once per issue and the rules applied
    once per group."""
    cuts = _due_cuts(f)
    ordered = sorted(cuts.values())

    def within(k: int, cut: dt.date) -> bool:  # bucket k's dates are all <= cut (else all > cut)
        return k < len(ordered) and ordered[k] <= cut

    rules = {
        "overdue": lambda k: within(k, cuts["overdue"]),
        vocab().lights[0].column: lambda k: within(k, cuts["red"]),
        vocab().lights[1].column: lambda k: not within(k, cuts["red"]) and within(k, cuts["yellow"]),
        # as _light's CASE: green is neither red nor yellow (with yellow_days below red_days, the earlier
        # per-group counts took a date between the two for red and green at once)
        vocab().lights[2].column: lambda k: not within(k, cuts["red"]) and not within(k, cuts["yellow"]),
    }
    items = []
    for name, rule in rules.items():
        ks = [str(k) for k in range(len(ordered) + 1) if rule(k)]
        within_rule = f"due_bucket IN ({', '.join(ks)})" if ks else "FALSE"
        items.append(f"COALESCE(sum(n) FILTER (WHERE {within_rule} AND status_label <> {_literal(DONE)}), 0)"
                     f"::BIGINT AS {name}")
    return ", ".join(items)


def _overdue(p: _Params, f: Filters, status: str = "fi.status_label", due: str = "fi.first_due") -> str:
    """SQL, the one definition of overdue: a deadline `due` before f.as_of of an issue whose status label
    `status` is not 完成. An issue is overdue when its first deadline (issues.first_due) is: fi's `overdue`
    column; a single deadline row is marked with `due` = its own date (the unit page's deadline list)."""
    return f"({status} <> '{DONE}' AND {due} < {p.bind('as_of', f.as_of)})"


def _stated(p: _Params) -> str:
    """CTEs ending in `sr`, the one reading of the totals a report states about itself: the figures of kind
    `stated.<key>` (reports.stated_json holds the same values and is not read). Per report of fr that states
    any: unit, report_key, published_on, one column per stated key of the vocabulary (NULL: not stated),
    `rate` (percent: its stated completion_rate, else completed / issues; NULL when neither) and `rate_from`
    ('completion_rate' / 'completed/issues')."""
    columns = ", ".join(f"max(g.value) FILTER (WHERE g.kind = {_literal('stated.' + s.key)}) AS \"{s.key}\""
                        for s in vocab().stated)
    return f"""sr0 AS (
        SELECT fr.unit, fr.report_key, fr.published_on, {columns}
        FROM figures g JOIN fr ON fr.report_key = g.report_key
        WHERE starts_with(g.kind, 'stated.')
        GROUP BY fr.unit, fr.report_key, fr.published_on
    ),
    sr AS (
        SELECT *, COALESCE(completion_rate, 100.0 * completed / NULLIF(issues, 0)) AS rate,
               CASE WHEN completion_rate IS NOT NULL THEN 'completion_rate'
                    WHEN completed IS NOT NULL AND issues > 0 THEN 'completed/issues' END AS rate_from
        FROM sr0
    )"""


def _report_conditions(f: Filters, p: _Params, alias: str = "r", copy: str = "") -> str:
    """The report filters on the report `alias`, or on an issue (alias "i", copy "report_"): issues hold
    copies of their report's province, city and unit (issues.report_*, schema.sql), so a list of issues is
    filtered without joining their reports."""
    conds = ["TRUE"]
    for name, col, values in (
        ("provinces", f"{alias}.{copy}province", f.provinces),
        ("cities", f"{alias}.{copy}city", f.cities),
        ("units", f"{alias}.{copy}unit", f.units),
        ("reports", f"{alias}.report_key", f.reports),
    ):
        if values:
            conds.append(f"list_contains({p.bind(name, list(values))}::VARCHAR[], {col})")
    return " AND ".join(conds)


# The issue `i`'s effective status and source (what issues_counted says) from its row alone: its copy of the
# correction that counts for it (issues.correction_*, written by the store), else its parsed status.
EFFECTIVE_STATUS = "(CASE WHEN i.correction_source IS NULL THEN i.status ELSE i.correction_status END)"
EFFECTIVE_SOURCE = "COALESCE(i.correction_source, i.status_source)"


def _issue_conditions(f: Filters, p: _Params) -> str:
    """Conditions on the issue `i` (a row of issues)."""
    conds = ["TRUE"]
    if f.categories:
        conds.append(f"list_contains({p.bind('categories', list(f.categories))}::VARCHAR[], i.category)")
    if f.statuses:
        conds.append(
            f"list_contains({p.bind('statuses', list(f.statuses))}::VARCHAR[], "
            f"{status_label(EFFECTIVE_STATUS)})"
        )
    if f.sources:
        conds.append(f"list_contains({p.bind('sources', list(f.sources))}::VARCHAR[], {EFFECTIVE_SOURCE})")
    if not f.all_versions:
        conds.append(_latest_version(p, f))
    if f.lights:
        light = _light(p, f, status_label(EFFECTIVE_STATUS), "i.first_due")
        conds.append(f"list_contains({p.bind('lights', list(f.lights))}::VARCHAR[], {light})")
    if f.min_confidence > 0:
        # A supervisor's correction (its own or carried from an earlier version) is certain; the parser's
        # confidence no longer applies to it.
        conds.append(
            f"({EFFECTIVE_SOURCE} IN ('override', 'carried') OR "
            f"COALESCE(i.confidence, 0) >= {p.bind('min_conf', float(f.min_confidence))})"
        )
    return " AND ".join(conds)


def _searched(p: _Params, search: str) -> str:
    """SQL: the keys of the issues of the CTE `fc` (issue_key, title) whose title or measures contain
    `search` (stripped, non-blank). A measure's text is stored once, in measures (one row per measure): a
    needle (one line) is in the issue's measures joined by line breaks iff it is in one of them. Only the
    measures of `fc` are searched (the other filters first: the text is the cost)."""
    needle = search.strip()
    # Case matters only for Latin letters; lower() over every measure text costs ~6x: skip it otherwise.
    fold = any(c.isascii() and c.isalpha() for c in needle)
    q = p.bind("search", needle.lower() if fold else needle)
    title, text = ("lower(a.title)", "lower(m.text)") if fold else ("a.title", "m.text")
    return f"""SELECT a.issue_key FROM fc a WHERE contains({title}, {q})
        UNION
        SELECT m.issue_key FROM measures m
        WHERE m.issue_key IN (SELECT issue_key FROM fc) AND contains({text}, {q})"""


def _latest_version(p: _Params, f: Filters) -> str:
    """The issue is its problem's version as of f.as_of: not superseded by then (a later version, or the
    issue it was merged into, published by as_of — or on an unknown date), and not a later version published
    after as_of. A problem first reported after as_of still counts, at its first version, as every issue did
    before lineage existed. Read from the issue's copies of its lineage's limits (issues.shown_from,
    hidden_from: loaders/writer/store.py refresh_lineage_limits), not from a join of 2.6 M lineage rows
    (an anti-join of the few hidden ones still hashed every issue key: ~0.1 s of CPU at 100,000 reports).
    Nearly every issue has neither limit: the CASE answers those from the two NULL masks alone, and only the
    few limited ones compare dates (two ORs evaluated for every issue were ~70 ms of CPU per query at
    100,000 reports, a third of an overview count)."""
    as_of = p.bind("latest_as_of", f.as_of)
    return (f"(CASE WHEN i.shown_from IS NULL AND i.hidden_from IS NULL THEN TRUE "
            f"ELSE COALESCE(i.shown_from <= {as_of}, TRUE) AND COALESCE(i.hidden_from > {as_of}, TRUE) END)")


def _lineage_of(f: Filters, p: _Params) -> str:
    """SQL (a table to join as `lin`): the issue_lineage rows the issues of f can have — those of f's units
    when it names some (an issue's lineage is its unit's), else all: a join of a unit's few issues with all
    of issue_lineage hashed its 2.6 M rows at 100,000 reports."""
    if not f.units:
        return "issue_lineage"
    units = p.bind("units", list(f.units))
    return f"(SELECT * FROM issue_lineage WHERE list_contains({units}::VARCHAR[], unit))"


# The correction in force of the issue fi (its latest active row of overrides: NULL columns when none), and
# its columns as issues_effective names them (fi holds the effective status, not who set it).
OVERRIDE_JOIN = "LEFT JOIN overrides_in_force ov ON ov.issue_key = fi.issue_key"
OVERRIDE_COLUMNS = "ov.author AS override_author, ov.note AS override_note, ov.created_at AS override_at"

# An issue's copies of its report's columns under the report's names (what fi and the lists show).
REPORT_COPIES = ("i.report_unit AS unit, i.report_province AS province, i.report_city AS city, "
                 "i.report_published_on AS published_on, i.report_part AS part")


def _when_filtered(f: Filters, condition: str) -> str:
    """`condition` (for _ctes) when a filter narrows the issues, else "". Unfiltered, every issue is
    joined anyway and the plain join is cheaper (~15 % at 100,000 reports); filtered, the planner misjudges
    how many issues remain and hashes all of them unless they are first limited by the condition (~30 %)."""
    narrowed = (f.provinces or f.cities or f.units or f.reports or f.categories or f.statuses or f.sources
                or f.lights or f.min_confidence > 0)
    return condition if narrowed else ""


def _ctes(f: Filters, p: _Params, search: str = "", query: str = "", condition: str = "") -> str:
    """fr: the filtered reports; fi: the filtered issues (with their copies of their report's unit, province,
    city, published_on and part — not its title: join reports for the few rows that show it), status label,
    deadline `light` (红/黄/绿 on f.as_of, NULL for none) and `overdue` (_overdue of its first deadline).
    `query`: CTEs to define before them (`name AS (…)`); `condition`: SQL on the issue `i` that limits fi
    further — a query over few deadlines limits it to their issue keys, so the issues are probed with those
    keys instead of every issue being hashed (the planner cannot tell how few they are)."""
    only = f" AND {condition}" if condition else ""
    where = f"{_report_conditions(f, p, 'i', 'report_')} AND {_issue_conditions(f, p)}{only}"
    searched = ""
    if search.strip():
        # The issues every other filter keeps, then those of them the search finds (_searched).
        searched = f"""
    fc AS MATERIALIZED (SELECT i.issue_key, i.title FROM issues i WHERE {where}),
    fs AS MATERIALIZED ({_searched(p, search)}),"""
        where += " AND i.issue_key IN (SELECT issue_key FROM fs)"
    # Materialised when limited: otherwise the planner merges the key filter into the outer joins and
    # still hashes every issue.
    fi = "fi AS MATERIALIZED" if condition else "fi AS"
    status = status_label(EFFECTIVE_STATUS)
    return f"""
    WITH {query + "," if query else ""}
    fr AS (SELECT r.* FROM reports r WHERE {_report_conditions(f, p)}),{searched}
    {fi} (
        SELECT i.*, {REPORT_COPIES},
               {EFFECTIVE_STATUS} AS effective_status, {EFFECTIVE_SOURCE} AS effective_source,
               {status} AS status_label,
               {category_label("i.category")} AS category_label,
               {_light(p, f, status, "i.first_due")} AS light,
               {_overdue(p, f, status, "i.first_due")} AS overdue
        FROM issues i
        WHERE {where}
    )"""
