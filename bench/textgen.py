"""Pieces every generated report shares: the unit, dates, totals, accountability figures, deadlines."""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.units import Place
from loaders.config import section

CN_DIGITS = "零一二三四五六七八九"
EXPLICIT_RESULTS: dict[str, str] = {  # wording printed after 整改结果: -> the status it must parse to
    "完成": "完成",
    "已完成": "完成",
    "阶段性完成": "阶段性完成",
    "基本完成": "阶段性完成",
    "未完成": "未完成",
}


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 35 -> 三十五 (enough for headings up to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


@dataclass(frozen=True)
class Unit:
    """Who is inspected and signs the report: a county-level place or a department."""

    unit: str  # the short unit name the parser should report, e.g. "湖州市吴兴区"
    issuer: str  # signature line, e.g. "中共湖州市吴兴区委"
    body: str  # how the prose names the leading body, e.g. "吴兴区委"
    inspector: str  # "省委" (巡视) or "市委" (巡察)
    place: Place | None  # None for a department
    city: str

    @property
    def verb(self) -> str:
        return "巡视" if self.inspector == "省委" else "巡察"


def county_unit(place: Place) -> Unit:
    return Unit(place.unit, f"中共{place.unit}委", f"{place.county}委", "省委", place, place.city)


def department_unit(city: str, dept: str) -> Unit:
    return Unit(f"{city}{dept}", f"中共{city}{dept}党组", f"市{dept}党组", "市委", None, city)


@dataclass
class ReportSpec:
    """What a correct parse of one generated report yields (written to the manifest)."""

    part: str
    unit: str
    issuer: str
    published_on: date
    issues: int = 0
    explicit: dict[str, int] = field(default_factory=dict)  # expected status -> count (001-style)
    stated: dict[str, int] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    deadlines: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "unit": self.unit,
            "issuer": self.issuer,
            "published_on": self.published_on.isoformat(),
            "issues": self.issues,
            "explicit": dict(sorted(self.explicit.items())),
            "stated": self.stated,
            "figures": self.figures,
            "deadlines": self.deadlines,
        }


@dataclass(frozen=True)
class Dates:
    start: date
    end: date
    feedback: date
    published: date


def make_dates(published: date, rng: random.Random) -> Dates:
    feedback = published - timedelta(days=rng.randint(90, 200))
    end = feedback - timedelta(days=rng.randint(20, 70))
    start = end - timedelta(days=rng.randint(55, 95))
    return Dates(start, end, feedback, published)


def cn_date(d: date, with_year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


def opening(u: Unit, d: Dates, rng: random.Random, team: int) -> str:
    """根据省委统一部署,…开展了常规巡视。…反馈了巡视意见。… — with the year carried over at times."""
    drop = rng.random() < 0.4  # real reports often print "2023年3月9日至6月9日" and "8月6日"
    end = cn_date(d.end, not (drop and d.end.year == d.start.year))
    fb = cn_date(d.feedback, not (drop and d.feedback.year == d.end.year))
    kinds = ["开展了常规巡视", "进行了巡视", "开展了巡视"] if u.verb == "巡视" else ["开展了常规巡察"]
    kind = rng.choice(kinds)
    team_name = f"{u.inspector}第{cn_number(team)}{u.verb}组"
    lead = rng.choice(["根据", "按照"])
    return (
        f"{lead}{u.inspector}统一部署,{cn_date(d.start)}至{end},{team_name}对{u.unit}{kind}。"
        f"{fb},{u.inspector}{u.verb}组向{u.body}反馈了{u.verb}意见。"
        f"按照{u.verb}工作有关要求,现将{u.verb}整改进展情况予以公布。"
    )


def stated_sentence(rng: random.Random, n_issues: int) -> tuple[str, dict[str, int]]:
    aspects = max(n_issues, 3)
    issues = aspects + rng.randint(0, 30)
    measures = issues * rng.randint(2, 5)
    if rng.random() < 0.5:
        cats = rng.randint(3, 5)
        text = f"对巡视反馈的{cats}大类{aspects}个方面{issues}个问题,细化制定{measures}条整改措施,"
        stated = {"categories": cats, "aspects": aspects, "issues": issues, "measures": measures}
    else:
        text = f"围绕巡视反馈的{aspects}个问题子类、{issues}个具体问题,细化制定了{measures}条整改举措,"
        stated = {"aspects": aspects, "issues": issues, "measures": measures}
    return text + "逐一明确责任领导、责任单位和整改时限。", stated


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def figure_kind(label: str) -> str:
    """The kind config.yaml (figures.accountability) gives a printed label such as 政务处分: the bench's
    expectations use the parser's own names, so a renamed kind cannot drift from the one stored."""
    for entry in section("figures").get("accountability", []):
        if re.fullmatch(entry["label"], label):
            return entry["kind"]
    raise KeyError(f"config.yaml figures.accountability has no label matching {label!r}")


def accountability(rng: random.Random) -> tuple[str, dict[str, float]]:
    """给予党纪处分38人(党内警告22人、…);政务处分8人(…);… with breakdowns that add up."""
    party = rng.randint(3, 60)
    pk = ["党内警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]
    pb = _split(party, len(pk), rng)
    gov = rng.randint(1, 25)
    gk = ["警告", "记过", "记大过", "降级", "撤职", "开除"]
    gb = _split(gov, len(gk), rng)
    sep = rng.choice(["、", ","])
    pdet = sep.join(f"{k}{v}人" for k, v in zip(pk, pb, strict=True) if v)
    gdet = sep.join(f"{k}{v}人" for k, v in zip(gk, gb, strict=True) if v)
    org, warn, edu = rng.randint(0, 9), rng.randint(1, 30), rng.randint(5, 60)
    rules = rng.randint(5, 60)
    refund, recovered = round(rng.uniform(10, 900), 2), round(rng.uniform(50, 2000), 2)
    org_part = f"组织处理{org}人;" if org else ""
    text = (
        f"在巡视整改工作中,给予党纪处分{party}人({pdet});政务处分{gov}人({gdet});{org_part}"
        f"诫勉{warn}人,教育提醒{edu}人;建立完善制度{rules}项;清退款项{refund:.2f}万元,"
        f"挽回其他经济损失{recovered:.2f}万元。"
    )
    printed: list[tuple[str, float]] = [("党纪处分", party), ("政务处分", gov), ("诫勉", warn),
                                        ("教育提醒", edu), ("建立完善制度", rules), ("清退款项", refund),
                                        ("挽回其他经济损失", recovered)]
    if org:
        printed.append(("组织处理", org))
    return text, {figure_kind(label): value for label, value in printed}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def deadline(rng: random.Random, base: date) -> tuple[str, date]:
    """A plan sentence with a deadline, and the date it should normalise to (end of the period)."""
    target = base + timedelta(days=rng.randint(-60, 330))
    y, m = target.year, target.month
    same_year = y == base.year
    choices: list[tuple[str, date]] = [
        (f"力争{y}年{m}月前投入使用", _month_end(y, m)),
        (f"计划{y}年正式投入使用", date(y, 12, 31)),
        (f"力争{y}年上半年实现挂牌", date(y, 6, 30)),
        (f"力争在{y}年{m}月底前完成", _month_end(y, m)),
    ]
    if same_year:
        choices += [
            (f"预计{m}月份完成", _month_end(y, m)),
            (f"将于{m}月底完成建设", _month_end(y, m)),
            (f"预计{m}月底出台", _month_end(y, m)),
            ("年底前可完成部分建设任务", date(y, 12, 31)),
        ]
    return rng.choice(choices)


# Sentences appended to an issue's last measure to plant an inferred status (see DOMAIN.md, status rules).
DONE_PHRASES = (
    "相关问题已整改到位。",
    "该问题已全部整改。",
    "上述问题均已整改完毕。",
    "目前已完成整改并销号。",
)
ONGOING_PHRASES = ("目前正在加快推进。", "相关工作持续推进。", "此项工作需长期坚持。")
OPEN_PHRASES = ("目前尚未完成整改。", "部分事项仍未整改到位。")


def plant_status(rng: random.Random, base: date) -> tuple[str, str, dict[str, str] | None]:
    """(sentence, intended status, planted deadline or None) for an issue without an explicit result."""
    r = rng.random()
    if r < 0.55:
        return rng.choice(DONE_PHRASES), "完成", None
    if r < 0.9:
        if rng.random() < 0.6:
            text, due = deadline(rng, base)
            return f"{text}。", "阶段性完成", {"text": text, "due_on": due.isoformat()}
        return rng.choice(ONGOING_PHRASES), "阶段性完成", None
    return rng.choice(OPEN_PHRASES), "未完成", None


def contact(u: Unit, rng: random.Random) -> str:
    phone = f"0{rng.randint(100, 999)}-{rng.randint(2000000, 89999999)}"
    road = rng.choice(["人民路", "解放路", "中山路", "建设路", "府前街", "行政中心"])
    user = f"{rng.choice(['xszg', 'qwb', 'jw', 'xcb', 'zgb'])}{rng.randint(10, 9999)}"
    mail = f"{user}@{rng.choice(['163.com', 'gov.cn'])}"
    return (
        f"欢迎广大干部群众对{u.verb}整改落实情况进行监督。如有意见建议,请及时向我们反映。"
        f"联系方式:{phone};邮政信箱:{u.city}{road}{rng.randint(1, 300)}号;电子邮箱:{mail}。"
    )


def renamer(u: Unit, sample_names: list[tuple[str, str, str]]):
    """A function that swaps the sample reports' own unit names for u's, in one regex pass (no cascade)."""
    table: dict[str, str] = {}
    for city, county, short in sample_names:
        table[city + county] = u.unit
        if u.place is not None:
            table[county] = u.place.county
            table[short] = u.place.short
        else:
            table[county + "委"] = "局党组"
            table[county] = "全系统"
            table[short] = "本系统"
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: table[m.group(0)], text)
