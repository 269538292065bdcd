"""Shared pytest fixtures: the bundled sample reports in data/reports/ (the project's real fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "reports"


def sample_paths() -> list[Path]:
    """Every bundled sample report, sorted by name (usable in @pytest.mark.parametrize)."""
    return sorted(SAMPLES_DIR.glob("*.txt"))


def sample_path(prefix: str) -> Path:
    """The one sample whose file name starts with `prefix`, e.g. "001"."""
    matches = [p for p in sample_paths() if p.name.startswith(prefix)]
    if len(matches) != 1:
        raise LookupError(f"expected one sample named {prefix}*, found {len(matches)}")
    return matches[0]


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def sample_file() -> Callable[[str], Path]:
    """A function: sample prefix ("000"…"004") → path."""
    return sample_path
