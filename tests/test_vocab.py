"""The one vocabulary (config.yaml vocab + figures.accountability, loaders/vocab.py) against the code that
reads it: every kind the parser can emit has a label and a chart group, every stated key the patterns capture
has a label and a unit, and the per-status / per-light SQL columns are what the pages read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import queries
from loaders.config import section
from loaders.parser.figures import extract_figures
from loaders.vocab import FIGURE_GROUPS, vocab
from queries import Filters
from views.components.labels import FIGURE_LABELS, MONEY_FIGURES, PEOPLE_FIGURES, STATUS_COLUMNS

CHART_UNITS = {"people": "人", "money": "万元"}  # the axis each charted group is drawn on (views/overview.py)


def test_every_accountability_kind_has_a_label_a_group_and_a_unit() -> None:
    kinds = [str(k["kind"]) for k in section("figures")["accountability"]]
    assert len(kinds) == len(set(kinds)), "a figure kind is named twice in figures.accountability"
    for k in vocab().figures:
        assert k.label and k.group in FIGURE_GROUPS and k.unit, f"figures.accountability {k.kind}: {k}"
        assert FIGURE_LABELS[k.kind] == k.label
        if k.group in CHART_UNITS:  # a kind charted on an axis of another unit would be a wrong bar
            assert k.unit == CHART_UNITS[k.group], k


def test_charted_groups_keep_their_order_and_members() -> None:
    # The overview's bars, the scorecard and the brief read these; their order is the colour order.
    assert list(PEOPLE_FIGURES) == [k.kind for k in vocab().figures if k.group == "people"]
    assert list(MONEY_FIGURES) == [k.kind for k in vocab().figures if k.group == "money"]
    assert PEOPLE_FIGURES and MONEY_FIGURES


def test_every_stated_key_the_patterns_capture_has_a_label_and_a_unit() -> None:
    captured = {name for p in section("figures")["stated"] for name in re.findall(r"\(\?P<(\w+)>", p)}
    declared = {k.key: k for k in vocab().stated}
    assert captured <= set(declared), f"stated keys without vocab.stated entry: {captured - set(declared)}"
    assert set(declared) <= captured, f"vocab.stated keys no pattern captures: {set(declared) - captured}"
    assert all(k.label and k.unit for k in declared.values())


def test_parsed_figures_use_the_vocabulary() -> None:
    text = ("在巡视整改工作中,给予党纪处分12人,政务处分3人,诫勉5人,清退款项20.5万元。"
            "巡视反馈3大类12个方面45个问题,已完成整改40个,整改完成率达到89%。")
    _, figures = extract_figures(text)
    units = {k.key: k.unit for k in vocab().stated}
    kinds = {f.kind: f for f in figures}
    assert {"party_discipline", "gov_sanction", "admonition", "money_refunded"} <= set(kinds)
    for f in figures:
        if f.kind.startswith("stated."):
            assert f.unit == units[f.kind.removeprefix("stated.")], f
        elif "." not in f.kind:
            assert f.kind in FIGURE_LABELS, f


def test_statuses_lights_and_sources_are_well_formed() -> None:
    v = vocab()
    assert sum(s.done for s in v.statuses) == 1 and not v.unknown.done
    columns = [s.column for s in v.labels] + [x.column for x in v.lights]
    assert len(columns) == len(set(columns)) and all(re.fullmatch(r"[a-z_]+", c) for c in columns)
    assert len(v.lights) == 3  # red, yellow, green: the SQL CASE of queries.base._light


def test_per_status_columns_count_every_issue(sample_db: Path) -> None:
    f = Filters(as_of=dt.date(2024, 6, 30))
    k = queries.key_figures(sample_db, f).iloc[0]
    assert sum(int(k[c]) for c in STATUS_COLUMNS) == int(k["issues"]) > 0
    done = next(s.column for s in vocab().statuses if s.done)
    assert 0 < sum(int(k[x.column]) for x in vocab().lights) <= int(k["issues"]) - int(k[done])
    scores = queries.unit_scores(sample_db, f)
    assert (scores[list(STATUS_COLUMNS)].sum(axis=1) == scores["issues"]).all()
