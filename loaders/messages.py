"""English and Chinese texts of every parse warning and read error, each pair built from the same facts.

    warning("no_unit")                                   → ParseWarning(code, message, message_zh)
    warning("unknown_status", unknown=3, total=40, labels=joined(["3", "7"]))
    reason("not_text", kind=Msg("PNG image", "PNG图片"))  → Msg for ReadError(name, reason)

The English text is what the CLI and `parse --json` print (plain English, unchanged); the Chinese text is
what the dashboard shows. A parameter may itself be a Msg (a phrase that differs per language): each
language takes its own half. tests/test_messages.py checks that every template has a Chinese twin with the
same parameters.
"""

from __future__ import annotations

import errno
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from loaders.models import ParseWarning


@dataclass(frozen=True)
class Msg:
    """One text in English and in Chinese."""

    en: str
    zh: str

    def format(self, **params: Any) -> Msg:
        return Msg(self.en.format(**_side(params, "en")), self.zh.format(**_side(params, "zh")))


EMPTY = Msg("", "")  # an optional phrase that is absent


def _side(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: getattr(v, lang) if isinstance(v, Msg) else v for k, v in params.items()}


def fields(template: str) -> set[str]:
    """The parameter names a template uses ("{n} of {total:d}" → {"n", "total"})."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# Pipeline stages whose failure costs only their own results (loaders/parser/parse.py `_call`).
STAGES: dict[str, str] = {"status": "整改状态判定", "deadlines": "时限识别", "figures": "数字提取"}

# Warning code → its text. Every code the loaders can emit is here (tests/test_messages.py checks that).
WARNINGS: dict[str, Msg] = {
    # loaders/parser/parse.py
    "parse_error": Msg("The text could not be parsed ({error}).", "文本解析失败（程序错误：{error}）。"),
    "truncated": Msg(
        "The text seems cut off: it ends mid-sentence (“…{cut}”) with no signature or date, so the last "
        "issue may be incomplete and later ones missing.",
        "文本似乎不完整：结尾停在半句话（“…{cut}”），也没有落款和日期，最后一个问题可能不完整，其后的问题可能缺失。",
    ),
    "not_a_report": Msg(
        "This text does not look like a rectification report: it never mentions 巡视, 巡察 or 整改.",
        "该文本不像整改通报：全文没有出现“巡视”“巡察”或“整改”。",
    ),
    "no_issues": Msg(
        "No issues were found in this report: none of its headings matches an issue layout the parser knows.",
        "没有在该通报中找到问题：它的各级标题都不符合已知的问题编排格式。",
    ),
    "traditional_converted": Msg(
        "The text is in traditional characters; it was converted to simplified characters for parsing, so "
        "titles, measures and evidence are shown in simplified characters.",
        "原文为繁体字，已转换为简体字后解析，问题标题、措施和依据均以简体显示。",
    ),
    "stated_only": Msg(
        "The report does not list its issues one by one; only its own figures (totals, progress counts) "
        "are kept.",
        "该通报没有逐条列出问题，只保留了它自己公布的数字（问题总数、整改进度等）。",
    ),
    "unknown_status": Msg(
        "{unknown} of {total} issues have no status: nothing in their text decides it (issues {labels}).",
        "{total}个问题中有{unknown}个无法判定整改状态：其文字中没有可据以判定的内容（问题{labels}）。",
    ),
    # loaders/parser/status.py (report level)
    "overdue_commitment": Msg(
        "{count} issues hold a commitment whose date passed before the report with no result stated "
        "(issues {labels}); they are not counted as done.",
        "{count}个问题的承诺时限早于通报日期但未写明结果（问题{labels}），未计为完成。",
    ),
    "stated_split_mismatch": Msg(
        "The report states {stated}% completed, but the items read {done} of {total} done ({parsed}%); "
        "check first issues {labels}.",
        "通报自述完成{stated}%，但逐项判定为{total}个中{done}个完成（{parsed}%）；请优先核对问题{labels}。",
    ),
    "no_publication_date": Msg(
        "No publication date was found (no date line under the signature), so relative deadlines cannot be "
        "resolved.",
        "没有找到发布日期（落款下没有日期行），因此无法推算“年底前”之类的相对时限。",
    ),
    "unit_guessed": Msg(
        "The unit is not named in the title, the signature, the opening or the page; {unit}, the first place "
        "the text names, is taken as the unit.",
        "标题、落款、开头段落和网页信息中都没有写明单位，取正文中最先出现的地名“{unit}”作为单位。",
    ),
    "date_uncertain": Msg(
        "Some inspection dates are printed with digits run together or missing (年/月 lost), and were read "
        "as the only valid dates: {dates}. Check them against the original.",
        "部分巡视（巡察）日期的数字粘连或缺字（漏了“年”“月”），已按唯一合理的读法识别：{dates}，请与原文核对。",
    ),
    "no_unit": Msg(
        "The publishing unit could not be found in the title, the signature or the opening paragraph.",
        "在标题、落款和开头段落中都没有找到发布单位。",
    ),
    "stated_count_mismatch": Msg(
        "The report states {issues} problems{scope}, but {parsed} issues were parsed{grouped}.",
        "通报称共有{issues}个问题{scope}，但解析出{parsed}个问题{grouped}。",
    ),
    **{
        f"{stage}_error": Msg(
            f"The {stage} step failed ({{error}}); its results are missing for this report.",
            f"{zh}步骤出错（{{error}}），本通报缺少这部分结果。",
        )
        for stage, zh in STAGES.items()
    },
    # loaders/parser/segment.py
    "unparsed_heading": Msg(
        "{n} heading(s) look like issue headings but match no issue pattern, so they were not counted as "
        "issues: {examples}{more}",
        "有{n}个标题看似问题标题，但不符合任何问题编号格式，未计为问题：{examples}{more}",
    ),
    "skipped_items": Msg(
        "{n} item(s) look like issues but come after “{after}”, which ends the issue list, so they were not "
        "counted: {examples}{more}",
        "有{n}个条目看似问题，但位于结束问题清单的“{after}”之后，未计为问题：{examples}{more}",
    ),
    "numbering_gap": Msg(
        "Issue numbering under “{where}” jumps from {prev} to {number}: {missing} not in the published "
        "report (published reports sometimes omit items).",
        "“{where}”下的问题编号从{prev}跳到{number}：公开的通报中没有{missing}（公开的通报有时会略去部分条目）。",
    ),
    # loaders/writer/store.py
    "duplicate_report": Msg(
        "Another report in this file has the same unit, date and part ({part}); this one was stored under a "
        "separate key.",
        "本文件中另有一份通报的单位、日期和部分（{part}）与之相同，这一份已用单独的编号保存。",
    ),
    "duplicate_issue": Msg(
        "Issue {label} repeats the category and title of an earlier issue; it was stored under a separate "
        "key.",
        "问题{label}的类别和标题与前面的某个问题重复，已用单独的编号保存。",
    ),
    # loaders/parser/read/*
    "extension_mismatch": Msg(
        "{name}: the content is plain text, read as .txt", "{name}：内容是纯文本，已按 .txt 文件读取"
    ),
    "html_fallback": Msg(
        "{name}: the article could not be located; kept all page text",
        "{name}：未能定位网页正文，保留了页面上的全部文字",
    ),
    "undecodable_bytes": Msg(
        "{name}: {n} byte sequence(s) are not valid {encoding}; shown as �",
        "{name}：有{n}处字节不是有效的{encoding}编码，显示为 �",
    ),
    "wrong_charset": Msg(
        "{name}: declared charset {declared} is wrong; the page was decoded as {encoding} instead",
        "{name}：网页声明的编码{declared}有误，已改用{encoding}解码",
    ),
    "encoding_guessed": Msg(
        "{name}: encoding not certain; decoded as {encoding} (a guess)",
        "{name}：无法确定文字编码，按推测的{encoding}解码",
    ),
    "docx_numbering": Msg(
        "{name}: list numbers in format(s) {formats} were written as digits",
        "{name}：Word 自动编号格式{formats}无法还原，已写成阿拉伯数字",
    ),
    "pdf_no_text": Msg(
        "{name}: pages {pages} have no text layer (scanned?)", "{name}：第{pages}页没有文字层（可能是扫描件）"
    ),
    "pdf_cid_font": Msg(
        "{name}: pages {pages} use fonts without a Unicode map; their text came out as (cid:N) codes and was "
        "left out",
        "{name}：第{pages}页所用字体没有 Unicode 映射，文字只能提取为 (cid:N) 代码，已略去",
    ),
}

# Phrases that are parameters of the texts above (one language each side).
PHRASES: dict[str, Msg] = {
    "mismatch.aspects_categories": Msg(" in {aspects} aspects ({categories} categories)",
                                       "（{aspects}个方面、{categories}大类）"),
    "mismatch.aspects": Msg(" in {aspects} aspects", "（{aspects}个方面）"),
    "mismatch.categories": Msg(" ({categories} categories)", "（{categories}大类）"),
    "mismatch.grouped": Msg(
        " — one per aspect: the report lists its problems grouped, not one by one",
        "——即每个方面一个：通报是按方面归并列出问题的，没有逐条列出",
    ),
    "gap.one": Msg("item {first} is", "第{first}项"),
    "gap.many": Msg("items {first}–{last} are", "第{first}–{last}项"),
    "gap.whole_report": Msg("the report", "通报正文"),
}

# Why a file cannot be read (ReadError): the reason after "<file name>: ".
REASONS: dict[str, Msg] = {
    "empty": Msg("the file is empty", "文件是空的"),
    "empty_whitespace": Msg("the file is empty (only whitespace)", "文件是空的（只有空白字符）"),
    "empty_document": Msg("the document is empty (no text in its paragraphs or tables)",
                          "文档是空的（段落和表格中都没有文字）"),
    "cannot_open": Msg("cannot open the file ({error})", "无法打开文件（{error}）"),
    "cannot_read": Msg("cannot read the file ({error})", "无法读取文件（{error}）"),
    "is_folder": Msg("is a folder, not a file", "是文件夹，不是文件"),
    "too_large": Msg("the file is {size}, over the {limit:g} MB limit (read.max_file_mb)",
                     "文件大小为 {size}，超过 {limit:g} MB 的上限（read.max_file_mb）"),
    "not_text": Msg("not a text document ({kind})", "不是文本文件（{kind}）"),
    "not_word": Msg("not a Word document ({kind})", "不是 Word 文档（{kind}）"),
    "rtf": Msg("RTF documents are not supported; save it as .docx or .txt",
               "不支持 RTF 文档，请另存为 .docx 或 .txt 文件"),
    "old_office": Msg("old binary Office format (.doc/.xls/.wps) is not supported; save it as .docx",
                      "不支持旧版二进制 Office 格式（.doc/.xls/.wps），请另存为 .docx 文件"),
    "docx_encrypted": Msg("the .docx is password-protected (encrypted); save an unprotected copy",
                          ".docx 文件设有密码（已加密），请另存一份不加密的副本"),
    "docx_invalid": Msg("not a valid .docx (damaged file or wrong extension?)",
                        "不是有效的 .docx 文件（文件损坏或扩展名有误？）"),
    "docx_damaged": Msg("the .docx file is damaged ({detail})", ".docx 文件已损坏（{detail}）"),
    "pdf_invalid": Msg("not a valid PDF (no %PDF header: damaged file or wrong extension?)",
                       "不是有效的 PDF 文件（缺少 %PDF 文件头：文件损坏或扩展名有误？）"),
    "pdf_encrypted": Msg("the PDF is password-protected (encrypted); save an unprotected copy",
                         "PDF 文件设有密码（已加密），请另存一份不加密的副本"),
    "pdf_damaged": Msg("the PDF is damaged and cannot be opened ({error})",
                       "PDF 文件已损坏，无法打开（{error}）"),
    "pdf_no_text_layer": Msg("the PDF has no text layer (scanned image?); run OCR first",
                             "PDF 文件没有文字层（可能是扫描图片），请先做文字识别（OCR）"),
    "pdf_cid_only": Msg("the PDF's fonts have no Unicode map: its text comes out as (cid:N) codes",
                        "PDF 文件的字体没有 Unicode 映射：文字只能提取为 (cid:N) 代码"),
    "pdf_no_readable_text": Msg("the PDF has no readable text", "PDF 文件中没有可读的文字"),
    "web_no_article": Msg("the web page holds no article text (only menus and site furniture)",
                          "网页上没有正文（只有菜单、栏目等网站元素）"),
    "web_not_html": Msg("the web page could not be parsed as HTML", "无法按 HTML 解析该网页"),
}

# Why a file is not stored, beside the read errors above: the one refusal policy (loaders/writer/accept.py)
# and the failures of storing it. Where the CLI names the file ("<file name>: ..."), accept.py adds the name
# to the English text only, as ReadError does.
REFUSALS: dict[str, Msg] = {
    "no_report": Msg("no report found", "没有在文件中找到通报"),
    "not_a_report": Msg(
        "not a rectification report (it never mentions 巡视, 巡察 or 整改); nothing was stored",
        "它不是巡视整改通报（通篇没有提到巡视、巡察或整改），未保存任何内容",
    ),
    "no_issues": Msg(
        "no issues found: none of its headings matches an issue layout the parser knows (not a "
        "rectification-progress report?); nothing was stored",
        "没有在文件中找到整改问题：没有一个标题符合已知的问题格式（可能不是巡视整改进展通报），未保存任何内容",
    ),
    "parser_failed": Msg("the parser failed ({error})", "解析该文件时出错（{error}）"),
    "pool_broken": Msg(
        "the parser process stopped unexpectedly (out of memory, or a crash); run again with --workers 1 to "
        "find the file that causes it",
        "解析进程意外停止（内存不足或程序崩溃），请逐个文件重新导入以找出出错的文件",
    ),
    # uploads only (the dashboard's 导入): what its file picker cannot check
    "unsupported_type": Msg("unsupported file type “{suffix}”: use {allowed}",
                            "不支持“{suffix}”文件：请上传 {allowed} 格式"),
    "no_suffix": Msg("no extension", "无扩展名"),
    "upload_too_large": Msg(
        "the file is {size}, over the {limit:g} MB upload limit (dashboard.upload_limit_mb)",
        "文件大小 {size}，超过 {limit:g} MB 的上限",
    ),
    "not_pdf": Msg("the extension is .pdf but the content is not a PDF", "文件扩展名是 .pdf，但内容不是 PDF"),
    "not_docx": Msg("the extension is .docx but the content is not a Word document",
                    "文件扩展名是 .docx，但内容不是 Word 文档"),
    "bad_name": Msg("the file name cannot be used", "文件名不合法"),
    # storing: the CLI prints the store's own English message (it names the database and the error)
    "database_busy": Msg("the database is in use by another program; try again in a moment",
                         "数据库正被其他程序使用（例如正在导入），请稍后再试"),
    "store_failed": Msg("could not be stored ({error})", "保存失败，未写入任何数据（{error}）"),
}

# What a file turned out to be, for not_text / not_word / docx_damaged (kind / detail parameters).
KINDS: dict[str, Msg] = {
    "binary_or_unknown_encoding": Msg("binary content or an unknown text encoding",
                                      "二进制内容或无法识别的文字编码"),
    "binary_control_chars": Msg("binary content: control characters or NUL bytes",
                                "二进制内容：含控制字符或空字节"),
    "video_or_heic": Msg("video or HEIC image", "视频或 HEIC 图片"),
    "damaged_zip": Msg("damaged ZIP archive", "损坏的 ZIP 压缩包"),
    "zip": Msg("ZIP archive; unpack it and add the reports inside", "ZIP 压缩包，请解压后导入其中的通报"),
    "docx_not_zip": Msg("not a readable ZIP archive; truncated?", "不是可读的 ZIP 压缩包，可能不完整"),
    "docx_no_document": Msg("word/document.xml is missing", "缺少 word/document.xml"),
}

# OS errors people meet when a file cannot be opened, in Chinese (others keep the system's own text).
_OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "是文件夹",
    errno.EIO: "读写错误",
    errno.ENAMETOOLONG: "文件名过长",
}


def warning(code: str, **params: Any) -> ParseWarning:
    """The ParseWarning `code` with its English and Chinese messages filled from the same parameters."""
    text = WARNINGS[code].format(**params)
    return ParseWarning(code, text.en, text.zh)


def phrase(key: str, **params: Any) -> Msg:
    return PHRASES[key].format(**params)


def human_size(n_bytes: float) -> str:
    """A file size as people write it: `11.7 KB`, `20.4 MB`, `312 MB`, `3,070 MB (3.0 GB)` (never
    `3.07e+03 MB`)."""
    mb = n_bytes / 2**20
    if mb < 1:
        return f"{n_bytes / 1024:,.1f} KB"
    if mb >= 1024:
        return f"{mb:,.0f} MB ({mb / 1024:,.1f} GB)"
    return f"{mb:,.0f} MB" if mb >= 100 else f"{mb:,.1f} MB"


def reason(key: str, **params: Any) -> Msg:
    """A ReadError reason (`raise ReadError(name, reason("empty"))`)."""
    return REASONS[key].format(**params)


def refusal(key: str, **params: Any) -> Msg:
    """Why a file is not stored (loaders/writer/accept.py), in both languages."""
    return REFUSALS[key].format(**params)


def kind(key: str) -> Msg:
    return KINDS[key]


def joined(items: Iterable[object], limit: int | None = None, en: str = ", ", zh: str = "、") -> Msg:
    """A list written the way each language lists things ("3, 7, 12" / "3、7、12"); beyond `limit` items
    the rest is left out and "…" says so."""
    parts = [str(i) for i in items]
    more = "…" if limit is not None and len(parts) > limit else ""
    parts = parts[:limit]
    return Msg(en.join(parts) + more, zh.join(parts) + more)


def os_error(exc: OSError) -> Msg:
    """An OS error as "No such file or directory" / "文件不存在"."""
    en = str(exc.strerror or exc)
    return Msg(en, _OS_ERRORS.get(exc.errno or -1, en))
