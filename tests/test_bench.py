"""The benchmark corpus generator: deterministic, realistic, and parsed the way its manifest says."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR as REPORTS_DIR

from bench import samples
from bench.corpus import MANIFEST, assign, build_file, corpus_files, full_width, generate, revise
from bench.pools import load_pools
from bench.shapes import SHAPE_WEIGHTS, pick_shape, traditional
from bench.textgen import EXPLICIT_RESULTS
from bench.units import all_places
from loaders.config import section

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
        issuer = traditional([main["issuer"]])[0] if f["shape"] == "traditional" else main["issuer"]
        assert issuer in text
        assert f"{int(main['published_on'][:4])}年" in text
        if f["layout"] == "d":  # every 001-style issue prints its explicit result
            results = re.findall(r"整改结果[::](\S+)", text)
            assert len(results) == f["n_issues"]
            expected = Counter(EXPLICIT_RESULTS[r] for r in results)
            assert expected == sum((Counter(r["explicit"]) for r in f["reports"]), Counter())
            if f["shape"] != "oneline":
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
def shaped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    """One generated file per page shape (the first file index drawing it), with its manifest entry."""
    out = tmp_path_factory.mktemp("shapes")
    pools, found = load_pools(REPORTS_DIR), {}
    assignments = assign(7, 400)
    for i, a in enumerate(assignments):
        shape = pick_shape(7, i)
        if shape in found:
            continue
        name, data, entry = build_file(7, i, a, pools)
        if entry["shape"] != shape:  # a table drawn for a layout without A/B headings
            continue
        (out / name).write_bytes(data)
        found[shape] = (out / name, entry)
        if len(found) == len(SHAPE_WEIGHTS):
            break
    return found


def test_every_page_shape_is_generated_as_described(shaped: dict[str, tuple[Path, dict]]) -> None:
    assert set(shaped) == set(SHAPE_WEIGHTS)
    chrome_path, _ = shaped["chrome"]
    text = chrome_path.read_bytes().decode("utf-8")
    assert "发布时间:" in text and "【打印本页】【关闭窗口】" in text
    table_path, table = shaped["table"]
    page = table_path.read_text("utf-8")
    assert table_path.suffix == ".html" and "<th>反馈问题</th>" in page
    assert page.count("<tr><td>") == table["n_issues"]  # one row per issue
    trad_path, trad = shaped["traditional"]
    text = trad_path.read_text("utf-8")
    assert "關於" in text and "关于" not in text
    assert traditional([trad["reports"][0]["unit"]])[0] in text
    one_path, one = shaped["oneline"]
    text = _decode(one_path, one["encoding"])
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 if one_path.suffix == ".txt" else len(lines) <= 8  # a page: chrome + one paragraph


def test_shapes_can_be_limited_and_revise_keeps_the_limit(tmp_path: Path) -> None:
    m = generate(30, tmp_path, shapes=("plain",))
    assert {f["shape"] for f in m["files"]} == {"plain"} and m["shapes"] == ["plain"]
    before = {p.name: p.read_bytes() for p in corpus_files(tmp_path)}
    changed = revise(tmp_path, 0.1)
    assert revise(tmp_path, 0.1, revision=0) == changed
    assert {p.name: p.read_bytes() for p in corpus_files(tmp_path)} == before


def test_reports_are_sized_like_real_ones(tmp_path: Path) -> None:
    """Real reports average ~31 KB, ~27 issues (and ~66 measures): the generator's must be close."""
    m = generate(60, tmp_path)
    t = m["totals"]
    assert 22 <= t["issues"] / t["reports"] <= 33
    assert 24_000 <= t["bytes"] / t["reports"] <= 40_000


def test_planted_figure_kinds_are_the_configured_ones(corpus: tuple[Path, dict]) -> None:
    _, m = corpus
    kinds = {e["kind"] for e in section("figures")["accountability"]}
    planted = {k for f in m["files"] for r in f["reports"] for k in r["figures"]}
    assert planted and planted <= kinds


@pytest.fixture(scope="module")
def parsed(corpus: tuple[Path, dict]) -> list[tuple[dict, list]]:
    """(manifest entry, parsed reports) per generated file."""
    from loaders.parser.parse import parse_file

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


# A report whose every line break was lost is split again at headings and item labels, which recovers most
# items but not all (31 of 36 on this file): a known gap of the run-on split, kept visible as an xfail.
RUN_ON_GAP = pytest.mark.xfail(reason="run-on split recovers most, not all, items", strict=True)


@pytest.mark.parametrize("shape", [pytest.param(s, marks=RUN_ON_GAP) if s == "oneline" else s
                                   for s in SHAPE_WEIGHTS])
def test_every_page_shape_parses_to_its_manifest(shape: str, shaped: dict[str, tuple[Path, dict]]) -> None:
    from loaders.parser.parse import parse_file

    path, entry = shaped[shape]
    reports = parse_file(path)
    assert [len(r.issues) for r in reports] == [r["issues"] for r in entry["reports"]]


def test_parsed_figures_hold_the_planted_values(parsed: list[tuple[dict, list]]) -> None:
    checked = 0
    for f, reports in parsed:
        for want, got in zip(f["reports"], reports, strict=False):
            values = {fig.kind: float(fig.value) for fig in got.figures}
            for kind, value in want["figures"].items():
                assert values.get(kind) == pytest.approx(value), (f["file"], kind)
                checked += 1
    assert checked > 0


@pytest.fixture(scope="module")
def sample_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("samples")
    return out, samples.generate(12, out, seed=7)


def test_real_sample_corpus_parses_to_its_manifest(sample_copies: tuple[Path, dict]) -> None:
    from loaders.parser.parse import parse_file

    out, m = sample_copies
    originals = {s.name[:3]: s for s in samples.load_samples()}
    assert len(corpus_files(out)) == m["totals"]["files"] == 12
    keys: list[str] = []
    units: list[tuple[str, int]] = []
    for f in m["files"]:
        reports = parse_file(out / f["file"])
        assert [(r.part, len(r.issues)) for r in reports] == [(r["part"], r["issues"]) for r in f["reports"]]
        source = originals[f["layout"].removeprefix("sample:")]
        assert reports[0].unit != source.reports[0]["unit"]  # renamed
        keys += [r.key for r in reports]
        rounds = int(f["file"][1:6]) // len(originals)  # copies of one round share one place's names
        units += [(r.unit, rounds) for r in reports]
    assert len(keys) == len(set(keys)) == m["totals"]["reports"]
    # A unit belongs to one round's place only (001's 附件4 once kept its own name in every copy).
    rounds_of: dict[str, set[int]] = {}
    for unit, rnd in units:
        rounds_of.setdefault(unit, set()).add(rnd)
    assert all(len(r) == 1 for r in rounds_of.values()), rounds_of


def test_real_sample_corpus_is_deterministic_and_revisable(sample_copies: tuple[Path, dict],
                                                           tmp_path: Path) -> None:
    out, _ = sample_copies
    samples.generate(12, tmp_path, seed=7)
    before = {p.name: p.read_bytes() for p in corpus_files(tmp_path)}
    assert before == {p.name: p.read_bytes() for p in corpus_files(out)}
    changed = samples.revise(tmp_path, 0.2)
    after = {p.name: p.read_bytes() for p in corpus_files(tmp_path)}
    assert sorted(n for n in before if before[n] != after[n]) == changed
    assert samples.revise(tmp_path, 0.2, revision=0) == changed
    assert {p.name: p.read_bytes() for p in corpus_files(tmp_path)} == before


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
        "fresh": {**run, "seconds": 150.0, "readers": {"max_s": 3.5, "probes": 40, "over_2s": 2}},
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
    real = {**ingest, "files": 1000, "reports": 1800, "reports_per_s": 600.0, "cpu_ms_per_file": 9.0,
            "cpu_main_ms_per_file": 3.0, "floor": {"seconds": 0.1, "cpu_seconds": 0.1},
            "floor_ratio": 30.0, "floor_cpu_ratio": 90.0,
            "fresh": {**run, "readers": {"max_s": 0.5, "probes": 10, "over_2s": 0}}}
    res = {
        "machine": {"CPU": "x"},
        "commands": ["python -m bench"],
        "workers": 2,
        "repeats": 3,
        "ingest": {"10000": ingest},
        "ingest_samples": {"1000": real},
        "pages": {"10000": {"views/a.py": {"cold": 0.7, "warm": 0.1, "error": None}}},
        "exports": {"10000": {"docx brief": {"seconds": 0.3, "bytes": 4096},
                              "xlsx ledger": {"seconds": 0.6, "bytes": 8192}}},
    }
    verdicts = {target.split(" ≤")[0].split(" ≥")[0]: verdict for target, _, verdict, _ in evaluate(res)}
    assert verdicts["ingest of the 1,000-file real-sample corpus, 2 workers"] == "met"  # 600 >= 500
    assert verdicts["CPU per file, all processes, real-sample corpus"] == "**missed**"  # 9 ms > 7 ms
    assert verdicts["peak RSS of the process tree at 10,000 real files"] == "–"  # only 1,000 real files
    assert verdicts["longest wait of a read-only connection during an ingest"] == "**missed**"  # 3.5 s
    assert verdicts["unchanged re-ingest (10,000-file corpus)"] == "met"
    assert verdicts["every page's server-side run at 10,000 files, empty cache"] == "**missed**"
    assert verdicts["every page's server-side run at 10,000 files, cached queries"] == "met"
    assert verdicts["every dashboard query at 100,000 reports"] == "–"  # not measured
    exports = "every download (xlsx ledger and ranking, docx brief) built at 10,000 files"
    assert verdicts[exports] == "**missed**"  # the ledger's 0.6 s
    text = render(res)
    assert "| xlsx ledger | 600 ms, 8 KiB |" in text
    assert "| 10,000 | 15,000 |" in text
    assert "| real samples | 1,000 | 1,800 |" in text


def test_status_ab_replays_the_parsers_calls_through_both_status_modules(tmp_path: Path, capsys) -> None:
    """Against its own checkout the paired status bench finds every decision identical (exit 0) and times
    both sides."""
    from bench import status_ab

    root = Path(__file__).resolve().parent.parent
    argv = ["--other", str(root), "--corpus", str(tmp_path / "c"), "--n", "2", "--repeat", "1"]
    assert status_ab.main(argv) == 0
    out = capsys.readouterr().out
    assert "other: median" in out and "this: median" in out and " 0 decisions differ" in out


def test_profile_parse_stages_add_up_and_leave_the_parser_as_it_was() -> None:
    """`python -m bench.profile_parse --stages [--cold]`: each stage's own CPU, nested stages subtracted
    (their sum stays within the whole parse), and parse.py's functions are restored afterwards."""
    from bench import profile_parse
    from loaders.parser import parse

    data = [(str(p), p.read_bytes()) for p in sorted(REPORTS_DIR.glob("*.txt"))[:2]]
    before = {name: getattr(parse, name) for name in profile_parse._STAGE_CALLS}
    for cold in (False, True):
        own = profile_parse._stages(data, repeat=1, cold=cold)
        whole = own.pop("whole parse")
        assert {"read", "normalize", "segment", "status", "chrome", "meta"} <= own.keys()
        assert all(ms >= 0 for ms in own.values()) and 0 < sum(own.values()) <= whole * 1.01
    assert {name: getattr(parse, name) for name in profile_parse._STAGE_CALLS} == before
