"""Decides an issue's status (完成 / 阶段性完成 / 未完成) with evidence, rule name and confidence.

The engine is here; the vocabulary (explicit phrases, ordered rules, their patterns and confidences) is
the `status:` section of config.yaml. An explicit `整改结果:` always wins; otherwise the first configured
rule that matches the issue's measures text decides, and the sentence holding the match is the evidence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from loaders.config import section
from loaders.models import UNKNOWN_STATUS, StatusDecision

# Punctuation and spaces dropped before looking up an explicit result ("已完成。" → "已完成").
_EXPLICIT_NOISE = re.compile(r"[\s,,。.;;::!!??、“”\"'()()【】\[\]]")
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
        sentence_split=re.compile(cfg.get("sentence_split", r"[。;;!?!?\n]")),
        evidence_max=int(cfg.get("evidence_max_chars", 200)),
        ignore=_compile_all(cfg.get("ignore")),
        rules=tuple(_rule(r) for r in cfg.get("rules") or ()),
    )


def decide_status(explicit: str | None, body: str, section: str = "") -> StatusDecision:
    """The item's status: its own explicit result if it has one, else inferred from its text and section."""
    cfg = rules()
    if explicit and explicit.strip():
        decided = _from_explicit(explicit, cfg)
        if decided is not None:
            return decided
    return _infer(body or "", section or "", cfg)


def _from_explicit(explicit: str, cfg: StatusRules) -> StatusDecision | None:
    """Map the text after `整改结果:`; None when it names no known result (then the body decides)."""
    cleaned = _EXPLICIT_NOISE.sub("", explicit)
    for phrase, status in cfg.explicit_phrases:
        if phrase in cleaned:
            evidence = f"{cfg.label}:{explicit.strip()}"
            return StatusDecision(status, "explicit", evidence, "explicit", cfg.explicit_confidence)  # type: ignore[arg-type]
    return None


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
