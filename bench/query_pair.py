"""Paired timing of every query_bench call: an older checkout on its database against this one on its own,
alternating call by call in two long-lived processes (so both sides see the same load), median of `repeats`
after a warm-up; wall and CPU seconds of each side's process.

Usage:
    git archive OLD | tar -x -C /tmp/old      # the code to compare against
    python -m bench.query_pair --before /tmp/old --before-db OLD.duckdb --after-db NEW.duckdb [--only a,b]
Each side answers "name label" lines on stdin with a JSON [wall, cpu] (null: not called with that label).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _side(code: str, db: str, repeats: int) -> None:
    """Serve timings (run in the child process, with `code` first on sys.path)."""
    import statistics
    import time

    sys.path.insert(0, code)
    from bench import query_bench

    path = Path(db)
    values = query_bench.sample_values(path)
    sets = query_bench.filter_sets(values)
    fns = query_bench.public_queries()
    print(json.dumps(sorted(fns)), flush=True)
    for line in sys.stdin:
        name, label = line.split()
        fn = fns[name]
        try:
            args = query_bench._arguments(fn, path, sets[label], values, "" if label == "all" else "整改")
        except (TypeError, AttributeError):
            args = None
        if args is None or ("f" not in args and label != "all"):
            print(json.dumps(None), flush=True)
            continue
        fn(**args)
        walls, cpus = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            fn(**args)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        print(json.dumps([statistics.median(walls), statistics.median(cpus)]), flush=True)


def _start(code: str, db: str, repeats: int) -> tuple[subprocess.Popen[str], list[str]]:
    # This file runs by its path (the old checkout may predate it); its side imports `code`'s queries.
    cmd = [sys.executable, __file__, "--side", code, db, str(repeats)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=code, env={**os.environ, "PYTHONPATH": code})
    return proc, _answer(proc)


def _answer(proc: subprocess.Popen[str]) -> Any:
    """The side's next JSON line (DuckDB's progress bar, drawn on stdout for a slow query on a loaded
    machine, is skipped)."""
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the side process ended")
        with contextlib.suppress(json.JSONDecodeError):
            return json.loads(line.rsplit("\r", 1)[-1])


def _ask(proc: subprocess.Popen[str], name: str, label: str) -> list[float] | None:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"{name} {label}\n")
    proc.stdin.flush()
    return _answer(proc)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="checkout of the code to compare against")
    ap.add_argument("--before-db", required=True)
    ap.add_argument("--after-db", required=True)
    ap.add_argument("--only", default="", help="comma-separated query names (default: all)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write {call: [[wall, cpu] before, [wall, cpu] after]} here")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--side"]:
        _side(argv[1], argv[2], int(argv[3]))
        return 0
    args = ap.parse_args(argv)
    before, names = _start(args.before, args.before_db, args.repeats)
    after, _ = _start(str(ROOT), args.after_db, args.repeats)
    only = set(args.only.split(",")) if args.only else set(names)
    out = {}
    for name in names:
        if name not in only:
            continue
        for label in ("all", "typical"):
            old, new = _ask(before, name, label), _ask(after, name, label)
            if old is None or new is None:
                continue
            out[f"{name}/{label}"] = [old, new]
            print(f"{name:30s} {label:8s} before {old[0] * 1000:6.0f} ms (cpu {old[1] * 1000:5.0f})  "
                  f"after {new[0] * 1000:6.0f} ms (cpu {new[1] * 1000:5.0f})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out), encoding="utf-8")
    print("load average:", Path("/proc/loadavg").read_text().split()[:3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
