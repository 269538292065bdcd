"""Stated totals and accountability figures: the samples' summary paragraphs and phrase tables."""

from __future__ import annotations

import pytest
from conftest import SAMPLES_DIR as REPORTS

from loaders.parser.figures import extract_figures


def _sample(prefix: str) -> str:
    return next(REPORTS.glob(f"{prefix}*.txt")).read_text(encoding="utf-8")


def _values(figures: tuple) -> dict[str, tuple[float, str]]:
    return {f.kind: (f.value, f.unit) for f in figures}


def test_sample_000_totals_and_accountability() -> None:
    stated, figures = extract_figures(_sample("000_"))
    assert stated == {"categories": 4, "aspects": 14, "issues": 38, "measures": 189}
    values = _values(figures)
    assert values["party_discipline"] == (38, "人")
    assert {k: v for k, v in values.items() if k.startswith("party_discipline.")} == {
        "party_discipline.党内警告": (22, "人"),
        "party_discipline.严重警告": (7, "人"),
        "party_discipline.留党察看": (2, "人"),
        "party_discipline.开除党籍": (7, "人"),
    }
    assert values["gov_sanction"] == (8, "人")
    assert values["gov_sanction.撤职"] == (2, "人")
    assert values["admonition"] == (13, "人")
    assert values["education_reminder"] == (30, "人")
    assert values["rules_established"] == (35, "项")
    assert values["money_refunded"] == (528.09, "万元")
    assert values["losses_recovered"] == (863.54, "万元")
    # Stated totals come back as figures too, each with the clause it was read from.
    by_kind = {f.kind: f for f in figures}
    assert by_kind["stated.issues"].value == 38
    assert by_kind["stated.measures"].evidence == "细化制定189条整改措施"
    assert by_kind["party_discipline.党内警告"].evidence.startswith("给予党纪处分38人(")


def test_breakdowns_add_up_and_are_not_totals() -> None:
    for prefix in ("000_", "003_"):
        _, figures = extract_figures(_sample(prefix))
        values = _values(figures)
        for total in ("party_discipline", "gov_sanction"):
            parts = [v for k, (v, _) in values.items() if k.startswith(f"{total}.")]
            assert parts and sum(parts) == values[total][0], (prefix, total)
        # "警告2人" inside the bracket is never read as a total of its own kind.
        assert len([f for f in figures if f.kind == "gov_sanction"]) == 1


def test_sample_003_commas_inside_brackets() -> None:
    stated, figures = extract_figures(_sample("003_"))
    assert stated == {"aspects": 12, "issues": 27, "measures": 110}
    values = _values(figures)
    assert values["party_discipline"] == (42, "人")
    assert values["party_discipline.撤销党内职务"] == (1, "人")
    assert values["gov_sanction"] == (21, "人")
    assert values["gov_sanction.记大过"] == (1, "人")
    assert values["organisational_handling"] == (5, "人")
    assert values["admonition"] == (16, "人")
    assert values["education_reminder"] == (15, "人")
    assert values["rules_established"] == (55, "项")
    assert values["money_refunded"] == (185.82, "万元")
    assert values["losses_recovered"] == (1548.65, "万元")
    # Per-measure numbers ("党纪政务处分8人" in issue 10, "处分11人" in issue 9) are not report totals.
    assert "party_gov_discipline" not in values


def test_sample_004_leads_paragraph_and_chinese_numerals() -> None:
    stated, figures = extract_figures(_sample("004_"))
    assert stated == {"aspects": 4, "measures": 52}
    values = _values(figures)
    assert values["cases_closed"] == (82, "件")
    assert values["party_gov_discipline"] == (5, "人")
    # "追回基金104.42万元" sits inside a measure, not in the summary: not a report figure.
    assert "money_recovered" not in values


def test_sample_002_first_statement_wins() -> None:
    stated, _ = extract_figures(_sample("002_"))
    # Later "将9个方面问题、35条整改措施…结合推进" restates the central inspection's list and must not win.
    assert stated == {"aspects": 4, "issues": 13, "measures": 109}


STATED = [
    (
        "对巡视反馈的4大类14个方面38个问题,细化制定189条整改措施。",
        {"categories": 4, "aspects": 14, "issues": 38, "measures": 189},
    ),
    (
        "围绕巡视反馈的12个问题子类、27个具体问题,细化制定了110条整改举措。",
        {"aspects": 12, "issues": 27, "measures": 110},
    ),
    ("将巡视组提出的四个方面重点问题,细化分解为52项具体整改任务。", {"aspects": 4, "measures": 52}),
    (
        "巡视反馈的38个问题已完成整改35个,完成率92.1%。",
        {"issues": 38, "completed": 35, "completion_rate": 92.1},
    ),
    ("巡视反馈问题中,已完成整改30个,正在整改8个。", {"completed": 30, "in_progress": 8}),
    ("以任务台账表的形式将巡视反馈的问题细化分解,制定具体整改措施50项,确定问题清单。", {"measures": 50}),
    ("针对巡视反馈的问题细化整改措施20条,逐条逐项明确责任领导。", {"measures": 20}),
    ("带头认领3项整改任务,成效明显。", {}),
    ("对长期挂账问题进行全面整改,整改完成率100%。", {}),
]


@pytest.mark.parametrize(("text", "expected"), STATED)
def test_stated_phrase_table(text: str, expected: dict[str, float]) -> None:
    stated, figures = extract_figures(text)
    assert stated == expected
    assert {f.kind for f in figures if f.kind.startswith("stated.")} == {f"stated.{k}" for k in expected}


ACCOUNTABILITY = [
    (
        "在巡视整改工作中,追缴违纪款1.2亿元,清退款项3500元。",
        {"money_recovered": (12000, "万元"), "money_refunded": (0.35, "万元")},
    ),
    (
        "其中办结82件,给予党政纪处分5人,其余正在办理。",
        {"cases_closed": (82, "件"), "party_gov_discipline": (5, "人")},
    ),
    ("截至目前,已对47家医院进行了现场检查,追回基金104.42万元,罚款132.48万元。", {}),
]


@pytest.mark.parametrize(("text", "expected"), ACCOUNTABILITY)
def test_accountability_phrase_table(text: str, expected: dict[str, tuple[float, str]]) -> None:
    _, figures = extract_figures(text)
    assert _values(figures) == expected
    for figure in figures:
        assert figure.evidence and figure.evidence in text


def test_empty_text() -> None:
    assert extract_figures("") == ({}, ())


def test_clause_at_is_the_clause_a_walk_over_every_character_finds():
    """clause_at steps from bracket to bracket and clause end to clause end (a regex finds them): the same
    clause as reading the sentence character by character, on random mixes of brackets and clause ends."""
    import random

    from loaders.parser import figures

    def walk(sentence: str, position: int) -> str:
        depth, start = 0, 0
        for i, char in enumerate(sentence):
            if char in figures._OPEN:
                depth += 1
            elif char in figures._CLOSE:
                depth = max(0, depth - 1)
            elif char in figures._CLAUSE_END and depth == 0:
                if i >= position:
                    return sentence[start:i].strip()
                start = i + 1
        return sentence[start:].strip()

    alphabet = [*"ab 处分", *figures._OPEN, *figures._CLOSE, *figures._CLAUSE_END]
    rnd = random.Random(13)
    for _ in range(20000):
        sentence = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 16)))
        position = rnd.randint(0, len(sentence) + 1)
        assert figures.clause_at(sentence, position) == walk(sentence, position), (sentence, position)
    assert figures.clause_at("共处分5人(其中,党纪处分3人),追回资金2万元", 4) == "共处分5人(其中,党纪处分3人)"
