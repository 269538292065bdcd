"""Ingest benchmark: fresh ingest, unchanged re-ingest and 1%-changed re-ingest, each in a measured
subprocess."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.corpus import MANIFEST, generate, revise
from bench.proc import run_measured
from loaders import store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHANGED_FRACTION = 0.01


def ensure_corpus(out_root: Path, n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """bench/out/corpus_N, generated unless a complete one with the same seed is there."""
    d = out_root / f"corpus_{n}"
    mf = d / MANIFEST
    if mf.exists():
        m = json.loads(mf.read_text("utf-8"))
        if m.get("n") == n and m.get("seed") == seed:
            revise(d, CHANGED_FRACTION, revision=0)  # undo an interrupted 1%-changed run
            return d, m
    shutil.rmtree(d, ignore_errors=True)
    return d, generate(n, d, seed)


def db_path(out_root: Path, n: int) -> Path:
    return out_root / f"db_{n}.duckdb"


def remove_db(db: Path) -> None:
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}.wal")) if p.exists())


def _ingest(corpus: Path, db: Path, workers: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.worker", "--db", str(db), "--workers", str(workers), str(corpus)]
    run = run_measured(cmd, PROJECT_ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"ingest failed ({run.returncode}): {run.stderr[-2000:]}")
    return {
        "seconds": run.seconds,
        "peak_rss": run.peak_rss,
        "load_avg_1m": os.getloadavg()[0],  # other work on the machine inflates the times
        **{f"summary_{k}": v for k, v in run.output.items()},
    }


def bench_ingest(n: int, out_root: Path, workers: int, seed: int, log) -> dict[str, Any]:
    """Figures for one corpus size. The corpus is left as generated and db_N holds its ingest."""
    corpus, m = ensure_corpus(out_root, n, seed)
    t = m["totals"]
    db = db_path(out_root, n)
    remove_db(db)
    log(f"ingest {n} files ({t['reports']} reports, {t['bytes'] / 1e6:.1f} MB) with {workers} workers …")
    fresh = _ingest(corpus, db, workers)
    counts = store.table_counts(db)
    res: dict[str, Any] = {
        "n": n,
        "files": t["files"],
        "reports": t["reports"],
        "issues": t["issues"],
        "mb": t["bytes"] / 1e6,
        "fresh": fresh,
        "reports_per_s": t["reports"] / fresh["seconds"],
        "files_per_s": t["files"] / fresh["seconds"],
        "mb_per_s": t["bytes"] / 1e6 / fresh["seconds"],
        "db_bytes": db_bytes(db),
        "stored_reports": counts["reports"],
        "stored_issues": counts["issues"],
    }
    log(f"  fresh: {fresh['seconds']:.1f} s, peak {fresh['peak_rss'] / 2**20:.0f} MiB; re-ingest unchanged …")
    res["unchanged"] = _ingest(corpus, db, workers)
    changed = revise(corpus, CHANGED_FRACTION, revision=1)
    try:
        log(f"  re-ingest with {len(changed)} files changed …")
        res["changed"] = _ingest(corpus, db, workers)
        res["changed_files"] = len(changed)
    finally:
        revise(corpus, CHANGED_FRACTION, revision=0)
    after = store.table_counts(db)
    res["counts_stable"] = after["reports"] == counts["reports"] and after["issues"] == counts["issues"]
    res["db_bytes_after"] = db_bytes(db)
    return res
