"""Decides an issue's status (完成 / 阶段性完成 / 未完成) with evidence, rule name and confidence.

The engine is here; the vocabulary (explicit phrases, ordered rules, their patterns and confidences) is
the `status:` section of config.yaml. A status the item prints (`整改结果:` / `完成情况:` / `整改进展:` …, a
trailing `(已完成)`, a table's status cell) always wins; next the one status its group heading names
(`二、已完成整改的问题(共12个)`); otherwise the first configured rule that matches the issue's measures text
decides, and the sentence holding the match is the evidence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from loaders.config import section
from loaders.models import UNKNOWN_STATUS, StatusDecision

# Punctuation and spaces dropped before looking up an explicit result ("已完成。" → "已完成").
_EXPLICIT_NOISE = re.compile(r"[\s,,。.;;::!!??、“”\"'()()【】\[\]]")
# The first clause of a printed result value: `已完成。整改措施:…` / `已完成,清退资金5万元` → `已完成`.
_FIRST_CLAUSE = re.compile(r"[。;;,,!?!?\n]")
# Replaces ignored spans with same-length filler so match offsets still point into the original text.
_FILLER = "\u3000"
# Characters trimmed from the edges of an evidence window cut out of a long sentence.
_WINDOW_EDGE = " \t\n,,、;;::"


@dataclass(frozen=True)
class Rule:
    """One ordered rule from config: patterns over the body, or per-heading statuses over the section."""

    name: str
    confidence: float
    status: str | None
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...]
    by_section: tuple[tuple[re.Pattern[str], str], ...]


@dataclass(frozen=True)
class StatusRules:
    label: str
    explicit_confidence: float
    explicit_phrases: tuple[tuple[str, str], ...]
    explicit_max_chars: int
    sentence_split: re.Pattern[str]
    evidence_max: int
    ignore: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]


def _compile_all(patterns: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns or ())


def _rule(raw: dict) -> Rule:
    by_section = tuple((re.compile(s["pattern"]), s["status"]) for s in raw.get("status_by_section") or ())
    return Rule(
        name=raw["name"],
        confidence=float(raw["confidence"]),
        status=raw.get("status"),
        patterns=_compile_all(raw.get("patterns")),
        requires=_compile_all(raw.get("requires")),
        by_section=by_section,
    )


@functools.cache
def rules() -> StatusRules:
    """The compiled `status:` section (compiled once per process)."""
    cfg = section("status")
    explicit = cfg.get("explicit") or {}
    return StatusRules(
        label=explicit.get("label", "整改结果"),
        explicit_confidence=float(explicit.get("confidence", 1.0)),
        explicit_phrases=tuple((p["phrase"], p["status"]) for p in explicit.get("phrases") or ()),
        explicit_max_chars=int(explicit.get("max_chars", 16)),
        sentence_split=re.compile(cfg.get("sentence_split", r"[。;;!?!?\n]")),
        evidence_max=int(cfg.get("evidence_max_chars", 200)),
        ignore=_compile_all(cfg.get("ignore")),
        rules=tuple(_rule(r) for r in cfg.get("rules") or ()),
    )


def decide_status(explicit: str | None, body: str, section: str = "", evidence: str = "",
                  heading: str = "") -> StatusDecision:
    """The item's status: its own explicit result if it has one (`evidence`: the line that printed it), else
    the one status its group heading names (`heading`: `二、已完成整改的问题(共12个)`), else inferred from
    its text and section."""
    cfg = rules()
    if explicit and explicit.strip():
        decided = _from_explicit(explicit, cfg, evidence)
        if decided is not None:
            return decided
    if heading and heading.strip():
        status = heading_status(heading)
        if status is not None:
            return StatusDecision(status, "explicit", heading.strip()[:cfg.evidence_max], "explicit_heading",  # type: ignore[arg-type]
                                  cfg.explicit_confidence)
    return _infer(body or "", section or "", cfg)


def first_clause(value: str) -> tuple[str, str]:
    """(first clause, the rest) of a printed result value: `已完成,清退5万元` → (`已完成`, `清退5万元`)."""
    parts = _FIRST_CLAUSE.split(value.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def explicit_status(value: str) -> str | None:
    """The status a printed result value names (`已完成。` → 完成, `长期坚持、持续推进` → 阶段性完成),
    read from its first clause; None when that clause names none or is a sentence about the work rather
    than a status."""
    cfg = rules()
    head, _ = first_clause(value)
    cleaned = _EXPLICIT_NOISE.sub("", head)
    if not cleaned or len(cleaned) > cfg.explicit_max_chars:
        return None
    found = _phrases_in(cleaned, cfg)
    return found[0] if found else None


def heading_status(heading: str) -> str | None:
    """The status a section heading names for every item under it: `已完成整改的问题` → 完成,
    `基本完成、持续推进的问题` → 阶段性完成; None when it names none, or several that disagree
    (`未完成或长期整改的整改事项`)."""
    found = set(_phrases_in(_EXPLICIT_NOISE.sub("", heading), rules()))
    return found.pop() if len(found) == 1 else None


def _phrases_in(cleaned: str, cfg: StatusRules) -> list[str]:
    """Statuses of the configured phrases found, in config order; each phrase found is blanked first, so
    基本完成 is not also read as 完成 and 未完成 not as 完成."""
    found = []
    for phrase, status in cfg.explicit_phrases:
        if phrase in cleaned:
            found.append(status)
            cleaned = cleaned.replace(phrase, _FILLER * len(phrase))
    return found


def _from_explicit(explicit: str, cfg: StatusRules, evidence: str = "") -> StatusDecision | None:
    """Map a printed result (`整改结果:` / `完成情况:` / a status column); None when it names no known result
    (then the body decides)."""
    status = explicit_status(explicit)
    if status is None:
        return None
    evidence = evidence.strip() or f"{cfg.label}:{explicit.strip()}"
    return StatusDecision(status, "explicit", evidence, "explicit", cfg.explicit_confidence)  # type: ignore[arg-type]


def _infer(body: str, section_heading: str, cfg: StatusRules) -> StatusDecision:
    masked = mask(body, cfg.ignore)
    has_body = bool(masked.strip())
    searched: dict[tuple[re.Pattern[str], ...], re.Match[str] | None] = {}  # rules may share their patterns
    for rule in cfg.rules:
        if rule.by_section:
            decided = _by_section(rule, section_heading)
            if decided is not None:
                return decided
            continue
        if not has_body or (rule.requires and not any(p.search(masked) for p in rule.requires)):
            continue
        if rule.patterns not in searched:
            searched[rule.patterns] = _first_match(rule.patterns, masked)
        match = searched[rule.patterns]
        if match is not None and rule.status:
            evidence = evidence_sentence(body, match.start(), match.end(), cfg)
            return StatusDecision(rule.status, "inferred", evidence, rule.name, rule.confidence)  # type: ignore[arg-type]
    return UNKNOWN_STATUS


def _by_section(rule: Rule, heading: str) -> StatusDecision | None:
    if not heading.strip():
        return None
    for pattern, status in rule.by_section:
        if pattern.search(heading):
            evidence = heading.strip()[:200]
            return StatusDecision(status, "inferred", evidence, rule.name, rule.confidence)  # type: ignore[arg-type]
    return None


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    """The first match of the first pattern (in config order) that matches anywhere in the text."""
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None:
            return match
    return None


def mask(text: str, ignore: tuple[re.Pattern[str], ...]) -> str:
    """Blank out ignored spans (document names, quotations) keeping every other character at its offset."""
    for pattern in ignore:
        text = pattern.sub(lambda m: _FILLER * len(m.group(0)), text)
    return text


def evidence_sentence(text: str, start: int, end: int, cfg: StatusRules) -> str:
    """The sentence around text[start:end], trimmed to a window around the match when it is too long."""
    reach = max(0, start - 2 * cfg.evidence_max)  # bounded look-back: bodies can be whole reports
    left = max((m.end() for m in cfg.sentence_split.finditer(text, reach, start)), default=reach)
    stop = cfg.sentence_split.search(text, end)
    right = stop.start() if stop else len(text)
    sentence_start, sentence_end = _strip_span(text, left, right)
    if sentence_end - sentence_start <= cfg.evidence_max:
        return text[sentence_start:sentence_end]
    half = max(cfg.evidence_max - (end - start), 0) // 2
    lo = max(sentence_start, start - half)
    hi = min(sentence_end, lo + cfg.evidence_max)
    return text[lo:hi].strip(_WINDOW_EDGE)


def _strip_span(text: str, left: int, right: int) -> tuple[int, int]:
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right
