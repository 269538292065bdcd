"""Parser parity: the `parse --json` output of a fixed set of files, dumped once and compared after a change.

Usage:
    python -m bench.parity --dump bench/out/parity_before   # on the commit to compare against (copy this
                                                            # file there if the commit predates it)
    python -m bench.parity --check bench/out/parity_before  # after the change: exit 1 on any difference
    (add `--extra FOLDER` to both to compare a larger corpus too)

The files: every document in data/reports, tests/realworld/full, tests/realworld/openings and
tests/series/dongchangfu, plus generated ones (the bench generator's corpus and the real-sample corpus,
written once into bench/out/parity_inputs and reused, so both sides parse the same bytes). Each file's
output is exactly what `python -m loaders parse FILE --json` prints (same function, same json.dumps),
produced in one process to keep the check fast; a parser crash is recorded as its message, not raised.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOC_DIRS = ("data/reports", "tests/realworld/full", "tests/realworld/openings", "tests/series/dongchangfu")
SUFFIXES = {".txt", ".html", ".htm", ".docx", ".pdf"}
INPUTS = PROJECT_ROOT / "bench" / "out" / "parity_inputs"
GENERATED = {"corpus": ("bench.corpus", 60), "samples": ("bench.samples", 20)}


def _generated(inputs: Path) -> list[Path]:
    """The generated files (written on first use; the generators are seeded, but the real-sample corpus
    parses the samples to rename them, so the files are kept rather than regenerated after a change)."""
    out: list[Path] = []
    for name, (module, n) in GENERATED.items():
        folder = inputs / name
        if not folder.is_dir():
            import importlib

            importlib.import_module(module).main(["--n", str(n), "--out", str(folder)])
        out += sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES)
    return out


def parity_files(inputs: Path = INPUTS, extra: list[Path] | None = None) -> list[Path]:
    files: list[Path] = []
    for d in DOC_DIRS:
        files += sorted(p for p in (PROJECT_ROOT / d).rglob("*") if p.suffix in SUFFIXES)
    for folder in extra or []:
        files += sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES)
    return files + _generated(inputs)


def render(path: Path) -> str:
    """What `python -m loaders parse PATH --json` prints (or the CLI's failure message)."""
    from loaders.writer import accept

    try:
        reports = accept.parse_file(str(path), path.read_bytes())
    except Exception as exc:
        return f"FAILED {type(exc).__name__}: {exc}\n"
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2) + "\n"


def _name(path: Path) -> str:
    path = path.resolve()
    rel = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path.relative_to("/")
    return str(rel).replace("/", "__") + ".json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.parity", description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dump", type=Path, help="write each file's output into this folder")
    mode.add_argument("--check", type=Path, help="compare each file's output with this folder's")
    ap.add_argument("--extra", type=Path, action="append", default=[],
                    help="also compare every document under this folder (repeatable; e.g. a larger corpus "
                         "from bench.samples or bench.corpus, passed the same way to --dump and --check)")
    args = ap.parse_args(argv)
    files = parity_files(extra=args.extra)
    t0 = time.process_time()
    outputs = {_name(p): render(p) for p in files}
    cpu = time.process_time() - t0
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (args.dump / name).write_text(text, encoding="utf-8")
        digest = hashlib.sha256("".join(outputs[k] for k in sorted(outputs)).encode()).hexdigest()[:16]
        print(f"dumped {len(outputs)} files to {args.dump} (sha256 {digest}; parse CPU {cpu:.2f} s)")
        return 0
    stored = {p.name for p in args.check.glob("*.json")}
    missing = sorted(stored - outputs.keys())
    extra = sorted(outputs.keys() - stored)
    differ = sorted(n for n in outputs.keys() & stored
                    if (args.check / n).read_text(encoding="utf-8") != outputs[n])
    for label, names in (("differs", differ), ("missing now", missing), ("new", extra)):
        for n in names:
            print(f"{label}: {n}")
    same = len(outputs.keys() & stored) - len(differ)
    print(f"{same} of {len(stored)} outputs identical; {len(differ)} differ, {len(missing)} missing, "
          f"{len(extra)} new (parse CPU {cpu:.2f} s)")
    return 1 if differ or missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
