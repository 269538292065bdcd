"""The one vocabulary every layer shares (config.yaml `vocab:` and the names of `figures.accountability`):
statuses, status sources, deadline lights, figure kinds and stated keys, as frozen dataclasses read once.

The parser, the queries' per-status SQL columns, the pages, charts, exports, bench and tests all read these,
so adding a status value or a figure kind is an edit of config.yaml, not of every layer."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from loaders.config import section

FIGURE_GROUPS: tuple[str, ...] = ("people", "money", "other")  # people: 人, money: 万元, other: not charted


@dataclass(frozen=True)
class Status:
    value: str  # stored and shown as is: 完成
    column: str  # its count column in query results: done
    colour: str  # charts, Excel
    badge: str  # Streamlit colour name
    symbol: str  # plotly marker
    done: bool = False  # counts as completed


@dataclass(frozen=True)
class Source:
    value: str  # explicit / inferred / override / carried
    label: str
    badge: str


@dataclass(frozen=True)
class Light:
    value: str  # 红 / 黄 / 绿
    column: str  # red / yellow / green
    name: str  # 红灯
    colour: str
    badge: str


@dataclass(frozen=True)
class FigureKind:
    kind: str  # party_discipline
    label: str  # 党纪处分
    group: str  # one of FIGURE_GROUPS
    unit: str  # 人, 万元, 件 …


@dataclass(frozen=True)
class StatedKey:
    key: str  # completion_rate
    label: str  # 完成率（%）
    unit: str  # %
    listed: bool = False  # a column of 数据质量's stated-vs-parsed table


@dataclass(frozen=True)
class Vocab:
    statuses: tuple[Status, ...]  # the decided statuses, in display order
    unknown: Status  # the label of an undecided status (NULL)
    sources: tuple[Source, ...]
    lights: tuple[Light, ...]  # red, yellow, green
    figures: tuple[FigureKind, ...]
    stated: tuple[StatedKey, ...]

    @property
    def labels(self) -> tuple[Status, ...]:
        """Every status label an issue can show: the decided ones, then 未知."""
        return (*self.statuses, self.unknown)

    @property
    def done(self) -> str:
        """The status that counts as completed."""
        return next(s.value for s in self.statuses if s.done)

    def figure_group(self, group: str) -> dict[str, str]:
        """kind → label of one chart group, in config order."""
        return {k.kind: k.label for k in self.figures if k.group == group}


def _build(cls: type, raw: dict[str, Any]) -> Any:
    return cls(**raw)


@functools.cache
def vocab() -> Vocab:
    """The vocabulary of config.yaml (read once per process)."""
    cfg = section("vocab")
    v = Vocab(
        statuses=tuple(_build(Status, s) for s in cfg["statuses"]),
        unknown=_build(Status, cfg["unknown"]),
        sources=tuple(_build(Source, s) for s in cfg["sources"]),
        lights=tuple(_build(Light, x) for x in cfg["lights"]),
        figures=tuple(FigureKind(str(k["kind"]), str(k.get("name", "")), str(k.get("group", "")),
                                 str(k.get("unit", "")))
                      for k in section("figures").get("accountability") or ()),
        stated=tuple(_build(StatedKey, s) for s in cfg["stated"]),
    )
    if sum(s.done for s in v.statuses) != 1:
        raise ValueError("config.yaml vocab.statuses: exactly one status must be `done: true`")
    return v
