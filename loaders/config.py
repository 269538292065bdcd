"""Loads config.yaml once: the domain rules (grammar, status phrases, deadlines, figures, paths)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = PROJECT_ROOT / "config.yaml"


@functools.cache
def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def section(name: str) -> dict[str, Any]:
    """One top-level section of config.yaml (empty dict when absent)."""
    return load_config().get(name) or {}


def project_path(relative: str | Path) -> Path:
    """Resolve a path from config.yaml against the project root, so commands work from any directory."""
    p = Path(relative)
    return p if p.is_absolute() else PROJECT_ROOT / p
