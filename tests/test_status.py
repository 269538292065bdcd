"""Status decisions: explicit results, phrase tables for the inferred rules, and the real sample reports."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from conftest import SAMPLES_DIR as REPORTS
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.parser.status import ReportContext, decide_status

OPEN_SECTION = "三、集中整改期内未完成或长期整改的整改事项"

EXPLICIT = [
    ("完成", "完成"),
    ("已完成", "完成"),
    ("全部完成", "完成"),
    ("已整改", "完成"),
    ("已完成。", "完成"),
    ("基本完成", "阶段性完成"),
    ("阶段性完成", "阶段性完成"),
    ("部分完成", "阶段性完成"),
    ("长期坚持", "阶段性完成"),
    ("未完成", "未完成"),
]


@pytest.mark.parametrize(("explicit", "expected"), EXPLICIT)
def test_explicit_result_maps_to_status(explicit: str, expected: str) -> None:
    decision = decide_status(explicit, "")
    assert (decision.status, decision.source, decision.rule) == (expected, "explicit", "explicit")
    assert decision.confidence == 1.0
    assert decision.evidence == f"整改结果:{explicit}"


def test_explicit_wins_over_body_and_section() -> None:
    body = "正在进行装修设计、设备采购,力争2024年7月前投入使用。"
    decision = decide_status("阶段性完成", body, section="二、集中整改期内已完成的整改事项")
    assert decision.status == "阶段性完成"
    assert decision.source == "explicit"
    done = decide_status("已完成", "尚未建成。", section=OPEN_SECTION)
    assert done.status == "完成"


def test_unrecognised_explicit_falls_back_to_the_body() -> None:
    decision = decide_status("见附表", "相关事项已整改到位。")
    assert (decision.status, decision.source, decision.rule) == ("完成", "inferred", "strong_completion")


# body → (status, rule): one line per behaviour we rely on.
INFERRED = [
    ("对通安镇公务接待问题进行检查,相关事项已整改到位。", "完成", "strong_completion"),
    ("发现问题65个,均已全部整改到位。", "完成", "strong_completion"),
    ("住宅小区消防栓无水问题均已整改完毕。", "完成", "strong_completion"),
    ("“僵尸企业”移出、移送、吊销程序全部结束。", "完成", "strong_completion"),
    ("已即知即改,完成整改销号。", "完成", "strong_completion"),
    ("市专班反馈问题,均已整改完成。", "完成", "strong_completion"),
    ("截至目前,4个行政村已全部整改完成。", "完成", "strong_completion"),
    # Progress next to an explicit "remaining, not yet rectified" → partly done, not 未完成.
    ("已化解111.18亩,剩余76.27亩未整改到位的,采取分类甄别处置。", "阶段性完成", "negative_with_progress"),
    ("该问题尚未整改。", "未完成", "negative"),
    ("其余正在办理。", "未完成", "negative"),
    ("目前正在办理入职手续,已招聘50名。", "阶段性完成", "negative_with_progress"),
    # A restated problem ("对…未整改到位的17个问题") is not a statement about this rectification.
    ("对巡察发现的未整改到位的17个问题进行梳理,已即知即改,完成整改销号。", "完成", "strong_completion"),
    ("正在进行装修设计、设备采购,力争2024年7月前投入使用。", "阶段性完成", "plan_or_in_progress"),
    ("完成选址、立项,计划2025年正式投入使用。", "阶段性完成", "plan_or_in_progress"),
    ("玉象路将于12月底完成建设。", "阶段性完成", "plan_or_in_progress"),
    ("预计4月底出台“一揽子”措施。", "阶段性完成", "plan_or_in_progress"),
    ("目前省第一安全生产巡查组巡查整改方案中43项已完成42项。", "阶段性完成", "plan_or_in_progress"),
    ("拟定《高新技术企业培育三年行动计划》(征求意见稿)。", "阶段性完成", "plan_or_in_progress"),
    ("2条整改措施进一步明确责任单位,加快推进落实。", "阶段性完成", "continuing"),
    ("对需要长期坚持的问题,继续抓紧整改。", "阶段性完成", "continuing"),
    # `实现…全覆盖` of the population the problem names is an explicit closure (docs/status_reading.md, 16);
    # it used to be read as a bare past-tense action.
    ("出台《关于进一步健全公职律师统筹使用机制的意见》,实现公职律师全覆盖。", "完成", "strong_completion"),
    ("完成20家童装企业数字化改造。", "完成", "past_tense"),
]


@pytest.mark.parametrize(("body", "status", "rule"), INFERRED)
def test_inferred_phrase_table(body: str, status: str, rule: str) -> None:
    decision = decide_status(None, body)
    assert (decision.status, decision.rule) == (status, rule), decision
    assert decision.source == "inferred"
    assert decision.evidence and decision.evidence in body
    assert 0.0 < decision.confidence < 1.0


# Words that look like open markers but are not, in these reports.
NOT_OPEN = [
    "进一步规范日常兼职审批,出台《关于进一步规范区管干部兼职有关事项的通知》。",
    "制定《吴兴区环境空气质量提质进位三年行动计划(2023-2025年)》,成立大气污染防治工作专班。",
    "实施科技企业“双倍增”计划,完成46家高企备案。",
    "落实“三紧盯”计划,即紧盯尚未在中国投资的国外上市公司,已签约14个意向项目。",
    "靠上争取了一批符合条件、成熟度高的项目,13个项目顺利通过审核。",
    "针对“公共卫生服务中心尚未建成”的问题,已完成选址、立项。",
]


@pytest.mark.parametrize("body", NOT_OPEN)
def test_false_open_markers_do_not_make_it_unfinished(body: str) -> None:
    decision = decide_status(None, body)
    assert decision.status == "完成", decision


def test_strong_completion_beats_nothing_but_open_markers_win() -> None:
    body = "已完成部分路段管网铺设,均已整改到位。剩余路段正有序开展管道铺设工作。"
    assert decide_status(None, body).status == "阶段性完成"


def test_section_heading_is_a_weak_signal() -> None:
    open_item = decide_status(None, "严格执行双签字制度。", section=OPEN_SECTION)
    assert (open_item.status, open_item.rule) == ("阶段性完成", "section_heading")
    assert open_item.confidence < 0.5
    done_item = decide_status(None, "严格执行双签字制度。", section="二、集中整改期内已完成的整改事项")
    assert done_item.status == "完成"
    # A phrase in the body outranks the heading.
    body_says = decide_status(None, "力争年底前完成。", section="二、集中整改期内已完成的整改事项")
    assert body_says.rule == "plan_or_in_progress"


@pytest.mark.parametrize("body", ["", "   ", "严格执行双签字制度。"])
def test_nothing_decides_means_unknown(body: str) -> None:
    decision = decide_status(None, body)
    assert decision.status is None and decision.source is None and decision.confidence == 0.0


def test_evidence_is_one_short_sentence() -> None:
    long_sentence = "开展" + "、".join(f"第{i}项工作" for i in range(60)) + ",相关事项已整改到位"
    body = "制定方案。" + long_sentence + "。其他工作继续开展。"
    decision = decide_status(None, body)
    assert decision.rule == "strong_completion"
    assert "已整改到位" in decision.evidence
    assert len(decision.evidence) <= 200 and decision.evidence in body
    assert "。" not in decision.evidence


def test_explicit_results_of_sample_001() -> None:
    """001 holds 141 explicit results: 完成 65 (19 of them printed 已完成), 阶段性完成 75, 未完成 1."""
    text = next(REPORTS.glob("001_*.txt")).read_text(encoding="utf-8")
    printed = re.findall(r"整改结果[::]\s*(\S+)", text)
    assert len(printed) == 141
    statuses = Counter(decide_status(p, "").status for p in printed)
    assert statuses == Counter({"完成": 65, "阶段性完成": 75, "未完成": 1})
    assert Counter(printed)["已完成"] == 19


INFERRED_SAMPLES = ["000_", "002_", "003_", "004_"]


@pytest.mark.parametrize("prefix", INFERRED_SAMPLES)
def test_inferred_samples_are_decided_with_evidence(prefix: str) -> None:
    from loaders.parser.parse import parse_file

    path = next(REPORTS.glob(f"{prefix}*.txt"))
    issues = [issue for report in parse_file(path) for issue in report.issues]
    assert issues, f"{path.name}: no issues parsed"
    unknown = [i for i in issues if i.status.status is None]
    assert len(unknown) <= 0.05 * len(issues), [i.title for i in unknown]
    for issue in issues:
        decision = issue.status
        if decision.status is None:
            continue
        assert decision.source == "inferred", issue.title
        assert decision.rule and decision.rule != "none"
        assert 0.0 < decision.confidence <= 1.0
        issue_text = "\n".join((issue.title, *issue.measures, issue.section))
        assert decision.evidence and decision.evidence in issue_text, (issue.title, decision.evidence)


_PIECES = st.sampled_from(
    [
        "已整改到位",
        "尚未完成",
        "剩余",
        "未整改到位的",
        "问题",
        "力争",
        "计划",
        "《三年行动计划》",
        "“尚未建成”",
        "进一步",
        "完成",
        "开展",
        "持续推进",
        ",",
        "。",
        "\n",
        "(2023-2025年)",
        "严格执行",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_any_body_gets_a_status_with_evidence_from_it_or_unknown(body: str) -> None:
    decision = decide_status(None, body)
    if decision.status is None:
        assert decision.rule == "none" and decision.evidence == ""
    else:
        assert decision.evidence and decision.evidence in body
        assert len(decision.evidence) <= 200


# The careful reader's patterns (docs/status_reading.md), one made-up line each: body, report, problem title,
# expected status. Dates are read against the report's date: June 20 for the 6月底 step, August for a
# forecast about the first half-year, September for a June commitment that passed with no result.
JUNE20 = ReportContext(date(2024, 6, 20), date(2024, 2, 1), "")
AUG = ReportContext(date(2024, 8, 15), date(2024, 2, 1), "")
SEP = ReportContext(date(2024, 9, 26), date(2024, 3, 23), "")
GUIDE = [
 ("力争10月底前完成清运。", JUNE20, "", "阶段性完成"),
 ("预计上半年税收增长8%。", AUG, "", "完成"),
 ("召开专题会议研究部署。6月底印发细则。", JUNE20, "", "阶段性完成"),
 ("已完成23户,剩余7户正在协商。", None, "", "阶段性完成"),
 ("12个点位已整治9个。", None, "", "阶段性完成"),
 ("完成进度65%。", None, "", "阶段性完成"),
 ("改造工程有序推进中。", None, "", "阶段性完成"),
 ("二期工程施工中。", None, "", "阶段性完成"),
 ("待资金到位后再启动改造。", None, "", "阶段性完成"),
 ("新系统即将上线。", None, "", "阶段性完成"),
 ("已起草管理办法(征求意见稿)。", None, "", "阶段性完成"),
 ("起草并印发了《管理办法》。", None, "", "完成"),
 ("选取两个街道先行试点。", None, "", "阶段性完成"),
 ("入选省级试点,获评示范单位。", None, "", "完成"),
 ("制定三年化解计划,分批推进。", None, "", "阶段性完成"),
 ("印发《污染防治攻坚行动方案(2023-2025年)》。", None, "", "完成"),
 ("督促属地完成设施改造。", None, "", "阶段性完成"),
 ("督促整改问题14个,均已销号。", None, "", "完成"),
 ("开展安全检查,排查发现隐患31处。", None, "", "阶段性完成"),
 ("开展安全检查,发现并整改问题31个。", None, "", "完成"),
 ("部分社区违建仍较突出,已列入重点督办。", None, "", "阶段性完成"),
 ("今年以来未新增违建。", None, "存量违建较多", "阶段性完成"),
 ("加快推进城东污水厂二期建设。", None, "", "阶段性完成"),
 ("积极争创国家级示范区。", None, "", "阶段性完成"),
 ("纳入本轮整改台账一并推进。", None, "", "阶段性完成"),
 ("作为重点问题推进整改。", None, "", "阶段性完成"),
 ("纳入下一轮巡察重点。", None, "", "阶段性完成"),
 ("开展违规收送礼金专项治理,对顶风违纪者从严查处。", None, "", "阶段性完成"),
 ("召开优化营商环境推进会,制定任务清单。", None, "营商环境评价靠后", "阶段性完成"),
 ("召开优化营商环境推进会,全省营商环境评价排名升至第3。", None, "营商环境评价靠后", "完成"),
 ("查处12人,已全部退还。", None, "", "完成"),
 ("常态化开展夜查,今年查处12起。", None, "", "完成"),
 ("持续加强宣传引导。", None, "", "阶段性完成"),
 ("因资金未落实,尚未开工。", None, "", "未完成"),
 ("力争2024年6月底前完成整改。", SEP, "", "阶段性完成"),
 ("召开区委常委会会议,研究部署人才工作,加快建设人才强市。", None, "", "完成"),
]


@pytest.mark.parametrize(("body", "context", "title", "expected"), GUIDE)
def test_careful_reader_patterns(body: str, context: ReportContext | None, title: str, expected: str) -> None:
    decision = decide_status(None, body, "", context, title)
    assert decision.status == expected, decision
    assert decision.evidence in body


def test_passed_commitment_is_overdue_not_done() -> None:
    decision = decide_status(None, "力争2024年6月底前完成整改。", "", SEP)
    assert (decision.status, decision.rule) == ("阶段性完成", "overdue_commitment")
    assert decision.overdue == ("力争2024年6月底前完成整改",)
    # The same commitment read before its date is simply a plan.
    early = decide_status(None, "力争2024年6月底前完成整改。", "", JUNE20)
    assert (early.rule, early.overdue) == ("plan_or_in_progress", ())


def test_counter_evidence_is_the_strongest_sentence_against() -> None:
    body = "已完成23户拆除。剩余7户正在协商。"
    decision = decide_status(None, body)
    assert decision.status == "阶段性完成" and "剩余" in decision.evidence
    assert decision.counter_evidence == "已完成23户拆除"


def test_phase_sets_the_confidence_of_weak_decisions() -> None:
    body = "开展专题学习,印发通知一份。"
    in_period = ReportContext(date(2024, 6, 1), date(2024, 2, 1), "整改进展情况的通报")
    after = ReportContext(date(2025, 6, 1), date(2024, 2, 1), "整改情况的通报")
    early, late = decide_status(None, body, "", in_period), decide_status(None, body, "", after)
    assert early.status == late.status == "完成"
    assert late.confidence > early.confidence


# --- the report as context: its own stated completion, and passed commitments -----------------------------


def _sample_lines(prefix: str) -> list[str]:
    return next(REPORTS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8").split("\n")


def test_stated_completion_that_disagrees_with_the_items_is_warned() -> None:
    from loaders.parser.parse import parse_text

    lines = _sample_lines("003")  # every item of 003 reads 完成
    k = next(i for i, ln in enumerate(lines) if ln.startswith("一、"))
    stated = "截至目前,巡视反馈问题已完成整改5个,正在整改8个。"
    (report,) = parse_text("\n".join([*lines[:k], stated, *lines[k:]]))
    assert report.stated.get("completed") == 5
    (warning,) = [w for w in report.warnings if w.code == "stated_split_mismatch"]
    assert "13 of 13 done" in warning.message and "通报自述完成" in warning.message_zh
    (plain,) = parse_text("\n".join(lines))
    assert all(w.code != "stated_split_mismatch" for w in plain.warnings)


def test_passed_commitment_in_a_report_is_overdue_and_warned() -> None:
    from loaders.parser.parse import parse_text

    lines = _sample_lines("004")  # published 2023-09-26
    k = next(i for i, ln in enumerate(lines) if "落实机构编制刚性约束不够" in ln)
    lines[k + 1] = lines[k + 1] + "力争2023年6月底前完成全部超编问题整改。"
    (report,) = parse_text("\n".join(lines))
    issue = next(i for i in report.issues if "落实机构编制刚性约束" in i.title)
    assert issue.status.status != "完成" and issue.status.overdue
    (warning,) = [w for w in report.warnings if w.code == "overdue_commitment"]
    assert issue.label in warning.message


def test_role_shortcuts_weigh_every_clause_as_the_full_reading() -> None:
    """The role reader skips cutting out clauses in a body where the aim pattern matches nowhere, and reads a
    sentence's first clause without its other bounds: every clause of the samples weighs as when each clause
    is cut out and read."""
    from loaders.parser import status
    from loaders.parser.parse import parse_text

    cfg = status.rules()
    assert cfg.roles.anywhere_free and cfg.roles.nonempty_split  # else the shortcuts are off
    bodies = ["\n".join(i.measures) for p in sorted(REPORTS.glob("*.txt"))
              for r in parse_text(p.read_text(encoding="utf-8")) for i in r.issues]
    bodies.append("为群众提供便利,召开会议,确保整改到位。一是建立台账,推动高质量发展")
    checked, aims = 0, 0
    for body in bodies:
        masked = status.mask(body, cfg.ignore)
        fast = status._RoleReader(masked, cfg)
        aims += fast.aims
        for lo, hi, _ in status._sentences(masked, cfg):
            full = status._RoleReader(masked, cfg)
            full.aims = True  # the reading without the body-wide shortcut
            bounds = [lo, *(m.end() for m in cfg.clause_split.finditer(masked, lo, hi)), hi + 1]
            for k in range(len(bounds) - 1):
                assert fast.weight(lo, hi, False, bounds[k]) == full._clause_weight(bounds, k), (body, k)
                checked += 1
    assert checked > 1000 and 0 < aims < len(bodies)
