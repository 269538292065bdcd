"""Grouping of near-identical problem titles across units (共性问题), without comparing every pair.

Titles are first reduced to a key — first real clause without punctuation, digits or spaces
(`title_clause`, stored with each issue at ingest as issues.title_clause), then the configured filler
stripped and cut to `key_chars` (queries/common.py, in SQL over the distinct clauses) — so identical problems
collapse before any comparison.
The distinct keys are then compared with rapidfuzz's `ratio` (normalised Indel similarity, 0–100, computed
in C: `process.cpdist` scores whole arrays of pairs at once) only against their `window` nearest neighbours
in two sort orders — the keys as they are and reversed — the sorted-neighbourhood blocking of record
linkage: O(n · window) comparisons instead of O(n²), so 250,000 distinct titles stay well under a second.
Pairs at or above `similarity` are joined (union-find); a chain of similar titles forms one group.

Why rapidfuzz: a maintained C++ library with vectorised pairwise scoring and no model or data to download;
datasketch's MinHash LSH hashes every title in Python (~30 µs each) and is built for long documents, while
these keys are 5–40 characters, where a character edit similarity is the natural measure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from loaders.config import section

# A title's clauses end at these marks; a first clause shorter than MIN_CLAUSE characters once cleaned
# ("2021年以来") is context, not the problem, so the first longer one is taken (else the whole title).
CLAUSE_MARKS = "。;；,，:：!！?？"
MIN_CLAUSE = 5
# What a key leaves out: punctuation, symbols and digits (Unicode categories P*, S*, N*) and the spaces of
# RE2's \s. The same set as the SQL class [\p{P}\p{S}\p{N}\s] in queries/common.py (migration of older
# databases); tests/test_common.py checks both give the same clause for every title of the samples.
_SPACES = frozenset("\t\n\f\r ")
_CLAUSES = re.compile(f"[{re.escape(CLAUSE_MARKS)}]")


def _clean(text: str) -> str:
    return "".join(c for c in text if c not in _SPACES and unicodedata.category(c)[0] not in "PSN")


def title_clause(title: str) -> str:
    """The part of an issue title that names the problem, as compared across units: its first clause of at
    least MIN_CLAUSE characters (else the whole title), without punctuation, symbols, digits or spaces.
    A pure function of the title (no configuration): stored at ingest so 共性问题 reads it instead of
    computing it for every title at query time."""
    for part in _CLAUSES.split(title):
        cleaned = _clean(part)
        if len(cleaned) >= MIN_CLAUSE:
            return cleaned
    return _clean(title)


@dataclass(frozen=True)
class GroupRules:
    """config.yaml ledger.common."""

    similarity: float = 85.0
    min_units: int = 2
    key_chars: int = 40
    window: int = 8
    filler: tuple[str, ...] = ()

    @staticmethod
    def from_config() -> GroupRules:
        cfg: dict[str, Any] = section("ledger").get("common") or {}
        return GroupRules(
            similarity=float(cfg.get("similarity", 85)), min_units=int(cfg.get("min_units", 2)),
            key_chars=int(cfg.get("key_chars", 40)), window=int(cfg.get("window", 8)),
            filler=tuple(str(x) for x in cfg.get("filler") or ()),
        )


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


def _neighbour_pairs(keys: list[str], ranking: np.ndarray, window: int, cutoff: float) -> list[np.ndarray]:
    """Index pairs (into keys) of neighbours within `window` places in `ranking` that score ≥ cutoff."""
    ranked = [keys[i] for i in ranking]
    found = []
    for k in range(1, min(window, len(ranked) - 1) + 1):
        scores = process.cpdist(ranked[:-k], ranked[k:], scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)
        hit = np.nonzero(scores >= cutoff)[0]
        if hit.size:
            found.append(np.stack([ranking[hit], ranking[hit + k]], axis=1))
    return found


def group_labels(keys: Sequence[str], rules: GroupRules) -> np.ndarray:
    """For distinct `keys`, a group number per key (equal numbers: one problem). Groups are numbered by
    their smallest member index, so the result does not depend on the sort."""
    keys = list(keys)
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    by_key = np.array(sorted(range(n), key=keys.__getitem__), dtype=np.int64)
    by_tail = np.array(sorted(range(n), key=lambda i: keys[i][::-1]), dtype=np.int64)
    parent = list(range(n))
    for block in (_neighbour_pairs(keys, by_key, rules.window, rules.similarity)
                  + _neighbour_pairs(keys, by_tail, rules.window, rules.similarity)):
        for a, b in block.tolist():
            ra, rb = _find(parent, a), _find(parent, b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return np.array([_find(parent, i) for i in range(n)], dtype=np.int64)
