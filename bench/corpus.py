"""Deterministic corpus generator: N realistic reports recombined from the real samples, plus a manifest.

Usage: python -m bench.corpus --n 1000 --out bench/out/corpus_1000 [--seed 7]
Every file i depends only on (seed, i) and the unit/date drawn for it, so the same seed gives the same
bytes, and the first 100 files of a 1,000-file corpus are the 100 files of the 100-file corpus.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.layout_d import render_d
from bench.layouts import Ctx, Rendered, render_a, render_b, render_c
from bench.pools import Pools, load_pools
from bench.shapes import chrome, one_line, page, pick_shape, table_page, traditional
from bench.textgen import Unit, county_unit, department_unit, make_dates, renamer
from bench.units import DEPARTMENTS, all_places, cities

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORTS_DIR = PROJECT_ROOT / "data" / "reports"
MANIFEST = "manifest.json"
LAYOUTS = {"a": render_a, "b": render_b, "c": render_c, "d": render_d}
LAYOUT_WEIGHTS = {"a": 30, "b": 20, "c": 20, "d": 30}
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2025, 12, 31)


@dataclass(frozen=True)
class Assignment:
    """Who publishes file i and when; (unit, date) pairs are unique so report keys never collide."""

    unit: Unit
    published: date


def assign(seed: int, n: int) -> list[Assignment]:
    rng = random.Random(f"{seed}:units")
    places, city_list = all_places(), cities()
    span = (LAST_DAY - FIRST_DAY).days
    used: set[tuple[str, date]] = set()
    out: list[Assignment] = []
    while len(out) < n:
        if rng.random() < 0.85:
            unit = county_unit(rng.choice(places))
        else:
            unit = department_unit(rng.choice(city_list)[1], rng.choice(DEPARTMENTS))
        published = FIRST_DAY + timedelta(days=rng.randint(0, span))
        if (unit.unit, published) not in used:
            used.add((unit.unit, published))
            out.append(Assignment(unit, published))
    return out


def render(seed: int, i: int, a: Assignment, pools: Pools, revision: int = 0) -> tuple[str, Rendered]:
    rng = random.Random(f"{seed}:file:{i}")
    layout = rng.choices(list(LAYOUT_WEIGHTS), weights=list(LAYOUT_WEIGHTS.values()))[0]
    if layout == "d" and a.unit.place is None:  # combined reports with attachments are county-level
        layout = "a"
    ctx = Ctx(
        rng,
        pools,
        a.unit,
        make_dates(a.published, rng),
        renamer(a.unit, pools.names),
        rng.randint(1, 15),
        revision,
    )
    return layout, LAYOUTS[layout](ctx)


# --- formats and encodings ------------------------------------------------------------------------------

_HALF_TO_FULL = str.maketrans({",": ",", ":": ":", ";": ";"})
_AFTER_CJK = re.compile(r"(?<=[\u4e00-\u9fff”。)])[,:;]")


def full_width(text: str) -> str:
    """Full-width punctuation as many published pages print it (but leave URLs and phone numbers alone)."""
    text = _AFTER_CJK.sub(lambda m: m.group(0).translate(_HALF_TO_FULL), text)
    return text.replace("(", "(").replace(")", ")")


def to_html(lines: list[str], title: str, charset: str, rng: random.Random) -> str:
    """A government web page: site chrome around the article's paragraphs."""
    return page(title, "\n".join(f"<p>{html.escape(ln)}</p>" for ln in lines if ln.strip()), charset, rng)


def encode(lines: list[str], rng: random.Random) -> tuple[bytes, str, str]:
    """(bytes, extension, encoding label): mostly UTF-8 .txt; some GB18030; a few HTML pages."""
    if rng.random() < 0.15:
        lines = [full_width(ln) for ln in lines]
    r = rng.random()
    if r < 0.08:
        title = next((ln for ln in lines if "通报" in ln), lines[0])
        if rng.random() < 0.25:
            return to_html(lines, title, "gb2312", rng).encode("gb18030"), ".html", "gb18030"
        return to_html(lines, title, "utf-8", rng).encode("utf-8"), ".html", "utf-8"
    newline = "\r\n" if rng.random() < 0.1 else "\n"
    text = newline.join(lines) + newline
    if r < 0.2:
        return text.encode("gb18030"), ".txt", "gb18030"
    if rng.random() < 0.1:
        return text.encode("utf-8-sig"), ".txt", "utf-8-sig"
    return text.encode("utf-8"), ".txt", "utf-8"


# --- writing --------------------------------------------------------------------------------------------


def shaped(
    seed: int, i: int, a: Assignment, lines: list[str], shapes: Collection[str] | None = None
) -> tuple[str, bytes, str, str]:
    """(shape, bytes, extension, encoding label): the rendered lines printed in one of the page shapes
    (only those in `shapes` when given: a file drawing another one is printed plain)."""
    shape = pick_shape(seed, i)
    if shapes is not None and shape not in shapes:
        shape = "plain"
    rng = random.Random(f"{seed}:format:{i}")
    if shape == "table":
        table = table_page(lines, a.unit, "utf-8", rng)
        if table is not None:
            return shape, table.encode("utf-8"), ".html", "utf-8"
        shape = "chrome"  # a layout without A/B issue headings: a copied page instead
    if shape in ("chrome", "traditional", "oneline"):
        lines = chrome(lines, a.unit, a.published, rng)
    if shape == "traditional":  # mirror sites print UTF-8 (GB18030 holds traditional characters, but the
        # reader's plausibility check takes such bytes for binary: not what is measured here)
        return shape, ("\n".join(traditional(lines)) + "\n").encode("utf-8"), ".txt", "utf-8"
    if shape == "oneline":
        lines = one_line(lines)
    return (shape, *encode(lines, rng))


def build_file(
    seed: int, i: int, a: Assignment, pools: Pools, revision: int = 0, shapes: Collection[str] | None = None
) -> tuple[str, bytes, dict]:
    layout, (lines, specs) = render(seed, i, a, pools, revision)
    shape, data, ext, encoding = shaped(seed, i, a, lines, shapes)
    name = f"r{i:05d}{ext}"
    entry = {
        "file": name,
        "layout": layout,
        "shape": shape,
        "encoding": encoding,
        "bytes": len(data),
        "n_reports": len(specs),
        "n_issues": sum(s.issues for s in specs),
        "reports": [s.to_json() for s in specs],
    }
    return name, data, entry


def generate(
    n: int, out: Path, seed: int = 7, reports_dir: Path = REPORTS_DIR, shapes: Collection[str] | None = None
) -> dict[str, Any]:
    """Write n files and manifest.json into out; return the manifest. `shapes` limits the page shapes
    (default: all of bench.shapes.SHAPE_WEIGHTS); e.g. ("plain", "chrome") for a corpus whose every file
    the parser on this branch reads."""
    pools = load_pools(reports_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, a in enumerate(assign(seed, n)):
        name, data, entry = build_file(seed, i, a, pools, shapes=shapes)
        (out / name).write_bytes(data)
        entries.append(entry)
    return write_manifest(out, "bench.corpus", seed, entries,
                          shapes=sorted(shapes) if shapes is not None else None)


def generator_version(generator: str) -> str:
    """A hash of the generator module's source (and of this module's, which both generators use): a corpus
    kept in bench/out is reused only when it was made by the same code."""
    import hashlib
    import importlib

    h = hashlib.sha256()
    for name in sorted({generator, __name__}):
        h.update(Path(importlib.import_module(name).__file__ or "").read_bytes())
    return h.hexdigest()[:16]


def write_manifest(out: Path, generator: str, seed: int, entries: list[dict], **extra: Any) -> dict[str, Any]:
    """The corpus's manifest.json (what each file should parse to, and the totals); returned as written."""
    manifest = {
        "generator": generator,
        "generator_version": generator_version(generator),
        "seed": seed,
        "n": len(entries),
        **extra,
        "totals": {
            "files": len(entries),
            "reports": sum(e["n_reports"] for e in entries),
            "issues": sum(e["n_issues"] for e in entries),
            "bytes": sum(e["bytes"] for e in entries),
        },
        "files": entries,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    return manifest


def revise(out: Path, fraction: float, revision: int = 1, reports_dir: Path = REPORTS_DIR) -> list[str]:
    """Rewrite a deterministic `fraction` of the corpus with changed bytes but the same parse (revision > 0),
    or as first generated (revision 0). Returns the names of the files rewritten."""
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    seed, n, shapes = manifest["seed"], manifest["n"], manifest.get("shapes")
    pools = load_pools(reports_dir)
    # The picks do not depend on `revision`, so revision=0 restores exactly the files a revision changed.
    picks = sorted(random.Random(f"{seed}:revise").sample(range(n), max(1, round(n * fraction))))
    assignments = assign(seed, n)
    names = []
    for i in picks:
        name, data, _ = build_file(seed, i, assignments[i], pools, revision, shapes)
        (out / name).write_bytes(data)
        names.append(name)
    return names


def corpus_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.name != MANIFEST and p.suffix in (".txt", ".html"))


def generator_cli(
    prog: str, doc: str, what: str, generate_fn: Callable[[int, Path, int], dict[str, Any]],
    argv: list[str] | None = None,
) -> int:
    """The command line of a corpus generator (this module's and bench.samples'): --n files to --out."""
    ap = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    ap.add_argument("--n", type=int, required=True, help=f"number of files ({what}) to write")
    ap.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    t = generate_fn(args.n, args.out, args.seed)["totals"]
    print(
        f"Wrote {t['files']} files ({t['reports']} reports, {t['issues']} issues, "
        f"{t['bytes'] / 1e6:.1f} MB) to {args.out} in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return generator_cli("python -m bench.corpus", __doc__ or "", "documents", generate, argv)


if __name__ == "__main__":
    sys.exit(main())
