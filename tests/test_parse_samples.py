"""The real sample reports parse to the structure a reader sees in them.

The expected structure of each sample is data beside it (`data/reports/<name>.expected.yaml`, found by glob):
adding a sample is adding its document and its expectations file. The tests further down check particular
layouts and robustness (other punctuation, wrapping, encodings) on every sample.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    EXPECTED_SUFFIX,
    SAMPLES_DIR,
    document_of,
    expectation_paths,
    load_expectation,
    sample_path,
    sample_paths,
)

from loaders.models import Report
from loaders.parser.parse import parse_file, parse_text
from loaders.writer.ingest import collect_files

EXPECTATIONS = {document_of(p): load_expectation(p) for p in expectation_paths()}
DOCUMENTS = sorted(EXPECTATIONS)
SAMPLES = [p.name[:3] for p in sample_paths()]  # the prefixes "000"…"004" of the .txt samples


def sample_id(path: Path) -> str:
    return path.name.split("_")[0]


@functools.cache
def parsed_document(path: Path) -> tuple[Report, ...]:
    return tuple(parse_file(path))  # any report format: a sample may be a web page, .docx or .pdf


def parsed(prefix: str) -> tuple[Report, ...]:
    return parsed_document(sample_path(prefix))


def by_part(prefix: str) -> dict[str, Report]:
    return {r.part: r for r in parsed(prefix)}


# --- the expectations files ---------------------------------------------------------------------------------


def test_every_sample_document_has_its_expectations_and_ingest_skips_them() -> None:
    """collect_files (what ingest reads in a folder) lists the documents and never an expectations file."""
    documents = collect_files([SAMPLES_DIR])
    assert sorted(documents) == DOCUMENTS
    assert len(DOCUMENTS) == len(expectation_paths()) > 0  # one expectations file per document
    assert not [p for p in documents if p.name.endswith(EXPECTED_SUFFIX)]


@pytest.mark.parametrize("path", DOCUMENTS, ids=sample_id)
def test_reports_units_dates_and_issue_counts(path: Path) -> None:
    expected = EXPECTATIONS[path]["reports"]
    reports = parsed_document(path)
    assert [r.part for r in reports] == [e["part"] for e in expected]
    for report, want in zip(reports, expected, strict=True):
        part = want["part"]
        assert report.unit == want["unit"], part
        assert report.published_on == want["published_on"], part
        assert len(report.issues) == want["issues"], part
        assert report.parent_part == (None if part == "main" else "main"), part


def _checked(want: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """`got` limited to the keys `want` names (a key left out of the expectations is not checked)."""
    return {k: got[k] for k in want}


@pytest.mark.parametrize("path", DOCUMENTS, ids=sample_id)
def test_titles_issuers_regions_and_inspections(path: Path) -> None:
    for report, want in zip(parsed_document(path), EXPECTATIONS[path]["reports"], strict=True):
        part = want["part"]
        for key in ("title", "issuer"):
            if key in want:
                assert getattr(report, key) == want[key], (part, key)
        if "region" in want:
            region = {"province": report.region.province, "city": report.region.city,
                      "county": report.region.county}
            assert _checked(want["region"], region) == want["region"], part
        if "inspection" in want:
            i = report.inspection
            inspection = {"team": i.team, "start": i.start, "end": i.end, "feedback_on": i.feedback_on}
            assert _checked(want["inspection"], inspection) == want["inspection"], part


@pytest.mark.parametrize("path", DOCUMENTS, ids=sample_id)
def test_status_sources_and_counts(path: Path) -> None:
    want = EXPECTATIONS[path]["statuses"]
    issues = [i for r in parsed_document(path) for i in r.issues]
    if want["source"] == "explicit":
        assert {i.status.source for i in issues} == {"explicit"}
    else:
        # Every decided status comes from the rules; one the rules cannot decide is unknown, and said so.
        assert all(i.status.source == want["source"] for i in issues if i.status.status is not None)
        for report in parsed_document(path):
            unknown = [i.label for i in report.issues if i.status.status is None]
            warned = [w for w in report.warnings if w.code == "unknown_status"]
            assert bool(unknown) == bool(warned), report.part
            for label in unknown:
                assert label in warned[0].message
    if "counts" in want:
        assert Counter(i.status.status for i in issues) == want["counts"]
    for phrase, n in want.get("printed", {}).items():
        assert sum(1 for i in issues if i.status.status == "完成" and phrase in i.status.evidence) == n


@pytest.mark.parametrize("path", DOCUMENTS, ids=sample_id)
def test_numbering_gaps_are_warnings(path: Path) -> None:
    gaps = [w.message for r in parsed_document(path) for w in r.warnings if w.code == "numbering_gap"]
    expected = EXPECTATIONS[path]["numbering_gaps"]
    assert len(gaps) == len(expected), gaps
    for message, missing in zip(gaps, expected, strict=True):
        assert missing in message, (missing, message)


# --- particular layouts ------------------------------------------------------------------------------------


def test_source_link_is_kept_and_chrome_is_not_content() -> None:
    assert by_part("000")["main"].source_url.startswith("http://www.zjsjw.gov.cn/")
    for prefix in SAMPLES:
        for report in parsed(prefix):
            for issue in report.issues:
                text = issue.title + "".join(issue.measures)
                for chrome in ("免责声明", "扫一扫", "发布日期", "文章内容来自网络", "原文链接"):
                    assert chrome not in text


def test_001_item_result_wins_over_its_section_heading() -> None:
    main = by_part("001")["main"]
    in_done_section = [i for i in main.issues if i.section == "集中整改期内已完成的整改事项"]
    assert len(in_done_section) == 71
    assert Counter(i.status.status for i in in_done_section)["阶段性完成"] == 44
    annex3 = by_part("001")["附件3"]
    last = annex3.issues[-1]
    assert last.section.startswith("集中整改期内未完成或长期整改") and last.status.status == "未完成"


def test_004_keeps_the_printed_numbers_across_its_gaps() -> None:
    # The gaps themselves are warnings (004's expectations file); the labels stay as printed.
    report = by_part("004")["main"]
    labels = [i.label for i in report.issues if i.category.startswith("贯彻落实党的路线方针政策")]
    assert labels[:3] == ["1", "2", "6"] and labels[-2:] == ["28", "30"]


def test_004_issue_without_guanyu_and_summary_section() -> None:
    report = by_part("004")["main"]
    titles = [i.title for i in report.issues]
    assert "执行干部选拔任用制度不严" in titles
    assert not any("巡视移交问题线索" in t for t in titles)
    first = report.issues[0]
    assert first.title == "学习宣传贯彻党的二十大精神氛围不浓厚"
    assert len(first.measures) >= 2 and first.measures[1].startswith("二是")  # 一是…二是… split
    assert {i.category for i in report.issues} == {
        "贯彻落实党的路线方针政策、党中央重大决策部署以及省委工作要求有差距",
        "管党治党政治责任链条拧得不紧,贯彻落实全面从严治党战略方针有薄弱环节",
        "贯彻落实新时代党的组织路线存在不足",
        "巡视监督发现问题整改不到位",
    }


def test_000_measures_include_the_unlabelled_one() -> None:
    issues = by_part("000")["main"].issues
    assert [i.label for i in issues][:3] == ["一", "二", "三"]
    assert issues[0].title == "学懂弄通做实习近平新时代中国特色社会主义思想存在薄弱环节"
    assert len(issues[0].measures) == 4 and issues[0].measures[0].startswith("深入学思践悟。")
    fifth = issues[4]
    assert fifth.title == "推进高效能区域治理有短板"
    assert fifth.measures == (fifth.measures[0],) and fifth.measures[0].startswith("推进依法行政。")


def test_002_issues_measures_and_organisation_section() -> None:
    issues = by_part("002")["main"].issues
    assert issues[0].title == "学习领会不够深刻" and len(issues[0].measures) == 2
    assert issues[27].title == "主体责任落实不平衡问题"  # quote placed differently
    assert issues[23].measures[0].startswith("严格干部选用程序。")  # unlabelled measure
    everything = "".join(m for i in issues for m in i.measures)
    assert "深化思想认识,增强政治自觉" not in everything  # the organisation section's 一是
    assert "强化理论武装,一以贯之学深用好新思想" not in everything  # next steps


def test_001_layout_variants() -> None:
    reports = by_part("001")
    main = reports["main"]
    assert main.issues[0].category == "贯彻落实党中央重大决策部署和省委工作要求不实,高质量发展质效不高"
    assert main.issues[0].title == "战略性新兴产业规模相对偏小,构建现代化产业体系还有差距"
    # 附件1/2: the feedback heading is the issue itself (no category).
    assert all(i.category == "" for i in reports["附件1"].issues + reports["附件2"].issues)
    assert reports["附件1"].issues[0].title.startswith("政治理论学习不够深入。")
    # 附件3: (一)问题1:X — labelled by the problem number.
    assert [i.label for i in reports["附件3"].issues][:2] == ["问题1", "问题2"]
    # 附件4: 1.问题2:X + (1) sub-points, which are measures, not issues.
    annex4 = reports["附件4"]
    second = annex4.issues[1]
    assert (second.label, second.category) == ("问题2", "理论学习没有走深走实")
    assert [m[:9] for m in second.measures] == ["学习氛围不够浓厚。", "基层党组织学习存在"]
    assert [i.label for i in annex4.issues] == [f"问题{n}" for n in range(1, 37)]


@pytest.mark.parametrize("prefix", SAMPLES)
def test_no_next_steps_contacts_or_headings_inside_issues(prefix: str) -> None:
    for report in parsed(prefix):
        for issue in report.issues:
            assert issue.title and issue.measures, (report.part, issue.label)
            for measure in issue.measures:
                assert not measure.startswith(("下一步", "一、", "二、", "三、", "四、", "附件"))
                for marker in ("欢迎广大干部群众", "联系电话", "邮政信箱", "下一阶段整改工作安排"):
                    assert marker not in measure


def test_stated_totals_against_parsed_counts() -> None:
    # 000 states 38 problems in 14 aspects and prints one heading per aspect: the warning names both.
    (warning,) = [w for w in by_part("000")["main"].warnings if w.code == "stated_count_mismatch"]
    assert "38" in warning.message and "14" in warning.message
    # The totals and accountability figures come from the opening and summary text, not from measures.
    kinds = {f.kind: f.value for f in by_part("000")["main"].figures}
    assert kinds["party_discipline"] == 38 and kinds["money_refunded"] == 528.09
    assert {f.kind: f.value for f in by_part("004")["main"].figures}["cases_closed"] == 82  # (五) summary


def test_complete_samples_have_no_truncation_warning_but_cut_copies_do() -> None:
    for prefix in SAMPLES:
        assert all(w.code != "truncated" for r in parsed(prefix) for w in r.warnings)
        text = sample_path(prefix).read_text(encoding="utf-8")
        cut = parse_text(text[: len(text) // 2])
        assert any(w.code == "truncated" for w in cut[-1].warnings), prefix


# --- the same document in other clothes parses to the same structure -----------------------------------

FULL_WIDTH = str.maketrans({**{chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}, " ": "\u3000"})
ASCII_PUNCT = str.maketrans({"(": "(", ")": ")", ":": ":", ",": ",", ";": ";", "“": '"', "”": '"',
                             "。": ".", "!": "!", "?": "?"})


def structure(reports: list[Report] | tuple[Report, ...]) -> list:
    return [
        (r.part, r.unit, r.published_on, r.title, r.inspection,
         [(i.label, i.category, i.title, i.status.status, len(i.measures)) for i in r.issues])
        for r in reports
    ]


@pytest.mark.parametrize("prefix", SAMPLES)
@pytest.mark.parametrize("table", [FULL_WIDTH, ASCII_PUNCT], ids=["full-width", "ascii"])
def test_punctuation_variants_parse_alike(prefix: str, table: dict) -> None:
    text = sample_path(prefix).read_text(encoding="utf-8")
    assert structure(parse_text(text.translate(table))) == structure(parsed(prefix))


def rewrap(text: str, width: int) -> str:
    """Hard-wrap every line at `width` characters with CRLF line ends, as a PDF copy would."""
    out = []
    for line in text.splitlines():
        out.extend(line[k:k + width] for k in range(0, max(len(line), 1), width))
    return "\r\n".join(out)


@pytest.mark.parametrize("prefix", SAMPLES)
@pytest.mark.parametrize("width", [36, 42])
def test_rewrapped_crlf_copy_parses_alike(prefix: str, width: int) -> None:
    text = sample_path(prefix).read_text(encoding="utf-8")
    assert structure(parse_text(rewrap(text, width))) == structure(parsed(prefix))


def issue_structure(reports: list[Report] | tuple[Report, ...]) -> list:
    return [(r.part, r.unit, r.title, [(i.label, i.category, i.title, i.status.status) for i in r.issues])
            for r in reports]


@pytest.mark.parametrize("prefix", SAMPLES)
def test_issues_survive_any_wrap_width(prefix: str) -> None:
    # Hard-wrapped text is ambiguous where a paragraph ends exactly at the line end; whatever the width,
    # no issue may be lost, split or retitled (a measure may rarely split in two, e.g. at `下一步,`).
    text = sample_path(prefix).read_text(encoding="utf-8")
    expected = issue_structure(parsed(prefix))
    for width in range(24, 81, 4):
        assert issue_structure(parse_text(rewrap(text, width))) == expected, width


@pytest.mark.parametrize("prefix", SAMPLES)
def test_gb18030_bytes_parse_alike(prefix: str) -> None:
    path = sample_path(prefix)
    data = path.read_text(encoding="utf-8").encode("gb18030")
    assert structure(parse_file(path.name, data=data)) == structure(parsed(prefix))


def test_parse_file_reads_the_sample_itself() -> None:
    path = sample_path("001")
    assert structure(parse_file(path)) == structure(parsed("001"))


# --- robustness ---------------------------------------------------------------------------------------------


def test_news_article_is_one_report_with_no_issues_and_warnings() -> None:
    text = "本报讯 今天上午,全市秋季运动会在体育中心开幕。\n来自各区的1200名运动员参加比赛。\n2024年10月8日"
    (report,) = parse_text(text)
    assert report.issues == ()
    assert {"no_issues", "not_a_report"} <= {w.code for w in report.warnings}
    assert parse_text("") == [] and parse_text(" \n\u3000\n") == []


def test_shuffled_and_truncated_samples_never_raise() -> None:
    rng = random.Random(20240222)
    for prefix in SAMPLES:
        lines = sample_path(prefix).read_text(encoding="utf-8").splitlines()
        for _ in range(5):
            rng.shuffle(lines)
            cut = lines[: rng.randrange(len(lines) + 1)]
            for report in parse_text("\n".join(cut)):
                assert not [w.code for w in report.warnings if w.code.endswith("_error")]  # a crashed stage
