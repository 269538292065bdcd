"""Paired timing of the corrections' write-side costs: an older checkout on its copy of a database against
this one on its own copy (both given the same corrections by bench.corrections_state), alternating step by
step in two long-lived processes so that both see the same load; median CPU and wall seconds per step.

Usage:
    git archive OLD | tar -x -C /tmp/old
    python -m bench.corrections_pair --before /tmp/old --before-db A.duckdb --after-db B.duckdb [--repeats 5]
Steps: `add` (overrides.add_override of a first version whose later versions carry it, in the unit the
corrections carry in), `withdraw` (of that correction), and store.refresh_corrections — the part of a write
that rewrites the copy — for that corrected unit, an uncorrected unit, 5 and 50 units (the corrected one
among them), each in a transaction rolled back afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("add", "withdraw", "refresh_corrected", "refresh_other", "refresh_5", "refresh_50")


def _side(code: str, db: str) -> None:
    """Answer step names on stdin with a JSON [wall, cpu] (run in the child, `code` first on sys.path)."""
    sys.path.insert(0, code)
    from loaders.writer import overrides, store

    with store.connect(db) as con:  # migrates this side's copy once, before any timing
        unit = con.execute("SELECT unit FROM issue_lineage WHERE version > 1 GROUP BY unit "
                           "ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
        key = con.execute("SELECT issue_key FROM issue_lineage WHERE unit = ? AND version = 1 AND superseded "
                          "AND issue_key NOT IN (SELECT issue_key FROM overrides) ORDER BY issue_key LIMIT 1",
                          [unit]).fetchall()[0][0]
        bare = [u for (u,) in con.execute(
            "SELECT DISTINCT report_unit FROM issues WHERE report_unit NOT IN "
            "(SELECT r.unit FROM overrides o JOIN reports r USING (report_key)) ORDER BY 1 LIMIT 49"
        ).fetchall()]
    units = {"refresh_corrected": [unit], "refresh_other": bare[:1], "refresh_5": [unit, *bare[:4]],
             "refresh_50": [unit, *bare]}
    last: list[Any] = []
    print(json.dumps(STEPS), flush=True)
    for line in sys.stdin:
        step = line.strip()
        if step == "add":
            t, c = time.perf_counter(), time.process_time()
            last[:] = [overrides.add_override(db, key, "未完成", "核实", "测试")]
        elif step == "withdraw":
            t, c = time.perf_counter(), time.process_time()
            overrides.withdraw_override(db, last[0].override_id, "测试", "测试")
        else:
            with store.connect(db) as con:  # only refresh_corrections is timed
                t, c = time.perf_counter(), time.process_time()
                con.execute("BEGIN TRANSACTION")
                store.refresh_corrections(con, units[step])
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                con.execute("ROLLBACK")
            print(json.dumps([wall, cpu]), flush=True)
            continue
        print(json.dumps([time.perf_counter() - t, time.process_time() - c]), flush=True)


def _start(code: str, db: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, __file__, "--side", code, db], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=code,
                            env={**os.environ, "PYTHONPATH": code})
    _answer(proc)
    return proc


def _answer(proc: subprocess.Popen[str]) -> Any:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the side process ended")
        try:
            return json.loads(line.rsplit("\r", 1)[-1])
        except json.JSONDecodeError:  # DuckDB's progress bar under load
            continue


def _ask(proc: subprocess.Popen[str], step: str) -> list[float]:
    assert proc.stdin is not None
    proc.stdin.write(step + "\n")
    proc.stdin.flush()
    return _answer(proc)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--side"]:
        _side(argv[1], argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True)
    ap.add_argument("--before-db", required=True)
    ap.add_argument("--after-db", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    before, after = _start(args.before, args.before_db), _start(str(ROOT), args.after_db)
    times: dict[str, list[list[list[float]]]] = {s: [[], []] for s in STEPS}
    loads = []
    for _ in range(args.repeats):
        loads.append(os.getloadavg()[0])
        for step in STEPS:
            times[step][0].append(_ask(before, step))
            times[step][1].append(_ask(after, step))
    for step in STEPS:
        (bw, bc), (aw, ac) = ([statistics.median(x[i] for x in side) for i in (0, 1)] for side in times[step])
        print(f"{step:18s} before cpu {bc * 1000:6.0f} ms wall {bw * 1000:6.0f}   "
              f"after cpu {ac * 1000:6.0f} ms wall {aw * 1000:6.0f}", flush=True)
    print(f"load average (1 min) during the run: {min(loads):.1f}-{max(loads):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
