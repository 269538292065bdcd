"""Builders of test inputs made from the real sample reports: web pages, .docx, .pdf, encodings, bad files.

Nothing binary is committed: every test builds what it needs from `data/reports/*.txt` with these functions.
They are plain functions (no pytest fixtures) so any test module can reuse them. The .docx and .pdf
builders live in `fixtures_office.py` and are reachable from here too (`fixtures_make.docx_bytes(...)`).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib

from conftest import SAMPLES_DIR, sample_path, sample_paths, sample_text

REPORTS_DIR = SAMPLES_DIR  # the older name, kept for callers that use it

# Strings that appear only in the site chrome that `gov_html_page` wraps around a report.
CHROME_STRINGS: tuple[str, ...] = (
    "信息索引号",
    "发布机构",
    "浏览量",
    "分享到",
    "朗读",
    "打印本页",
    "关闭窗口",
    "扫一扫",
    "免责声明",
    "版权所有",
    "ICP备",
    "首页",
    "审查调查",
    "网站标识码",
    "相关链接",
)

_SOURCE_LINE = re.compile(r"^原文链接[::]\s*(\S+)\s*$")
_DISCLAIMER = re.compile(r"^\[?免责声明|^文章内容来自网络|^使用“扫一扫”")


# --- the real samples --------------------------------------------------------------------------------------
# sample_paths(), sample_path(prefix) and sample_text(prefix) come from conftest (imported above), so
# `fixtures_make.sample_path("000")` keeps working.
__all__ = ["REPORTS_DIR", "SAMPLES_DIR", "sample_path", "sample_paths", "sample_text"]


def split_report(text: str) -> tuple[str | None, list[str], str | None]:
    """Split a sample into (title, body lines, source URL).

    The title is the first line when it reads like one (ends with 通报 and is short); the body drops blank
    lines and the mirror site's trailer (原文链接 line, 免责声明, 扫一扫), which a web page shows as chrome.
    """
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    title = lines[0] if lines and lines[0].endswith("通报") and len(lines[0]) < 80 else None
    body: list[str] = []
    source_url = None
    for ln in lines[1 if title else 0 :]:
        m = _SOURCE_LINE.match(ln)
        if m:
            source_url = m.group(1)
        elif not _DISCLAIMER.match(ln):
            body.append(ln)
    return title, body, source_url


def key_lines(prefix: str) -> list[str]:
    """Lines that any faithful extraction of the sample must keep: the title (when there is one), the first
    three issue headings `一、…` and the signature date (the last line that is a date)."""
    title, body, _ = split_report(sample_text(prefix))
    headings = [ln for ln in body if re.match(r"^[一二三四五六七八九十]+、", ln)][:3]
    dates = [ln for ln in body if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", ln)]
    return ([title] if title else []) + headings + dates[-1:]


# --- re-encoded copies -------------------------------------------------------------------------------------


def encoded_copy(text: str, encoding: str, *, bom: bool = False, newline: str = "\n") -> bytes:
    """The text in another encoding (e.g. "gb18030", "utf-16-le"), with a byte-order mark when `bom` is set
    and every line ending replaced by `newline`."""
    body = text.replace("\r\n", "\n").replace("\n", newline)
    marks = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    prefix = marks[encoding.lower()] if bom else b""
    return prefix + body.encode(encoding)


def mixed_line_endings(text: str) -> bytes:
    """UTF-8 bytes whose lines end, in turn, with CRLF, LF and CR (a file stitched together on many OSes)."""
    endings = ("\r\n", "\n", "\r")
    lines = text.splitlines()
    return "".join(ln + endings[i % 3] for i, ln in enumerate(lines)).encode("utf-8")


# --- a government web page ---------------------------------------------------------------------------------


def gov_html_page(
    text: str,
    *,
    charset: str = "utf-8",
    declared: str | None = None,
    canonical: str | None = "https://mirror.example.cn/gzdt/2024/0221/12345.html",
    extra_content_html: str = "",
) -> bytes:
    """A report as a provincial discipline-commission web page: header navigation, breadcrumb, an 信息索引号
    table, a meta line with 浏览量/字号/朗读, the article (title in <h1>, one <p> per line, right-aligned
    signature), share/print/close links, 扫一扫, the 原文链接 and 免责声明 of a mirror site, related links
    and a footer with 版权所有 and an ICP number.

    The bytes are encoded with `charset`; `declared` is what the page's <meta charset> says (defaults to
    `charset`; pass a different one to build a page with a wrong declaration). `extra_content_html` is
    appended inside the article body (e.g. a table).
    """
    title, body, source_url = split_report(text)
    shown_title = title or "巡视整改进展情况的通报"
    paragraphs = "\n".join(_html_paragraph(i, ln, len(body)) for i, ln in enumerate(body))
    source_html = (
        f'<p class="ywlj">原文链接:<a href="{source_url}">{source_url}</a></p>' if source_url else ""
    )
    canonical_html = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    page = _PAGE_TEMPLATE.format(
        declared=declared or charset,
        title=html.escape(shown_title),
        canonical=canonical_html,
        paragraphs=paragraphs,
        extra=extra_content_html,
        source=source_html,
    )
    return page.encode(charset, errors="xmlcharrefreplace")


def _html_paragraph(index: int, line: str, count: int) -> str:
    """One body line as the CMS would print it: signature lines (last two) right-aligned, text indented."""
    escaped = html.escape(line)
    if index >= count - 2:
        return f'<p style="text-align: right;">{escaped}</p>'
    return f'<p style="text-indent: 2em;"><span style="font-family: 仿宋_GB2312;">{escaped}</span></p>'


_PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={declared}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}_巡视巡察_清廉浙江</title>
{canonical}
<style>.nav li {{ display: inline; }} .footer {{ color: #666; }}</style>
<script>var shareTitle = "分享到微信"; function printPage() {{ window.print(); }}</script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/">清廉浙江</a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/gzdt/">工作动态</a></li>
    <li><a href="/xsxc/">巡视巡察</a></li><li><a href="/scdc/">审查调查</a></li>
    <li><a href="/dfzf/">党风政风</a></li><li><a href="/hdjl/">互动交流</a></li>
  </ul>
  <form class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></form>
</div>
<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a href="/gzdt/">工作动态</a> &gt;
  <a href="/xsxc/">巡视巡察</a> &gt; 正文</div>
<div class="main">
<table class="xxgk">
  <tr><td>信息索引号:</td><td>002482365/2024-00123</td><td>发布机构:</td><td>中共湖州市吴兴区委</td></tr>
  <tr><td>成文日期:</td><td>2024-02-21</td><td>主题分类:</td><td>党务公开</td></tr>
</table>
<div class="article">
  <h1 class="title">{title}</h1>
  <div class="info">发布时间:2024-02-21 09:30 来源:清廉浙江 浏览量:1234
    字号:[<a>大</a> <a>中</a> <a>小</a>] <a class="read">朗读</a></div>
  <div class="TRS_Editor" id="zoom">
{paragraphs}
{extra}
  </div>
  {source}
  <div class="share">分享到:<a>微信</a> <a>微博</a> <a>QQ空间</a>
    【<a href="javascript:printPage()">打印本页</a>】
    【<a href="javascript:window.close()">关闭窗口</a>】</div>
  <div class="ewm"><img src="qr.png" alt="二维码">扫一扫在手机打开当前页</div>
  <div class="mzsm">[免责声明] 本文来源于网络转载,仅供学习交流使用,不构成商业目的。版权归原作者所有。</div>
</div>
<div class="related"><h3>相关链接</h3><ul><li><a>省委巡视组完成十五届省委第二轮巡视反馈</a></li>
  <li><a>深化巡视整改 推动高质量发展</a></li></ul></div>
</div>
<div class="footer">
  <p>主办单位:中共浙江省纪律检查委员会 浙江省监察委员会 版权所有</p>
  <p>地址:杭州市省府路8号 邮编:310025</p>
  <p><a>浙ICP备05012345号-1</a> 浙公网安备 33010602000001号 网站标识码:3300000001</p>
</div>
</body>
</html>
"""


# --- bad inputs --------------------------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_bytes() -> bytes:
    """A ZIP archive of two text files (not a Word document)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("data/report.txt", "中共湖州市吴兴区委")
    return out.getvalue()


def binary_garbage(size: int = 4096) -> bytes:
    """Deterministic high-entropy bytes with NULs (what an unknown binary format looks like)."""
    return bytes((i * 131 + (i >> 3) * 17) % 256 for i in range(size))


def __getattr__(name: str) -> object:
    """Forward the .docx/.pdf builders (docx_bytes, pdf_bytes, corrupt_docx, …) from fixtures_office, so
    every builder is reachable from this one module without a circular import at load time."""
    import fixtures_office

    try:
        return getattr(fixtures_office, name)
    except AttributeError:
        raise AttributeError(f"module 'fixtures_make' has no attribute {name!r}") from None
