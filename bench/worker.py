"""Subprocess entry point of the ingest benchmark, so the parent can measure this process tree's memory.

python -m bench.worker --db DB --workers 2 CORPUS_DIR  -> prints the IngestSummary as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

from loaders.writer.ingest import ingest_paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.worker")
    ap.add_argument("--db", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    s = ingest_paths(args.paths, args.db, workers=args.workers, progress=False)
    # CPU of this process (hashing, Arrow rows, writes; start-up and imports included) and of the parser
    # processes, which the pool has joined (reaped) by now, so RUSAGE_CHILDREN holds all of theirs.
    me, pool = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "seconds": time.perf_counter() - t0,
        "cpu_main": me.ru_utime + me.ru_stime,
        "cpu_workers": pool.ru_utime + pool.ru_stime,
        "files_seen": s.files_seen,
        "new": s.new,
        "unchanged": s.unchanged,
        "replaced": s.replaced,
        "reports": s.reports,
        "issues": s.issues,
        "warnings": s.warnings,
        "failed": s.failed,
        "failures": s.failures[:10],
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
