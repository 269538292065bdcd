"""Deadlines: phrase tables (plans, relative dates, past events that are not deadlines) and the samples."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SAMPLES_DIR as REPORTS
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.parser.deadline_finder import find_deadlines

D = date.fromisoformat

# text, report date, expected due dates in order
PLANS = [
    ("正在进行装修设计,力争2024年7月前投入使用。", D("2023-12-22"), ["2024-07-31"]),
    ("正办理前期手续,计划2025年正式投入使用。", D("2023-12-22"), ["2025-12-31"]),
    ("预计12月份完成东发制革厂污染土壤清挖转运。", D("2023-09-26"), ["2023-12-31"]),
    ("玉象路将于12月底完成建设。", D("2023-12-22"), ["2023-12-31"]),
    ("矿山路年底前可完成部分建设任务。", D("2023-12-22"), ["2023-12-31"]),
    ("预计4月底出台“一揽子”措施。", D("2020-04-27"), ["2020-04-30"]),
    ("编制绿色发展规划,力争2020年上半年实现挂牌。", D("2020-04-27"), ["2020-06-30"]),
    ("预计于2023年12月开工。", D("2023-09-26"), ["2023-12-31"]),
    ("力争三季度完成验收。", D("2023-03-10"), ["2023-09-30"]),
    ("确保第一季度完成。", D("2023-12-22"), ["2024-03-31"]),  # a bare quarter long past → next year
    ("委托第三方专业机构年内完成100家重点排水企业排查。", D("2020-04-27"), ["2020-12-31"]),
    ("该三宗地块计划今年12月底前挂网。", D("2023-12-22"), ["2023-12-31"]),
    ("力争明年6月底前全部交付。", D("2023-09-26"), ["2024-06-30"]),
    ("计划十二月份完成。", D("2023-09-26"), ["2023-12-31"]),
    ("5条道路计划2024年6月30日前完成移交。", D("2023-12-22"), ["2024-06-30"]),
    ("计划在2020年6月底前竣工992套、12月底前竣工3409套。", D("2020-04-27"), ["2020-06-30", "2020-12-31"]),
    ("计划2024、2025年再实施供水设施建设项目29个。", D("2023-12-22"), ["2024-12-31", "2025-12-31"]),
    ("力争到2025年培育1-2家龙头企业。", D("2023-12-22"), ["2025-12-31"]),
    ("确保‘十四五’末全力挺进前10名。", D("2020-04-27"), ["2025-12-31"]),
    # A plan sentence: the later dates carry no marker of their own but lie after the report date.
    (
        "一是预计12月份完成污染土壤清挖转运,2024年3月开展修复效果评估报告编制工作,"
        "2024年9月完成地块土壤污染修复效果评估报告评审。",
        D("2023-09-26"),
        ["2023-12-31", "2024-03-31", "2024-09-30"],
    ),
    # A bare month far before the report date belongs to next year.
    ("预计4月底出台实施方案。", D("2023-12-22"), ["2024-04-30"]),
]


@pytest.mark.parametrize(("text", "base", "expected"), PLANS)
def test_plan_phrases_resolve_to_period_end(text: str, base: date, expected: list[str]) -> None:
    found = find_deadlines(text, base)
    assert [d.due_on for d in found] == [D(e) for e in expected], found
    for deadline in found:
        assert deadline.text and deadline.text in text
        assert len(deadline.text) <= 60


def test_phrase_is_the_clause_as_printed() -> None:
    text = "5条断头路中已有3条建成通车,玉象路将于12月底完成建设;矿山路年底前可完成部分建设任务。"
    found = find_deadlines(text, D("2023-12-22"))
    assert [d.text for d in found] == ["玉象路将于12月底完成建设", "矿山路年底前可完成部分建设任务"]


NOT_DEADLINES = [
    ("一是2023年9月对智谷集团履职不到位的3名干部分别给予了政务记过处分。", D("2023-12-22")),
    ("截至2023年3月20日,“僵尸企业”移出、移送、吊销程序全部结束。", D("2023-09-26")),
    ("一是立行立改,于3月31日将服务大厅工作人员公示牌更新完毕。", D("2023-12-22")),
    ("2023年1-9月,全区新增高新技术企业768家。", D("2023-12-22")),
    ("1-9月新增高新技术企业768家,预计全年保持增长。", D("2023-12-22")),
    ("2022年5月发行的岳麓区街道社区卫生服务中心建设项目债券,使用进度18%。", D("2023-12-22")),
    ("制定《学校建设三年行动计划(2023-2025年)》。", D("2023-12-22")),
    ("编制《供水设施建设三年计划(2023-2025)》。", D("2023-12-22")),
    ("印发《绿色低碳高质量发展三年行动计划(2023一2025)》。", D("2023-09-26")),
    ("2023年前三季度已兑现各类帮扶资金38亿元。", D("2023-12-22")),
    ("今年以来,区委常委会已开展集中学习7次。", D("2020-04-27")),
    # An estimate for a period already over is a statistic, not a deadline.
    ("预计今年一季度实际利用外资4.75亿美元。", D("2020-04-27")),
    # Years used as attributes, and 计划 as a noun.
    ("制定2020年全区干部教育培训工作要点,确保培训实效。", D("2020-04-27")),
    ("根据省自然资源厅2023年度土地利用计划管理实施细则。", D("2023-09-26")),
    ("整改进度实行“半月一上报、一月一研究”,确保真改实改。", D("2025-06-10")),
    ("党内警告22人、严重警告7人。", D("2024-02-22")),
]


@pytest.mark.parametrize(("text", "base"), NOT_DEADLINES)
def test_past_events_ranges_and_names_are_not_deadlines(text: str, base: date) -> None:
    assert find_deadlines(text, base) == ()


def test_missing_base_keeps_the_phrase_without_a_date() -> None:
    found = find_deadlines("预计12月份完成。力争2024年7月前投入使用。", None)
    assert [(d.text, d.due_on) for d in found] == [
        ("预计12月份完成", None),
        ("力争2024年7月前投入使用", D("2024-07-31")),
    ]


def test_holiday_deadline_is_kept_unresolved() -> None:
    found = find_deadlines("预计本年度春节前支付一个季度临安费。", D("2023-09-26"))
    assert [(d.text, d.due_on) for d in found] == [("预计本年度春节前支付一个季度临安费", None)]


def test_empty_text() -> None:
    assert find_deadlines("", D("2023-09-26")) == ()


SAMPLE_EXPECTATIONS = [
    (
        "001_",
        D("2023-12-22"),
        {
            "力争2024年7月前投入使用": "2024-07-31",
            "计划2025年正式投入使用": "2025-12-31",
            "玉象路将于12月底完成建设": "2023-12-31",
            "矿山路年底前可完成部分建设任务": "2023-12-31",
        },
    ),
    (
        "002_",
        D("2020-04-27"),
        {"预计4月底出台“一揽子”措施": "2020-04-30", "力争2020年上半年实现挂牌": "2020-06-30"},
    ),
    (
        "004_",
        D("2023-09-26"),
        {
            "2024年9月完成地块土壤污染修复效果评估报告评审、报告备案及地块移出污染地块名录": "2024-09-30",
            "力争2026年底实现全部交付": "2026-12-31",
        },
    ),
]


@pytest.mark.parametrize(("prefix", "base", "expected"), SAMPLE_EXPECTATIONS)
def test_sample_reports(prefix: str, base: date, expected: dict[str, str]) -> None:
    text = next(REPORTS.glob(f"{prefix}*.txt")).read_text(encoding="utf-8")
    found = find_deadlines(text, base)
    by_text = {d.text: d.due_on for d in found}
    for phrase, due in expected.items():
        assert by_text.get(phrase) == D(due), (phrase, sorted(by_text))
    # Nothing the report dates in the past tense comes out as a deadline.
    assert not [d for d in found if "截至" in d.text or "以来" in d.text or "已" in d.text]


@pytest.mark.parametrize(("prefix", "base"), [("000_", D("2024-02-22")), ("003_", D("2025-06-10"))])
def test_reports_without_plans_have_no_deadlines(prefix: str, base: date) -> None:
    """000 and 003 report what was done; none of their many dates is a deadline."""
    text = next(REPORTS.glob(f"{prefix}*.txt")).read_text(encoding="utf-8")
    assert find_deadlines(text, base) == ()


_PIECES = st.sampled_from(
    [
        "力争",
        "预计",
        "计划",
        "将于",
        "已",
        "截至",
        "2024年",
        "7月",
        "12月底",
        "前",
        "年内",
        "三季度",
        "上半年",
        "1-9月",
        "(2023-2025年)",
        "《三年行动计划》",
        "完成",
        ",",
        "。",
        "、",
        "至",
        "十二月份",
        "春节",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join), st.sampled_from([None, D("2023-09-26")]))
def test_any_text_gives_phrases_from_the_text(text: str, base: date | None) -> None:
    for deadline in find_deadlines(text, base):
        assert deadline.text and deadline.text in text
        assert deadline.due_on is None or deadline.due_on.year >= 1900
