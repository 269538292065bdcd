"""The identity of the parsing rules and code: a stored file parsed under other rules is parsed again."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from loaders.config import section

# config.yaml sections that change what a parse yields (paths and dashboard settings do not).
RULE_SECTIONS = ("read", "text", "page", "segment", "status", "deadlines", "figures")
_LOADERS = Path(__file__).resolve().parent
# Modules whose code decides what a parse yields; store/ingest/queries/CLI do not.
_PARSER_SOURCES = ("models.py", "messages.py", "normalize.py", "chrome.py", "segment.py", "tables.py",
                   "meta.py",
                   "regions.py", "parse.py", "status.py", "deadlines.py", "figures.py", "read", "data")


@functools.cache
def parser_fingerprint() -> str:
    """A short hash of the rule sections of config.yaml and of the parser's source files.

    Ingestion skips a file only when both its bytes and this fingerprint are unchanged, so a supervisor who
    tunes a status phrase and re-ingests sees the new statuses (overrides survive: their keys are stable).
    """
    h = hashlib.sha256()
    rules = {name: section(name) for name in RULE_SECTIONS}
    h.update(json.dumps(rules, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    for name in _PARSER_SOURCES:
        path = _LOADERS / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".yaml", ".yml", ".json", ".txt", ".csv"):
                h.update(f.relative_to(_LOADERS).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]
