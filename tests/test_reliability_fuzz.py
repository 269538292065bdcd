"""Property-based fuzzing of `loaders.parser.parse.parse_text` (hypothesis, derandomised so CI is
reproducible).

parse_text turns any exception into a `parse_error` warning, so "never raises" alone proves little: here every
result must also be a valid Report structure (types, statuses in the allowed set or None, confidences in 0..1,
real dates, strict JSON through to_json) with no `*_error` warning (a stage that crashed), and parsing must be
deterministic. Mutated samples (lines deleted, swapped, duplicated; full-/half-width punctuation flipped;
heading numbers changed; control characters inserted) must still parse, and any large change in the issue
count must come with a new warning that explains it.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import date, datetime

import fixtures_make as fm
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.models import (
    STATUS_SOURCES,
    STATUSES,
    Deadline,
    Figure,
    Issue,
    ParseWarning,
    Report,
    StatusDecision,
)
from loaders.parser.parse import parse_text

PREFIXES = ("000", "001", "002", "003", "004")
SAMPLE_TEXT = {p: fm.sample_text(p) for p in PREFIXES}
SAMPLE_LINES = sorted({ln.strip() for t in SAMPLE_TEXT.values() for ln in t.splitlines() if ln.strip()})

# derandomize: the same examples on every run (CI is reproducible); deadline=None: the first call compiles
# the grammar. Each test stays well under 10 s on a 2-core machine. For a deeper local hunt:
#   FUZZ_SCALE=50 FUZZ_RANDOM=1 pytest tests/test_reliability_fuzz.py
_SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
_DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
FUZZ = settings(max_examples=int(60 * _SCALE), deadline=None, derandomize=_DERANDOMIZE, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MUTATE = settings(max_examples=int(40 * _SCALE), deadline=None, derandomize=_DERANDOMIZE, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- the validator -----------------------------------------------------------------------------------------


def check_reports(reports: object) -> list[Report]:
    """Assert `reports` is a list of valid Report structures; return it."""
    assert isinstance(reports, list)
    for r in reports:
        check_report(r)
    assert sum(1 for r in reports if r.part == "main") <= 1
    return reports


def check_report(r: object) -> None:
    assert isinstance(r, Report)
    assert r.title is None or (isinstance(r.title, str) and r.title.strip())
    assert isinstance(r.unit, str)
    assert r.issuer is None or isinstance(r.issuer, str)
    for v in (r.region.province, r.region.city, r.region.county, r.inspection.team, r.source_url):
        assert v is None or isinstance(v, str)
    for d in (r.published_on, r.inspection.start, r.inspection.end, r.inspection.feedback_on):
        check_date(d)
    assert r.part == "main" or re.fullmatch(r"附件\S{1,4}", r.part), r.part
    assert r.parent_part == (None if r.part == "main" else "main")
    assert isinstance(r.stated, dict)
    for k, v in r.stated.items():
        assert isinstance(k, str) and isinstance(v, int | float) and math.isfinite(v), (k, v)
    for f in r.figures:
        assert isinstance(f, Figure) and f.kind and isinstance(f.unit, str) and isinstance(f.evidence, str)
        assert isinstance(f.value, int | float) and math.isfinite(f.value), f
    for w in r.warnings:
        assert isinstance(w, ParseWarning) and w.code and w.message.strip()
        # parse_text and its stages turn a crash into `parse_error` / `<stage>_error`: that is a bug found.
        assert not w.code.endswith("_error"), f"{w.code}: {w.message}"
    for issue in r.issues:
        check_issue(issue)
    assert len(r.key) == 16 and all(len(r.issue_key(i)) == 16 for i in r.issues)
    # The public JSON shape is strict JSON (no NaN/Infinity) and survives a round trip.
    encoded = json.dumps(r.to_json(), ensure_ascii=False, allow_nan=False)
    encoded.encode("utf-8")
    assert json.loads(encoded) == r.to_json()


def check_issue(i: object) -> None:
    assert isinstance(i, Issue)
    assert isinstance(i.label, str) and isinstance(i.category, str) and isinstance(i.section, str)
    assert isinstance(i.title, str) and i.title.strip(), f"issue {i.label!r} has an empty title"
    s = i.status
    assert isinstance(s, StatusDecision)
    assert s.status is None or s.status in STATUSES, s.status
    if s.status is None:
        assert s.source is None
    else:
        assert s.source in STATUS_SOURCES and s.source != "override"  # only a supervisor overrides
    assert isinstance(s.confidence, int | float) and 0.0 <= s.confidence <= 1.0, s.confidence
    assert isinstance(s.evidence, str) and isinstance(s.rule, str) and s.rule
    assert all(isinstance(m, str) for m in i.measures)
    for d in i.deadlines:
        assert isinstance(d, Deadline) and isinstance(d.text, str) and d.text.strip()
        check_date(d.due_on)


def check_date(d: object) -> None:
    assert d is None or (isinstance(d, date) and not isinstance(d, datetime)), d


def parse_checked(text: str) -> list[Report]:
    reports = check_reports(parse_text(text))
    again = parse_text(text)
    assert [r.to_json() for r in again] == [r.to_json() for r in reports], "parse_text is not deterministic"
    return reports


# --- strategies --------------------------------------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """A Chinese numeral for 0..99999 (一, 十四, 二十, 一百零五, 九万九千九百九十九)."""
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and digit == 1 and not out) else CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


numbers = st.one_of(st.integers(0, 40), st.sampled_from([99, 100, 999, 99999, 10**9, 10**30]))
short_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
cjk_text = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1,
                   max_size=20)
phrase = st.one_of(st.sampled_from(SAMPLE_LINES), cjk_text, short_text)


@st.composite
def headings(draw: st.DrawFn) -> str:
    n = draw(numbers)
    cn = chinese(n % 100000)
    title = draw(phrase)
    form = draw(st.sampled_from([
        f"{cn}、{title}", f"({cn}){title}", f"（{cn}）{title}", f"{n}.{title}", f"{n}、{title}",
        f"({n}){title}",
        f"第{n}问题:{title}", f"问题{n}:{title}", f"关于“{title}”问题的整改情况",
        f"{cn}、关于“{title}”问题的整改",
        f"({cn})关于“{title}”方面问题", f"{n}.关于{title}的问题。", f"附件{n}", f"附件{cn}",
        f"第{cn}批{title}",
        f"整改结果:{title}", f"整改情况:{title}", f"{cn}是{title}。",
    ]))
    return form


PUNCTUATION = list("。，、；：？！“”‘’（）《》【】〔〕…—·,.;:?!()[]{}<>\"'%％＋－＝@#&*/\\|~`^_")
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u2029",
            "\u200b", "\u200d", "\u202e", "\ufeff", "\ufffd", "\u3000", "\xa0", "\t", "\r"]
DATES = st.builds(lambda y, m, d, suffix: f"{y}年{m}月{d}日{suffix}",
                  st.sampled_from([0, 1, 1900, 2019, 2023, 2024, 9999, 99999]), st.integers(0, 14),
                  st.integers(0, 35), st.sampled_from(["", "前", "底前", "之前", "内", "至2024年1月1日"]))
DEADLINES = st.builds(lambda lead, y, tail: f"{lead}{y}{tail}",
                      st.sampled_from(["力争", "预计", "计划", "将于", "确保", "争取"]),
                      st.sampled_from(["9999年", "明年", "今年", "0年", "2024年13月", "2024年2月30日",
                                       "12月份", "年底", "“十四五”末", "2024年第5季度", "99999年上半年"]),
                      st.sampled_from(["完成", "前完成。", "底前投入使用", ""]))
FIGURES = st.builds(lambda label, n, unit: f"给予{label}{n}{unit}",
                    st.sampled_from(["党纪处分", "政务处分", "诫勉", "清退款项", "挽回经济损失", "追缴资金"]),
                    st.sampled_from(["0", "1", "99999", "9" * 40, "1e308", "1.5.6", "-3", "十万", "一千亿"]),
                    st.sampled_from(["人", "万元", "亿元", "元", "项", ""]))
TOTALS = st.builds(lambda a, b, c, d: f"对巡视反馈的{a}大类{b}个方面{c}个问题,细化制定{d}条整改措施",
                   numbers, numbers, numbers, numbers)
PIECE = st.one_of(phrase, headings(), st.sampled_from(PUNCTUATION), st.sampled_from(CONTROLS), DATES,
                  DEADLINES,
                  FIGURES, TOTALS)
SEPARATOR = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "", "\n\n", " ", "\u2028"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(PIECE, SEPARATOR), max_size=60))
    return "".join(p + s for p, s in parts)


# --- never raises, always valid ----------------------------------------------------------------------------


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000))
def test_arbitrary_unicode_text(text: str) -> None:
    parse_checked(text)


@FUZZ
@given(documents())
def test_documents_built_from_report_grammar_and_junk(text: str) -> None:
    reports = parse_checked(text)
    if not text.strip():
        assert reports == []


@FUZZ
@given(st.lists(st.sampled_from(SAMPLE_LINES), min_size=1, max_size=120), st.randoms(use_true_random=False))
def test_sample_lines_in_any_order(lines: list[str], rng) -> None:
    rng.shuffle(lines)
    reports = parse_checked("\n".join(lines))
    assert reports, "text made of report lines always yields at least one report"


@FUZZ
@given(st.sampled_from(PREFIXES),
       st.lists(st.one_of(DEADLINES, FIGURES, DATES, TOTALS), min_size=1, max_size=8))
def test_absurd_dates_numbers_and_deadlines_inside_a_real_report(prefix: str, inserts: list[str]) -> None:
    """Dates like 2024年2月30日 or 99999年, amounts like 10^40 万元: kept or dropped, never a crash or an
    invalid date, never NaN/Infinity in the JSON."""
    lines = SAMPLE_TEXT[prefix].split("\n")
    step = max(1, len(lines) // len(inserts))
    for k, extra in enumerate(inserts):
        at = min(len(lines) - 1, k * step + 1)
        lines[at] = lines[at] + extra + "。"
    parse_checked("\n".join(lines))


def test_the_samples_themselves_are_valid_and_deterministic() -> None:
    for text in SAMPLE_TEXT.values():
        assert parse_checked(text)[0].issues


# --- mutated samples degrade gracefully --------------------------------------------------------------------


def issue_counts(reports: list[Report]) -> int:
    return sum(len(r.issues) for r in reports)


def warning_texts(reports: list[Report]) -> set[tuple[str, str]]:
    return {(w.code, w.message) for r in reports for w in r.warnings}


def assert_degrades_gracefully(original: str, mutated: str, changes: int) -> None:
    """Still parses (valid, no crash); a change of more than two issues per edited line is explained by a
    warning the original did not have (no_issues, numbering_gap, stated_count_mismatch, truncated…)."""
    before = parse_text(original)
    after = parse_checked(mutated)
    delta = abs(issue_counts(after) - issue_counts(before))
    if delta > 2 * changes:
        new = warning_texts(after) - warning_texts(before)
        assert new, f"{delta} issues changed after {changes} edits and no new warning says why"


Edit = tuple[str, int, int]  # (operation, line index, other line index)


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, int]:
    """The text with each line edit applied in turn, and how many lines were touched (a swap moves two)."""
    lines = text.split("\n")
    for op, i, j in edits:
        i, j = i % len(lines), j % len(lines)
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(j, lines[i])
    return "\n".join(lines), sum(2 if op == "swap" else 1 for op, _, _ in edits)


EDITS = st.lists(st.tuples(st.sampled_from(["delete", "swap", "duplicate"]), st.integers(0, 10**4),
                           st.integers(0, 10**4)), min_size=1, max_size=5)


@MUTATE
@given(st.sampled_from(PREFIXES), EDITS)
def test_lines_deleted_swapped_or_duplicated(prefix: str, edits: list[Edit]) -> None:
    mutated, changes = apply_edits(SAMPLE_TEXT[prefix], edits)
    assert_degrades_gracefully(SAMPLE_TEXT[prefix], mutated, changes)


_TO_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
_TO_HALF = {c + 0xFEE0: c for c in range(0x21, 0x7F)}


@MUTATE
@given(st.sampled_from(PREFIXES), st.lists(st.booleans(), min_size=1, max_size=400))
def test_full_and_half_width_punctuation_flipped_changes_nothing(prefix: str, flips: list[bool]) -> None:
    """Web pages mix `(一)` and `（一）`, `:` and `：`: the parse must not depend on the form a line uses."""
    lines = SAMPLE_TEXT[prefix].split("\n")
    flipped = [ln.translate(_TO_FULL if flips[k % len(flips)] else _TO_HALF) for k, ln in enumerate(lines)]
    original = parse_text(SAMPLE_TEXT[prefix])
    mutated = parse_checked("\n".join(flipped))
    assert [[(i.label, i.title, i.status.status) for i in r.issues] for r in mutated] == \
        [[(i.label, i.title, i.status.status) for i in r.issues] for r in original]


_HEADING_NUMBER = re.compile(r"^(?P<open>[((]?)(?P<num>[一二三四五六七八九十]+|\d+)(?P<close>[))]|、|\.)")


def renumber(text: str, picks: list[tuple[int, int]]) -> tuple[str, int]:
    """The text with the printed number of some numbered headings replaced: (k-th heading, new number)."""
    lines = text.split("\n")
    heads = [k for k, ln in enumerate(lines) if _HEADING_NUMBER.match(ln)]
    chosen = {heads[k % len(heads)]: n for k, n in picks}
    for k, n in chosen.items():
        m = _HEADING_NUMBER.match(lines[k])
        assert m
        num = str(n) if m["num"].isdigit() else chinese(n)
        lines[k] = f"{m['open']}{num}{m['close']}" + lines[k][m.end():]
    return "\n".join(lines), len(chosen)


@MUTATE
@given(st.sampled_from(PREFIXES), st.lists(st.tuples(st.integers(0, 10**4),
                                                     st.sampled_from([0, 2, 7, 29, 99, 99999])),
                                           min_size=1, max_size=4))
def test_heading_numbers_changed(prefix: str, picks: list[tuple[int, int]]) -> None:
    mutated, changes = renumber(SAMPLE_TEXT[prefix], picks)
    assert_degrades_gracefully(SAMPLE_TEXT[prefix], mutated, changes)


@MUTATE
@given(st.sampled_from(PREFIXES), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(CONTROLS)),
                                           min_size=1, max_size=30))
def test_control_characters_sprinkled_into_a_sample(prefix: str, inserts: list[tuple[int, str]]) -> None:
    text = SAMPLE_TEXT[prefix]
    for pos, ch in sorted(inserts, reverse=True):
        at = pos % (len(text) + 1)
        text = text[:at] + ch + text[at:]
    # a control character inside a heading may hide it (or a CR may split a line): bounded or explained
    assert_degrades_gracefully(SAMPLE_TEXT[prefix], text, len(inserts))


# --- regressions found by deeper fuzzing (FUZZ_SCALE=30 FUZZ_RANDOM=1) --------------------------------------
# Each is a plausible defect of a copied page that used to drop issues without a word. The parser still stops
# counting there (the heading really ends the list), but now says so with a `skipped_items` warning.


def _insert_before(prefix: str, starts: str, new_lines: list[str]) -> str:
    lines = SAMPLE_TEXT[prefix].split("\n")
    k = next(i for i, ln in enumerate(lines) if ln.startswith(starts))
    return "\n".join([*lines[:k], *new_lines, *lines[k:]])


def skipped(reports: list[Report]) -> list[str]:
    return [w.message for r in reports for w in r.warnings if w.code == "skipped_items"]


def test_a_stray_next_steps_heading_inside_the_issue_list_is_warned() -> None:
    """001: the heading 三、下一步整改工作安排 repeated before item 38 (a page template glitch) stops the main
    report's issue list at 37 items."""
    mutated = _insert_before("001", "38.", ["三、下一步整改工作安排"])
    assert_degrades_gracefully(SAMPLE_TEXT["001"], mutated, 1)
    (message,) = skipped(parse_text(mutated))
    m = re.match(r"(\d+) item\(s\) look like issues but come after “三、下一步整改工作安排”", message)
    assert m and int(m.group(1)) >= 34, message  # items 38-71 (and the category headings among them)


def test_a_date_line_inside_the_issue_list_is_warned() -> None:
    """004: a bare date line before item 21 (a page's 发布时间 printed mid-article) reads as the signature."""
    mutated = _insert_before("004", "21.", ["2023年9月26日"])
    assert_degrades_gracefully(SAMPLE_TEXT["004"], mutated, 1)
    (message,) = skipped(parse_text(mutated))
    assert "come after “2023年9月26日”" in message and "“21.关于" in message, message


def test_a_section_heading_that_lost_its_number_is_warned() -> None:
    """001 附件3: 二、集中整改期内已完成的整改事项 printed without its number leaves its items inside
    the organisation chapter (in the main report or 附件1/2/4 it drops all, with a no_issues warning)."""
    lines = SAMPLE_TEXT["001"].split("\n")
    k = [i for i, ln in enumerate(lines) if ln == "二、集中整改期内已完成的整改事项"][3]
    lines[k] = "集中整改期内已完成的整改事项"
    assert_degrades_gracefully(SAMPLE_TEXT["001"], "\n".join(lines), 1)
    assert any("“(一)问题1:" in m for m in skipped(parse_text("\n".join(lines))))


def test_the_samples_skip_nothing() -> None:
    for text in SAMPLE_TEXT.values():
        assert skipped(parse_text(text)) == []


def test_every_property_test_in_the_run_is_derandomised(request: pytest.FixtureRequest) -> None:
    """A failing example in CI must reproduce locally: conftest loads a derandomised hypothesis profile, and a
    test's own @settings must not turn it off (only FUZZ_RANDOM=1 / HYPOTHESIS_PROFILE=explore may)."""
    profile = os.environ.get("HYPOTHESIS_PROFILE", "derandomized")
    if os.environ.get("FUZZ_RANDOM") == "1" or profile != "derandomized":
        pytest.skip("a random hunt was asked for")
    tests = [*(item.obj for item in request.session.items if hasattr(item, "obj")),
             *(f for name, f in globals().items() if name.startswith("test_"))]  # this module's, always
    found = {f"{t.__module__}.{t.__name__}": (s.derandomize, s.database) for t in tests
             if (s := getattr(t, "_hypothesis_internal_use_settings", None)) is not None}
    assert len(found) >= 8  # this module's own eight property tests at least
    assert {k: v for k, v in found.items() if v != (True, None)} == {}
