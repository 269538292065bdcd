"""Sentence pools cut from the real sample reports, by layout, for the corpus generator to recombine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CN_NUM = "一二三四五六七八九十"
_TOP = re.compile(rf"^[{CN_NUM}]+、")
_PAREN = re.compile(rf"^\([{CN_NUM}]+\)")
_A_ISSUE = re.compile(rf"^[{CN_NUM}]+、关于“(.+)”问题的整改情况$")
_B_ISSUE = re.compile(rf"^\([{CN_NUM}]+\)关于“(.+)”问题的整改$")
_C_CATEGORY = re.compile(rf"^\([{CN_NUM}]+\)关于“(.+)”方面(?:问题)?$")
_C_ISSUE = re.compile(r"^\d+\.(.+)$")
_ORDINAL = re.compile(rf"^[{CN_NUM}]+是")
_D_FEEDBACK = re.compile(rf"^\([{CN_NUM}]+\)反馈问题:(.+)$")
_D_PROBLEM = re.compile(rf"^(?:\([{CN_NUM}]+\)|\d+\.)问题\d+:(.+)$")
_D_ITEM = re.compile(r"^\d+\.(.+)$")
_SUB = re.compile(r"^\(\d+\)(.+)$")
_SIGNATURE = re.compile(r"^中共(\S+?市)(\S+?[区县])委")
_STATED = re.compile(r"\d+(?:大类|个方面|个问题|条整改|项具体|个具体|个问题子类)")
_NEXT = ("下一步", "今后整改", "下一阶段")


@dataclass
class Pools:
    """Real text fragments, grouped by the layout they come from (the five samples in data/reports/)."""

    org: list[str] = field(default_factory=list)  # organisation paragraphs, stated totals removed
    next_steps: list[str] = field(default_factory=list)  # "下一步…" paragraphs (one line each)
    a_titles: list[str] = field(default_factory=list)  # X in 一、关于“X”问题的整改情况
    a_measures: list[str] = field(default_factory=list)  # "Measure title。text" after (一)
    a_plain: list[str] = field(default_factory=list)  # an issue's unlabelled single paragraph
    b_titles: list[str] = field(default_factory=list)  # X in (一)关于“X”问题的整改
    b_measures: list[str] = field(default_factory=list)  # text after 一是/二是…
    b_org: list[str] = field(default_factory=list)  # 一是… paragraphs of the organisation section
    b_next: list[str] = field(default_factory=list)  # 一是… paragraphs of the next-steps section
    c_categories: list[str] = field(default_factory=list)  # X in (一)关于“X”方面问题
    c_titles: list[str] = field(default_factory=list)  # the line after "N." (关于X的问题。)
    c_paragraphs: list[str] = field(default_factory=list)  # the paragraph under an issue
    c_org: list[str] = field(default_factory=list)  # (一)… lines of 整改工作基本情况
    d_categories: list[str] = field(default_factory=list)  # X in (一)反馈问题:X (main report)
    d_items: list[str] = field(default_factory=list)  # "N.title" items with an explicit result
    d_feedback: list[str] = field(default_factory=list)  # attachment feedback-as-issue texts
    d_problems: list[str] = field(default_factory=list)  # X in 问题N:X
    d_details: list[str] = field(default_factory=list)  # text after 整改情况:
    d_subpoints: list[str] = field(default_factory=list)  # (1)… sub-points
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (city, county, short) of samples


def load_pools(reports_dir: Path) -> Pools:
    """Read every sample in reports_dir and sort its fragments into pools by detected layout."""
    pools = Pools()
    for path in sorted(reports_dir.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
        lines = [ln.replace("\xa0", " ").strip() for ln in lines]
        _collect_names(lines, pools)
        if any(ln.startswith("整改结果:") for ln in lines):
            _layout_d(lines, pools)
        elif any(_A_ISSUE.match(ln) for ln in lines):
            _layout_a(lines, pools)
        elif any(_B_ISSUE.match(ln) for ln in lines):
            _layout_b(lines, pools)
        elif any(_C_CATEGORY.match(ln) for ln in lines):
            _layout_c(lines, pools)
    for name, values in vars(pools).items():
        if not values and name != "names":
            raise ValueError(f"No sample text found for pool {name!r} in {reports_dir}")
        # Sorted and de-duplicated so the pools never depend on file-system order.
        setattr(pools, name, sorted(set(values)))
    return pools


def _collect_names(lines: list[str], pools: Pools) -> None:
    for ln in lines:
        m = _SIGNATURE.match(ln)
        if m and len(ln) < 20:
            county = m.group(2)
            pools.names.append((m.group(1), county, county[:-1] if len(county) > 2 else county))


def strip_stated(paragraph: str) -> str:
    """Drop the sentences that state totals: the generator writes its own, with known values."""
    sentences = re.split(r"(?<=。)", paragraph)
    return "".join(s for s in sentences if s and not _STATED.search(s))


def _is_next(ln: str) -> bool:
    return any(k in ln[:12] for k in _NEXT)


def _layout_a(lines: list[str], pools: Pools) -> None:
    in_issue = False
    for i, ln in enumerate(lines):
        if m := _A_ISSUE.match(ln):
            pools.a_titles.append(m.group(1))
            in_issue = True
        elif ln.startswith("下一步"):
            pools.next_steps.append(ln)
            in_issue = False
        elif in_issue and _PAREN.match(ln):
            pools.a_measures.append(_PAREN.sub("", ln))
        elif in_issue and ln and not ln.startswith("欢迎"):
            pools.a_plain.append(ln)
        elif not in_issue and i in (1, 2) and "一是" in ln:
            pools.org.append(strip_stated(ln))


def _layout_b(lines: list[str], pools: Pools) -> None:
    section = ""
    for ln in lines:
        if _TOP.match(ln):
            section = "org" if not section else ("issues" if section == "org" else "next")
            continue
        if m := _B_ISSUE.match(ln):
            pools.b_titles.append(m.group(1))
        elif _ORDINAL.match(ln):
            body = _ORDINAL.sub("", ln)
            target = {"org": pools.b_org, "issues": pools.b_measures, "next": pools.b_next}.get(section)
            if target is not None:
                target.append(strip_stated(body) if section == "org" else body)
        elif section == "issues" and ln and "。" in ln:
            pools.a_plain.append(ln)


def _layout_c(lines: list[str], pools: Pools) -> None:
    section, in_issue = "", False
    for ln in lines:
        if _TOP.match(ln):
            section = "org" if not section else ("issues" if section == "org" else "next")
            in_issue = False
        elif section == "org" and _PAREN.match(ln):
            pools.c_org.append(strip_stated(_PAREN.sub("", ln)))
        elif section == "issues" and (m := _C_CATEGORY.match(ln)):
            pools.c_categories.append(m.group(1))
            in_issue = False
        elif section == "issues" and (m := _C_ISSUE.match(ln)):
            pools.c_titles.append(m.group(1))
            in_issue = True
        elif section == "issues" and in_issue and ln:
            pools.c_paragraphs.append(ln)
            in_issue = False
        elif section == "next" and _ORDINAL.match(ln):
            pools.next_steps.append(ln)


def _layout_d(lines: list[str], pools: Pools) -> None:
    in_next = False
    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _TOP.match(ln):
            in_next = _is_next(ln[2:])
        elif in_next and (_ORDINAL.match(ln) or _PAREN.match(ln)):
            pools.next_steps.append(_PAREN.sub("", ln))
        elif m := _D_PROBLEM.match(ln):
            pools.d_problems.append(m.group(1))
        elif m := _D_FEEDBACK.match(ln):
            (pools.d_feedback if nxt.startswith("整改结果:") else pools.d_categories).append(m.group(1))
        elif (m := _D_ITEM.match(ln)) and nxt.startswith("整改结果:"):
            pools.d_items.append(m.group(1))
        elif ln.startswith("整改情况:"):
            pools.d_details.append(ln.removeprefix("整改情况:"))
        elif m := _SUB.match(ln):
            pools.d_subpoints.append(m.group(1))
