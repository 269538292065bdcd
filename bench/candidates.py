"""The speed-up candidates of issue 13, quantified on the real-sample corpus (nothing in loaders/ changed).

Usage: python -m bench.candidates [--files 300] [--corpus bench/out/samples_1000]
Prints one JSON object (and bench/NOTES.md quotes it):
- transfer: what the parent pays per file today (unpickle the parsed Report objects, build the rows,
  turn them into Arrow) against the worker building the file's Arrow tables and the parent only
  unpickling and concatenating them;
- batches: how long one write transaction holds the database (connect, write, checkpoint on close)
  for batches of 50 to 500 files: the longest wait of a dashboard reader;
- measures_text: the database with and without issues.measures_text (each measure's text is stored in
  measures and again, joined, in issues);
- deadlines: find_deadlines over the same texts, and the share of its regex matches that are empty.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bench.corpus import corpus_files
from bench.ingest_bench import db_bytes, remove_db
from loaders.writer import accept, rows, store

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parse_versions(files: list[Path]) -> list[store.FileVersion]:
    out = []
    for path in files:
        data = path.read_bytes()
        reports = accept.parse_file(str(path), data)
        out.append(store.FileVersion(hashlib.sha256(data).hexdigest(), str(path), len(data), reports))
    return out


REPEATS = 3


def _timed(fn) -> tuple[float, Any]:
    """(least CPU seconds of REPEATS runs after a warm-up run, the result): pyarrow's first conversion
    alone costs ~0.3 s, and the machine is shared."""
    out = fn()
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def transfer(versions: list[store.FileVersion]) -> dict[str, float]:
    """CPU ms per file of each step, today's path against Arrow rows built in the worker (least of three
    runs)."""
    now = datetime.now()
    n = len(versions)
    dump_s, pickles = _timed(lambda: [pickle.dumps(v.reports, pickle.HIGHEST_PROTOCOL) for v in versions])
    load_s, _ = _timed(lambda: [pickle.loads(b) for b in pickles])

    def rows_and_arrow() -> dict[str, pa.Table]:
        r = rows.Rows()
        for v in versions:
            rows.add_file(r, v, now)
        return {t: r.arrow(t) for t in rows.ARROW_SCHEMAS}

    build_s, _ = _timed(rows_and_arrow)

    def per_file_arrow() -> list[bytes]:
        out = []
        for v in versions:
            r = rows.Rows()
            rows.add_file(r, v, now)
            out.append(pickle.dumps({t: r.arrow(t) for t in rows.ARROW_SCHEMAS}, pickle.HIGHEST_PROTOCOL))
        return out

    worker_arrow_s, arrow_pickles = _timed(per_file_arrow)

    def load_and_concat() -> dict[str, pa.Table]:
        parts = [pickle.loads(b) for b in arrow_pickles]
        return {t: pa.concat_tables([p[t] for p in parts]) for t in rows.ARROW_SCHEMAS}

    concat_s, _ = _timed(load_and_concat)

    def per_file_columns() -> list[bytes]:  # the worker sends its rows as plain column lists instead
        out = []
        for v in versions:
            r = rows.Rows()
            rows.add_file(r, v, now)
            out.append(pickle.dumps(r.cols, pickle.HIGHEST_PROTOCOL))
        return out

    worker_cols_s, col_pickles = _timed(per_file_columns)

    def load_extend_arrow() -> dict[str, pa.Table]:
        r = rows.Rows()
        for b in col_pickles:
            for table, cols in pickle.loads(b).items():
                for name, values in cols.items():
                    r.cols[table][name].extend(values)
        return {t: r.arrow(t) for t in rows.ARROW_SCHEMAS}

    extend_s, _ = _timed(load_extend_arrow)
    ms = 1000 / n
    return {
        "files": n,
        "worker_pickle_reports_ms": dump_s * ms,
        "parent_unpickle_reports_ms": load_s * ms,
        "parent_rows_arrow_ms": build_s * ms,
        "parent_today_ms": (load_s + build_s) * ms,
        "worker_rows_arrow_pickle_ms": worker_arrow_s * ms,
        "parent_unpickle_concat_ms": concat_s * ms,
        "worker_rows_columns_pickle_ms": worker_cols_s * ms,
        "parent_unpickle_columns_arrow_ms": extend_s * ms,
        "pickle_kb_columns": sum(map(len, col_pickles)) / n / 1024,
        "pickle_kb_reports": sum(map(len, pickles)) / n / 1024,
        "pickle_kb_arrow": sum(map(len, arrow_pickles)) / n / 1024,
    }


def batches(versions: list[store.FileVersion], out: Path, sizes: tuple[int, ...]) -> dict[str, float]:
    """Seconds one connection holds the database to write a batch of k files (the second batch of that
    size, into a database already holding the first)."""
    res = {}
    for k in sizes:
        if 2 * k > len(versions):
            continue
        db = out / f"candidates_batch_{k}.duckdb"
        remove_db(db)
        for part in (versions[:k], versions[k : 2 * k]):
            t0 = time.perf_counter()
            with store.connect(db) as con:
                store.write_batch(con, part)
            took = time.perf_counter() - t0
        res[str(k)] = took
        remove_db(db)
    return res


def write_cost(versions: list[store.FileVersion], out: Path, batch: int = 500) -> dict[str, float]:
    """CPU (this process, DuckDB's threads included) and bytes of writing the files in batches into a new
    database, as today and with issues.measures_text left empty (the measures table keeps the text)."""
    res: dict[str, float] = {}
    original = rows.Rows.arrow

    def without_text(self: rows.Rows, table: str) -> pa.Table:
        if table == "issues":
            self.cols[table]["measures_text"] = [None] * self.count(table)
        return original(self, table)

    for label in ("with", "without"):
        db = out / f"candidates_write_{label}.duckdb"
        remove_db(db)
        rows.Rows.arrow = original if label == "with" else without_text  # type: ignore[method-assign]
        try:
            t0, w0 = time.process_time(), time.perf_counter()
            for k in range(0, len(versions), batch):
                with store.connect(db) as con:
                    store.write_batch(con, versions[k : k + batch])
            res[f"cpu_s_{label}"] = time.process_time() - t0
            res[f"wall_s_{label}"] = time.perf_counter() - w0
        finally:
            rows.Rows.arrow = original  # type: ignore[method-assign]
        res[f"db_mb_{label}"] = db_bytes(db) / 2**20
        remove_db(db)
    res["files"] = len(versions)
    return res


def measures_text(db: Path, out: Path) -> dict[str, float]:
    """Bytes of the database copied table by table, with and without issues.measures_text."""
    sizes = {}
    for label, issues_sql in (("with", "SELECT * FROM src.issues"),
                              ("without", "SELECT * EXCLUDE (measures_text) FROM src.issues")):
        copy = out / f"candidates_copy_{label}.duckdb"
        remove_db(copy)
        con = duckdb.connect(str(copy))
        con.execute(f"ATTACH '{db}' AS src (READ_ONLY)")
        for t in store.DATA_TABLES:
            sql = issues_sql if t == "issues" else f"SELECT * FROM src.{t}"
            con.execute(f"CREATE TABLE {t} AS {sql}")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
        con.close()
        sizes[label] = db_bytes(copy)
        remove_db(copy)
    with duckdb.connect(str(db), read_only=True) as con:
        text = con.execute("SELECT sum(strlen(measures_text)) FROM issues").fetchall()[0][0]
        total = con.execute("SELECT sum(strlen(text)) FROM measures").fetchall()[0][0]
    return {"db_mb_with": sizes["with"] / 2**20, "db_mb_without": sizes["without"] / 2**20,
            "smaller_pct": 100 * (1 - sizes["without"] / sizes["with"]),
            "measures_text_mb": text / 2**20, "measures_table_text_mb": total / 2**20}


def deadlines(versions: list[store.FileVersion]) -> dict[str, float]:
    """find_deadlines over every issue's measures (with the report's date), and its empty matches."""
    from loaders.parser import deadline_finder as dl

    texts = [(m, r.published_on) for v in versions for r in v.reports for i in r.issues for m in i.measures]
    cpu, _ = _timed(lambda: [dl.find_deadlines(t, base) for t, base in texts])
    cfg = dl.rules()
    scan, counts = _timed(lambda: [(sum(1 for m in cfg.mention.finditer(t) if m.start() == m.end()),
                                    sum(1 for m in cfg.mention.finditer(t) if m.start() != m.end()))
                                   for t, _ in texts])
    empty = sum(e for e, _ in counts)
    found = sum(f for _, f in counts)
    return {"texts": len(texts), "find_deadlines_ms_per_file": 1000 * cpu / len(versions),
            "scan_twice_ms_per_file": 1000 * scan / len(versions),
            "empty_matches": empty, "non_empty_matches": found,
            "chars": sum(len(t) for t, _ in texts)}


def measure(corpus: Path, db: Path, n_files: int = 300) -> dict[str, Any]:
    """Every figure above; batches use up to 1,000 files of the corpus, the rest n_files."""
    versions = parse_versions(corpus_files(corpus)[: max(n_files, 1000)])
    res: dict[str, Any] = {
        "transfer": transfer(versions[:n_files]),
        "deadlines": deadlines(versions[:n_files]),
        "batches": batches(versions, corpus.parent, (50, 100, 250, 500)),
    }
    # The "store measure text once" candidate, while issues still has its second copy of the text (it has
    # been dropped since: bench/NOTES.md "Queries at 100,000 reports after …").
    if "measures_text" in rows.ARROW_SCHEMAS["issues"].names:
        res["write"] = write_cost(versions, corpus.parent)
        if db.exists():
            res["measures_text"] = measures_text(db, corpus.parent)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.candidates", description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "bench" / "out" / "samples_1000")
    ap.add_argument("--db", type=Path, default=PROJECT_ROOT / "bench" / "out" / "db_samples_1000.duckdb")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.corpus, args.db, args.files), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
