"""Status inference CPU, paired: this checkout's status.py against another's, alternating in one process.

Usage: python -m bench.status_ab --other /path/to/checkout [--corpus DIR] [--n 300] [--repeat 7]
The corpus is parsed once to record every `decide_status` call (its arguments as the parser makes them);
then the calls are replayed through the other checkout's `loaders/parser/status.py` and this one's in turn,
`--repeat` times each, with the deadline cache emptied before every pass (status is the first to read an
issue's deadlines). Prints the CPU ms per file of each pass, the medians, and how many decisions differ
(must be 0 for a pure speed change). The other status.py runs on this checkout's other modules (fastrx,
deadline_finder, config), so only status.py itself is compared.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.parity import PROJECT_ROOT
from bench.profile_parse import _corpus

Call = tuple[tuple[Any, ...], dict[str, Any]]


def record(files: list[tuple[str, bytes]]) -> list[Call]:
    """Every decide_status call the parser makes on the files, in order."""
    from loaders.parser import parse

    calls: list[Call] = []
    decide = parse.decide_status

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return decide(*args, **kwargs)

    parse.decide_status = recording  # type: ignore[assignment]
    try:
        for path, raw in files:
            parse.parse_file(path, data=raw)
    finally:
        parse.decide_status = decide
    return calls


def load_other(checkout: Path) -> ModuleType:
    """The other checkout's status.py as a module of its own."""
    path = checkout / "loaders" / "parser" / "status.py"
    spec = importlib.util.spec_from_file_location("status_other", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"No loaders/parser/status.py under {checkout}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["status_other"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _for(module: ModuleType, calls: list[Call]) -> list[Call]:
    """The calls with the report context rebuilt as the module's own class (its phase cache keys on it)."""
    out = []
    for args, kwargs in calls:
        ctx = args[3] if len(args) > 3 else None
        if ctx is not None:
            own = module.ReportContext(ctx.published_on, ctx.feedback_on, ctx.heading)
            args = (*args[:3], own, *args[4:])
        out.append((args, kwargs))
    return out


def _pass(module: ModuleType, calls: list[Call], files: int) -> float:
    from loaders.parser import deadline_finder

    deadline_finder.find_deadlines.cache_clear()
    module._report_prior.cache_clear()
    for cached in ("explicit_status", "heading_status"):
        getattr(getattr(module, cached), "cache_clear", lambda: None)()
    t0 = time.process_time()
    for args, kwargs in calls:
        module.decide_status(*args, **kwargs)
    return (time.process_time() - t0) * 1000 / files


def main(argv: list[str] | None = None) -> int:
    from loaders.parser import status

    ap = argparse.ArgumentParser(prog="python -m bench.status_ab", description=__doc__.splitlines()[0])
    ap.add_argument("--other", type=Path, required=True, help="checkout whose status.py to compare against")
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "bench" / "out" / "samples_200")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    files = _corpus(args.corpus, args.n)
    calls = record(files)
    other = load_other(args.other)
    runs: dict[str, tuple[ModuleType, list[Call], list[float]]] = {
        "other": (other, _for(other, calls), []), "this": (status, calls, [])}
    for module, replay, _ in runs.values():  # warm: compiled patterns, config
        _pass(module, replay[:200], 1)
    for _ in range(args.repeat):
        for module, replay, times in runs.values():
            times.append(_pass(module, replay, len(files)))
    differ = sum(1 for (a, k), (b, kb) in zip(runs["other"][1], calls, strict=True)
                 if repr(other.decide_status(*a, **k)) != repr(status.decide_status(*b, **kb)))
    for name, (_, _, times) in runs.items():
        print(f"{name}: median {statistics.median(times):.3f} ms CPU per file  "
              f"({', '.join(f'{t:.2f}' for t in times)})")
    median = {name: statistics.median(times) for name, (_, _, times) in runs.items()}
    print(f"this/other {median['this'] / median['other'] - 1:+.1%}; {len(calls)} calls on {len(files)} "
          f"files; {differ} decisions differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
