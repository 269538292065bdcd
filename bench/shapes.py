"""Page shapes of published copies (see the project's realworld notes): site chrome copied with the text,
issues in an HTML table, traditional-character mirrors, and copies with every line break lost.

Each shape re-prints a rendered document without changing what a correct parse yields (its reports,
issues and statuses): the manifest's expectations hold for every shape.
"""

from __future__ import annotations

import functools
import html
import random
import re
from datetime import date

from bench.textgen import Unit

# Share of files per shape (the rest print as the layouts do). A table needs the A or B layout's issue
# headings; other layouts drawn for it get the chrome shape instead.
SHAPE_WEIGHTS = {"plain": 70, "chrome": 12, "table": 6, "traditional": 6, "oneline": 6}
_CN = "一二三四五六七八九十"
_HEADINGS = (  # (issue heading, measure item) of layouts A (000/003) and B (002)
    (re.compile(rf"^[{_CN}]+、关于“(.+)”问题的整改情况$"), re.compile(rf"^\([{_CN}]+\)(.+)$")),
    (re.compile(rf"^\([{_CN}]+\)关于“(.+)”问题的整改$"), re.compile(rf"^[{_CN}]+是(.+)$")),
)


def pick_shape(seed: int, i: int) -> str:
    rng = random.Random(f"{seed}:shape:{i}")
    return rng.choices(list(SHAPE_WEIGHTS), weights=list(SHAPE_WEIGHTS.values()))[0]


def chrome(lines: list[str], unit: Unit, published: date, rng: random.Random) -> list[str]:
    """The page's navigation, metadata and footer lines around the article, as a copied page keeps them."""
    crumb = rng.choice(["首页 > 信息公开 > 巡视巡察", "您现在的位置:首页>>工作动态>>巡察整改",
                        "当前位置: 网站首页 >> 专题专栏 >> 巡视整改"])
    meta = (f"发布时间:{published.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d} "
            f"来源:{unit.body} 浏览量:{rng.randint(20, 9999)} 【字体:大 中 小】")
    head = [crumb]
    if lines and "通报" in lines[0][:60]:  # the title first, the metadata under it
        head += [lines[0], meta]
        lines = lines[1:]
    else:
        head.append(meta)
    foot = ["【打印本页】【关闭窗口】",
            f"主办单位:{unit.city}人民政府办公室 网站标识码:{rng.randint(10**9, 10**10)} "
            f"ICP备{rng.randint(10**7, 10**8)}号"]
    return [*head, *lines, *foot]


@functools.cache
def _to_traditional():
    import opencc  # a dev requirement: only the bench generator writes traditional copies

    return opencc.OpenCC("s2t").convert


def traditional(lines: list[str]) -> list[str]:
    """A traditional-character mirror of the page (chrome included)."""
    convert = _to_traditional()
    return [convert(ln) for ln in lines]


def one_line(lines: list[str]) -> list[str]:
    """A copy that lost every line break: chrome, headings, items and signature run together."""
    return ["".join(ln.strip() for ln in lines if ln.strip())]


def issue_rows(lines: list[str]) -> tuple[list[str], list[tuple[str, list[str]]], list[str]] | None:
    """(lines before the issues, [(title, measures)], lines after) of an A or B document, else None."""
    body = [ln for ln in lines if ln.strip()]
    for heading, item in _HEADINGS:
        starts = [k for k, ln in enumerate(body) if heading.match(ln)]
        if not starts:
            continue
        rows: list[tuple[str, list[str]]] = []
        k = starts[0]
        while k < len(body) and (m := heading.match(body[k])):
            k += 1
            measures = []
            while k < len(body) and (mi := item.match(body[k])) and not heading.match(body[k]):
                measures.append(mi.group(1))
                k += 1
            if not measures and k < len(body) and not heading.match(body[k]):  # one unlabelled paragraph
                measures.append(body[k])
                k += 1
            rows.append((m.group(1), measures))
        return body[: starts[0]], rows, body[k:]
    return None


def table_page(lines: list[str], unit: Unit, charset: str, rng: random.Random) -> str | None:
    """A web page printing the issues as rows of a table (序号 / 反馈问题 / 整改措施 / 责任单位); None when
    the document has no A or B issue headings."""
    parts = issue_rows(lines)
    if parts is None:
        return None
    before, rows, after = parts
    cells = "\n".join(
        f"<tr><td>{n}</td><td>{html.escape(title)}</td>"
        f"<td>{'<br>'.join(html.escape(m) for m in measures)}</td><td>{html.escape(unit.body)}</td></tr>"
        for n, (title, measures) in enumerate(rows, 1)
    )
    table = ('<table class="zg" border="1" cellspacing="0">\n<thead><tr><th>序号</th><th>反馈问题</th>'
             f"<th>整改措施</th><th>责任单位</th></tr></thead>\n<tbody>\n{cells}\n</tbody>\n</table>")
    paras = [f"<p>{html.escape(ln)}</p>" for ln in before] + [table]
    paras += [f"<p>{html.escape(ln)}</p>" for ln in after]
    title = next((ln for ln in before if "通报" in ln), before[0] if before else "")
    return page(title, "\n".join(paras), charset, rng)


def page(title: str, body_html: str, charset: str, rng: random.Random) -> str:
    """A government web page: site chrome around the article (what the reader must strip)."""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}">'
        f"<title>{html.escape(title)}_清风网</title></head>"
        '<body><div class="nav">首页 &gt; 工作动态 &gt; 巡视巡察</div>'
        f'<div class="meta">信息索引号:{rng.randint(10**9, 10**10)} 发布机构:纪委监委 '
        f"浏览量:{rng.randint(100, 99999)} 分享 朗读</div>"
        f'<div class="article"><h1>{html.escape(title)}</h1>\n{body_html}\n</div>'
        '<div class="footer">版权所有 主办单位 技术支持 扫一扫在手机打开当前页</div></body></html>\n'
    )
