"""Accuracy of the parser on the realworld development set in tests/realworld/ (openings/, full/, expected).

The same scoring rules as the development set's own scorer (see tests/realworld/README.md), run in-process
through loaders.parser.parse.parse_file:
- unit / team: one of the accepted spellings is a substring of the first report's value;
- start / end / feedback_on / published_on: equal (first 10 characters) to the first report's date;
- stated / figures: each expected value appears among the values of any report's `stated` or `figures`;
- issues (full/ only): the total number of issues over all reports equals the expected count;
- statuses (full/ only): the counts of 完成 / 阶段性完成 / 未完成 equal the expected ones (any other status,
  unknown included, is a miss).

    .venv/bin/python tests/realworld_score.py          # summary line, and the per-field split
    .venv/bin/python tests/realworld_score.py -v       # every miss, file by file
    .venv/bin/python tests/realworld_score.py -v 07_   # only files whose path contains one of the strings

tests/test_realworld_gate.py pins floors on these numbers.
"""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loaders.models import STATUSES

ROOT = Path(__file__).resolve().parent / "realworld"
SUFFIXES = (".txt", ".html", ".htm")
DATE_FIELDS = ("start", "end", "feedback_on")


@dataclass
class Check:
    file: str
    field: str  # "unit", "team", "start", …, "stated.issues", "figure 党纪处分 (人)"
    ok: bool
    expected: Any
    got: Any


@dataclass
class Score:
    checks: list[Check] = field(default_factory=list)
    issues: list[tuple[str, bool, int, int]] = field(default_factory=list)  # (file, ok, expected, got)
    statuses: list[tuple[str, bool, dict, dict]] = field(default_factory=list)
    crashed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return sum(c.ok for c in self.checks)

    @property
    def percent(self) -> float:
        return 100.0 * self.hits / len(self.checks) if self.checks else 0.0

    @property
    def issues_exact(self) -> int:
        return sum(ok for _, ok, _, _ in self.issues)

    @property
    def statuses_exact(self) -> int:
        return sum(ok for _, ok, _, _ in self.statuses)

    def by_field(self) -> dict[str, tuple[int, int]]:
        """(hits, total) per field group: unit, team, start, end, feedback_on, published_on, stated,
        figures."""
        out: dict[str, list[int]] = {}
        for c in self.checks:
            group = c.field.split(".")[0].split(" ")[0]
            group = {"figure": "figures"}.get(group, group)
            hit_total = out.setdefault(group, [0, 0])
            hit_total[0] += c.ok
            hit_total[1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def summary(self) -> str:
        return (f"realworld: {len({c.file for c in self.checks} | {f for f, _ in self.crashed})} files, "
                f"fields {self.hits}/{len(self.checks)} ({self.percent:.1f}%), "
                f"issues exact {self.issues_exact}/{len(self.issues)}, "
                f"statuses exact {self.statuses_exact}/{len(self.statuses)}")


def expected() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "expected.yaml").read_text(encoding="utf-8")) or {}


def files(filters: list[str] | None = None) -> list[Path]:
    paths = sorted(p for sub in ("openings", "full") for p in (ROOT / sub).glob("*")
                   if p.is_file() and p.suffix.lower() in SUFFIXES)
    if filters:
        paths = [p for p in paths if any(f in p.relative_to(ROOT).as_posix() for f in filters)]
    return paths


def _numbers(x: Any, out: list[float]) -> None:
    if isinstance(x, bool):
        return
    if isinstance(x, (int, float)):
        out.append(float(x))
    elif isinstance(x, str):
        with contextlib.suppress(ValueError):
            out.append(float(x))
    elif isinstance(x, dict):
        for v in x.values():
            _numbers(v, out)
    elif isinstance(x, list):
        for v in x:
            _numbers(v, out)


def _expected_numbers(g: dict) -> list[tuple[str, float]]:
    out = [(f"stated.{k}", float(v)) for k, v in (g.get("stated") or {}).items()]
    for f in g.get("figures") or []:
        unit = "" if f.get("unit") is None else f" ({f['unit']})"
        out.append((f"figure {f.get('kind')}{unit}", float(f["value"])))
    return out


def _field_count(g: dict) -> int:
    return (("unit_any" in g) + ("team" in g or "team_any" in g)
            + sum(k in g for k in (*DATE_FIELDS, "published_on")) + len(_expected_numbers(g)))


def check_file(name: str, g: dict, reps: list[dict], score: Score) -> None:
    r = reps[0]
    insp = r.get("inspection") or {}
    if "unit_any" in g:
        got = r.get("unit") or ""
        score.checks.append(Check(name, "unit", any(u in got for u in g["unit_any"]), g["unit_any"], got))
    if "team" in g or "team_any" in g:
        teams = g.get("team_any") or [g["team"]]
        got = insp.get("team") or ""
        score.checks.append(Check(name, "team", any(t in got for t in teams), teams, got))
    for k in (*DATE_FIELDS, "published_on"):
        if k in g:
            got = str((r if k == "published_on" else insp).get(k) or "")[:10]
            score.checks.append(Check(name, k, got == str(g[k]), str(g[k]), got or None))
    nums: list[float] = []
    for rr in reps:
        _numbers(rr.get("stated") or {}, nums)
        for f in rr.get("figures") or []:
            _numbers(f.get("value"), nums)
    for label, v in _expected_numbers(g):
        score.checks.append(Check(name, label, any(abs(n - v) < 1e-6 for n in nums), v, None))
    issues = [i for rr in reps for i in (rr.get("issues") or [])]
    if "issues" in g:
        score.issues.append((name, len(issues) == int(g["issues"]), int(g["issues"]), len(issues)))
    if "statuses" in g:
        want = {s: int((g["statuses"] or {}).get(s, 0)) for s in STATUSES}
        counts = Counter(i.get("status") for i in issues)
        got = {s: counts.get(s, 0) for s in STATUSES}
        other = sum(n for s, n in counts.items() if s not in STATUSES)
        if other:
            got["其他/未知"] = other
        score.statuses.append((name, got == want, want, got))


def run(filters: list[str] | None = None) -> Score:
    """Parse every development document in-process and score it against expected.yaml. A document the
    product refuses to store (accept.judge_path: the decision of ingest, 导入 and `parse`'s exit code) counts
    as crashed, as the shared scorer counts `parse`'s non-zero exit."""
    from loaders.writer import accept

    score = Score()
    table = expected()
    for path in files(filters):
        name = path.relative_to(ROOT).as_posix()
        g = table.get(name)
        if g is None:
            continue
        try:
            verdict = accept.judge_path(str(path))
            reps = [r.to_json() for r in verdict.reports or ()]
            why = "" if reps else (verdict.reason.en if verdict.reason else "no report")
        except Exception as exc:  # a crash costs the file's fields, it does not stop the run
            reps, why = [], f"{type(exc).__name__}: {exc}"
        if not reps:
            score.crashed.append((name, why))
            score.checks.extend(Check(name, "crash", False, None, why) for _ in range(_field_count(g)))
            if "issues" in g:
                score.issues.append((name, False, int(g["issues"]), 0))
            if "statuses" in g:
                score.statuses.append((name, False, g["statuses"], {}))
            continue
        check_file(name, g, reps, score)
    return score


def report(score: Score, verbose: bool) -> str:
    lines: list[str] = []
    if verbose:
        names = sorted({c.file for c in score.checks})
        for name in names:
            misses = [c for c in score.checks if c.file == name and not c.ok]
            bad_issue = [x for x in score.issues if x[0] == name and not x[1]]
            bad_status = [x for x in score.statuses if x[0] == name and not x[1]]
            if not (misses or bad_issue or bad_status):
                continue
            lines.append(f"{name}:")
            for c in misses:
                got = "" if c.got is None else f", got {c.got!r}"
                lines.append(f"    miss {c.field}: expected {c.expected}{got}")
            for _, _, want, got in bad_issue:
                lines.append(f"    miss issues: expected {want}, got {got}")
            for _, _, want, got in bad_status:
                lines.append(f"    miss statuses: expected {want}, got {got}")
    for name, why in score.crashed:
        lines.append(f"crashed: {name}: {why}")
    per = ", ".join(f"{k} {h}/{t}" for k, (h, t) in score.by_field().items())
    lines.append(f"per field: {per}")
    lines.append(score.summary())
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    score = run([a for a in argv if not a.startswith("-")])
    print(report(score, "-v" in argv))
    return 1 if score.crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
