"""Ingest benchmark: fresh ingest, unchanged re-ingest and 1%-changed re-ingest, each in a measured
subprocess, on either corpus: the generator's (`synthetic`) or renamed copies of the real samples
(`samples`). Beside the times: CPU per file, the floor (reading and decoding the same files) and the
longest wait of a read-only connection during the fresh ingest."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import corpus as synthetic
from bench import samples
from bench.proc import run_measured
from loaders.writer import store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHANGED_FRACTION = 0.01
MANIFEST = synthetic.MANIFEST
# corpus kind -> (generate, revise, folder prefix, database prefix); the synthetic corpus keeps the
# names the query and page stages use (corpus_N, db_N).
CORPORA: dict[str, tuple[Callable[..., dict[str, Any]], Callable[..., list[str]], str, str]] = {
    "synthetic": (synthetic.generate, synthetic.revise, "corpus", "db"),
    "samples": (samples.generate, samples.revise, "samples", "db_samples"),
}
PROBE_INTERVAL_S = 0.25  # how often the reader probe opens a read-only connection during an ingest


def ensure_corpus(out_root: Path, n: int, seed: int, kind: str = "synthetic") -> tuple[Path, dict[str, Any]]:
    """bench/out/<corpus|samples>_N, generated unless a complete one with the same seed is there."""
    generate, revise, prefix, _ = CORPORA[kind]
    d = out_root / f"{prefix}_{n}"
    mf = d / MANIFEST
    if mf.exists():
        m = json.loads(mf.read_text("utf-8"))
        if (m.get("n") == n and m.get("seed") == seed and m.get("generator") == generate.__module__
                and m.get("generator_version") == synthetic.generator_version(generate.__module__)):
            revise(d, CHANGED_FRACTION, revision=0)  # undo an interrupted 1%-changed run
            return d, m
    shutil.rmtree(d, ignore_errors=True)
    return d, generate(n, d, seed)


def db_path(out_root: Path, n: int, kind: str = "synthetic") -> Path:
    return out_root / f"{CORPORA[kind][3]}_{n}.duckdb"


def remove_db(db: Path) -> None:
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}.wal")) if p.exists())


class ReaderProbe:
    """A dashboard stand-in: every PROBE_INTERVAL_S, open a read-only connection and count the reports,
    timing each attempt from its start to its answer (the time a page render would wait for the writer)."""

    def __init__(self, db: Path) -> None:
        self.db, self.errors = db, 0
        self.waits: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ReaderProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(PROBE_INTERVAL_S):
            if not self.db.exists():
                continue
            t0 = time.perf_counter()
            try:
                with store.read_connection(self.db, timeout=120) as con:
                    con.execute("SELECT count(*) FROM reports").fetchone()
            except (store.StoreError, store.duckdb.Error):  # before the first batch created the schema
                self.errors += 1
                continue
            self.waits.append(time.perf_counter() - t0)

    def figures(self) -> dict[str, Any]:
        w = self.waits
        return {
            "probes": len(w),
            "max_s": max(w, default=None),
            "median_s": statistics.median(w) if w else None,
            "over_2s": sum(x > 2.0 for x in w),
            "not_ready": self.errors,
        }


def floor_read(corpus: Path, manifest: dict[str, Any]) -> dict[str, float]:
    """The floor: read every file and decode it with its known encoding, in this process (second of two
    passes, so the page cache is warm as it is for the ingest)."""
    files = [(corpus / f["file"], f["encoding"]) for f in manifest["files"]]
    for _ in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        chars = sum(len(path.read_bytes().decode(enc)) for path, enc in files)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": wall, "cpu_seconds": cpu, "chars": chars}


def _ingest(corpus: Path, db: Path, workers: int, probe: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.worker", "--db", str(db), "--workers", str(workers), str(corpus)]
    if probe:
        with ReaderProbe(db) as p:
            run = run_measured(cmd, PROJECT_ROOT)
        readers = p.figures()
    else:
        run = run_measured(cmd, PROJECT_ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"ingest failed ({run.returncode}): {run.stderr[-2000:]}")
    out = {
        "seconds": run.seconds,
        "peak_rss": run.peak_rss,
        "load_avg_1m": os.getloadavg()[0],  # other work on the machine inflates the times
        **{f"summary_{k}": v for k, v in run.output.items()},
    }
    if probe:
        out["readers"] = readers
    return out


def bench_ingest(
    n: int, out_root: Path, workers: int, seed: int, log, kind: str = "synthetic"
) -> dict[str, Any]:
    """Figures for one corpus size. The corpus is left as generated and db_N holds its ingest."""
    corpus, m = ensure_corpus(out_root, n, seed, kind)
    revise = CORPORA[kind][1]
    t = m["totals"]
    db = db_path(out_root, n, kind)
    remove_db(db)
    log(f"ingest {n} {kind} files ({t['reports']} reports, {t['bytes'] / 1e6:.1f} MB), {workers} workers …")
    load_before = os.getloadavg()[0]
    fresh = _ingest(corpus, db, workers, probe=True)
    fresh["load_avg_before"] = load_before
    counts = store.table_counts(db)
    cpu = fresh.get("summary_cpu_main", 0.0) + fresh.get("summary_cpu_workers", 0.0)
    floor = floor_read(corpus, m)
    res: dict[str, Any] = {
        "kind": kind,
        "n": n,
        "files": t["files"],
        "reports": t["reports"],
        "issues": t["issues"],
        "mb": t["bytes"] / 1e6,
        "fresh": fresh,
        "reports_per_s": t["reports"] / fresh["seconds"],
        "files_per_s": t["files"] / fresh["seconds"],
        "mb_per_s": t["bytes"] / 1e6 / fresh["seconds"],
        "cpu_ms_per_file": 1000 * cpu / t["files"],
        "cpu_main_ms_per_file": 1000 * fresh.get("summary_cpu_main", 0.0) / t["files"],
        "floor": floor,
        "floor_ratio": fresh["seconds"] / floor["seconds"],
        "floor_cpu_ratio": cpu / floor["cpu_seconds"],
        "db_bytes": db_bytes(db),
        "stored_reports": counts["reports"],
        "stored_issues": counts["issues"],
        "stored_measures": counts.get("measures"),
    }
    main_ms, all_ms = res["cpu_main_ms_per_file"], res["cpu_ms_per_file"]
    log(f"  fresh: {fresh['seconds']:.1f} s, {res['reports_per_s']:.0f} reports/s, {all_ms:.1f} ms CPU "
        f"per file (main {main_ms:.1f}, parsers {all_ms - main_ms:.1f}), peak "
        f"{fresh['peak_rss'] / 2**20:.0f} MiB, reader waited at most {fresh['readers']['max_s'] or 0:.2f} s; "
        "re-ingest unchanged …")
    res["unchanged"] = _ingest(corpus, db, workers)
    changed = revise(corpus, CHANGED_FRACTION, revision=1)
    try:
        log(f"  re-ingest with {len(changed)} files changed …")
        res["changed"] = _ingest(corpus, db, workers, probe=True)
        res["changed_files"] = len(changed)
    finally:
        revise(corpus, CHANGED_FRACTION, revision=0)
    after = store.table_counts(db)
    res["counts_stable"] = after["reports"] == counts["reports"] and after["issues"] == counts["issues"]
    res["db_bytes_after"] = db_bytes(db)
    return res
