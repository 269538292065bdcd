"""The real-sample corpus: renamed copies of the bundled sample reports (data/reports), every report distinct.

Usage: python -m bench.samples --n 1000 --out bench/out/samples_1000
Copy i reprints sample i mod 5 with another county-level unit's names in place of the sample's own, and
its publication date moved j = i // 5 days later (the dates the parser reads as the reports' own; the
inspection dates and deadlines in the text stay). Unit and date enter every report key, so no two copies
share one. The manifest holds what a correct parse of each copy yields: the original's reports (parts and
issues per part) as the parser reads the original at generation time; tests/test_parse_samples.py pins
those against a reader's count.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.corpus import MANIFEST, REPORTS_DIR, generator_cli, write_manifest
from bench.textgen import cn_date
from bench.units import Place, all_places

REVISION_NOTE = "本通报根据群众意见对个别表述作了订正。"


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    names: tuple[tuple[str, str], ...]  # (name in the sample, field of the new Place that replaces it)
    dates: tuple[date, ...]  # the reports' publication dates (as printed: cn_date)
    reports: tuple[dict[str, Any], ...]  # part, unit, issues of each report as parsed


def _short(county: str) -> str:
    return county[:-1] if len(county) > 2 and county[-1] in "区县市" else county


def load_samples(reports_dir: Path = REPORTS_DIR) -> list[Sample]:
    """Every sample with what to rename in it: its units' names, from the parse of the original."""
    from loaders.parser.parse import parse_text

    out = []
    for path in sorted(reports_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8-sig")
        reports = parse_text(text, path.name)
        main = reports[0]
        names: dict[str, str] = {}
        region = main.region
        if region.city and region.county:
            names |= {region.city + region.county: "unit", region.county: "county",
                      _short(region.county): "short", region.city: "city"}
        if main.unit:
            names.setdefault(main.unit, "unit")
        # An attachment's own unit that does not contain the main one (001's 附件4 岳麓高新区) would stay the
        # same in every copy: one unit with hundreds of reports, which no real corpus has. Prefix it with
        # the copy's unit.
        for r in reports[1:]:
            if r.unit and main.unit and main.unit not in r.unit:
                names.setdefault(r.unit, "prefixed")
        out.append(Sample(
            path.name,
            text,
            tuple(sorted(names.items(), key=lambda kv: -len(kv[0]))),
            tuple(sorted({r.published_on for r in reports if r.published_on is not None})),
            tuple({"part": r.part, "unit": r.unit, "issues": len(r.issues)} for r in reports),
        ))
    if not out:
        raise ValueError(f"No sample reports (*.txt) in {reports_dir}")
    return out


def _place_value(place: Place, field: str) -> str:
    return {"unit": place.unit, "county": place.county, "short": place.short, "city": place.city}[field]


def copy_text(sample: Sample, place: Place, shift_days: int, revision: int = 0) -> str:
    """The sample with place's names for its own and its publication dates moved shift_days later."""
    table = {old: place.unit + old if field == "prefixed" else _place_value(place, field)
             for old, field in sample.names}
    table |= {cn_date(d): cn_date(d + timedelta(days=shift_days)) for d in sample.dates}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    text = pattern.sub(lambda m: table[m.group(0)], sample.text)
    if revision:  # changed bytes, same parse: a sentence at the end of the opening paragraph
        text = re.sub(r"(统一部署[^\n]*)", lambda m: m.group(1) + REVISION_NOTE, text, count=1)
    return text


def _copy(samples: list[Sample], places: list[Place], i: int, revision: int = 0) -> tuple[str, bytes, dict]:
    sample = samples[i % len(samples)]
    j = i // len(samples)
    place = places[j % len(places)]
    data = copy_text(sample, place, j, revision).encode("utf-8")
    name = f"s{i:05d}.txt"
    reports = [dict(r) for r in sample.reports]
    entry = {
        "file": name,
        "layout": f"sample:{sample.name[:3]}",
        "shape": "sample",
        "encoding": "utf-8",
        "bytes": len(data),
        "n_reports": len(reports),
        "n_issues": sum(r["issues"] for r in reports),
        "reports": reports,
    }
    return name, data, entry


def _places(seed: int) -> list[Place]:
    places = list(all_places())
    random.Random(f"{seed}:samples").shuffle(places)
    return places


def generate(n: int, out: Path, seed: int = 7, reports_dir: Path = REPORTS_DIR) -> dict[str, Any]:
    """Write n copies and manifest.json into out; return the manifest."""
    samples, places = load_samples(reports_dir), _places(seed)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for i in range(n):
        name, data, entry = _copy(samples, places, i)
        (out / name).write_bytes(data)
        entries.append(entry)
    return write_manifest(out, "bench.samples", seed, entries)


def revise(out: Path, fraction: float, revision: int = 1, reports_dir: Path = REPORTS_DIR) -> list[str]:
    """As bench.corpus.revise: rewrite a deterministic fraction with changed bytes and the same parse."""
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    seed, n = manifest["seed"], manifest["n"]
    samples, places = load_samples(reports_dir), _places(seed)
    picks = sorted(random.Random(f"{seed}:revise").sample(range(n), max(1, round(n * fraction))))
    names = []
    for i in picks:
        name, data, _ = _copy(samples, places, i, revision)
        (out / name).write_bytes(data)
        names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    return generator_cli("python -m bench.samples", __doc__ or "", "copies", generate, argv)


if __name__ == "__main__":
    sys.exit(main())
