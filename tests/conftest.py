"""Shared pytest fixtures: the bundled sample reports in data/reports/ (the project's real fixtures)."""

from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database built from the sample reports, once per test session (never written to: copy it)."""
    from loaders.ingest import ensure_database

    db = tmp_path_factory.mktemp("samples_db") / "samples.duckdb"
    ensure_database(db, SAMPLES_DIR, workers=1)
    return db


@pytest.fixture()
def sample_db(sample_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database, so a test that writes (overrides, imports) affects no other."""
    copy = tmp_path / "db.duckdb"
    shutil.copy(sample_db_template, copy)
    return copy


@pytest.fixture()
def app_db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private sample database with the dashboard pointed at it (RECTIFY_DB, RECTIFY_UPLOADS)."""
    monkeypatch.setenv("RECTIFY_DB", str(sample_db))
    monkeypatch.setenv("RECTIFY_UPLOADS", str(tmp_path / "uploads"))
    return sample_db
