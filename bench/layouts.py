"""Renderers for the single-report layouts of the samples: 000/003 (A), 002 (B) and 004 (C)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.pools import Pools
from bench.textgen import (
    Dates,
    ReportSpec,
    Unit,
    accountability,
    cn_date,
    cn_number,
    contact,
    opening,
    plant_status,
    stated_sentence,
)

# One rendered document: its lines (blank lines kept) and what a correct parse of it yields.
Rendered = tuple[list[str], list[ReportSpec]]


@dataclass
class Ctx:
    """Everything a renderer needs for one document; rng is private to the document (determinism)."""

    rng: random.Random
    pools: Pools
    unit: Unit
    dates: Dates
    rename: Callable[[str], str]
    team: int
    revision: int = 0  # > 0: a neutral sentence is added so the bytes change but the parse does not

    def spec(self, part: str = "main", unit: Unit | None = None) -> ReportSpec:
        u = unit or self.unit
        return ReportSpec(part, u.unit, u.issuer, self.dates.published)

    def round_name(self) -> str:
        u = self.unit
        return f"{cn_number(self.rng.randint(11, 15))}届{u.inspector}第{cn_number(self.rng.randint(1, 12))}轮"

    def opening(self, u: Unit | None = None) -> str:
        text = opening(u or self.unit, self.dates, self.rng, self.team)
        return text + ("本通报根据群众意见对个别表述作了订正。" if self.revision else "")


class Deck:
    """Draws without replacement: titles must be unique within a report, or issue keys would collide."""

    def __init__(self, rng: random.Random, pool: list[str]) -> None:
        self._items = rng.sample(pool, len(pool))

    def draw(self) -> str:
        if not self._items:
            raise ValueError("title pool exhausted: lower the number of issues per report")
        return self._items.pop()


def _measure_with_status(ctx: Ctx, spec: ReportSpec, text: str) -> str:
    """Append a sentence that decides the inferred status (and may carry a deadline)."""
    sentence, _status, planted = plant_status(ctx.rng, ctx.dates.published)
    if planted:
        spec.deadlines.append(planted)
    return ctx.rename(text) + sentence


def _closing(ctx: Ctx, issuers: list[str]) -> list[str]:
    return [contact(ctx.unit, ctx.rng), *issuers, cn_date(ctx.dates.published)]


def _figures(ctx: Ctx, spec: ReportSpec, probability: float) -> list[str]:
    if ctx.rng.random() >= probability:
        return []
    text, figures = accountability(ctx.rng)
    spec.figures = figures
    return [text]


def _issue_items(ctx: Ctx, spec: ReportSpec, titles: list[str], heading: str, measures_pool: list[str],
                 most: int, item: str) -> list[str]:
    """Layouts A (000/003) and B (002): a numbered heading per issue, then 1..`most` numbered measures, the
    last carrying the status; 8 % of issues are one unlabelled paragraph instead (000's 五, 002's 二十四)."""
    rng = ctx.rng
    lines = []
    for k, title in enumerate(titles, 1):
        lines.append(heading.format(n=cn_number(k), title=ctx.rename(title)))
        if rng.random() < 0.08:
            lines.append(_measure_with_status(ctx, spec, rng.choice(ctx.pools.a_plain)))
            continue
        measures = rng.sample(measures_pool, rng.randint(1, most))
        for j, m in enumerate(measures, 1):
            text = _measure_with_status(ctx, spec, m) if j == len(measures) else ctx.rename(m)
            lines.append(item.format(n=cn_number(j), text=text))
    return lines


def render_a(ctx: Ctx) -> Rendered:
    """000/003: 一、关于“X”问题的整改情况 + (一)Measure。text …"""
    rng, p, u = ctx.rng, ctx.pools, ctx.unit
    spec = ctx.spec()
    # Real reports hold ~27 issues each: A draws from both "关于“X”问题" title pools (000/003 and 002).
    pool = sorted(set(p.a_titles + p.b_titles))
    titles = rng.sample(pool, rng.randint(14, min(42, len(pool))))
    lines: list[str] = []
    if rng.random() < 0.75:  # 003 prints no title line
        lines.append(f"{u.issuer}关于{ctx.round_name()}{u.verb}整改进展情况的通报")
    stated, spec.stated = stated_sentence(rng, len(titles))
    lines += [ctx.opening(), ctx.rename(rng.choice(p.org)) + stated, *_figures(ctx, spec, 0.85)]
    lines += _issue_items(ctx, spec, titles, "{n}、关于“{title}”问题的整改情况", p.a_measures, 4,
                          "({n}){text}")
    spec.issues = len(titles)
    lines.append(ctx.rename(rng.choice([s for s in p.next_steps if s.startswith("下一步")])))
    lines += _closing(ctx, [u.issuer])
    if rng.random() < 0.4:
        page = f"{ctx.dates.published:%Y%m}/t{rng.randint(10**7, 10**8)}.shtml"
        lines.append(f"原文链接:http://www.example.gov.cn/xszg/{page}")
        lines.append("[免责声明] 本文来源于网络转载,仅供学习交流使用,不构成商业目的。版权归原作者所有。")
    return lines, [spec]


def render_b(ctx: Ctx) -> Rendered:
    """002: (一)关于“X”问题的整改 + 一是…二是… paragraphs, blank lines between paragraphs."""
    rng, p, u = ctx.rng, ctx.pools, ctx.unit
    spec = ctx.spec()
    pool = sorted(set(p.b_titles + p.a_titles))
    titles = rng.sample(pool, rng.randint(14, min(42, len(pool))))
    lines = [f"{u.unit + '委' if u.place else u.issuer}关于{u.verb}整改进展情况的通报"]
    if rng.random() < 0.5:
        lines.append(f"发布日期:{ctx.dates.published.isoformat()}信息来源:清风网字号:[ ]")
    lines += [ctx.opening(), "一、提高政治站位、强化组织领导,全力做好巡视“后半篇文章”"]
    stated, spec.stated = stated_sentence(rng, len(titles))
    for j, para in enumerate(rng.sample(p.b_org, len(p.b_org)), 1):
        lines.append(f"{cn_number(j)}是{ctx.rename(para)}" + (stated if j == 1 else ""))
    lines.append("二、坚持问题导向、持续攻坚克难,不折不扣抓好整改落实")
    lines += _issue_items(ctx, spec, titles, "({n})关于“{title}”问题的整改", p.b_measures, 4, "{n}是{text}")
    spec.issues = len(titles)
    lines.append("三、保持政治定力、持续巩固深化,不断提升巡视整改成效")
    for j, para in enumerate(rng.sample(p.b_next, rng.randint(3, len(p.b_next))), 1):
        lines.append(f"{cn_number(j)}是{ctx.rename(para)}")
    issuers = [u.issuer] if rng.random() < 0.7 else [u.issuer, f"{u.city}人民政府党组"]
    lines += _closing(ctx, [" ", *issuers])
    return _blank_between(lines), [spec]


def _blank_between(lines: list[str]) -> list[str]:
    out: list[str] = []
    for ln in lines:
        out += [ln, ""]
    return out[:-1]


def _c_titles(rng: random.Random, p: Pools) -> Deck:
    return Deck(rng, p.c_titles + [f"关于{t}的问题。" for t in p.a_titles + p.b_titles])


def render_c(ctx: Ctx) -> Rendered:
    """004: (一)关于“X”方面问题 + 1.关于X的问题。 + a paragraph; numbering has gaps."""
    rng, p, u = ctx.rng, ctx.pools, ctx.unit
    spec = ctx.spec()
    lines: list[str] = []
    if rng.random() < 0.4:  # 004 prints no title line
        lines.append(f"{u.issuer}关于{u.verb}集中整改进展情况的通报")
    lines += [ctx.opening().replace("整改进展情况", "集中整改进展情况"), "一、整改工作基本情况"]
    n_cats = rng.randint(2, 5)
    stated, spec.stated = stated_sentence(rng, n_cats * 6)
    for j, para in enumerate(rng.sample(p.c_org, len(p.c_org)), 1):
        lines.append(f"({cn_number(j)}){ctx.rename(para)}" + (stated if j == 1 else ""))
    lines.append(f"二、{u.inspector}{u.verb}组反馈意见整改落实情况")
    cats = rng.sample(p.c_categories + p.b_titles, n_cats)
    titles = _c_titles(rng, p)
    for ci, cat in enumerate(cats, 1):
        suffix = "方面问题" if rng.random() < 0.9 else "方面"
        lines.append(f"({cn_number(ci)})关于“{ctx.rename(cat)}”{suffix}")
        number = 0
        for _ in range(rng.randint(2, 14)):
            number += 1 + (rng.randint(1, 3) if rng.random() < 0.07 else 0)  # published reports omit items
            lines.append(f"{number}.{ctx.rename(titles.draw())}")
            lines.append(_measure_with_status(ctx, spec, rng.choice(p.c_paragraphs)))
            spec.issues += 1
    if rng.random() < 0.6:  # a summary, not an issue list
        lines.append(f"({cn_number(n_cats + 1)})关于{u.verb}移交问题线索和信访件办理情况")
        lines.append(
            f"针对{u.inspector}{u.verb}组移交给{u.body}的问题线索和信访件,{u.issuer}高度重视,认真组织力量查办,"
            f"其中办结{rng.randint(5, 120)}件,给予党政纪处分{rng.randint(0, 12)}人,其余正在办理。"
        )
    lines.append("三、今后整改工作打算")
    lines += [ctx.rename(s) for s in rng.sample(p.next_steps, 3) if not s.startswith("下一步")]
    lines += _closing(ctx, [u.issuer])
    return lines, [spec]
