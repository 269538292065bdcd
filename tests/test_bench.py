"""The benchmark corpus generator: deterministic, realistic, and parsed the way its manifest says."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR as REPORTS_DIR

from bench.corpus import MANIFEST, corpus_files, full_width, generate, revise
from bench.pools import load_pools
from bench.textgen import EXPLICIT_RESULTS
from bench.units import all_places

N_FILES = 20


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("corpus")
    return out, generate(N_FILES, out, seed=7)


def _decode(path: Path, encoding: str) -> str:
    """The file's text; for a web page, its paragraphs one per line (enough to count planted lines)."""
    text = path.read_bytes().decode(encoding)
    return html.unescape(re.sub(r"<[^>]+>", "\n", text)) if path.suffix == ".html" else text


def test_same_seed_gives_same_bytes(corpus: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = corpus
    again = tmp_path / "again"
    generate(N_FILES, again, seed=7)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first == {p.name: p.read_bytes() for p in again.iterdir()}
    other = tmp_path / "other"
    generate(N_FILES, other, seed=8)
    assert (other / "r00000.txt").exists() or (other / "r00000.html").exists()
    assert {p.name: p.read_bytes() for p in other.iterdir()} != first


def test_prefix_of_a_larger_corpus_is_the_smaller_corpus(corpus: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = corpus
    generate(N_FILES + 5, tmp_path)
    for p in corpus_files(out):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes()


def test_manifest_totals_and_variety(corpus: tuple[Path, dict]) -> None:
    out, m = corpus
    files = m["files"]
    assert len(files) == len(corpus_files(out)) == N_FILES
    assert m["totals"]["reports"] == sum(len(f["reports"]) for f in files)
    assert m["totals"]["issues"] == sum(r["issues"] for f in files for r in f["reports"])
    assert {f["layout"] for f in files} == {"a", "b", "c", "d"}
    assert any(f["encoding"] == "gb18030" for f in files)
    assert any(f["file"].endswith(".html") for f in files)
    # Report keys (unit, date, part) never collide, or the database would merge reports.
    keys = [(r["unit"], r["published_on"], r["part"]) for f in files for r in f["reports"]]
    assert len(keys) == len(set(keys))


def test_files_decode_and_carry_the_planted_structure(corpus: tuple[Path, dict]) -> None:
    out, m = corpus
    for f in m["files"]:
        text = _decode(out / f["file"], f["encoding"])
        main = f["reports"][0]
        assert main["issuer"] in text
        assert f"{int(main['published_on'][:4])}年" in text
        if f["layout"] == "d":  # every 001-style issue prints its explicit result
            results = re.findall(r"整改结果[::](\S+)", text)
            assert len(results) == f["n_issues"]
            expected = Counter(EXPLICIT_RESULTS[r] for r in results)
            assert expected == sum((Counter(r["explicit"]) for r in f["reports"]), Counter())
            assert len(f["reports"]) - 1 == len(re.findall(r"^附件\d+\s*$", text, re.M))


def test_revise_changes_bytes_but_not_the_expected_parse(tmp_path: Path) -> None:
    generate(N_FILES, tmp_path)
    before = {p.name: p.read_bytes() for p in corpus_files(tmp_path)}
    changed = revise(tmp_path, 0.1)
    assert len(changed) == 2
    after = {p.name: p.read_bytes() for p in corpus_files(tmp_path)}
    assert sorted(n for n in before if before[n] != after[n]) == changed
    assert revise(tmp_path, 0.1, revision=0) == changed
    assert {p.name: p.read_bytes() for p in corpus_files(tmp_path)} == before


def test_pools_come_from_every_sample_layout() -> None:
    pools = load_pools(REPORTS_DIR)
    assert "学懂弄通做实习近平新时代中国特色社会主义思想存在薄弱环节" in pools.a_titles  # 000
    assert "学习领会不够深刻" in pools.b_titles  # 002
    assert any(t.startswith("关于学习宣传贯彻党的二十大精神") for t in pools.c_titles)  # 004
    assert any(t.startswith("战略性新兴产业规模相对偏小") for t in pools.d_items)  # 001
    assert not any("个问题" in s and "整改措施" in s for s in pools.org)  # stated totals are re-planted
    assert len(all_places()) >= 300


def test_full_width_leaves_urls_and_phones_alone() -> None:
    line = "联系方式:0572-2289069;原文链接:http://a.gov.cn/x,y(一)关于"
    assert full_width(line) == "联系方式:0572-2289069;原文链接:http://a.gov.cn/x,y(一)关于"


@pytest.fixture(scope="module")
def parsed(corpus: tuple[Path, dict]) -> list[tuple[dict, list]]:
    """(manifest entry, parsed reports) per generated file."""
    from loaders.parse import parse_file

    out, m = corpus
    return [(f, parse_file(out / f["file"])) for f in m["files"]]


def test_parser_yields_the_manifest_counts(parsed: list[tuple[dict, list]]) -> None:
    mismatches = []
    for f, reports in parsed:
        got = [len(r.issues) for r in reports]
        want = [r["issues"] for r in f["reports"]]
        if got != want:
            mismatches.append(f"{f['file']} ({f['layout']}, {f['encoding']}): parsed {got}, expected {want}")
    assert not mismatches, "\n".join(mismatches)


def test_parser_keeps_every_explicit_status(parsed: list[tuple[dict, list]]) -> None:
    mismatches = []
    for f, reports in parsed:
        got = [
            dict(Counter(i.status.status for i in r.issues if i.status.source == "explicit")) for r in reports
        ]
        want = [r["explicit"] for r in f["reports"]]
        if got != want:
            mismatches.append(
                f"{f['file']} ({f['layout']}, {f['encoding']}): explicit {got}, expected {want}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_manifest_is_valid_json_with_sorted_keys(corpus: tuple[Path, dict]) -> None:
    out, _ = corpus
    raw = (out / MANIFEST).read_text("utf-8")
    assert json.loads(raw)["n"] == N_FILES


def test_results_mark_targets_met_missed_or_not_measured() -> None:
    from bench.results import evaluate, render

    run = {"seconds": 10.0, "peak_rss": 600 * 2**20}
    ingest = {
        "files": 10000,
        "reports": 15000,
        "issues": 1,
        "mb": 300.0,
        "fresh": {**run, "seconds": 150.0},
        "unchanged": {**run, "seconds": 3.0},
        "changed": run,
        "reports_per_s": 100.0,
        "files_per_s": 66.0,
        "mb_per_s": 2.0,
        "db_bytes": 1,
        "stored_reports": 15000,
        "stored_issues": 1,
        "changed_files": 100,
    }
    res = {
        "machine": {"CPU": "x"},
        "commands": ["python -m bench"],
        "workers": 2,
        "repeats": 3,
        "ingest": {"10000": ingest},
        "pages": {"10000": {"views/a.py": {"cold": 0.7, "warm": 0.1, "error": None}}},
    }
    verdicts = {target.split(" ≤")[0]: verdict for target, _, verdict, _ in evaluate(res)}
    assert verdicts["10,000 reports ingested"] == "**missed**"  # 10,000 / 100 per s = 100 s > 60 s
    assert verdicts["unchanged re-ingest (10,000-file corpus)"] == "met"
    assert verdicts["peak memory (RSS, whole process tree)"] == "met"
    assert verdicts["every page's server-side run at 10,000 reports"] == "**missed**"
    assert verdicts["every dashboard query at 100,000 reports"] == "–"  # not measured
    assert "| 10,000 | 15,000 |" in render(res)
