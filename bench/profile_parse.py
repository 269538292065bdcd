"""Parser CPU per file, in one process: plain timing, then a cProfile split into stages.

Usage: python -m bench.profile_parse [--corpus bench/out/samples_200] [--n 200] [--repeat 3] [--profile]
                                     [--stages] [--cold]
The corpus defaults to 200 real-sample copies (written by bench.samples when missing). "plain" is the best
of `--repeat` passes of process CPU time per file (no profiler); the stages are cumulative cProfile times
per file (the profiler inflates them; read them as shares). `--stages`: each stage's own CPU per file (the
thread's CPU clock around every call parse.py makes, nested stages subtracted; best pass of `--repeat`),
without a profiler. `--cold`: the parser's per-line caches are emptied before each file, as for a corpus of
distinct reports (copies of five samples share most of their lines, and the caches hide those lines' cost).
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


# parse.py's name of a stage function → the stage it is counted in (--stages)
_STAGE_CALLS = {"read_document": "read", "to_simplified": "to_simplified", "tab_rows_to_pipes": "tables",
                "normalize": "normalize", "segment": "segment", "decide_status": "status",
                "report_warnings": "status", "find_deadlines": "deadlines", "stated_deadline": "deadlines",
                "extract_figures": "figures", "split_reports": "split reports", "_build": "build (rest)"}


def _cold_caches() -> None:
    """Empty the per-line caches (classify, chrome's, normalize's hard starts)."""
    from loaders.parser import chrome, grammar, normalize

    for cached in (grammar.classify, chrome.is_chrome, getattr(chrome, "_text_chrome", None),
                   normalize._hard_start):
        if cached is not None:
            cached.cache_clear()


def _stages(data: list[tuple[str, bytes]], repeat: int, cold: bool) -> dict[str, float]:
    """Each stage's own thread CPU per file, in ms (the best pass): parse.py's calls wrapped."""
    from collections import Counter

    from loaders.parser import parse

    clock, inner = time.thread_time_ns, [0]
    spent: Counter[str] = Counter()

    def wrap(stage, func):
        def timed(*args, **kwargs):
            t0, outer = clock(), inner[0]
            inner[0] = 0
            try:
                return func(*args, **kwargs)
            finally:
                took = clock() - t0
                spent[stage] += took - inner[0]
                inner[0] = outer + took

        return timed

    saved = {name: getattr(parse, name) for name in _STAGE_CALLS}
    saved_chrome = (parse.chrome.strip, parse.chrome.merge)
    saved_meta = (parse.meta_mod.extract, parse.meta_mod.cut_off_at)
    try:
        for name, stage in _STAGE_CALLS.items():
            setattr(parse, name, wrap(stage, saved[name]))
        parse.chrome.strip, parse.chrome.merge = (wrap("chrome", f) for f in saved_chrome)
        parse.meta_mod.extract, parse.meta_mod.cut_off_at = (wrap("meta", f) for f in saved_meta)
        best: Counter | None = None
        for _ in range(repeat):
            spent.clear()
            for path, raw in data:
                if cold:
                    _cold_caches()
                t0 = clock()
                parse.parse_file(path, data=raw)
                spent["whole parse"] += clock() - t0
            if best is None or spent["whole parse"] < best["whole parse"]:
                best = spent.copy()
    finally:
        for name, func in saved.items():
            setattr(parse, name, func)
        parse.chrome.strip, parse.chrome.merge = saved_chrome
        parse.meta_mod.extract, parse.meta_mod.cut_off_at = saved_meta
    assert best is not None
    return {stage: ns / 1e6 / len(data) for stage, ns in best.items()}


def main(argv: list[str] | None = None) -> int:
    from loaders.parser.parse import parse_file

    ap = argparse.ArgumentParser(prog="python -m bench.profile_parse", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "bench" / "out" / "samples_200")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="also print the cProfile stages")
    ap.add_argument("--stages", action="store_true", help="also print each stage's own CPU (no profiler)")
    ap.add_argument("--cold", action="store_true", help="empty the per-line caches before each file")
    args = ap.parse_args(argv)
    data = _corpus(args.corpus, args.n)
    for path, raw in data[:5]:  # warm the caches (config, compiled patterns)
        parse_file(path, data=raw)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.process_time()
        for path, raw in data:
            if args.cold:
                _cold_caches()
            parse_file(path, data=raw)
        best = min(best, time.process_time() - t0)
    print(f"plain: {best * 1000 / len(data):.2f} ms CPU per file (best of {args.repeat}, {len(data)} files)")
    if args.stages:
        own = _stages(data, args.repeat, args.cold)
        whole = own.pop("whole parse")
        rest = whole - sum(own.values())
        for stage, ms in sorted(own.items(), key=lambda kv: -kv[1]):
            print(f"  {stage:14s} {ms:6.2f} ms per file (own CPU)")
        print(f"  {'other':14s} {rest:6.2f} ms per file\n  {'whole parse':14s} {whole:6.2f} ms per file"
              + (" (caches emptied before each file)" if args.cold else ""))
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
