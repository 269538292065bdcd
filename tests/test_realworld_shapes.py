# ruff: noqa: E501  (tables of Chinese test cases: each case on one line reads better than wrapped)
"""The shapes of real published copies (DOMAIN.md "What real published copies look like"), one rule at a time:
site chrome in text, traditional characters, lost line breaks, units / teams / dates named many ways, the
report's own progress figures, accountability and money wording. tests/test_realworld_gate.py scores the
whole development set; these tests say which rule broke."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import sample_paths

from loaders.parser import chrome
from loaders.parser.figures import extract_figures
from loaders.parser.meta import find_team, inspection
from loaders.parser.normalize import normalize, to_simplified
from loaders.parser.parse import parse_file, parse_text
from loaders.writer import ingest, store

REALWORLD = Path(__file__).resolve().parent / "realworld"


# --- text: traditional characters, mirror garbling, lost line breaks ------------------------------------


def test_traditional_text_is_converted_and_simplified_text_is_left_alone() -> None:
    text, converted = to_simplified("區教育局黨組對照反饋的5個方面43個具體問題,建立問題、任務、責任三張清單。")
    assert converted and text == "区教育局党组对照反馈的5个方面43个具体问题,建立问题、任务、责任三张清单。"
    for path in sample_paths():  # the real samples are simplified: not one character changes
        raw = path.read_text(encoding="utf-8")
        assert to_simplified(raw) == (raw, False), path.name


@pytest.mark.parametrize(("raw", "expected"), [
    ("關(guān)於領(lǐng)域專項(xiàng)巡察", "关于领域专项巡察"),  # pinyin after characters, then simplified
    ("根據區委部署,,2019年4月8日", "根据区委部署,2019年4月8日"),
    ("建立問題、任務,、責任三張清單,,逐項明確時限,。", "建立问题、任务、责任三张清单,逐项明确时限。"),
    ("19项整改任务己全部整改到位", "19项整改任务已全部整改到位"),  # 己 typed for 已 before a completion verb
])
def test_mirror_garbling_is_repaired(raw: str, expected: str) -> None:
    assert normalize(raw * 3).split("\n")[0].startswith(expected)


def test_a_page_run_together_on_one_line_gets_its_lines_back() -> None:
    lines = normalize((REALWORLD / "full" / "08_lost_linebreaks_procuratorate.txt").read_text("utf-8")).split("\n")
    assert "中共西安市碑林区人民检察院党组关于区委巡察整改进展情况的通报" in lines
    assert "一、关于贯彻落实上级决策部署方面的问题" in lines
    assert sum(1 for ln in lines if ln.startswith("整改情况:")) == 12
    assert [ln for ln in lines if ln[:3] in ("1.对", "12.")] == [
        "1.对服务保障营商环境重视不够,涉企案件办理效率不高。", "12.档案信息化建设滞后,诉讼档案电子化率低。"]
    assert lines[-4:] == ["中共西安市碑林区人民检察院党组", "2022年8月12日", "【打印】", "【关闭】"]


# --- chrome: dropped, but what it says is kept ---------------------------------------------------------


def test_chrome_lines_go_and_their_date_and_publisher_stay() -> None:
    text = "\n".join([
        "当前位置: 首页 > 工作动态 > 巡察整改",
        "剑阁县交通运输局党组关于县委巡察整改进展情况的通报",
        "作者:县交通运输局 发布时间:2022-10-21 16:02:11 打印 字号: | |",
        "整改推进会现场.jpg",
        "剑阁县交通运输局党组关于县委巡察整改进展情况的通报",
        "根据县委统一部署,县委第二巡察组对县交通运输局党组开展了常规巡察。",
    ])
    page = chrome.strip(normalize(text).split("\n"))
    assert page.lines == ["剑阁县交通运输局党组关于县委巡察整改进展情况的通报",
                          "根据县委统一部署,县委第二巡察组对县交通运输局党组开展了常规巡察。"]
    assert (page.date, page.date_label) == (date(2022, 10, 21), "发布时间")
    assert page.publishers == ("县交通运输局",)


@pytest.mark.parametrize(("line", "expected"), [
    ("| 成文日期 | 2026-06-19 | 公开方式 | 主动公开 |", date(2026, 6, 19)),
    ("sfj.yuecheng.gov.cn 】【 2023-12-05 10:12:44 】【 来源:越城区司法局", date(2023, 12, 5)),
    ("15.06.2016  09:42", date(2016, 6, 15)),
    ("2023-12-05 来源:越城区司法局", date(2023, 12, 5)),  # a bare date on a chrome line
    ("时间:2024/6/3 16:05:12 作者:院纪委办", date(2024, 6, 3)),
    ("發(fā)佈時間:2023-05-16 來源:達州市民政局 選擇字號:[ 大 中 小 ]", date(2023, 5, 16)),
])
def test_page_dates_in_their_many_notations(line: str, expected: date) -> None:
    assert chrome.strip(normalize(line).split("\n")).date == expected


@pytest.mark.parametrize("line", [
    "扶持老字号企业发展,新增无障碍设施12处。",  # words that are chrome only on a tool bar
    "| 序号 | 问题 | 来源 | 整改时限 |",  # a table column named 来源
    "27.7%。",  # a piece of a hard-wrapped paragraph
])
def test_report_lines_that_merely_look_like_chrome_are_kept(line: str) -> None:
    assert not chrome.is_chrome(normalize(line))


def test_published_on_records_where_it_came_from() -> None:
    (page_dated,) = parse_file(REALWORLD / "openings" / "32_year_omitted_dates.txt")
    assert (page_dated.published_on, page_dated.published_on_source) == (date(2019, 9, 23), "page")
    (signed,) = parse_file(REALWORLD / "full" / "02_status_labels_soe.txt")
    assert (signed.published_on, signed.published_on_source) == (date(2022, 7, 8), "signature")
    assert signed.to_json()["published_on_source"] == "signature"


# --- who, by whom, when -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "team"), [
    ("2021年4月12日至5月14日,州县联动巡察组对中共来凤县人民检察院党组开展了巡察", "州县联动巡察组"),
    ("七届市委第十二轮巡察一组于2023年3月进驻", "七届市委第十二轮巡察一组"),
    ("根据县委部署,县委机动巡察二组对石寨镇党委开展了政治巡察", "县委机动巡察二组"),
    ("按照党中央统一部署,中央第五巡视组对某部党组进行了常规巡视", "中央第五巡视组"),
    ("2017年3月13日至4月14日,委党组巡察组对省肿瘤医院开展了巡察", "委党组巡察组"),
    ("今年4月12日~4月23日,苏州市委提级巡察“回头看”第二组对海虞镇开展了", "苏州市委提级巡察“回头看”第二组"),
    ("为抓好县委医疗卫生领域专项巡察组反馈问题的整改", "县委医疗卫生领域专项巡察组"),
    ("根据省委第二巡视组的反馈意见", "省委第二巡视组"),
])
def test_teams_in_all_their_forms(text: str, team: str) -> None:
    assert find_team(text) == team


@pytest.mark.parametrize(("opening", "published", "dates", "uncertain"), [
    ("2020年8月10日9月11日,市区联动巡察组对浔阳区法院党组进行了巡察,2020年11月20日反馈了巡察意见。", None,
     (date(2020, 8, 10), date(2020, 9, 11), date(2020, 11, 20)), False),  # 至 lost
    ("2022年315日至513日,县委第二巡察组对县交通运输局党组开展了巡察,2022年718日反馈了巡察意见。", None,
     (date(2022, 3, 15), date(2022, 5, 13), date(2022, 7, 18)), True),  # 月 lost
    ("2022411日至2022610日,县委第一巡察组对县农业农村局党组进行了巡察,2022826日反馈了巡察意见。", None,
     (date(2022, 4, 11), date(2022, 6, 10), date(2022, 8, 26)), True),  # 年 and 月 lost
    ("今年4月12日~4月23日,市委巡察组对海虞镇开展了巡察,5月28日集中反馈了问题41个。", date(2021, 8, 9),
     (date(2021, 4, 12), date(2021, 4, 23), date(2021, 5, 28)), False),  # year from the page's date
    ("2020年3月9日——2020年5月8日,县委机动巡察二组对石寨镇党委开展了政治巡察。", None,
     (date(2020, 3, 9), date(2020, 5, 8), None), False),
    ("2016年10月17日至11月25日,市卫计委党委第二巡察组对我院党委进行了巡察,12月28日反馈了巡察意见。", None,
     (date(2016, 10, 17), date(2016, 11, 25), date(2016, 12, 28)), False),  # year carried over
])
def test_inspection_dates_read_as_a_careful_reader_would(opening: str, published: date | None, dates: tuple,
                                                         uncertain: bool) -> None:
    warnings: list = []
    found = inspection(opening, published, warnings)
    assert (found.start, found.end, found.feedback_on) == dates
    assert bool(warnings) == uncertain
    if uncertain:
        assert warnings[0].code == "date_uncertain" and "2022" in warnings[0].message


def _unit(text: str) -> str:
    return parse_text(text)[0].unit


def test_units_from_title_opening_pronouns_and_chrome_with_the_fullest_name() -> None:
    # The title gives the full name; the opening only 县交通运输局.
    assert _unit("剑阁县交通运输局党组关于县委巡察整改进展情况的通报\n"
                 "2022年3月15日至5月13日,县委第二巡察组对县交通运输局党组开展了常规巡察。") == "剑阁县交通运输局"
    # 我院 resolves through the page's 来源.
    assert _unit("我院党委通报市卫计委党委巡察整改进展情况\n来源:漯河市第二人民医院 发布时间:2017-03-21 10:30\n"
                 "2016年10月17日至11月25日,市卫计委党委第二巡察组对我院党委进行了巡察。") == "漯河市第二人民医院"
    # No title: the opening's object, without 中共 and 党组.
    assert _unit("根据州委统一部署,2021年4月12日至5月14日,州县联动巡察组对中共来凤县人民检察院党组开展了巡察。"
                 ) == "来凤县人民检察院"
    # A list of inspected units: the place of the first one.
    assert _unit("根据区委统一部署,2023年4月10日至6月9日,七届区委第三轮巡察对大足区农业农村委、区商务委等7个区直部门"
                 "党组织开展了常规巡察。") == "大足区"


def test_a_unit_named_nowhere_is_guessed_from_the_first_place_and_warned_about() -> None:
    (report,) = parse_text("根据省委第二巡视组的反馈意见,旺苍县近期对全县公务接待开展了集中整改。对9名干部进行问责。")
    assert report.unit == "旺苍县"
    assert "unit_guessed" in {w.code for w in report.warnings}


# --- the report's own figures ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("巡察反馈问题15个,截至2022年6月30日,已完成10个,基本完成3个,持续整改2个。",
     {"issues": 15, "completed": 10, "basically_completed": 3, "in_progress": 2}),
    ("反馈的697个问题,完成整改688个,基本完成4个,未完成5个,总体完成率98.71%。",
     {"issues": 697, "completed": 688, "basically_completed": 4, "not_completed": 5, "completion_rate": 98.71}),
    ("截至目前,21个问题中已完成整改19个,其余2个正在按计划推进,整改完成率90.5%。",
     {"issues": 21, "completed": 19, "in_progress": 2, "completion_rate": 90.5}),
    ("对反馈的4个方面18个问题,已整改完成15个,3个问题列入长期整改。",
     {"aspects": 4, "issues": 18, "completed": 15, "in_progress": 3}),
    ("局党组对反馈的4方面19个问题全面认领,已完成整改17个,阶段性完成2个。",
     {"aspects": 4, "issues": 19, "completed": 17, "basically_completed": 2}),
    ("对照州县联动巡察组指出的4个方面9类问题27项问题,逐项制定整改措施。",
     {"aspects": 4, "subcategories": 9, "issues": 27}),
    ("对反馈的七个方面19项整改任务已全部整改到位。", {"aspects": 7, "measures": 19, "measures_completed": 19}),
])
def test_stated_progress_in_every_wording(text: str, expected: dict) -> None:
    stated, _ = extract_figures(text, summary=True)
    assert stated == expected


def test_a_subset_someone_took_on_is_not_a_total() -> None:
    stated, _ = extract_figures("党工委书记带头领办巡视反馈问题11个,全部完成整改。", summary=True)
    assert "issues" not in stated


@pytest.mark.parametrize(("text", "kind", "value", "unit"), [
    ("整改期间,新建修订制度8项,对2名工作人员进行了提醒谈话。", "reminder_talk", 2, "人"),
    ("整改期间,新建修订制度8项,对2名工作人员进行了提醒谈话。", "rules_established", 8, "项"),
    ("对9名干部进行问责,给予党纪处分4人。", "accountability", 9, "人"),
    ("对2人予以党内警告处分,对3人予以诫勉谈话。", "party_warning", 2, "人"),
    ("交由纪委调查1人,批评帮助5人,责令检查1人,批评教育6人。", "referred_to_discipline", 1, "人"),
    ("交由纪委调查1人,批评帮助5人,责令检查1人,批评教育6人。", "ordered_review", 1, "人"),
    ("追缴资金7.132万元,清退违规资金66.57万元,挽回经济损失1369.5万元。", "money_recovered", 7.132, "万元"),
    ("追缴资金7.132万元,清退违规资金66.57万元,挽回经济损失1369.5万元。", "losses_recovered", 1369.5, "万元"),
    ("追回应由个人承担的资金146万元。", "money_recovered", 146, "万元"),
    ("全市立案215件,结案198件,给予党纪政纪处分231人,其中县处级干部12人;移送司法机关9人。",
     "party_gov_discipline.县处级干部", 12, "人"),
    ("清理腾退超标办公用房2864平方米。", "office_space_vacated", 2864, "平方米"),
])
def test_accountability_and_money_wording(text: str, kind: str, value: float, unit: str) -> None:
    _, figures = extract_figures(text, summary=True)
    assert (value, unit) in [(f.value, f.unit) for f in figures if f.kind == kind], figures


def test_two_amounts_of_one_kind_in_one_sentence_are_both_kept() -> None:
    _, figures = extract_figures("整改中清收逾期工程款1260万元,追回违规发放的补贴9.3万元。", summary=True)
    assert sorted(f.value for f in figures if f.kind == "money_recovered") == [9.3, 1260]


def test_a_report_that_states_its_counts_without_listing_items_is_stored(tmp_path: Path) -> None:
    path = REALWORLD / "openings" / "12_hospital_slash_date_chrome.txt"
    (report,) = parse_file(path)
    assert report.issues == () and report.stated["issues"] == 31
    assert "stated_only" in {w.code for w in report.warnings}
    db = tmp_path / "db.duckdb"
    summary = ingest.ingest_paths([path], db, workers=1, progress=False)
    assert summary.failures == []
    with store.read_connection(db) as con:
        row = con.execute("SELECT unit, published_on, published_on_source, stated_json FROM reports").fetchone()
        kinds = {k for (k,) in con.execute("SELECT kind FROM figures").fetchall()}
    assert row[:3] == ("宝鸡市第三人民医院", date(2024, 6, 3), "page")
    assert '"completed": 28' in row[3] and {"stated.issues", "stated.completed", "stated.in_progress"} <= kinds


def test_text_and_page_rules_compile() -> None:
    """config.yaml `text:` and `page:` (the engines of normalize and chrome) compile, and every run-on
    split is zero-width (it only inserts line breaks, never eats text)."""
    from loaders.config import section
    from loaders.parser import normalize as norm

    size, splits = norm._run_on()
    assert size >= 200 and splits
    for pattern, _prefilter in splits:
        assert all(m.start() == m.end() for m in pattern.finditer("一、关于问题1.整改情况:已完成。(二)下一步")), pattern
    for pattern in section("text").get("fixes"):
        assert len(pattern) == 2
    assert chrome._rules().text and chrome._rules().web and chrome._rules().labelled_dates


def test_a_traditional_copy_of_each_sample_parses_like_the_sample() -> None:
    """OpenCC's s2t turns each real sample into a mirror-site copy: same units, dates, teams, figures, issues
    and statuses, and a warning that says the text was converted."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    for path in sample_paths():
        text = path.read_text(encoding="utf-8")
        ours, theirs = parse_text(text), parse_text(to_traditional.convert(text))
        def shape(reports):
            return [(r.part, r.unit, r.published_on, r.inspection, sorted(r.stated.items()),
                     [(i.label, i.status.status) for i in r.issues]) for r in reports]
        assert shape(theirs) == shape(ours), path.name
        assert all("traditional_converted" in {w.code for w in r.warnings} for r in theirs)
        assert not any("traditional_converted" in {w.code for w in r.warnings} for r in ours)


def test_the_feedback_date_in_the_line_after_the_period_is_found() -> None:
    """A copy that broke the opening paragraph after the period still gives the feedback date."""
    (report,) = parse_text("中共南昌工程学院委员会关于省委巡视整改情况的通报\n"
                           "根据省委统一部署,2017年10月9日至12月8日,省委第五巡视组对南昌工程学院进行了专项巡视。\n"
                           "2018年1月26日,省委巡视组向学校党委反馈了巡视意见。")
    assert (report.inspection.start, report.inspection.feedback_on) == (date(2017, 10, 9), date(2018, 1, 26))
