"""The rule vocabularies in config.yaml (status, deadlines, figures) are consistent and compile."""

from __future__ import annotations

import re
from datetime import date

import pytest

from loaders.config import section
from loaders.models import STATUSES
from loaders.parser import deadline_finder as deadlines
from loaders.parser import figures, status

# The stated-figure keys shared with the status engine and the dashboard, plus figures.py's extras.
STATED_KEYS = {"categories", "aspects", "issues", "measures", "completed", "basically_completed",
               "in_progress", "not_completed", "completion_rate", "measures_completed", "subcategories",
               "issues_more"}


def _compiles(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"regex {pattern!r} does not compile: {exc}")


def test_explicit_phrases_map_to_valid_statuses_and_are_all_reachable() -> None:
    phrases = section("status")["explicit"]["phrases"]
    assert phrases
    for entry in phrases:
        assert entry["phrase"] and entry["status"] in STATUSES, entry
    # Phrases are tried in order and matched by containment: a phrase contained in a later one would shadow
    # it (完成 listed before 未完成 would turn every 未完成 into 完成).
    texts = [p["phrase"] for p in phrases]
    for i, earlier in enumerate(texts):
        for later in texts[i + 1 :]:
            assert earlier not in later, f"{earlier!r} shadows the later phrase {later!r}"


def test_status_rules_are_named_valid_and_compile() -> None:
    cfg = section("status")
    rules = cfg["rules"]
    names = [r.get("name") for r in rules]
    assert all(names) and len(names) == len(set(names)), names
    assert "explicit" not in names and "none" not in names  # reserved for explicit results / unknown
    for rule in rules:
        assert 0.0 < float(rule["confidence"]) <= 1.0, rule["name"]
        by_section = rule.get("status_by_section")
        if by_section:
            for entry in by_section:
                assert entry["status"] in STATUSES
                _compiles(entry["pattern"])
        else:
            assert rule["status"] in STATUSES, rule["name"]
            assert rule.get("patterns"), f"{rule['name']} has no patterns"
        for pattern in [*(rule.get("patterns") or []), *(rule.get("requires") or [])]:
            _compiles(pattern)
    for pattern in [cfg["sentence_split"], *cfg["ignore"]]:
        _compiles(pattern)
    assert 0.0 < float(cfg["explicit"]["confidence"]) <= 1.0


def test_inferred_confidences_stay_below_explicit() -> None:
    cfg = section("status")
    assert all(float(r["confidence"]) < float(cfg["explicit"]["confidence"]) for r in cfg["rules"])


def test_deadline_vocabulary_is_consistent() -> None:
    cfg = section("deadlines")
    for key in ("commit_markers", "forecast_markers", "past_markers", "ignore"):
        assert cfg[key], key
        for pattern in cfg[key]:
            _compiles(pattern)
    for key in ("clause_split", "sentence_split"):
        _compiles(cfg[key])
    for word, value in cfg["year_periods"].items():
        month, day = (int(x) for x in str(value).split("-"))
        date(2024, month, day)  # raises on an impossible period end
        assert word
    assert set(cfg["quarters"].values()) == {1, 2, 3, 4}
    assert all(1 <= int(d) <= 31 for d in cfg["month_parts"].values())
    assert all(isinstance(v, int) and 0 <= v <= 1 for v in cfg["relative_years"].values())
    assert all(2000 <= int(y) <= 2100 for y in cfg["plan_periods"].values())
    assert int(cfg["roll_forward_days"]) > 0 and int(cfg["max_phrase_chars"]) > 0


def test_figure_vocabulary_is_consistent() -> None:
    cfg = section("figures")
    for pattern in [cfg["sentence_split"], *cfg["stated_anchors"], *cfg["accountability_anchors"]]:
        _compiles(pattern)
    for pattern in cfg["stated"]:
        compiled = re.compile(pattern.replace("{N}", r"\d+"))
        assert compiled.groupindex, f"stated pattern {pattern!r} names no key"
        assert set(compiled.groupindex) <= STATED_KEYS, pattern
    kinds = [k["kind"] for k in cfg["accountability"]]
    assert all(kinds) and len(kinds) == len(set(kinds)), kinds
    for entry in cfg["accountability"]:
        assert "." not in entry["kind"], "a dot separates a kind from its breakdown label"
        assert entry["unit"] in {"人", "项", "件", "万元", "平方米"}, entry
        _compiles(entry["label"])
    assert cfg["money_units"]["万元"] == 1 and all(v > 0 for v in cfg["money_units"].values())


def test_engines_compile_their_sections() -> None:
    """Each engine builds its compiled rules from the config without error."""
    assert len(status.rules().rules) == len(section("status")["rules"])
    assert deadlines.rules().mention.search("力争2024年7月前投入使用")
    assert not deadlines.rules().mention.search("党内警告22人")
    assert len(figures.rules().kinds) == len(section("figures")["accountability"])


def test_status_inference_knobs_are_consistent() -> None:
    cfg = section("status")
    for key in ("purpose_start", "purpose_anywhere", "meeting"):
        _compiles(cfg["roles"][key])
    for key in ("open_words", "closed_words"):
        _compiles(cfg["phase"][key])
    for key in ("clause_split", "overdue_result", "past_clause"):
        _compiles(cfg[key])
    assert 0 < float(cfg["roles"]["purpose"]) < float(cfg["roles"]["lead_in"]) < 1
    assert float(cfg["decide"]["results_at"]) > 0 and float(cfg["decide"]["open_at"]) > 0
    conf = cfg["confidence"]
    low = float(section("dashboard")["low_confidence"])
    # Weak and mixed decisions must land below the 待核 threshold, or "low confidence" would mean nothing.
    assert float(conf["weak_max"]) < low and float(conf["mixed_max"]) < low
    assert low < float(conf["max"]) < float(cfg["explicit"]["confidence"])
    for rule in cfg["rules"]:
        assert float(rule.get("weight", 1.0)) > 0, rule["name"]
        for key in ("unless", "progress", "title", "concrete"):
            for pattern in rule.get(key) or []:
                _compiles(pattern)
        assert not (rule.get("weak") and rule.get("firm")), rule["name"]
