"""Latency of every public function of queries, with typical filters, on databases of a given size.

Also builds the 100,000-report database (replicating an ingested one with new keys) and compares the
overview's DuckDB aggregation with the naive pandas way (load all rows, group in pandas).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import inspect
import math
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import queries
from bench.textgen import figure_kind
from loaders.config import section
from loaders.models import STATUSES
from loaders.writer import store

AS_OF = dt.date(2025, 6, 30)
# The figure kinds the figure queries are asked for, named through config.yaml (a renamed kind follows).
FIGURE_KINDS = tuple(figure_kind(label) for label in ("党纪处分", "政务处分", "诫勉", "清退款项"))
DASHBOARD = section("dashboard")


# Exports of every matching row, with full text: at 100,000 reports `ledger_rows` unfiltered returned 2.8 M
# rows and held 11 GB before it was stopped. The dashboard offers them only up to ledger.xlsx_max_rows;
# they are timed as the downloads they feed, on a typical filter (bench/page_bench.py:export_calls).
EXPORTS = frozenset({"ledger_rows"})


def public_queries() -> dict[str, Callable[..., Any]]:
    """Every public function of the queries package: the functions its `__all__` exports (new ones
    are picked up when exported; the constants and classes there are skipped), but the EXPORTS."""
    return {
        name: fn
        for name, fn in inspect.getmembers(queries, inspect.isfunction)
        if name in queries.__all__ and fn.__module__.startswith(queries.__name__ + ".")
        and name not in EXPORTS
    }


def sample_values(db: Path) -> dict[str, Any]:
    """Real values to call the queries with: the unit with most reports, a province, an issue key."""
    with store.read_connection(db) as con:
        unit = con.execute(
            "SELECT unit FROM reports GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1"
        ).fetchall()
        prov = con.execute(
            "SELECT province FROM reports WHERE province IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchall()
        key = con.execute("SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1").fetchall()
        in_province = con.execute(
            "SELECT unit FROM reports WHERE province = ? GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1",
            [prov[0][0] if prov else None]).fetchall()
        # 导入 asks which stored reports an upload replaces: a stored file imported again (all its reports).
        stored = con.execute("SELECT f.path, f.file_sha, list(r.report_key ORDER BY r.report_key) "
                             "FROM files f JOIN reports r USING (file_sha) GROUP BY ALL "
                             "ORDER BY count(*) DESC, f.path LIMIT 1").fetchall()
    # 共性问题 opens the most widely shared group first: its titles are what common_members is called with.
    groups = queries.common_groups(db, queries.Filters(as_of=AS_OF))
    # 单位 fetches the history of the problems on its first page of issues.
    page = queries.unit_issues(db, queries.Filters(as_of=AS_OF), unit[0][0], 50, 0) if unit else None
    return {
        "lineage_ids": tuple(sorted(set(page["lineage_id"]))) if page is not None else (),
        "unit": unit[0][0] if unit else "",
        "province_unit": in_province[0][0] if in_province else "",
        "province": prov[0][0] if prov else None,
        "issue_key": key[0][0] if key else "",
        "titles": tuple(groups["titles"].iloc[0]) if not groups.empty else (),
        "path": stored[0][0] if stored else "",
        "file_sha": stored[0][1] if stored else "",
        "report_keys": tuple(stored[0][2]) if stored else (),
    }


def filter_sets(values: dict[str, Any]) -> dict[str, queries.Filters]:
    """'all': the landing view (no restriction, no search: the largest result); 'typical': one province,
    open statuses, and the explorer's search for a common word (整改, in most issues: a full scan of text)."""
    typical = queries.Filters(
        provinces=(values["province"],) if values["province"] else (),
        statuses=tuple(s for s in STATUSES if s != queries.DONE),
        as_of=AS_OF,
    )
    return {"all": queries.Filters(as_of=AS_OF), "typical": typical}


# Queries only 单位 calls: always for one unit, its filters narrowed to that unit (views/unit.py only_unit) —
# unfiltered, deadline_rows listed every dated deadline of every unit, a call no page makes.
UNIT_PAGE = frozenset({"deadline_rows", "unit_figures", "unit_issues", "unit_reports", "unit_timeline"})
# The other arguments the pages pass where the generic ones below differ (views/*.py): 单位 shows
# unit_page_size issues; 时限 and 数据质量 cut their lists at table_cap (one row more: "more than cap" or
# not); 数据质量 counts its weak issues in the same query; the correction form lists choice_cap issues.
CAP = DASHBOARD.get("table_cap", 500)
PAGE_ARGUMENTS: dict[str, dict[str, Any]] = {
    "unit_issues": {"limit": DASHBOARD.get("unit_page_size", 50)},
    "light_issues": {"limit": CAP},
    "overdue_issues": {"limit": CAP},
    "due_soon": {"limit": CAP + 1},
    "warnings_list": {"limit": CAP + 1},
    "weak_issues": {"limit": CAP, "with_total": True},
    "issue_search": {"limit": DASHBOARD.get("choice_cap", 500)},
    "recent_overrides": {"limit": DASHBOARD.get("recent_overrides", 50)},
}


def _arguments(
    fn: Callable[..., Any], db: Path, f: queries.Filters, values: dict[str, Any], search: str
) -> dict[str, Any]:
    """The arguments the dashboard calls `fn` with (f: the filter set; search: its search, where `fn` takes
    one)."""
    unit = values["unit"]
    if fn.__name__ in UNIT_PAGE:
        # 单位 offers the units of the filtered reports: within a province, that province's largest.
        unit = values.get("province_unit") or unit if f.provinces else unit
        f = dataclasses.replace(f, units=(unit,))
    known = {
        "db": db,
        "f": f,
        "unit": unit,
        "issue_key": values["issue_key"],
        "kinds": FIGURE_KINDS,
        "days": 90,
        "search": search,
        "limit": DASHBOARD.get("page_size", 200),  # the explorer's page size
        "offset": 0,
        "threshold": DASHBOARD.get("low_confidence", 0.6),
        "top_units": DASHBOARD.get("top_units", 15),
        "titles": values["titles"],
        "lineage_ids": values["lineage_ids"],
        "report_keys": values.get("report_keys", ()),
        "path": values.get("path", ""),
        "file_sha": values.get("file_sha", ""),
        **PAGE_ARGUMENTS.get(fn.__name__, {}),
    }
    args = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name in known:
            args[name] = known[name]
        elif param.default is inspect.Parameter.empty:
            raise TypeError(f"no typical value for parameter {name!r} of {fn.__name__}")
    return args


SLOW_S = 2.0  # a call slower than this is timed once more only: the verdict does not need five runs


def time_call(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(median, max) seconds over `repeats` runs, after one warm-up run (OS page cache, imports)."""
    t0 = time.perf_counter()
    call()
    if time.perf_counter() - t0 > SLOW_S:
        repeats = 1
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def bench_queries(db: Path, repeats: int, log) -> dict[str, Any]:
    values = sample_values(db)
    out: dict[str, Any] = {}
    for name, fn in sorted(public_queries().items()):
        row: dict[str, Any] = {}
        for label, f in filter_sets(values).items():
            try:
                args = _arguments(fn, db, f, values, "" if label == "all" else "整改")
            except TypeError as exc:
                row[label] = {"error": str(exc)}
                continue
            if "f" not in args and label != "all":
                continue  # no filters to vary
            med, worst = time_call(functools.partial(fn, **args), repeats)
            row[label] = {"median": med, "max": worst}
        out[name] = row
        log(f"    {name}: " + ", ".join(f"{k} {v.get('median', 0) * 1000:.0f} ms" for k, v in row.items()))
    return out


# --- the 100,000-report database --------------------------------------------------------------------------

# (table, key columns rewritten per copy). Every other column is copied as it is.
_REKEY = {
    "files": ("file_sha",),
    "reports": ("report_key", "file_sha", "parent_key"),
    "issues": ("issue_key", "report_key"),
    "measures": ("issue_key",),
    "deadlines": ("issue_key",),
    "figures": ("report_key",),
    "warnings": ("report_key", "file_sha"),
    # derived (lineage.py): copied with the rows they describe, so each copy counts its problems once
    "report_threads": ("report_key", "thread_id", "prev_thread_id"),
    "issue_lineage": ("issue_key", "thread_id", "lineage_id", "prev_issue_key", "merged_into",
                      "recurrence_of"),
}
# Tables whose `unit` column names the inspected unit (figures.unit is a measure: 人, 万元).
_UNIT_TABLES = ("reports", "issues", "report_threads", "issue_lineage")


def build_replicated(
    src: Path, dst: Path, target_reports: int, log, rename_units: bool = False
) -> dict[str, Any]:
    """Copy src, then bulk-insert copies of its rows with new keys until it holds >= target_reports reports.

    Parsing 100k files would take too long for a benchmark, so rows parsed from the real generated corpus
    are replicated: copy k gets keys md5(old key || '#k') (16 hex chars, like the real keys); every other
    column is unchanged, so each unit simply has k times the reports — or, with `rename_units`, copy k is
    reported by other units (`unit·k`), so the units multiply with the reports (a stand-in for a corpus of
    many more units, when ingesting one is too slow). One INSERT … SELECT per table and copy.
    """
    for p in (dst, Path(f"{dst}.wal")):
        p.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    t0 = time.perf_counter()
    with store.connect(dst) as con:
        base = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
        copies = max(0, math.ceil(target_reports / base) - 1)
        cols = {t: [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()] for t in _REKEY}
        con.execute("BEGIN TRANSACTION")
        for table in _REKEY:  # a fixed snapshot to copy from, while the real table grows
            con.execute(f"CREATE TEMP TABLE {table}_base AS SELECT * FROM {table}")
        for k in range(1, copies + 1):
            for table, keys in _REKEY.items():
                exprs = [
                    f"substr(md5({c} || '#{k}'), 1, 16)" if c in keys
                    else f"{c} || '·{k}'" if rename_units and c == "unit" and table in _UNIT_TABLES
                    else c
                    for c in cols[table]
                ]  # NULL keys (parent_key of a main report) stay NULL
                con.execute(f"INSERT INTO {table} SELECT {', '.join(exprs)} FROM {table}_base")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        total = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
        issues = con.execute("SELECT count(*) FROM issues").fetchall()[0][0]
    log(f"  replicated {base} reports x{copies + 1} -> {total} reports in {time.perf_counter() - t0:.1f} s")
    return {
        "base_reports": base,
        "copies": copies + 1,
        "reports": total,
        "issues": issues,
        "seconds": time.perf_counter() - t0,
    }


def describe_replicated(src: Path, dst: Path) -> dict[str, Any]:
    """build_replicated's figures for a replicated database made earlier (reused: no build time)."""
    base = store.table_counts(src)["reports"]
    counts = store.table_counts(dst)
    return {
        "base_reports": base,
        "copies": round(counts["reports"] / base) if base else 0,
        "reports": counts["reports"],
        "issues": counts["issues"],
        "seconds": None,
    }


# --- the naive way beside ours ------------------------------------------------------------------------------


def _pandas_status_by_unit(db: Path) -> Any:
    """The naive way: load every issue and report into pandas, then group there."""
    with store.read_connection(db) as con:
        issues = con.execute("SELECT * FROM issues_effective").df()
        reports = con.execute("SELECT * FROM reports").df()
    merged = issues.merge(reports[["report_key", "unit"]], on="report_key")
    merged["status"] = merged["effective_status"].fillna(queries.UNKNOWN)
    return merged.groupby(["unit", "status"]).size()


def pandas_vs_duckdb(db: Path, repeats: int) -> dict[str, Any]:
    """status_by_unit (the overview's per-unit aggregation) in DuckDB vs the same aggregation in pandas."""
    f = queries.Filters(as_of=AS_OF)
    duck = queries.status_by_unit(db, f)
    naive = _pandas_status_by_unit(db)
    same = int(duck["n"].sum()) == int(naive.sum()) and len(duck) == len(naive)
    d_med, _ = time_call(lambda: queries.status_by_unit(db, f), repeats)
    p_med, _ = time_call(lambda: _pandas_status_by_unit(db), max(1, repeats // 2))
    return {"duckdb": d_med, "pandas": p_med, "ratio": p_med / d_med, "same_result": same}
