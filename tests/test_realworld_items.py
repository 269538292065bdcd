"""The full reports of the realworld development set (tests/realworld/full/, copies of synthetic pages in
real layouts: tables, status labels, 【问题一】, 问题3:, status and kind groups, three-level nesting) parse to
the issue count and the per-status counts in tests/realworld/items_expected.yaml, exactly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from loaders.parser.parse import parse_file

HERE = Path(__file__).resolve().parent / "realworld"
EXPECTED: dict[str, dict] = yaml.safe_load((HERE / "items_expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_full_report_issue_count_and_statuses_are_exact(name: str) -> None:
    want = EXPECTED[name]
    path = HERE / name
    reports = parse_file(path)  # raw copies: traditional characters and lost line breaks are the parser's job
    issues = [i for r in reports for i in r.issues]
    got = Counter(i.status.status for i in issues)
    assert len(issues) == want["issues"]
    assert {s: got.get(s, 0) for s in want["statuses"]} == want["statuses"]
    assert sum(want["statuses"].values()) == want["issues"]  # every issue has a printed or heading status
    assert {i.status.source for i in issues} == {"explicit"}
