"""Where ingest time goes: cProfile of an in-process, single-worker ingest of part of a corpus."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any

from bench.corpus import corpus_files
from bench.ingest_bench import remove_db
from loaders.writer import ingest

# Functions whose cumulative time splits ingest into its stages (name as cProfile prints it).
STAGES = {
    "read (bytes -> text)": "read_document",
    "normalize": "normalize",
    "parse (whole pipeline)": "parse_file",
    "status": "decide_status",
    "deadlines": "find_deadlines",
    "figures": "extract_figures",
    "store (bulk write)": "write_files",
    "hashing": "file_sha256",
}


def profile_ingest(corpus: Path, db: Path, n_files: int, report: Path) -> dict[str, Any]:
    files = corpus_files(corpus)[:n_files]
    remove_db(db)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    ingest.ingest_paths(files, db, workers=1, progress=False)
    prof.disable()
    total = time.perf_counter() - t0
    remove_db(db)
    stats = pstats.Stats(prof)
    stages: dict[str, float] = {}
    for (_file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for label, fn in STAGES.items():
            if name == fn:
                stages[label] = max(stages.get(label, 0.0), ct)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
    buf.write("\n\n--- by own time ---\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(30)
    report.write_text(buf.getvalue(), encoding="utf-8")
    return {"files": len(files), "seconds": total, "stages": stages, "per_file_ms": 1000 * total / len(files)}
