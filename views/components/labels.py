"""Chinese labels and colours shared by every page and chart (one place, so the pages agree)."""

from __future__ import annotations

import pandas as pd

from loaders.vocab import vocab
from queries import STATUS_LABELS

# Statuses, sources, lights, figure kinds and stated keys come from config.yaml (vocab,
# figures.accountability) through loaders/vocab.py; these are the shapes the pages and charts use.
STATUS_ORDER: tuple[str, ...] = STATUS_LABELS
STATUS_COLORS: dict[str, str] = {s.value: s.colour for s in vocab().labels}
# Streamlit markdown colour names for the badges (colored text, no HTML).
STATUS_BADGE: dict[str, str] = {s.value: s.badge for s in vocab().labels}
STATUS_SYMBOLS: dict[str, str] = {s.value: s.symbol for s in vocab().labels}  # plotly markers
# Query result column (done, partial, open, unknown) → its status label.
STATUS_COLUMNS: dict[str, str] = {s.column: s.value for s in vocab().labels}

# 红黄绿灯 (queries.LIGHTS) and the colours they are drawn in.
LIGHT_COLORS: dict[str, str] = {x.value: x.colour for x in vocab().lights}
LIGHT_BADGE: dict[str, str] = {x.value: x.badge for x in vocab().lights}
LIGHT_NAMES: dict[str, str] = {x.value: x.name for x in vocab().lights}
# Query result column (red, yellow, green) → the light's name (红灯).
LIGHT_COLUMNS: dict[str, str] = {x.column: x.name for x in vocab().lights}

SOURCE_LABELS: dict[str, str] = {s.value: s.label for s in vocab().sources}
SOURCE_BADGE: dict[str, str] = {s.value: s.badge for s in vocab().sources}

# Accountability figures: charted on 总览 / 评分 / the brief by group (people in 人, money in 万元); the
# other kinds are listed on 单位 only.
PEOPLE_FIGURES: dict[str, str] = vocab().figure_group("people")
MONEY_FIGURES: dict[str, str] = vocab().figure_group("money")
FIGURE_LABELS: dict[str, str] = {k.kind: k.label for k in vocab().figures}

# The stated totals listed on 数据质量 (key → label), in order.
STATED_LABELS: dict[str, str] = {k.key: k.label for k in vocab().stated if k.listed}

PART_LABELS: dict[str, str] = {"main": "主报告"}

# Column titles for tables and the CSV.
COLUMN_LABELS: dict[str, str] = {
    "unit": "单位",
    "published_on": "发布日期",
    "part": "部分",
    "report_title": "通报标题",
    "category": "类别",
    "seq": "序号",
    "label": "编号",
    "title": "问题",
    "status": "整改状态",
    "parsed_status": "解析状态",
    "source": "状态来源",
    "rule": "判定规则",
    "confidence": "置信度",
    "evidence": "判定依据",
    "counter_evidence": "相反迹象",
    "overdue_commitments": "已过承诺时限",
    "measures_text": "整改措施",
    "override_author": "更正人",
    "override_note": "更正说明",
    "override_at": "更正时间",
    "deadlines": "时限",
    "first_due": "最早时限",
    "deadline": "时限原文",
    "due_on": "到期日",
    "days_overdue": "逾期天数",
    "days_left": "剩余天数",
    "n_missed": "已过时限数",
    "bucket": "逾期时长",
    "text": "时限原文",
    "code": "类型",
    "message": "说明",
    "file": "文件",
    "kind": "指标",
    "value": "数值",
    "figure_unit": "单位（计量）",
    "created_at": "时间",
    "note": "说明",
    "author": "更正人",
    "issue_key": "问题编号",
    "lineage_id": "问题脉络编号",
    "version": "版本",
    "link_score": "与上一版本匹配度",
    "due_revisions": "时限调整次数",
    "original_due": "最初时限",
    "prev_due": "调整前时限",
    "known_due": "现行时限",
    "target_due": "最晚时限",
    "carried_status": "沿用更正状态",
    "carried_author": "沿用更正人",
    "recurrence_of": "屡改屡犯线索（上一轮问题编号）",
    "recurrence_score": "屡改屡犯相似度",
    "light": "预警灯",
    "owner": "责任单位",
    "stated_rate": "自报完成率（%）",
    "parsed_rate": "解析完成率（%）",
    "rate_gap": "差（百分点）",
    "unit_stated_rate": "单位自报完成率（%）",
    "unit_parsed_rate": "单位解析完成率（%）",
    "override_id": "记录号",
    "row_kind": "记录类型",
}


def part_label(part: str | None) -> str:
    return PART_LABELS.get(part or "main", part or "")


def source_label(source: str | None) -> str:
    return SOURCE_LABELS.get(source or "", "—")


def figure_label(kind: str) -> str:
    return FIGURE_LABELS.get(kind, kind)


# Warning codes written by the loaders, in Chinese (each message has its Chinese text in message_zh).
WARNING_LABELS: dict[str, str] = {
    "numbering_gap": "编号不连续",
    "stated_count_mismatch": "声明数与解析数不符",
    "unknown_status": "状态无法判定",
    "overdue_commitment": "承诺时限已过未见结果",
    "stated_split_mismatch": "自述完成率与逐项判定不符",
    "no_issues": "未找到问题",
    "not_a_report": "不像整改通报",
    "no_unit": "未识别出单位",
    "unit_guessed": "单位系推测",
    "stated_only": "仅有通报自述数字",
    "traditional_converted": "繁体已转简体",
    "date_uncertain": "日期数字有缺漏",
    "no_publication_date": "未识别出发布日期",
    "parse_error": "解析出错",
    "status_error": "状态判定出错",
    "deadlines_error": "时限识别出错",
    "figures_error": "数字提取出错",
    "truncated": "文本不完整",
    "unparsed_heading": "未识别的标题",
    "skipped_items": "清单结束后的条目",
    "duplicate_report": "重复的通报",
    "duplicate_issue": "重复的问题",
    "docx_numbering": "Word 自动编号",
    "encoding_guessed": "编码为推测",
    "wrong_charset": "声明的编码有误",
    "undecodable_bytes": "含无法解码的字节",
    "extension_mismatch": "扩展名与内容不符",
    "html_fallback": "网页正文提取降级",
    "pdf_cid_font": "PDF 字体无法转为文字",
    "pdf_no_text": "PDF 没有文字层",
}


def warning_label(code: str) -> str:
    return WARNING_LABELS.get(code, code)


def warning_texts(df: pd.DataFrame) -> pd.Series:
    """The Chinese text of each warning row (message_zh), or its English message where there is none (rows
    stored before message_zh existed)."""
    if "message_zh" not in df:
        return df["message"]
    zh = df["message_zh"]
    return zh.where(zh.notna() & (zh.astype(str).str.strip() != ""), df["message"])
