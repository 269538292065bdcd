"""python -m bench: generate corpora; measure ingest, queries, pages, the naive ways; write bench/RESULTS.md.

Examples:
  python -m bench                      # full run: 100 / 1,000 / 10,000 files, queries up to 100,000 reports
  python -m bench --quick              # a few minutes: 100 / 1,000 files, queries and pages at 1,000
  python -m bench --only queries,pages # re-measure some stages, reusing the databases in bench/out
  python -m bench --only queries,pages --query-sizes 100000 --page-sizes 10000   # just the targets
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench import results
from bench.ingest_bench import bench_ingest, db_path, ensure_corpus
from bench.proc import machine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STAGES = ("ingest", "queries", "pages", "naive", "profile", "candidates", "spy")
REPLICATED = 100_000  # query sizes from here up are built by replication, not by parsing


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    ap.add_argument("--sizes", default="100,1000,10000", help="generated corpus sizes (files) to ingest")
    ap.add_argument(
        "--real-sizes",
        default="1000",
        help="sizes (files) of the real-sample corpus (renamed copies of data/reports); '' for none",
    )
    ap.add_argument(
        "--query-sizes",
        default="1000,10000,100000",
        help="database sizes for the query latencies (>= 100000: reports, built by replication)",
    )
    ap.add_argument("--page-sizes", default="1000,10000", help="database sizes (files) for the page runs")
    ap.add_argument(
        "--page-corpus",
        choices=("synthetic", "samples"),
        default="synthetic",
        help="whose database the pages run on: the generator's or the real samples' (same size in files)",
    )
    ap.add_argument("--pages", default="", help="only these pages (slugs in views/registry.py: unit,quality)")
    ap.add_argument("--naive-size", type=int, default=1000, help="corpus size for row-by-row vs bulk writes")
    ap.add_argument("--workers", type=int, default=2, help="parser processes (keep <= 2 on a shared machine)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per query / page (median reported)")
    ap.add_argument("--quick", action="store_true", help="small sizes only (a few minutes)")
    ap.add_argument("--only", default=",".join(STAGES), help=f"stages to run, from {','.join(STAGES)}")
    ap.add_argument(
        "--render-only", action="store_true", help="rewrite RESULTS.md from bench/out/results.json"
    )
    ap.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the replicated 100,000-report database even when it is newer than its source",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "out")
    ap.add_argument("--results", type=Path, default=PROJECT_ROOT / "bench" / "RESULTS.md")
    ap.add_argument(
        "--notes",
        type=Path,
        default=PROJECT_ROOT / "bench" / "NOTES.md",
        help="hand-written analysis appended to RESULTS.md (kept across runs)",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.query_sizes, args.page_sizes = "100,1000", "1000", "1000"
        args.naive_size, args.repeats = 100, 3
    return args


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.naive import bench_writers
    from bench.page_bench import bench_exports, bench_pages
    from bench.profile_ingest import profile_ingest
    from bench.query_bench import bench_queries, build_replicated, pandas_vs_duckdb

    only = set(args.only.split(","))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    qsizes = [int(s) for s in args.query_sizes.split(",") if s.strip()]
    psizes = [int(s) for s in args.page_sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    raw = args.out / "results.json"
    res = _load(raw)  # stages not re-run keep their last figures
    res.update(machine=machine(), workers=args.workers, repeats=args.repeats)
    cmd = "python -m bench " + shlex.join(sys.argv[1:])
    # A run of every stage replaces all figures; a partial run adds its command to the earlier ones.
    earlier = [] if only >= set(STAGES) else res.get("commands", [])
    res["commands"] = sorted({*earlier, cmd.strip()})

    def save() -> None:
        raw.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")

    real_sizes = [int(s) for s in args.real_sizes.split(",") if s.strip()]
    if "ingest" in only:
        # Both corpora at each size, one after the other, so their figures share the machine's load.
        # Page sizes need a generated database only when the pages run on the generator's corpus.
        page_synthetic = psizes if args.page_corpus != "samples" else []
        runs = [(n, "synthetic") for n in sorted(set(sizes) | {s for s in qsizes + page_synthetic
                                                                if s < REPLICATED})]
        runs += [(n, "samples") for n in real_sizes]
        for n, kind in sorted(runs):
            key = "ingest" if kind == "synthetic" else "ingest_samples"
            res.setdefault(key, {})[str(n)] = bench_ingest(n, args.out, args.workers, args.seed, log, kind)
            save()
    if "profile" in only:
        corpus, _ = ensure_corpus(args.out, min(1000, max(real_sizes or [1000])), args.seed, "samples")
        log("profiling a single-worker ingest of 300 real-sample files …")
        res["profile"] = profile_ingest(
            corpus, args.out / "profile.duckdb", 300, args.out / "profile_ingest.txt"
        )
        save()
    if "spy" in only:
        from bench.spy import record

        corpus, _ = ensure_corpus(args.out, min(real_sizes or [1000]), args.seed, "samples")
        log(f"sampling an ingest of {corpus.name} with py-spy …")
        spied = record(corpus, args.out, args.workers)
        if spied is None:
            log("  py-spy is not installed (pip install -r requirements-dev.txt): skipped")
        else:
            res["spy"] = {**spied, "load_avg_1m": os.getloadavg()[0]}
            save()
    if "candidates" in only:
        from bench.candidates import measure

        n_real = min(real_sizes or [1000])
        corpus, _ = ensure_corpus(args.out, max(n_real, 1000), args.seed, "samples")
        log("measuring the speed-up candidates on the real-sample corpus …")
        res["candidates"] = {**measure(corpus, db_path(args.out, max(n_real, 1000), "samples")),
                             "load_avg_1m": os.getloadavg()[0]}
        save()
    ingested = sorted(int(n) for n in res.get("ingest", {}) if db_path(args.out, int(n)).exists())
    if "queries" in only:
        for s in qsizes:
            db, extra = _query_db(s, ingested, args.out, build_replicated, args.rebuild)
            if db is None:
                log(f"skip queries at {s}: no database (ingest that size first)")
                continue
            log(f"queries on {db.name} …")
            from loaders.writer import store

            counts = store.table_counts(db)
            entry = {
                "reports": counts["reports"],
                "issues": counts["issues"],
                **extra,
                "queries": bench_queries(db, args.repeats, log),
                "load_avg_1m": os.getloadavg()[0],  # other work on the machine inflates the latencies
            }
            res.setdefault("queries", {})[str(s)] = entry
            g = pandas_vs_duckdb(db, args.repeats)
            res.setdefault("naive", {}).setdefault("groupby", {})[str(s)] = {
                "reports": counts["reports"],
                **g,
            }
            log(f"  pandas vs duckdb group-by: {g['ratio']:.1f}x")
            save()
    if "pages" in only:
        for s in psizes:
            db = db_path(args.out, s, args.page_corpus)
            if not db.exists():
                log(f"skip pages at {s}: no database")
                continue
            log(f"pages on {db.name} …")
            only_pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
            res.setdefault("pages", {})[str(s)] = bench_pages(db, args.repeats, log, only_pages)
            log(f"downloads on {db.name} …")
            res.setdefault("exports", {})[str(s)] = bench_exports(db, args.repeats, log)
            res.setdefault("pages_load_avg_1m", {})[str(s)] = os.getloadavg()[0]
            res.setdefault("pages_corpus", {})[str(s)] = args.page_corpus
            save()
    if "naive" in only:
        corpus, _ = ensure_corpus(args.out, args.naive_size, args.seed)
        log(f"naive writer vs bulk writer on {args.naive_size} files …")
        res.setdefault("naive", {})["writers"] = bench_writers(corpus, args.out, log)
        save()
    return res


def _query_db(
    size: int, ingested: list[int], out: Path, build, rebuild: bool = False
) -> tuple[Path | None, dict[str, Any]]:
    if size < REPLICATED:
        db = db_path(out, size)
        return (db if db.exists() else None), {}
    if not ingested:
        return None, {}
    src, dst = db_path(out, max(ingested)), out / f"db_{size}_replicated.duckdb"
    # Replicating takes ~30-50 s; a copy made after its source was last written holds the same rows.
    if not rebuild and dst.exists() and dst.stat().st_mtime > src.stat().st_mtime:
        log(f"  reusing {dst.name} (newer than {src.name}; --rebuild to make it again)")
        from bench.query_bench import describe_replicated

        return dst, {"replicated": describe_replicated(src, dst)}
    rep = build(src, dst, size, log)
    return dst, {"replicated": rep}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    res = _load(args.out / "results.json") if args.render_only else run(args)
    notes = args.notes.read_text("utf-8") if args.notes.exists() else ""
    args.results.write_text(results.render(res, notes), "utf-8")
    log(f"done in {time.perf_counter() - t0:.0f} s; wrote {args.results}")
    for target, measured, verdict, why in results.evaluate(res):
        print(f"  {verdict:>10}  {target}: {measured} — {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
