"""Parser CPU per file, in one process: plain timing, then a cProfile split into stages.

Usage: python -m bench.profile_parse [--corpus bench/out/samples_200] [--n 200] [--repeat 3] [--profile]
The corpus defaults to 200 real-sample copies (written by bench.samples when missing). "plain" is the best
of `--repeat` passes of process CPU time per file (no profiler); the stages are cumulative cProfile times
per file (the profiler inflates them; read them as shares).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from bench.parity import PROJECT_ROOT

# Stage → function name as cProfile prints it (cumulative time; nested stages overlap their parents).
STAGES = {
    "read": "read_document",
    "to_simplified": "to_simplified",
    "normalize": "normalize",
    "chrome": "strip",
    "meta": "extract",
    "segment": "segment",
    "status": "decide_status",
    "deadlines": "find_deadlines",
    "figures": "extract_figures",
    "whole parse": "parse_file",
}


def _corpus(folder: Path, n: int) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        from bench import samples

        samples.main(["--n", str(n), "--out", str(folder)])
    files = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html"))[:n]
    return [(str(p), p.read_bytes()) for p in files]


def main(argv: list[str] | None = None) -> int:
    from loaders.parser.parse import parse_file

    ap = argparse.ArgumentParser(prog="python -m bench.profile_parse", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "bench" / "out" / "samples_200")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="also print the cProfile stages")
    args = ap.parse_args(argv)
    data = _corpus(args.corpus, args.n)
    for path, raw in data[:5]:  # warm the caches (config, compiled patterns)
        parse_file(path, data=raw)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.process_time()
        for path, raw in data:
            parse_file(path, data=raw)
        best = min(best, time.process_time() - t0)
    print(f"plain: {best * 1000 / len(data):.2f} ms CPU per file (best of {args.repeat}, {len(data)} files)")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for path, raw in data:
            parse_file(path, data=raw)
        prof.disable()
        stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        for stage, func in STAGES.items():
            cum = sum(v[3] for (f, _, name), v in stats.items() if name == func and "loaders" in f)
            print(f"  {stage:14s} {cum * 1000 / len(data):6.2f} ms per file (profiled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
