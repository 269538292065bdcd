"""Query parity: the result of every call bench/query_bench.py times (every public query × its filter sets),
plus a few more searches and filters, dumped once and compared after a change to the read side or schema.

Usage:
    python -m bench.query_parity --db bench/out/q100k.duckdb --dump bench/out/queries_before.pkl
    python -m bench.query_parity --db bench/out/q100k.duckdb --check bench/out/queries_before.pkl
The database must be the same one on both sides (a migration run in between is fine: it is what is checked).
Each result is a DataFrame (or a scalar); they must be equal value for value, dtype for dtype.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

import queries
from bench import query_bench


def _extra_filters(values: dict[str, Any]) -> dict[str, queries.Filters]:
    """Filters beyond the bench's two, so every condition of base._issue_conditions is exercised."""
    typical = query_bench.filter_sets(values)["typical"]
    return {
        "unit": queries.Filters(units=(values["unit"],), as_of=query_bench.AS_OF),
        "sources": dataclasses.replace(typical, sources=("explicit", "override", "carried"), statuses=()),
        "lights": dataclasses.replace(typical, lights=("红", "黄"), min_confidence=0.5),
        "all_versions": dataclasses.replace(typical, all_versions=True),
        "early": queries.Filters(as_of=query_bench.AS_OF.replace(year=2023)),
    }


def calls(db: Path) -> dict[str, Any]:
    """name → a zero-argument call returning the result to compare."""
    values = query_bench.sample_values(db)
    sets = query_bench.filter_sets(values)
    out: dict[str, Any] = {}
    for name, fn in sorted(query_bench.public_queries().items()):
        for label, f in sets.items():
            try:
                args = query_bench._arguments(fn, db, f, values, "" if label == "all" else "整改")
            except TypeError:
                continue
            if "f" not in args and label != "all":
                continue
            out[f"{name}/{label}"] = (fn, args)
    explorer = {"issues_count": queries.issues_count, "issues_page": queries.issues_page}
    for label, f in _extra_filters(values).items():
        for name, fn in explorer.items():
            for search in ("", "整改", "Ab", "不存在的词语"):
                args = {"db": db, "f": f, "search": search}
                if name == "issues_page":
                    args |= {"limit": 200, "offset": 0}
                out[f"{name}/{label}/{search}"] = (fn, args)
        for name in ("deadline_rows", "deadline_summary", "overdue_issues", "common_groups",
                     "weak_issues_count", "status_split", "key_figures"):
            fn = getattr(queries, name)
            args = query_bench._arguments(fn, db, f, values, "")
            out[f"{name}/{label}"] = (fn, args)
    out["issues_page/offset"] = (queries.issues_page, {"db": db, "f": sets["all"], "limit": 200,
                                                       "offset": 100_000})
    return out


def run(db: Path) -> dict[str, Any]:
    results = {}
    for key, (fn, args) in calls(db).items():
        t0 = time.perf_counter()
        results[key] = fn(**args)
        print(f"  {key}: {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return results


def _same(a: Any, b: Any) -> str:
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                          check_exact=True)
        except AssertionError as exc:
            # A GROUP BY without ORDER BY (overview_counts and what derives from it) returns its rows in
            # no particular order, on either side: the same rows in another order are the same result.
            if list(a.columns) == list(b.columns) and len(a) == len(b):
                cols = list(a.columns)
                try:
                    pd.testing.assert_frame_equal(a.sort_values(cols).reset_index(drop=True),
                                                  b.sort_values(cols).reset_index(drop=True),
                                                  check_exact=True)
                    return ""
                except (AssertionError, TypeError):
                    pass
            return str(exc)[:500]
        return ""
    return "" if a == b else f"{a!r} != {b!r}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dump", type=Path)
    mode.add_argument("--check", type=Path)
    args = ap.parse_args(argv)
    results = run(args.db)
    if args.dump:
        args.dump.write_bytes(pickle.dumps(results))
        print(f"{len(results)} results dumped to {args.dump}")
        return 0
    before = pickle.loads(args.check.read_bytes())
    bad = 0
    for key in sorted(set(before) | set(results)):
        if key not in before or key not in results:
            print(f"MISSING {key}")
            bad += 1
            continue
        diff = _same(before[key], results[key])
        if diff:
            print(f"DIFF {key}: {diff}")
            bad += 1
    print(f"{len(results)} results, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
