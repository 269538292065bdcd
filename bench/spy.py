"""Where ingest CPU goes, per process and per stage, from a py-spy sample of a real ingest (workers included).

Usage (py-spy is a dev tool: pip install py-spy; it samples the running processes, ~no overhead):
  py-spy record --subprocesses --rate 200 --format raw --output bench/out/spy.txt -- \
      python -m bench.worker --db /tmp/spy.duckdb --workers 2 bench/out/samples_1000
  python -m bench.spy bench/out/spy.txt
Each sample's stack is charged to the innermost frame that belongs to a stage below (so a regular
expression run by find_deadlines counts as deadlines, wherever it was called from); samples of a thread
blocked on a lock or a pipe are left out. Samples measure time on the CPU run queue, not CPU: on a loaded
machine they over-weight the main process's threads (its result thread unpickles while the main thread
waits for the GIL), so take the main process's split from `python -m bench.candidates` instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# (stage, substrings of a frame "function (file:line)"), tried innermost frame first, in this order.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("start-up (imports)", ("<frozen importlib",)),
    ("deadlines", ("loaders/parser/deadline_finder.py",)),
    ("status", ("loaders/parser/status.py",)),
    ("figures", ("loaders/parser/figures.py",)),
    ("normalize", ("loaders/parser/normalize.py",)),
    ("read (decode, HTML)", ("loaders/parser/read/", "trafilatura", "lxml", "justext", "charset_normalizer")),
    ("segment", ("loaders/parser/segment.py",)),
    ("meta, regions", ("loaders/parser/meta.py", "loaders/parser/regions.py")),
    ("parse (other)", ("loaders/parser/parse.py", "loaders/models.py")),
    ("rows (Report -> columns -> Arrow)", ("loaders/writer/rows.py",)),
    ("store (DuckDB write, checkpoint)", ("loaders/writer/store.py",)),
    ("hashing", ("file_sha256", "hashlib")),
    ("pickling, process pool", ("multiprocessing/", "concurrent/futures", "pickle")),
)


# Leaf frames of a thread blocked on a lock, a pipe or a timer: py-spy counts some of them as active.
WAITING = ("Condition.wait", "select (selectors.py", "Connection._recv (", "Queue.get (", "sleep (")
WAIT = "waiting (not CPU)"


def stage_of(frames: list[str]) -> str:
    if any(frames[-1].startswith(w) or w in frames[-1] for w in WAITING):
        return WAIT
    for frame in reversed(frames):
        for stage, marks in STAGES:
            if any(m in frame for m in marks):
                return stage
    return "other"


def summarise(raw: Path) -> dict[str, dict[str, int]]:
    """{"main" | "workers": {stage: samples}} from py-spy's raw (collapsed stacks) output."""
    out: dict[str, Counter[str]] = {"main": Counter(), "workers": Counter()}
    for line in raw.read_text("utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        role = "workers" if len(frames) > 1 and frames[1].startswith("process ") else "main"
        out[role][stage_of(frames)] += int(count)
    return {role: dict(c.most_common()) for role, c in out.items()}


def table(summary: dict[str, dict[str, int]], cpu_ms_per_file: dict[str, float] | None = None) -> list[str]:
    """Markdown rows: stage, share of the process's samples, and ms per file when the CPU is known."""
    busy = {role: {s: c for s, c in counts.items() if s != WAIT} for role, counts in summary.items()}
    total = sum(sum(c.values()) for c in busy.values())
    rows = ["| process | stage | share of all busy samples | share of the process |"
            + (" ms CPU per file |" if cpu_ms_per_file else ""),
            "|---|---|---:|---:|" + ("---:|" if cpu_ms_per_file else "")]
    for role, counts in busy.items():
        n = sum(counts.values())
        for stage, c in counts.items():
            ms = f" {cpu_ms_per_file[role] * c / n:.2f} |" if cpu_ms_per_file else ""
            rows.append(f"| {role} | {stage} | {100 * c / total:.1f} % | {100 * c / n:.1f} % |{ms}")
    return rows


def record(corpus: Path, out: Path, workers: int) -> dict[str, Any] | None:
    """Sample a fresh ingest of corpus with py-spy (None when py-spy is not installed): the per-stage
    summary and the CPU the ingest reported for its processes."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists() and shutil.which(exe) is None:
        return None
    raw, db = out / "spy.txt", out / "spy.duckdb"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    cmd = [exe, "record", "--subprocesses", "--rate", "200", "--format", "raw", "--output", str(raw), "--",
           sys.executable, "-m", "bench.worker", "--db", str(db), "--workers", str(workers), str(corpus)]
    run = subprocess.run(cmd, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    if run.returncode != 0 or not raw.exists():
        raise RuntimeError(f"py-spy failed ({run.returncode}): {run.stderr[-2000:]}")
    # The worker's JSON line, among py-spy's own messages on the same stdout.
    summary = json.loads(next(ln for ln in reversed(run.stdout.splitlines()) if ln.startswith("{")))
    files = summary["files_seen"]
    return {
        "files": files,
        "summary": summarise(raw),
        "cpu_ms_per_file": {"main": 1000 * summary["cpu_main"] / files,
                            "workers": 1000 * summary["cpu_workers"] / files},
        "seconds": summary["seconds"],
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    summary = summarise(Path(args[0]))
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    print("\n".join(table(summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
