"""Shared pytest fixtures: the bundled sample reports in data/reports/ (the project's real fixtures), the
expected parse of each sample (a data file beside it), and the hypothesis profile every property test runs
under."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
# The one place the samples' folder is named: test modules import it (or use the samples_dir fixture).
SAMPLES_DIR = ROOT / "data" / "reports"
# Successive reports of one unit written from sample 004, with their expected lineage (tests/series/).
SERIES_DIR = ROOT / "tests" / "series" / "dongchangfu"
# Beside each sample `<name>.txt` lies `<name>.expected.yaml`: what a correct parse of it yields. Ingest reads
# only report extensions, so the expectations are never taken for a report.
EXPECTED_SUFFIX = ".expected.yaml"

# Property tests run the same examples on every run (a failure in CI reproduces locally). For a deeper
# random hunt: HYPOTHESIS_PROFILE=explore pytest tests/test_segment.py
settings.register_profile("derandomized", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derandomized"))


def open_issues(at: Any, label: Callable[[str], bool] = lambda _: True) -> Any:
    """Open the 单位 page's issue expanders whose label `label` accepts, as a click does (they are lazy: a
    closed one draws nothing inside), and rerun; the AppTest, for chaining."""
    for box in at.expander:
        if box.key and box.key.startswith("issue_open_") and label(box.label):
            at.session_state[box.key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sample_paths() -> list[Path]:
    """Every bundled sample report, sorted by name (usable in @pytest.mark.parametrize)."""
    return sorted(SAMPLES_DIR.glob("*.txt"))


def sample_path(prefix: str) -> Path:
    """The one sample whose file name starts with `prefix`, e.g. "001"."""
    matches = [p for p in sample_paths() if p.name.startswith(prefix)]
    if len(matches) != 1:
        raise LookupError(f"expected one sample named {prefix}*, found {len(matches)}")
    return matches[0]


def sample_text(prefix: str) -> str:
    """The text of a sample report, as stored (UTF-8)."""
    return sample_path(prefix).read_text(encoding="utf-8")


def expectation_paths() -> list[Path]:
    """Every expectations file beside the samples, sorted by name."""
    return sorted(SAMPLES_DIR.glob(f"*{EXPECTED_SUFFIX}"))


def document_of(expectation: Path) -> Path:
    """The sample document an expectations file describes (same name, a report extension)."""
    stem = expectation.name.removesuffix(EXPECTED_SUFFIX)
    matches = [p for p in SAMPLES_DIR.iterdir() if p.stem == stem and p != expectation]
    if len(matches) != 1:
        raise LookupError(f"{expectation.name}: expected one document named {stem}.*, found {len(matches)}")
    return matches[0]


def load_expectation(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data.get("reports"):
        raise ValueError(f"{path.name}: an expectations file needs a `reports` list")
    return data


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
    from loaders.writer.ingest import ensure_database

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


@pytest.fixture(scope="session")
def series_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The written series (four reports of 聊城市东昌府区) ingested once per run."""
    from loaders.writer.ingest import ingest_paths

    db = tmp_path_factory.mktemp("series") / "series.duckdb"
    summary = ingest_paths([SERIES_DIR], db, workers=1, progress=False)
    assert summary.failed == 0 and summary.reports == 4
    return db


@pytest.fixture()
def series_db(series_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the series database."""
    copy = tmp_path / "series.duckdb"
    shutil.copy(series_db_template, copy)
    return copy


def migrated_copy(db: Path, tmp_path: Path, *older_schema: str) -> Path:
    """A copy of `db` made as an earlier version wrote it (the SQL statements `older_schema`, e.g. dropping a
    column added since), then migrated as the dashboard does once at start. Asserts that the migration ran,
    and only once: a current database is only read."""
    import duckdb

    from loaders.writer import store

    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    with duckdb.connect(str(old)) as con:
        for sql in older_schema:
            con.execute(sql)
    assert store.migrate(old)
    assert not store.migrate(old)
    return old


def assert_reads_the_same(got: Sequence[object], want: Sequence[object]) -> None:
    """Each of the views `got` equals its counterpart in `want` (frames compared exactly, values by ==)."""
    import pandas as pd

    for mine, theirs in zip(got, want, strict=True):
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs)
        else:
            assert mine == theirs
