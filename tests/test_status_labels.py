"""Accuracy gate of the status inference against hand labels of the 105 issues of samples 000/002/003/004.

The labels (tests/status_labels/<sample>.yaml) were made by reading every issue's measures in full, before
the engine was tuned (see tests/status_labels/README.md). The gate pins the measured agreement overall and
among the decisions confident enough to be shown without 待核 (`dashboard.low_confidence`), and the share
of decisions shown as 待核. Lowering a number here needs a reason in the commit message.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from loaders.config import section
from loaders.models import Issue
from loaders.parser.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
LABELS = Path(__file__).resolve().parent / "status_labels"
SAMPLES = ("000", "002", "003", "004")

# Measured on the labels: 99/105 overall (94.3 %), 89/91 confident (97.8 %), 14/105 待核 (13.3 %).
MIN_AGREEMENT = 0.94
MIN_CONFIDENT_AGREEMENT = 0.97
MAX_LOW_SHARE = 0.14


@cache
def labelled() -> tuple[tuple[str, dict, Issue], ...]:
    out = []
    for sample in SAMPLES:
        labels = yaml.safe_load((LABELS / f"{sample}.yaml").read_text(encoding="utf-8"))
        path = next((ROOT / "data" / "reports").glob(f"{sample}_*.txt"))
        issues = [i for r in parse_file(path) for i in r.issues]
        assert len(issues) == len(labels), f"{sample}: {len(issues)} issues parsed, {len(labels)} labelled"
        out += [(sample, label, issue) for label, issue in zip(labels, issues, strict=True)]
    return tuple(out)


def low_confidence() -> float:
    return float(section("dashboard")["low_confidence"])


def test_labels_are_well_formed_and_match_the_parsed_issues() -> None:
    for sample, label, issue in labelled():
        assert label["label"] in ("完成", "阶段性完成", "未完成"), (sample, label)
        assert label["evidence"] and label["principle"], (sample, label)
        assert issue.title.startswith(label["title"]), (sample, label["seq"], issue.title)


def test_agreement_with_the_labels_overall() -> None:
    rows = labelled()
    agree = sum(label["label"] == issue.status.status for _, label, issue in rows)
    assert agree / len(rows) >= MIN_AGREEMENT, confusion(rows)


def test_agreement_among_confident_decisions() -> None:
    confident = [(s, lab, i) for s, lab, i in labelled() if i.status.confidence >= low_confidence()]
    agree = sum(lab["label"] == i.status.status for _, lab, i in confident)
    assert agree / len(confident) >= MIN_CONFIDENT_AGREEMENT, [
        (s, lab["seq"], lab["label"], i.status.status, i.status.rule) for s, lab, i in confident
        if lab["label"] != i.status.status]


def test_few_decisions_are_left_for_review() -> None:
    rows = labelled()
    low = [i for _, _, i in rows if i.status.confidence < low_confidence()]
    assert len(low) / len(rows) <= MAX_LOW_SHARE, len(low)


def test_confidence_separates_right_from_wrong() -> None:
    """Confidence means something: decisions that agree with the labels are on average surer."""
    rows = labelled()
    right = [i.status.confidence for _, lab, i in rows if lab["label"] == i.status.status]
    wrong = [i.status.confidence for _, lab, i in rows if lab["label"] != i.status.status]
    assert wrong and sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_inferred_status_names_its_rule_and_evidence(sample: str) -> None:
    for s, _, issue in labelled():
        if s == sample:
            st = issue.status
            assert st.source == "inferred" and st.rule not in ("", "none") and st.evidence
            assert st.evidence in "\n".join(issue.measures)
            assert not st.counter_evidence or st.counter_evidence in "\n".join(issue.measures)


def confusion(rows: tuple[tuple[str, dict, Issue], ...]) -> Counter:
    return Counter((label["label"], issue.status.status) for _, label, issue in rows)
