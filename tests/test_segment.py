"""The segmentation grammar and metadata engine, on small hand-made texts: one behaviour per test."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import sample_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.parser.grammar import classify, cn_number
from loaders.parser.meta import inspection, parse_date_line, short_unit
from loaders.parser.normalize import normalize
from loaders.parser.parse import parse_text, split_reports
from loaders.parser.regions import lookup
from loaders.parser.segment import segment, split_measures

LINE_KINDS = [
    ("一、关于“发挥区域优势还不够有力”问题的整改情况", "chapter"),
    ("(十二)关于“基层管党治党不够严”问题的整改", "paren"),
    ("28.关于“僵尸”企业专项清理行动的问题。", "number"),
    ("4.2019年至2022年,房地产业税占比均超过32%。", "number"),  # a year after the number is still an item
    ("1.5倍的增长来自新动能。", "text"),  # a decimal is not an item number
    ("(1)学习氛围不够浓厚。", "sub"),
    ("整改结果:阶段性完成", "result"),
    ("整改情况:制定“2+4+N”现代化产业体系规划。", "progress"),
    ("下一步,区委将深入贯彻习近平新时代中国特色社会主义思想。", "next"),
    ("欢迎广大干部群众对巡视整改落实情况进行监督。", "stop"),
    ("附件:1.中共湖南湘江新区纪检监察工委《关于提级巡视整改进展情况的通报》", "attachment_list"),
    ("2024年2月22日", "date"),
    ("二〇二三年十二月二十二日", "date"),
    ("一是推动学习常态长效。", "text"),
]


@pytest.mark.parametrize(("line", "kind"), LINE_KINDS)
def test_line_kinds(line: str, kind: str) -> None:
    assert classify(line)[0] == kind


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十四", 14),
        ("二十八", 28),
        ("三十五", 35),
        ("一百零二", 102),
        ("12", 12),
        ("问题", None),
    ],
)
def test_chinese_numbers(text: str, number: int | None) -> None:
    assert cn_number(text) == number


def test_attachment_list_is_not_an_attachment_start() -> None:
    lines = normalize(sample_path("001").read_text(encoding="utf-8")).split("\n")
    parts = split_reports(lines)
    assert [name for name, _ in parts] == ["main", "附件1", "附件2", "附件3", "附件4"]
    assert parts[1][1][:2] == ["中共湖南湘江新区纪检监察工作委员会", "关于提级巡视整改进展情况的通报"]
    # `附件1` alone but followed by a table, not a report: it stays in the main report.
    assert [n for n, _ in split_reports(["正文。", "附件1", "整改任务清单", "序号 问题 措施"])] == ["main"]


def test_measures_split_before_inline_ordinals_only_after_a_sentence_end() -> None:
    text = "一是制定方案。二是严格落实;三是统一是非标准。"
    assert split_measures(text) == ["一是制定方案。", "二是严格落实;", "三是统一是非标准。"]


def test_unlabelled_measure_and_chapter_issue() -> None:
    seg = segment(
        [
            "一、关于“推进高效能区域治理有短板”问题的整改情况",
            "推进依法行政。出台实施意见。",
            "二、关于“增进民生福祉不够有力”问题的整改情况",
            "(一)加大教育资源供给。",
            "(二)加大养老服务供给。",
            "下一步,区委将持续整改。一是深化认识。",
            "中共湖州市吴兴区委",
            "2024年2月22日",
        ]
    )
    assert [(i.label, i.title, len(i.measures)) for i in seg.issues] == [
        ("一", "推进高效能区域治理有短板", 1),
        ("二", "增进民生福祉不够有力", 2),
    ]


def test_next_steps_inside_an_issue_stays_with_it_when_more_issues_follow() -> None:
    seg = segment(
        [
            "二、反馈意见整改落实情况",
            "(一)关于“产业发展”方面问题",
            "1.关于产业不强的问题。",
            "一是加快建设。",
            "下一步,将继续努力筹集资金。",
            "2.关于项目落地慢的问题。",
            "一是加快审批。",
        ]
    )
    assert [len(i.measures) for i in seg.issues] == [2, 1]
    assert seg.issues[0].category == "产业发展"


def test_feedback_heading_with_result_is_the_issue_itself() -> None:
    seg = segment(
        [
            "二、集中整改期内已完成的整改事项",
            "(一)反馈问题:政治理论学习不够深入。学习存在应付心理。",
            "整改结果:完成",
            "整改情况:一是坚持学习。二是经常开展学习活动。",
            "三、集中整改期内未完成或长期整改的整改事项",
            "(一)问题1:聚焦主责主业不到位。",
            "整改结果:未完成",
            "整改情况:推动机构设置调整。",
            "四、下一步整改工作安排",
            "(一)进一步深化思想认识。",
        ]
    )
    first, second = seg.issues
    assert (first.label, first.category, first.explicit, len(first.measures)) == ("(一)", "", "完成", 2)
    assert first.section == "集中整改期内已完成的整改事项"
    assert (second.label, second.explicit, second.section) == (
        "问题1",
        "未完成",
        "集中整改期内未完成或长期整改的整改事项",
    )


def test_sub_points_are_measures_with_their_progress() -> None:
    seg = segment(
        [
            "二、集中整改期内已完成的整改事项",
            "(一)反馈问题:理论学习没有走深走实。",
            "1.问题1:第一议题落实不够。",
            "整改结果:已完成",
            "(1)学习氛围不够浓厚。",
            "整改情况:一是制定方案。二是全覆盖。",
            "(2)基层学习存在盲区。",
            "整改情况:组织线上学习。",
        ]
    )
    (issue,) = seg.issues
    assert issue.measures == [
        "学习氛围不够浓厚。一是制定方案。二是全覆盖。",
        "基层学习存在盲区。组织线上学习。",
    ]


def test_numbering_gaps_and_restarts() -> None:
    lines = ["二、反馈意见整改落实情况", "(一)关于“甲”方面问题"]
    lines += [f"{n}.关于问题{n}的问题。\n措施。" for n in (1, 2, 6, 7, 9)]
    lines += ["(二)关于“乙”方面问题", "1.关于再一个的问题。", "措施。"]
    seg = segment("\n".join(lines).split("\n"))
    gaps = [w.message for w in seg.warnings if w.code == "numbering_gap"]
    assert len(gaps) == 2 and "3–5" in gaps[0] and "item 8 is" in gaps[1]


def test_unparsed_issue_like_heading_is_a_warning() -> None:
    seg = segment(["二、问题整改情况", "(一)关于巡视反馈问题的整改措施落实", "做了很多工作。"])
    assert seg.issues == [] and [w.code for w in seg.warnings] == ["unparsed_heading"]


# --- metadata ---------------------------------------------------------------------------------------------

UNITS = [
    ("中共湖州市吴兴区委", "湖州市吴兴区"),
    ("苏州市虎丘区委(苏州高新区党工委)", "苏州市虎丘区"),
    ("中共湖南湘江新区工作委员会", "湖南湘江新区"),
    ("中共湖南湘江新区纪检监察工作委员会", "湖南湘江新区纪检监察工委"),
    ("中共湖南湘江新区工作委员会组织工作部", "湖南湘江新区组织工作部"),
    ("湖南湘江新区党工委巡察工作领导小组", "湖南湘江新区巡察工作领导小组"),
    ("中共岳麓高新技术产业开发区工作委员会", "岳麓高新区"),
    ("中共苏州国家高新技术产业开发区工作委员会", "苏州高新区"),
    ("中共浙江大学委员会", "浙江大学"),
    ("中共温州市委", "温州市"),
]


@pytest.mark.parametrize(("issuer", "unit"), UNITS)
def test_short_unit_names(issuer: str, unit: str) -> None:
    assert short_unit(issuer) == unit


REGIONS = [
    ("湖州市吴兴区", ("浙江省", "湖州市", "吴兴区")),
    ("聊城市东昌府区", ("山东省", "聊城市", "东昌府区")),
    ("湖南湘江新区", ("湖南省", None, None)),  # the province from the name
    ("苏州高新区", ("江苏省", "苏州市", None)),  # a development zone is not a county
    ("上海市浦东新区", ("上海市", "上海市", "浦东新区")),
    ("广西壮族自治区南宁市青秀区", ("广西壮族自治区", "南宁市", "青秀区")),
    ("吉林省吉林市船营区", ("吉林省", "吉林市", "船营区")),
    ("朝阳区", (None, None, None)),  # ambiguous without a city: nothing guessed
    ("鼓楼区", (None, None, None)),  # four cities have one
    ("福建省鼓楼区", ("福建省", "福州市", "鼓楼区")),  # ... but only one of them is in Fujian
    ("吴兴区", ("浙江省", "湖州市", "吴兴区")),  # a county named alone: the only 吴兴区
    ("东昌府区", ("山东省", "聊城市", "东昌府区")),
    ("长沙县", ("湖南省", "长沙市", "长沙县")),  # not the city 长沙 followed by 县
    ("昆山市", ("江苏省", "苏州市", "昆山市")),  # a county-level city
    ("岳麓高新区", (None, None, None)),
]


@pytest.mark.parametrize(("unit", "region"), REGIONS)
def test_regions_from_unit_names(unit: str, region: tuple) -> None:
    found = lookup(unit)
    assert (found.province, found.city, found.county) == region


def test_inspection_dates_take_missing_years_from_context() -> None:
    opening = (
        "根据省委统一部署,2024年3月18日至5月20日,省委第八巡视组对温州市鹿城区开展了巡视。"
        "8月6日,省委巡视组向鹿城区委反馈了巡视意见。"
    )
    found = inspection(opening, None)
    assert (found.team, found.start, found.end, found.feedback_on) == (
        "省委第八巡视组",
        date(2024, 3, 18),
        date(2024, 5, 20),
        date(2024, 8, 6),
    )
    late = inspection("2023年10月9日至12月20日,市委第二巡察组对某局开展了巡察。1月15日反馈了巡察意见。", None)
    assert late.feedback_on == date(2024, 1, 15)  # after the inspection ended: the next year


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024年2月22日", date(2024, 2, 22)),
        ("二〇二三年十二月二十二日", date(2023, 12, 22)),
        ("2023年2月30日", None),
    ],
)
def test_publication_date_lines(line: str, expected: date | None) -> None:
    assert parse_date_line(line) == expected


# --- robustness -------------------------------------------------------------------------------------------

GRAMMAR_BITS = [
    "一、",
    "(一)",
    "1.",
    "(1)",
    "整改结果:",
    "整改情况:",
    "关于“",
    "”问题的整改情况",
    "反馈问题:",
    "附件1",
    "下一步,",
    "2024年2月22日",
    "中共某某区委",
    "关于巡视整改进展情况的通报",
    "。",
    "\n",
    "\r\n",
    "一是",
    "二是",
    "问题1:",
    "(",
    ")",
    "“",
    "\u3000",
    "完成",
    "未完成",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(GRAMMAR_BITS), st.text(max_size=8)), max_size=60))
def test_parse_text_never_raises_on_grammar_soup(parts: list[str]) -> None:
    for report in parse_text("".join(parts)):
        assert not [w.code for w in report.warnings if w.code.endswith("_error")]  # a crashed stage
