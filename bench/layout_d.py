"""Renderer for the 001 layout: a main report with explicit 整改结果 items plus attachments 附件1–4."""

from __future__ import annotations

from bench.layouts import Ctx, Deck, Rendered
from bench.textgen import EXPLICIT_RESULTS, ReportSpec, Unit, cn_date, cn_number, contact
from bench.units import ATTACHMENT_BODIES

DONE_SECTION = "集中整改期内已完成的整改事项"
OPEN_SECTION = "集中整改期内未完成或长期整改Ⅱ的整改事项"


def _result(ctx: Ctx, spec: ReportSpec, open_section: bool) -> str:
    """The printed 整改结果 line; the "已完成" section holds many 阶段性完成 items, as in 001."""
    r = ctx.rng.random()
    if open_section:
        word = "未完成" if r < 0.6 else "阶段性完成"
    else:
        word = "完成" if r < 0.35 else "已完成" if r < 0.45 else "阶段性完成" if r < 0.93 else "基本完成"
    status = EXPLICIT_RESULTS[word]
    spec.explicit[status] = spec.explicit.get(status, 0) + 1
    spec.issues += 1
    return f"整改结果:{word}"


def _detail(ctx: Ctx) -> str:
    """One or (60 %) two of 001's 整改情况 paragraphs: its items run 1.5 KB with the measures of each."""
    rng, details = ctx.rng, ctx.pools.d_details
    more = ctx.rename(rng.choice(details)) if rng.random() < 0.6 else ""
    return f"整改情况:{ctx.rename(rng.choice(details))}{more}"


def _org(ctx: Ctx) -> list[str]:
    rng, p = ctx.rng, ctx.pools
    paras = rng.sample(p.b_org, len(p.b_org))
    first = "".join(f"{cn_number(j)}是{ctx.rename(x)}" for j, x in enumerate(paras, 1))
    return [f"{ctx.unit.body}坚决扛牢巡视整改政治责任,全面立行立改,全力真改实改。{first}"]


def _next_steps(ctx: Ctx, heading: str) -> list[str]:
    picks = ctx.rng.sample(ctx.pools.next_steps, 3)
    return [heading, *(f"{cn_number(j)}是{ctx.rename(s.split('是', 1)[-1])}" for j, s in enumerate(picks, 1))]


def _main_items(ctx: Ctx, spec: ReportSpec) -> tuple[list[str], bool]:
    rng, p = ctx.rng, ctx.pools
    lines = [f"二、{DONE_SECTION}"]
    number, titles = 0, Deck(rng, p.d_items)
    cats = rng.sample(p.d_categories + p.d_feedback, rng.randint(3, 5))
    for ci, cat in enumerate(cats, 1):
        lines.append(f"({cn_number(ci)})反馈问题:{ctx.rename(cat)}")
        for _ in range(rng.randint(5, 13)):  # at most 5 x 13 + 3 open items: the 71 titles of 001
            number += 1
            lines += [f"{number}.{ctx.rename(titles.draw())}", _result(ctx, spec, False), _detail(ctx)]
    has_open = rng.random() < 0.3
    if has_open:
        lines += [f"三、{OPEN_SECTION}", f"(一)反馈问题:{ctx.rename(rng.choice(p.d_categories))}"]
        for _ in range(rng.randint(1, 3)):
            number += 1
            lines += [f"{number}.{ctx.rename(titles.draw())}", _result(ctx, spec, True), _detail(ctx)]
    return lines, has_open


def _attachment_items(ctx: Ctx, spec: ReportSpec, style: str) -> tuple[list[str], bool]:
    """Three printed variants: feedback-as-issue, (一)问题N:, nested 1.问题N: with (1) sub-points."""
    rng, p = ctx.rng, ctx.pools
    lines = [f"二、{DONE_SECTION}"]
    count, has_open, titles = rng.randint(12, 32), False, Deck(rng, p.d_problems)
    if style == "feedback":
        for k, fb in enumerate(rng.sample(p.d_feedback, min(count, len(p.d_feedback))), 1):
            lines += [f"({cn_number(k)})反馈问题:{ctx.rename(fb)}", _result(ctx, spec, False), _detail(ctx)]
    elif style == "problem":
        for k in range(1, count + 1):
            lines += [
                f"({cn_number(k)})问题{k}:{ctx.rename(titles.draw())}",
                _result(ctx, spec, False),
                _detail(ctx),
            ]
        has_open = rng.random() < 0.5
        if has_open:
            lines += [
                f"三、{OPEN_SECTION}",
                f"(一)问题{count + 1}:{ctx.rename(titles.draw())}",
                _result(ctx, spec, True),
                _detail(ctx),
            ]
    else:
        number = 0
        for ci, cat in enumerate(rng.sample(p.d_categories, rng.randint(2, 5)), 1):
            lines.append(f"({cn_number(ci)})反馈问题:{ctx.rename(cat)}")
            for j in range(1, rng.randint(2, 8) + 1):  # at most 40 of the 45 problem titles
                number += 1
                lines += [f"{j}.问题{number}:{ctx.rename(titles.draw())}", _result(ctx, spec, False)]
                if rng.random() < 0.15:
                    for s in range(1, 3):
                        lines += [f"({s}){ctx.rename(rng.choice(p.d_subpoints))}", _detail(ctx)]
                else:
                    lines.append(_detail(ctx))
    return lines, has_open


def _attachment(ctx: Ctx, k: int, body: Unit) -> tuple[list[str], ReportSpec]:
    spec = ctx.spec(f"附件{k}", body)
    style = ctx.rng.choice(["feedback", "problem", "nested"])
    items, has_open = _attachment_items(ctx, spec, style)
    lines = [
        f"附件{k}",
        body.issuer,
        f"关于{ctx.unit.verb}整改进展情况的通报",
        ctx.opening(body),
        "一、组织整改落实情况",
        *_org(ctx),
        *items,
    ]
    lines += _next_steps(ctx, f"{'四' if has_open else '三'}、下一步整改工作安排")
    lines += [contact(ctx.unit, ctx.rng), body.issuer, cn_date(ctx.dates.published)]
    return lines, spec


def render_d(ctx: Ctx) -> Rendered:
    rng, u = ctx.rng, ctx.unit
    spec = ctx.spec()
    title = f"{u.issuer}员会关于{u.verb}整改进展情况的通报"
    lines = [title, "", ctx.opening(), "一、组织整改落实情况", *_org(ctx)]
    items, has_open = _main_items(ctx, spec)
    lines += items
    lines += _next_steps(ctx, f"{'四' if has_open else '三'}、下一阶段整改工作安排")
    lines.append(contact(u, rng))
    n_att = rng.choice([0, 1, 2, 3, 4, 4])
    bodies = []
    for issuer, short in rng.sample(ATTACHMENT_BODIES, n_att):
        name = short.format(u=u.unit)
        bodies.append(Unit(name, issuer.format(u=u.unit), name, u.inspector, u.place, u.city))
    for k, b in enumerate(bodies, 1):
        prefix = "附件:" if k == 1 else ""
        lines.append(f"{prefix}{k}.{b.issuer}《关于{u.verb}整改进展情况的通报》")
    lines += [f"{u.issuer}员会", cn_date(ctx.dates.published)]
    specs = [spec]
    for k, b in enumerate(bodies, 1):
        att_lines, att_spec = _attachment(ctx, k, b)
        lines += att_lines
        specs.append(att_spec)
    return lines, specs
