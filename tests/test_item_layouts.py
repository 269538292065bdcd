"""Item layouts beyond the five samples, on small constructed reports: one layout per test.

Tables (web page and .docx, any column order, category rows, rowspan), per-item status labels before, after
or inline with the measures, trailing `(已完成)`, `【问题一】` / `问题3:` items, chapters grouping items by
status or by kind, three levels of nesting with a non-issue section, and the issue's owner and time limit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from loaders.models import Report
from loaders.parser.parse import parse_file, parse_text
from loaders.parser.status import explicit_status, heading_status
from loaders.writer import store
from loaders.writer.ingest import ingest_paths
from tests import fixtures_office as fo

DONE, PART, OPEN = "完成", "阶段性完成", "未完成"
TITLE = "中共平安县市场监督管理局党组关于县委巡察整改进展情况的通报"
OPENING = ("根据县委统一部署,2023年3月6日至4月28日,县委第一巡察组对县市场监督管理局党组开展了常规巡察,"
           "2023年6月15日反馈了巡察意见。现将整改进展情况公布如下。")
TAIL = """三、下一步工作打算
一是对未完成的问题实行党组成员领办。二是巩固已完成问题的整改成果。
欢迎广大干部群众对整改落实情况进行监督。联系电话:0577-63718265。
中共平安县市场监督管理局党组
2023年10月20日"""


def report(body: str) -> Report:
    reports = parse_text(f"{TITLE}\n{OPENING}\n{body.strip()}\n{TAIL}")
    assert len(reports) == 1
    return reports[0]


def statuses(r: Report) -> list[tuple[str, str | None, str | None]]:
    return [(i.label, i.status.status, i.status.source) for i in r.issues]


def codes(r: Report) -> set[str]:
    return {w.code for w in r.warnings}


# --- the explicit vocabulary ------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("已完成", DONE), ("已完成。", DONE), ("已完成,清退资金5万元", DONE), ("已整改到位", DONE),
    ("已全部整改到位", DONE), ("基本完成", PART), ("持续整改", PART), ("长期坚持、持续推进", PART),
    ("正在整改", PART), ("正在推进", PART), ("阶段性完成", PART), ("未完成", OPEN), ("尚未完成", OPEN),
    # a report of the work, not a status: the measures decide
    ("制定降杠杆三年方案,压减低效资产3项", None), ("督促维保单位落实按需维保,预计年底完成", None), ("", None),
])
def test_explicit_status_reads_the_first_clause_of_a_printed_value(value: str, expected: str | None) -> None:
    assert explicit_status(value) == expected


@pytest.mark.parametrize(("heading", "expected"), [
    ("二、已完成整改的问题(共12个)", DONE),
    ("三、基本完成、持续推进的问题(共5个)", PART),
    ("四、尚未完成整改的问题(共1个)", OPEN),
    ("一、立行立改、已全部整改到位的问题(6个)", DONE),
    ("三、需长期坚持的问题(4个)", PART),
    ("二、限期整改的问题(8个)", None),  # a kind, not a status: its items print their own
    ("三、集中整改期内未完成或长期整改Ⅱ的整改事项", None),  # two statuses: lends none
])
def test_a_group_heading_lends_a_status_only_when_it_names_exactly_one(
    heading: str, expected: str | None
) -> None:
    assert heading_status(heading) == expected


# --- per-item labels --------------------------------------

def test_status_labels_before_after_and_inline_with_the_measures() -> None:
    r = report("""
二、具体问题整改情况
(一)关于贯彻落实上级决策部署不够到位方面
1.推动主业转型升级步伐不快,场站开发项目进度滞后。
完成情况:已完成
整改措施:成立场站开发专班,枢纽综合开发项目已于2022年5月动工。
2.新能源公交车推广任务落实有差距。
整改措施:新增新能源公交车120辆,建成充电桩86个。
整改进展:基本完成
3.部分子公司资产负债率偏高。
整改状态:持续整改。整改措施:制定降杠杆三年方案,压减低效资产3项。
4.国有资产出租管理不规范。
整改进展:已全面清查出租物业213处,收回低价出租物业9处,全部纳入平台公开招租。
""")
    assert statuses(r)[:3] == [("1", DONE, "explicit"), ("2", PART, "explicit"), ("3", PART, "explicit")]
    first, _, third, fourth = r.issues
    assert first.status.evidence == "完成情况:已完成"
    assert third.status.evidence == "整改状态:持续整改"
    assert third.measures == ("制定降杠杆三年方案,压减低效资产3项。",)  # the inline label became a measure
    # `整改进展:` followed by a report of the work is the measures, and the status is inferred from them
    assert fourth.status.source == "inferred" and "收回低价出租物业9处" in fourth.measures[0]
    assert {i.category for i in r.issues} == {"关于贯彻落实上级决策部署不够到位方面"}


def test_wenti_prefixes_with_a_trailing_status_under_category_headings() -> None:
    r = report("""
二、具体问题整改情况
(一)医院党委领导作用发挥方面
问题1:党委会与院长办公会议题界限不清。
整改情况:修订党委会、院长办公会议事规则,列出党委会研究事项清单。(已完成)
问题2:县域医共体建设推进缓慢。
整改情况:与8家乡镇卫生院签订医共体协议;信息系统互联互通尚在建设中。(正在整改)
(二)医疗服务质量方面
问题3:门诊预约诊疗比例偏低。(基本完成)
""")
    assert statuses(r) == [
        ("问题1", DONE, "explicit"), ("问题2", PART, "explicit"), ("问题3", PART, "explicit")]
    assert r.issues[0].measures == ("修订党委会、院长办公会议事规则,列出党委会研究事项清单。",)
    assert r.issues[0].status.evidence == "(已完成)"
    assert r.issues[2].title == "门诊预约诊疗比例偏低"
    assert [i.category for i in r.issues] == ["医院党委领导作用发挥方面"] * 2 + ["医疗服务质量方面"]


def test_bracketed_wenti_headings_number_on_across_aspect_chapters() -> None:
    r = report("""
一、党的领导和立德树人方面的问题
【问题一】学校党委把方向、管大局作用发挥不够。
整改情况:修订议事规则,明确党委前置研究事项18项。
整改结果:已完成
【问题二】心理健康教育专业力量薄弱。
整改情况:配备专职心理教师2名,建档跟踪工作还在推进。
整改结果:阶段性完成
二、全面从严治党和作风建设方面的问题
【问题三】食堂食材采购未按规定公开招标。
整改情况:食材采购统一纳入集中采购平台。
整改结果:已完成
""")
    assert statuses(r) == [
        ("问题一", DONE, "explicit"), ("问题二", PART, "explicit"), ("问题三", DONE, "explicit")]
    assert r.issues[2].category == "全面从严治党和作风建设方面的问题"
    assert "numbering_gap" not in codes(r)  # 问题三 continues 问题二 in the next chapter


def test_owner_and_time_limit_labels_become_fields_of_the_issue() -> None:
    r = report("""
二、具体问题整改情况
(一)关于落实主体责任方面
1.党支部组织生活不规范。
整改措施:统一组织生活记录本,每季度抽查一次。
责任单位:局机关党委
整改时限:2023年12月底
完成情况:已完成
""")
    (issue,) = r.issues
    assert issue.owner == "局机关党委"
    assert (issue.deadlines[0].text, issue.deadlines[0].due_on) == ("2023年12月底", dt.date(2023, 12, 31))
    assert issue.measures == ("统一组织生活记录本,每季度抽查一次。",)
    assert issue.to_json()["owner"] == "局机关党委"


# --- chapters grouping items ------------------------------

def test_items_grouped_by_status_take_the_heading_status_unless_they_print_their_own() -> None:
    r = report("""
一、整改工作基本情况
镇党委成立整改工作领导小组,逐条研究反馈问题。市委巡察组共反馈问题4个。
二、已完成整改的问题(共2个)
1.“第一议题”制度落实不到位。
整改情况:党委会首项议程学习上级重要会议精神,今年以来开展专题学习14次。
2.惠农补贴发放审核把关不严。
整改情况:逐户核查惠农补贴,追回冒领资金2.3万元。
整改进度:基本完成
三、基本完成、持续推进的问题(共1个)
1.高标准农田建设后期管护不到位。
整改情况:落实管护主体和经费,部分设施维修需结合明年项目实施。
四、尚未完成整改的问题(共1个)
1.镇区污水管网建设滞后。
整改情况:因征地问题尚未开工,计划2022年6月底前开工建设。
""")
    got = [(i.label, i.status.status) for i in r.issues]
    assert got == [("1", DONE), ("2", PART), ("1", PART), ("1", OPEN)]
    assert [i.status.rule for i in r.issues] == ["explicit_heading", "explicit", "explicit_heading",
                                                "explicit_heading"]
    assert r.issues[0].status.evidence == "二、已完成整改的问题(共2个)"
    assert {i.status.source for i in r.issues} == {"explicit"}
    assert "numbering_gap" not in codes(r)  # numbering restarts in each group


def test_items_grouped_by_kind_lixing_xianqi_changqi() -> None:
    r = report("""
一、立行立改、已全部整改到位的问题(2个)
1.信访件办理回复不及时。整改情况:建立信访件办理预警机制,超期件全部办结。
2.公务用车派车审批手续不全。整改情况:统一公务用车派车单,实行定位监控。
二、限期整改的问题(2个)
1.危险废物规范化管理不到位。
整改措施:对产废企业开展规范化管理评估,督促整改问题企业43家。
整改进度:已完成
2.农村生活污水治理设施运维不到位。
整改措施:已修复故障设施86座,剩余设施修复资金正在落实。
整改进度:基本完成
三、需长期坚持的问题(1个)
1.产业结构偏重,单位GDP能耗下降压力较大。
整改措施:推进重点行业节能降碳改造,纳入年度目标考核。
""")
    assert [i.status.status for i in r.issues] == [DONE, DONE, DONE, PART, PART]
    assert r.issues[0].title == "信访件办理回复不及时"
    assert r.issues[0].measures == ("建立信访件办理预警机制,超期件全部办结。",)


def test_three_levels_of_nesting_and_a_non_issue_section() -> None:
    r = report("""
一、贯彻落实党的路线方针政策方面
(一)推动高质量发展有差距
1.工业园区招商引资质量不高。
清理园区闲置土地,新引进规模以上企业6家。
整改结果:已完成
2.特色农业产业规模小。
编制产业发展规划,冷链物流中心尚在建设。
整改结果:阶段性完成
二、落实全面从严治党主体责任方面
(一)管党治党责任压得不实
3.对乡镇党委督促指导不够。
15个乡镇污水处理厂已全部建成,4个厂尚未正常运行。
整改结果:未完成
四、关于巡视移交信访件和问题线索办理情况
省委巡视组移交信访件56件,已全部办结;移交问题线索14件,已立案9件。
""")
    assert statuses(r) == [("1", DONE, "explicit"), ("2", PART, "explicit"), ("3", OPEN, "explicit")]
    assert [i.category for i in r.issues] == ["推动高质量发展有差距"] * 2 + ["管党治党责任压得不实"]
    assert all("信访件" not in m for i in r.issues for m in i.measures)


# --- tables -----------------------------------------------

ROWS = [
    # columns in another order than the usual one, and other names for them
    ["完成情况", "问题描述", "整改举措", "牵头单位", "完成时限", "序号"],
    ["一、贯彻落实上级决策部署方面"],
    ["已完成", "食品安全包保干部督导频次不达标。", "修订包保督导考核细则,建立督导任务清单。", "食品协调科",
     "2023年8月底", "1"],
    ["持续推进", "老旧电梯监管措施跟进不及时。", "完成安全评估163台;补助办法已报县政府审议。", "特种设备科",
     "2023年12月底", "2"],
    ["二、落实全面从严治党责任方面"],
    ["已印发处置办法,正在逐项清点罚没物品", "罚没物品管理不规范。", "制定罚没物品保管处置办法。",
     "法规科、财务科", "长期坚持", "3"],
]


def _table_html(rows: list[list[str]], cell_paragraphs: bool = False) -> str:
    def cell(text: str, tag: str, span: int = 1) -> str:
        inner = f"<p>{text}</p>" if cell_paragraphs else text
        return f'<{tag}{f" colspan={span}" if span > 1 else ""}>{inner}</{tag}>'

    width = len(rows[0])
    body = [f"<tr>{''.join(cell(c, 'th') for c in rows[0])}</tr>"]
    for row in rows[1:]:
        cells = cell(row[0], "td", width) if len(row) == 1 else "".join(cell(c, "td") for c in row)
        body.append(f"<tr>{cells}</tr>")
    return f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
<h1>{TITLE}</h1><div class="content"><p>{OPENING}</p>
<p>一、整改工作总体情况</p><p>局党组先后召开专题会议8次研究推进巡察整改,党组书记对重点问题亲自督办。</p>
<p>二、具体问题整改情况</p><table border="1">{''.join(body)}</table>
{''.join(f"<p>{line}</p>" for line in TAIL.splitlines())}</div></body></html>"""


def _check_table_report(reports: list[Report]) -> None:
    (r,) = reports
    assert [(i.label, i.status.status, i.status.source) for i in r.issues] == [
        ("1", DONE, "explicit"), ("2", PART, "explicit"), ("3", PART, "inferred")]
    one, two, three = r.issues
    assert [i.category for i in r.issues] == ["贯彻落实上级决策部署方面"] * 2 + ["落实全面从严治党责任方面"]
    assert one.title == "食品安全包保干部督导频次不达标"
    assert one.measures == ("修订包保督导考核细则,建立督导任务清单。",)
    assert (one.owner, three.owner) == ("食品协调科", "法规科、财务科")
    assert (one.deadlines[0].text, one.deadlines[0].due_on) == ("2023年8月底", dt.date(2023, 8, 31))
    assert (three.deadlines[0].text, three.deadlines[0].due_on) == ("长期坚持", None)
    assert two.status.evidence == "完成情况:持续推进"
    # a status cell that reports work rather than naming a status is a measure, and inference decides
    assert "已印发处置办法,正在逐项清点罚没物品" in three.measures


@pytest.mark.parametrize("cell_paragraphs", [False, True], ids=["plain-cells", "cells-with-paragraphs"])
def test_problems_in_an_html_table_with_category_rows(cell_paragraphs: bool) -> None:
    page = _table_html(ROWS, cell_paragraphs).encode("utf-8")
    _check_table_report(parse_file("table.html", page))


def test_problems_in_a_word_table_with_merged_category_rows() -> None:
    text = "\n".join([TITLE, OPENING, "一、整改工作总体情况", "局党组先后召开专题会议8次研究推进巡察整改。",
                      "二、具体问题整改情况", TAIL])
    data = fo.docx_bytes(text, table_rows=ROWS, table_after=4)
    _check_table_report(parse_file("table.docx", data))


def test_rowspan_cells_carry_down_and_a_category_column_names_the_category() -> None:
    page = f"""<html><head><meta charset="utf-8"></head><body><h1>{TITLE}</h1><p>{OPENING}</p>
<p>二、具体问题整改情况</p><table>
<tr><td>问题类别</td><td>序号</td><td>反馈问题</td><td>整改措施</td><td>整改结果</td></tr>
<tr><td rowspan="2">党的建设方面</td><td>1</td><td>支部“三会一课”记录缺失。</td>
<td>统一组织生活记录本。</td><td>已完成</td></tr>
<tr><td>2</td><td>流动党员联系服务不及时。</td><td>建立流动党员联系卡制度。</td><td>基本完成</td></tr>
</table>{''.join(f"<p>{line}</p>" for line in TAIL.splitlines())}</body></html>"""
    (r,) = parse_file("rowspan.html", page.encode("utf-8"))
    assert [(i.label, i.category, i.status.status) for i in r.issues] == [
        ("1", "党的建设方面", DONE), ("2", "党的建设方面", PART)]
    assert r.issues[1].measures == ("建立流动党员联系卡制度。",)


def test_a_table_without_an_issue_header_gives_no_issues_and_ends_the_last_row() -> None:
    r = report("""
二、具体问题整改情况
| 序号 | 反馈问题 | 整改措施 | 完成情况
| 1 | 公务接待审核把关不严。 | 完善财务报销“三审”流程。 | 已完成
局党组对执行情况每半年开展一次“回头看”,防止问题反弹。
| 指标 | 数值
| 召开专题会议 | 8次
""")
    (issue,) = r.issues
    assert issue.measures == ("完善财务报销“三审”流程。",)  # the paragraph after the table is not its row's


# --- the owner column in the database ---------------------

def test_owner_is_stored_and_an_older_database_gains_the_column(tmp_path: Path) -> None:
    source = tmp_path / "reports" / "table.html"
    source.parent.mkdir()
    source.write_bytes(_table_html(ROWS).encode("utf-8"))
    db = tmp_path / "db.duckdb"
    ingest_paths([source.parent], db=db, workers=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        owners = con.execute("SELECT label, owner FROM issues_effective ORDER BY seq").fetchall()
        first_due = con.execute("SELECT first_due FROM issues WHERE label = '1'").fetchone()
    assert owners == [("1", "食品协调科"), ("2", "特种设备科"), ("3", "法规科、财务科")]
    assert first_due == (dt.date(2023, 8, 31),)
    with duckdb.connect(str(db)) as con:  # as a database made before the column existed
        con.execute("ALTER TABLE issues DROP COLUMN owner")
    with store.connect(db):  # any write connection migrates it
        pass
    with duckdb.connect(str(db), read_only=True) as con:
        assert "owner" in {row[0] for row in con.execute("DESCRIBE issues_effective").fetchall()}


def test_an_aspect_chapter_worded_like_an_issue_holds_the_numbered_items_under_it() -> None:
    r = report("""
一、关于贯彻落实上级决策部署方面的问题
1.涉企案件办理效率不高。
整改情况:建立涉企案件快办机制,审查起诉平均用时缩短6天。(已完成)
2.未成年人检察综合保护作用发挥不够。
整改情况:未成年人观护基地建设正在推进。(正在推进)
""")
    assert statuses(r) == [("1", DONE, "explicit"), ("2", PART, "explicit")]
    assert {i.category for i in r.issues} == {"贯彻落实上级决策部署"}


def test_status_groups_at_the_paren_level_and_brackets_with_figures_are_not_statuses() -> None:
    r = report("""
二、巡察反馈问题整改落实情况
(一)已完成整改的问题
1.公务接待审核把关不严。
整改情况:完善财务报销“三审”流程,审核通过率(完成率100%)
(二)正在整改的问题
1.老旧电梯监管措施跟进不及时。
整改情况:完成安全评估163台,补助办法已报县政府审议。
""")
    assert [(i.status.status, i.status.rule, i.category) for i in r.issues] == [
        (DONE, "explicit_heading", ""), (PART, "explicit_heading", "")]
    assert r.issues[0].measures[0].endswith("(完成率100%)")  # kept: a figure, not a status


def test_a_table_copied_as_tab_separated_text_and_a_markdown_table() -> None:
    tabbed = report("""
二、具体问题整改情况
序号\t反馈问题\t整改措施\t责任单位\t整改时限\t完成情况
一、贯彻落实上级决策部署方面
1\t包保干部督导频次不达标。\t修订包保督导考核细则。\t食品协调科\t2023年8月底\t已完成
2\t老旧电梯监管措施跟进不及时。\t完成安全评估163台。\t特种设备科\t2023年12月底\t基本完成
""")
    assert [(i.label, i.category, i.owner, i.status.status) for i in tabbed.issues] == [
        ("1", "贯彻落实上级决策部署方面", "食品协调科", DONE),
        ("2", "贯彻落实上级决策部署方面", "特种设备科", PART)]
    markdown = report("""
二、具体问题整改情况
| 序号 | 反馈问题 | 整改措施 | 整改进展 |
|---|---|---|:---:|
| 1 | 包保干部督导频次不达标。 | 修订包保督导考核细则。 | 已完成 |
""")
    got = [(i.label, i.title, i.status.status) for i in markdown.issues]
    assert got == [("1", "包保干部督导频次不达标", DONE)]


def test_status_labels_printed_in_brackets() -> None:
    r = report("""
二、具体问题整改情况
(一)关于落实主体责任方面
1.党支部组织生活不规范。
【整改措施】统一组织生活记录本,每季度抽查一次。
【整改进展】基本完成
2.流动党员联系服务不及时。
【整改措施】建立流动党员联系卡制度。【完成情况】已完成
""")
    assert statuses(r) == [("1", PART, "explicit"), ("2", DONE, "explicit")]
    assert r.issues[0].measures == ("统一组织生活记录本,每季度抽查一次。",)


def test_bracket_numbered_items_of_a_group_and_other_group_wordings() -> None:
    r = report("""
二、已经完成整改的问题(共2个)
(1)公务接待审核把关不严。
整改情况:完善财务报销“三审”流程。
(2)流动党员联系服务不及时。
整改情况:建立流动党员联系卡制度。
三、正在推进整改的问题(共1个)
1.老旧电梯监管措施跟进不及时。
整改情况:完成安全评估163台。
(1)补助办法已报县政府审议。
""")
    assert [(i.label, i.status.status) for i in r.issues] == [("(1)", DONE), ("(2)", DONE), ("1", PART)]
    assert r.issues[2].measures == ("完成安全评估163台。", "补助办法已报县政府审议。")


def test_a_status_value_followed_by_more_text_keeps_it_and_an_open_trailing_status_wins() -> None:
    r = report("""
二、具体问题整改情况
(一)关于落实主体责任方面
1.违规发放津贴补贴。
完成情况:已完成,清退违规发放资金48.7万元。
2.公务接待和会议费管理不规范。
整改情况:出台会议费管理实施细则。(已完成)
对县直单位开展专项检查,通报典型问题5起。(正在推进)
""")
    assert statuses(r) == [("1", DONE, "explicit"), ("2", PART, "explicit")]
    assert r.issues[0].status.evidence == "完成情况:已完成"
    assert r.issues[0].measures == ("清退违规发放资金48.7万元。",)
    assert r.issues[1].status.evidence == "(正在推进)"


def test_a_wenti_label_alone_on_its_line_takes_the_next_line_as_its_problem() -> None:
    page = f"""<html><head><meta charset="gb2312"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>
<p>{OPENING}</p><p><strong>问题1:</strong></p><p>党工委理论学习不深入,学习形式单一。</p>
<p>整改措施:制定年度学习计划,开展专题研讨6次。</p><p>整改进度:已完成</p>
<p><strong>问题2:</strong></p><p>历史遗留的回迁安置问题未解决。</p>
<p>整改措施:回迁楼项目停工,已报请区政府协调。</p><p>整改进度:未完成</p>
{''.join(f"<p>{line}</p>" for line in TAIL.splitlines())}</body></html>"""
    (r,) = parse_file("street.html", page.encode("gb18030"))
    assert [(i.label, i.title, i.status.status) for i in r.issues] == [
        ("问题1", "党工委理论学习不深入,学习形式单一", DONE), ("问题2", "历史遗留的回迁安置问题未解决", OPEN)]


def test_a_problem_cell_spanning_several_measure_rows_is_one_issue() -> None:
    page = f"""<html><head><meta charset="utf-8"></head><body><h1>{TITLE}</h1><p>{OPENING}</p>
<p>二、具体问题整改情况</p><table>
<tr><th>序号</th><th>反馈问题</th><th>整改措施</th><th>责任单位</th></tr>
<tr><td rowspan="2">1</td><td rowspan="2">支部“三会一课”记录缺失。</td>
<td>统一组织生活记录本。</td><td>机关党委</td></tr>
<tr><td>每季度抽查一次。</td><td>机关党委</td></tr>
<tr><td>2</td><td>流动党员联系服务不及时。</td><td>建立流动党员联系卡制度。</td><td>机关党委</td></tr>
</table>{''.join(f"<p>{line}</p>" for line in TAIL.splitlines())}</body></html>"""
    (r,) = parse_file("rowspan.html", page.encode("utf-8"))
    assert [(i.label, i.measures) for i in r.issues] == [
        ("1", ("统一组织生活记录本。", "每季度抽查一次。")), ("2", ("建立流动党员联系卡制度。",))]


def test_a_column_per_status_ticked_in_each_row() -> None:
    r = report("""
二、具体问题整改情况
| 序号 | 反馈问题 | 整改措施 | 已完成 | 基本完成 | 未完成
| 1 | 公务接待审核把关不严。 | 完善财务报销“三审”流程。 | √ |  |
| 2 | 老旧电梯监管措施跟进不及时。 | 完成安全评估163台。 |  | √ |
| 3 | 回迁安置问题未解决。 | 已报请区政府协调。 |  |  | √
""")
    assert statuses(r) == [("1", DONE, "explicit"), ("2", PART, "explicit"), ("3", OPEN, "explicit")]
    assert r.issues[0].status.evidence == "已完成:√"
    markdown = report("""
二、具体问题整改情况
| 序号 | 问题 | 整改措施 | 已完成 | 未完成 |
|:--:|---|---|---|---|
| 一、贯彻落实方面 | | | | |
| 1 | 公务接待审核把关不严。 | 完善财务报销“三审”流程。 | | √ |
""")
    assert [(i.category, i.status.status) for i in markdown.issues] == [("贯彻落实方面", OPEN)]
