"""Decides an issue's status (完成 / 阶段性完成 / 未完成): evidence, counter-evidence, rule, confidence.

A status the item prints (`整改结果:` / `完成情况:` / `整改进展:` …, a trailing `(已完成)`, a table's
status cell) always wins; next the one status its group heading names (`二、已完成整改的问题(共12个)`).
Otherwise the measures are read sentence by sentence as a careful supervisor would (docs/status_reading.md):
every configured signal (`status.rules` in config.yaml) is collected with the role of the clause it stands
in (reported act, lead-in heading, purpose clause or slogan tail), dates are read against the report's date
(the deadline finder), and the issue is decided on the balance. The report's phase (months since feedback,
title wording) only breaks ties and moves the confidence of weak decisions. The vocabulary, weights and
thresholds are data; this module is the small engine.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import date

from loaders import messages
from loaders.config import section
from loaders.models import UNKNOWN_STATUS, Issue, ParseWarning, StatusDecision
from loaders.parser import fastrx
from loaders.parser.deadline_finder import date_mentions, find_deadlines

# Punctuation and spaces dropped before looking up an explicit result ("已完成。" → "已完成").
_EXPLICIT_NOISE = re.compile(r"[\s,,。.;;::!!??、“”\"'()()【】\[\]]")
# The first clause of a printed result value: `已完成。整改措施:…` / `已完成,清退资金5万元` → `已完成`.
_FIRST_CLAUSE = re.compile(r"[。;;,,!?!?\n]")
# Replaces ignored spans with same-length filler so match offsets still point into the original text.
_FILLER = "\u3000"
# Characters trimmed from the edges of an evidence window cut out of a long sentence.
_WINDOW_EDGE = " \t\n,,、;;::"
# Ordinal lead of a measure ("一是", "(二)", "3.") skipped when looking at how a clause starts.
_ORDINAL = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[((][一二三四五六七八九十\d]+[))]|\d+[.、.])\s*")
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Rule:
    """One named signal from config: the status it argues for, its weight and how it is found."""

    name: str
    confidence: float
    status: str | None
    patterns: tuple[re.Pattern[str], ...]
    by_section: tuple[tuple[re.Pattern[str], str], ...] = ()
    weight: float = 1.0
    unless: tuple[re.Pattern[str], ...] = ()
    progress: tuple[re.Pattern[str], ...] = ()
    progress_name: str = ""
    progress_status: str = ""
    past_period_cancels: bool = False
    deadline: str = ""  # "after_report" / "before_report": found by the deadline finder, not by patterns
    title: tuple[re.Pattern[str], ...] = ()  # outcome rule: fires when the title matches and no pattern does
    concrete: tuple[re.Pattern[str], ...] = ()
    concrete_weight: float = 0.0
    weak: bool = False  # counts only in weak decisions, never towards decide.open_at
    firm: bool = False  # states the open part outright: reported results next to it do not weaken it
    any: fastrx.Finder | None = None  # all patterns in one, to skip a body where the rule matches nowhere
    any_exact: bool = False  # `any` matches exactly where one of the patterns does (none had a `$` dropped)
    concrete_any: fastrx.Finder | None = None  # the concrete patterns in one: a sentence has one of them


@dataclass(frozen=True)
class StatusRules:
    label: str
    explicit_confidence: float
    explicit_phrases: tuple[tuple[str, str], ...]
    explicit_max_chars: int
    sentence_split: re.Pattern[str]
    clause_split: re.Pattern[str]
    evidence_max: int
    ignore: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]
    roles: Roles
    decide: dict
    confidence: dict
    phase: dict
    stated_tolerance: float
    overdue_result: re.Pattern[str]
    past_clause: re.Pattern[str]
    results: Rule | None = None  # the reported-results rule (the one with a concrete weight)
    body_rules: tuple[Rule, ...] = ()  # the rules read in the measures (not by section or title)


@dataclass(frozen=True)
class ReportContext:
    """What the report as a whole tells the status engine."""

    published_on: date | None = None
    feedback_on: date | None = None
    heading: str = ""  # title and opening lines, for the phase wording


@dataclass(slots=True)  # a few per sentence read: built fast
class _Hit:
    rule: Rule
    weight: float  # after the role
    start: int
    end: int
    aim: bool = False  # in a purpose clause or slogan tail: an aim, not progress


@dataclass
class _Tally:
    open: list[_Hit] = field(default_factory=list)
    closed: list[_Hit] = field(default_factory=list)
    results: list[_Hit] = field(default_factory=list)

    def weight(self, side: str, strong_only: bool = False, weak_cap: float = 0.5) -> float:
        hits = self.open if side == OPEN else self.closed
        strong = sum(h.weight for h in hits if not h.rule.weak)
        return strong if strong_only else strong + min(sum(h.weight for h in hits if h.rule.weak), weak_cap)


def _compile_all(patterns: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns or ())


def _rule(raw: dict) -> Rule:
    by_section = tuple((re.compile(s["pattern"]), s["status"]) for s in raw.get("status_by_section") or ())
    return Rule(
        name=raw["name"], confidence=float(raw["confidence"]), status=raw.get("status"),
        patterns=_compile_all(raw.get("patterns")), by_section=by_section,
        weight=float(raw.get("weight", 1.0)), unless=_compile_all(raw.get("unless")),
        progress=_compile_all(raw.get("progress")), progress_name=raw.get("progress_name", ""),
        progress_status=raw.get("progress_status", ""),
        past_period_cancels=bool(raw.get("past_period_cancels")), deadline=raw.get("deadline", ""),
        title=_compile_all(raw.get("title")), concrete=_compile_all(raw.get("concrete")),
        concrete_weight=float(raw.get("concrete_weight", 0.0)), weak=bool(raw.get("weak")),
        firm=bool(raw.get("firm")),
        any=_prefilter(raw.get("patterns") or []),
        any_exact=all(_without_end_anchor(p) == p for p in raw.get("patterns") or ()),
        concrete_any=fastrx.any_of(raw.get("concrete") or []),
    )


def _prefilter(patterns: list[str]) -> fastrx.Finder | None:
    """All of a rule's patterns in one, searched once over a whole body: every sentence a pattern matches in
    overlaps a match of it (the sentences with none are skipped). A `$` (a sentence's end) is dropped, which
    only adds matches; this holds while no lookaround of the config looks for a sentence-splitting
    character, which is what stands before and after a sentence in the body. None when a pattern is anchored
    at a sentence's start (`^`) or a match could be empty: then every sentence is searched."""
    relaxed = [_without_end_anchor(p) for p in patterns]
    if not patterns or any(p is None or fastrx.first_chars(p) is None for p in relaxed):
        return None
    return fastrx.Finder("|".join(f"(?:{p})" for p in relaxed))


def _without_end_anchor(pattern: str) -> str | None:
    """The pattern with every `$` outside a character class removed; None if it holds a `^` anchor."""
    out, in_class, k = [], False, 0
    while k < len(pattern):
        ch = pattern[k]
        if ch == "\\":
            out.append(pattern[k:k + 2])
            k += 2
            continue
        if in_class:
            in_class = ch != "]" or (pattern[k - 1] in "[^" and out[-1] in ("[", "[^"))
        elif ch == "[":
            in_class = True
            if pattern[k + 1:k + 2] == "^":
                out.append("[^")
                k += 2
                continue
        elif ch == "^":
            return None
        elif ch == "$":
            k += 1
            continue
        out.append(ch)
        k += 1
    return "".join(out)


@functools.cache
def rules() -> StatusRules:
    """The compiled `status:` section (compiled once per process)."""
    cfg = section("status")
    explicit = cfg.get("explicit") or {}
    clause_split = cfg.get("clause_split", r"[,,]")
    compiled = tuple(_rule(r) for r in cfg.get("rules") or ())
    return StatusRules(
        label=explicit.get("label", "整改结果"),
        explicit_confidence=float(explicit.get("confidence", 1.0)),
        explicit_phrases=tuple((p["phrase"], p["status"]) for p in explicit.get("phrases") or ()),
        explicit_max_chars=int(explicit.get("max_chars", 16)),
        sentence_split=re.compile(cfg.get("sentence_split", r"[。;;!?!?\n]")),
        clause_split=re.compile(clause_split),
        evidence_max=int(cfg.get("evidence_max_chars", 200)),
        ignore=_compile_all(cfg.get("ignore")),
        rules=compiled,
        roles=Roles.of(cfg.get("roles") or {}, clause_split),
        decide={**(cfg.get("decide") or {})},
        confidence={**(cfg.get("confidence") or {})},
        phase={**(cfg.get("phase") or {})},
        stated_tolerance=float(cfg.get("stated_tolerance", 0.15)),
        overdue_result=re.compile(cfg.get("overdue_result", "已")),
        past_clause=re.compile(cfg.get("past_clause", "已|截至|以来")),
        results=next((r for r in compiled if r.concrete_weight), None),
        body_rules=tuple(r for r in compiled if not (r.by_section or r.title)),
    )


def decide_status(explicit: str | None, body: str, section: str = "", context: ReportContext | None = None,
                  title: str = "", *, evidence: str = "", heading: str = "") -> StatusDecision:
    """The item's status: its own explicit result if it has one (`evidence`: the line that printed it), else
    the one status its group heading names (`heading`: `二、已完成整改的问题(共12个)`), else inferred from its
    text, read against the report (`context`: its date and phase) and the problem's own `title`."""
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
    return _infer(body or "", section or "", title or "", context or ReportContext(), cfg)


def first_clause(value: str) -> tuple[str, str]:
    """(first clause, the rest) of a printed result value: `已完成,清退5万元` → (`已完成`, `清退5万元`)."""
    parts = _FIRST_CLAUSE.split(value.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


# A report prints a handful of distinct result values (已完成 / 阶段性完成 …) and group headings, each read
# for many items (and by segment and tables): read each once per process.
@functools.lru_cache(maxsize=4096)
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


@functools.lru_cache(maxsize=4096)
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


# --- reading the measures -------------------------------------------------------------------------------


def _sentences(masked: str, cfg: StatusRules) -> list[tuple[int, int, bool]]:
    """(start, end, is_lead_in) of every non-empty sentence; a lead-in is the short first sentence of a
    measure (one line) that has more sentences after it."""
    out: list[tuple[int, int, bool]] = []
    limit = cfg.roles.lead_in_max_chars
    line_start = 0
    for line in masked.split("\n"):
        spans, pos = [], line_start
        for m in cfg.sentence_split.finditer(line + "\n"):
            lo, hi = pos, line_start + m.start()
            if masked[lo:hi].strip():
                spans.append((lo, hi))
            pos = line_start + m.end()
        for k, (lo, hi) in enumerate(spans):
            lead = k == 0 and len(spans) > 1 and _short_lead(masked[lo:hi], limit)
            out.append((lo, hi, lead))
        line_start += len(line) + 1
    return out


def _short_lead(sentence: str, limit: int) -> bool:
    """A first sentence short enough to be a lead-in, with no number in it."""
    text = _ORDINAL.sub("", sentence).strip()
    return len(text) <= limit and not _DIGIT.search(text)


@dataclass(frozen=True)
class Roles:
    """Where a match stands, from config `status.roles`."""

    lead_in: float
    lead_in_max_chars: int
    purpose: float
    purpose_start: re.Pattern[str] | None
    purpose_anywhere: re.Pattern[str] | None
    meeting: re.Pattern[str] | None
    anywhere_free: bool = False  # purpose_anywhere reads nothing outside its match (fastrx.context_free)
    anywhere_in_body: fastrx.Finder | None = None  # purpose_anywhere, skipping to its first characters
    nonempty_split: bool = False  # the clause splitter never matches empty (so a sentence starts clause 0)

    @classmethod
    def of(cls, raw: dict, clause_split: str) -> Roles:
        def rx(key: str) -> re.Pattern[str] | None:
            return re.compile(raw[key]) if raw.get(key) else None

        anywhere = raw.get("purpose_anywhere") or ""
        return cls(float(raw.get("lead_in", 0.5)), int(raw.get("lead_in_max_chars", 24)),
                   float(raw.get("purpose", 0.15)), rx("purpose_start"), rx("purpose_anywhere"),
                   rx("meeting"), anywhere_free=bool(anywhere) and fastrx.context_free(anywhere),
                   anywhere_in_body=fastrx.Finder(anywhere) if anywhere else None,
                   nonempty_split=fastrx.first_chars(clause_split) is not None)


_DIGIT = re.compile(r"\d")


class _RoleReader:
    """The role weight of a match: a reported act 1, a lead-in or purpose clause / slogan tail less. Clause
    roles are worked out once per clause of a body."""

    def __init__(self, masked: str, cfg: StatusRules) -> None:
        self.masked, self.cfg, self.roles = masked, cfg, cfg.roles
        self.cache: dict[tuple[int, int], float] = {}
        self.bounds: dict[int, list[int]] = {}
        self.first: dict[int, float] = {}  # the first clause's weight by sentence start
        # A clause is a stretch of the body: where a context-free aim pattern matches nowhere in the body, it
        # matches in no clause (most bodies), and no clause needs to be cut out to look for one.
        aims = self.roles.anywhere_in_body
        self.aims = aims is not None and (not self.roles.anywhere_free or aims.found(masked))

    def weight(self, s_lo: int, s_hi: int, lead: bool, pos: int) -> float:
        if lead:
            return self.roles.lead_in
        if pos == s_lo and self.roles.nonempty_split:  # the first clause (every reported result asks)
            weight = self.first.get(s_lo)
            if weight is None:
                weight = self.first[s_lo] = self._first_clause(s_lo, s_hi)
            return weight
        bounds = self.bounds.get(s_lo)
        if bounds is None:
            splits = self.cfg.clause_split.finditer(self.masked, s_lo, s_hi)
            bounds = self.bounds[s_lo] = [s_lo, *(m.end() for m in splits), s_hi + 1]
        k = bisect.bisect_right(bounds, pos, 0, len(bounds) - 1) - 1
        if (s_lo, k) not in self.cache:
            self.cache[(s_lo, k)] = self._clause_weight(bounds, k)
        return self.cache[(s_lo, k)]

    def _first_clause(self, s_lo: int, s_hi: int) -> float:
        """_clause_weight of the sentence's first clause: only an aim anywhere in it counts there."""
        if not self.aims:
            return 1.0
        split = self.cfg.clause_split.search(self.masked, s_lo, s_hi)
        return self._clause_weight([s_lo, split.end() if split else s_hi + 1], 0)

    def _clause_weight(self, bounds: list[int], k: int) -> float:
        roles, masked = self.roles, self.masked
        if k == 0 and not self.aims:
            return 1.0
        clause = _ORDINAL.sub("", masked[bounds[k]:bounds[k + 1] - 1]).strip()
        if self.aims and roles.purpose_anywhere and roles.purpose_anywhere.search(clause):
            return roles.purpose
        if k > 0 and roles.purpose_start and roles.purpose_start.match(clause):
            return roles.purpose
        # The last clause of a sentence that reports a meeting or study is its slogan tail.
        tail = k > 0 and k == len(bounds) - 2 and not _DIGIT.search(clause)
        if tail and roles.meeting and roles.meeting.search(masked, bounds[0], bounds[k]):
            return roles.purpose
        return 1.0


def _tally(body: str, title: str, ctx: ReportContext, cfg: StatusRules,
           masked: str) -> tuple[_Tally, list[tuple[int, int, str]]]:
    """Every signal of the measures with its role-weighted weight, and the overdue commitments
    (`masked`: the body with the ignored spans blanked)."""
    sentences = _sentences(masked, cfg)
    mentions = date_mentions(masked, ctx.published_on) if ctx.published_on else []
    past_dates = [(s, e) for s, e, d, _ in mentions if d is not None and d <= ctx.published_on]  # type: ignore[operator]
    deadlines = _dated(body, masked, mentions, ctx.published_on, cfg)
    tally = _Tally()
    overdue: list[tuple[int, int, str]] = []
    results = cfg.results
    reader = _RoleReader(masked, cfg)
    starts = [lo for lo, _, _ in sentences]
    for rule in cfg.body_rules:
        # All patterns in one pass over the body: most rules match nowhere or in few sentences, and only
        # those sentences are searched again (reported results match almost everywhere: no pre-pass).
        if rule.concrete_weight:  # reported results: every sentence is read
            _reported_results(rule, sentences, masked, body, reader, tally.results)
            continue
        if rule.deadline:  # only a body with a dated step of this kind has a sentence to look at
            candidates = sentences if any(kind == rule.deadline for _, _, kind in deadlines) else []
        elif rule.any is None:
            candidates = sentences
        else:
            candidates = _overlapping(sentences, rule.any.spans(masked), starts)
        for s_lo, s_hi, lead in candidates:
            if rule.deadline:
                hit = next(((pos, text, kind) for pos, text, kind in deadlines
                            if kind == rule.deadline and s_lo <= pos < s_hi), None)
                if hit:
                    weight = rule.weight * reader.weight(s_lo, s_hi, lead, hit[0])
                    tally.open.append(_Hit(rule, weight, s_lo, s_hi))
                    if hit[2] == "before_report":
                        overdue.append((s_lo, s_hi, hit[1]))
                continue
            sentence = masked[s_lo:s_hi]
            match = _first_match(rule.patterns, sentence)
            if match is None or _cancelled(rule, sentence):
                continue
            pos = s_lo + match.start()
            if rule.past_period_cancels and _about_finished_period(pos, (s_lo, s_hi), masked, past_dates,
                                                                  deadlines, cfg):
                if results is not None:  # a forecast about a finished period is a result estimate
                    tally.results.append(_Hit(results, results.concrete_weight, s_lo, s_hi))
                continue
            role = reader.weight(s_lo, s_hi, lead and not rule.firm, pos)
            side = tally.closed if rule.status == "完成" else tally.open
            aim = role < cfg.roles.lead_in
            side.append(_Hit(rule, rule.weight * role, s_lo + match.start(), s_lo + match.end(), aim))
    for hits in (tally.open, tally.closed, tally.results):
        hits.sort(key=lambda h: h.start)  # document order: among equal weights the first one is the evidence
    for rule in cfg.rules:  # outcome problems: the title asks for an outcome the measures never report
        asks = rule.title and title and any(p.search(title) for p in rule.title)
        if asks and masked.strip() and not any(p.search(masked) for p in rule.patterns):
            first = sentences[0] if sentences else (0, len(body), False)
            tally.open.append(_Hit(rule, rule.weight, first[0], first[1]))
    return tally, overdue


def _reported_results(rule: Rule, sentences: list[tuple[int, int, bool]], masked: str, body: str,
                      reader: _RoleReader, out: list[_Hit]) -> None:
    """The reported results (a rule with a concrete weight): one count per sentence, whichever pattern
    matches; a concrete one (a count, an issued document) weighs more. Every sentence is read (they match
    almost everywhere, so no pre-pass), in a loop of its own: this is the engine's most repeated step."""
    found = rule.any.found if rule.any is not None and rule.any_exact else None
    concrete_found = rule.concrete_any.found if rule.concrete_any is not None else None
    weight, plain, strong = reader.weight, rule.weight, rule.concrete_weight
    # A result is read in its sentence's first clause, whose weight is 1 unless an aim stands in the body.
    roles = reader.roles
    first_is_plain = roles.nonempty_split and not reader.aims
    for s_lo, s_hi, lead in sentences:
        sentence = masked[s_lo:s_hi]
        if not (found(sentence) if found is not None else _first_match(rule.patterns, sentence) is not None):
            continue
        if _cancelled(rule, sentence):
            continue
        role = roles.lead_in if lead else 1.0 if first_is_plain else weight(s_lo, s_hi, lead, s_lo)
        printed = body[s_lo:s_hi]  # unmasked: an issued 《document》 is a concrete result
        if concrete_found is not None:
            concrete = concrete_found(printed)
        else:
            concrete = any(p.search(printed) for p in rule.concrete)
        out.append(_Hit(rule, (strong if concrete else plain) * min(role, 1.0), s_lo, s_hi))


def _overlapping(sentences: list[tuple[int, int, bool]], spans: list[tuple[int, int]],
                 starts: list[int] | None = None) -> list[tuple[int, int, bool]]:
    """The sentences (in order) that overlap any of the spans (`starts`: the sentences' starts, if known)."""
    if not spans:  # most rules match nowhere in a body
        return []
    if starts is None:
        starts = [lo for lo, _, _ in sentences]
    found: set[int] = set()
    for lo, hi in spans:
        k = max(bisect.bisect_right(starts, lo) - 1, 0)
        while k < len(sentences) and sentences[k][0] < hi:
            if sentences[k][1] > lo:
                found.add(k)
            k += 1
    return [sentences[k] for k in sorted(found)]


def _dated(body: str, masked: str, mentions: list[tuple[int, int, date | None, bool]], published: date | None,
           cfg: StatusRules) -> list[tuple[int, str, str]]:
    """(offset, phrase, after_report | before_report) of each dated step read against the report's date: a
    deadline or a bare dated step ("6月底印发细则") ending after it, or a deadline that passed with no result
    in its sentence (overdue)."""
    if published is None:
        return []
    out = []
    for d in find_deadlines(body, published):
        pos = body.find(d.text)
        if d.due_on is None or pos < 0:
            continue
        if d.due_on > published:
            out.append((pos, d.text, "after_report"))
        elif not cfg.overdue_result.search(_sentence_at(body, pos, cfg)):
            out.append((pos, d.text, "before_report"))
    for start, end, due, part in mentions:
        # A month with no year that resolved into the next year is a guess (a past "3月26日" rolled forward).
        if not part or due is None or due <= published or any(p == start for p, _, _ in out):
            continue
        guessed = "年" not in body[start:end] and due.year != published.year
        if not guessed and not cfg.past_clause.search(_clause_at(masked, start, cfg)):
            out.append((start, body[start:end], "after_report"))
    return out


def _clause_at(text: str, pos: int, cfg: StatusRules) -> str:
    """The clause (between , ; 。 and line ends) holding text[pos]."""
    splits = (cfg.clause_split, cfg.sentence_split)
    reach = max(0, pos - 200)
    ends = [fastrx.last_split_end(rx, text, reach, pos, 0) for rx in splits]
    stops = [m.start() for rx in splits if (m := rx.search(text, pos))]
    return text[max(ends, default=0):min(stops, default=len(text))]


def _sentence_at(text: str, pos: int, cfg: StatusRules) -> str:
    left = fastrx.last_split_end(cfg.sentence_split, text, 0, pos, 0)
    stop = cfg.sentence_split.search(text, pos)
    return text[left:stop.start() if stop else len(text)]


def _about_finished_period(pos: int, sentence: tuple[int, int], masked: str, past: list[tuple[int, int]],
                           deadlines: list[tuple[int, str, str]], cfg: StatusRules) -> bool:
    """A forecast whose clause names only periods already over at the report's date."""
    s_lo, s_hi = sentence
    if fastrx.last_end(cfg.clause_split) is not None:  # a one-character splitter: pos/endpos = the slice
        c_lo = fastrx.last_split_end(cfg.clause_split, masked, s_lo, pos, s_lo)
    else:
        c_lo = max((s_lo + m.end() for m in cfg.clause_split.finditer(masked[s_lo:pos])), default=s_lo)
    stop = cfg.clause_split.search(masked, pos, s_hi)
    c_hi = stop.start() if stop else s_hi
    in_clause = [(s, e) for s, e in past if c_lo <= s < c_hi]
    future = any(c_lo <= p < c_hi and kind == "after_report" for p, _, kind in deadlines)
    return bool(in_clause) and not future


# --- deciding -------------------------------------------------------------------------------------------


@dataclass
class _Balance:
    """The weighed signals of one issue's measures."""

    tally: _Tally
    open_w: float  # all open wording (weak wording capped)
    strong_open: float  # named open signals only: what decide.open_at is compared with
    closed_w: float  # explicit closures
    results_w: float  # reported results (capped)
    concrete: int  # sentences with a concrete result (a count, an issued document)

    @classmethod
    def of(cls, tally: _Tally, cfg: StatusRules) -> _Balance:
        cap = float(cfg.decide.get("weak_cap", 0.5))
        results = min(sum(h.weight for h in tally.results), float(cfg.decide.get("result_cap", 2.0)))
        concrete = sum(1 for h in tally.results if 0 < h.rule.concrete_weight <= h.weight)
        return cls(tally, tally.weight(OPEN, weak_cap=cap), tally.weight(OPEN, strong_only=True),
                   tally.weight(CLOSED, weak_cap=cap), results, concrete)


def _infer(body: str, section_heading: str, title: str, ctx: ReportContext,
           cfg: StatusRules) -> StatusDecision:
    masked = mask(body, cfg.ignore)
    if not masked.strip():
        return _by_section(section_heading, cfg) or UNKNOWN_STATUS
    tally, overdue = _tally(body, title, ctx, cfg, masked)
    decision = _weigh(_Balance.of(tally, cfg), body, section_heading, ctx, cfg)
    if overdue and decision.status is not None:
        return dataclasses.replace(decision, overdue=tuple(text for _, _, text in overdue))
    return decision


def _weigh(b: _Balance, body: str, section_heading: str, ctx: ReportContext,
           cfg: StatusRules) -> StatusDecision:
    t, dec, conf = b.tally, cfg.decide, cfg.confidence
    open_at, margin, penalty = float(dec["open_at"]), float(conf["margin"]), float(conf["counter_penalty"])
    # Strong signals on both sides: relevance to the problem decides, which the rules cannot judge (待核).
    mixed = b.strong_open >= open_at and b.closed_w >= open_at
    cap = float(conf["mixed_max"]) if mixed else float(conf["max"])
    prior = _report_prior(ctx) if cfg is rules() else phase_prior(ctx, cfg)
    if b.strong_open >= open_at and b.strong_open > b.closed_w:
        best = _heaviest([h for h in t.open if not h.rule.weak])
        score = best.rule.confidence + margin * (b.open_w - best.weight) - penalty * min(b.closed_w, 1.0)
        if not best.rule.firm:  # an inferred open step weighs less next to many reported results
            score -= float(conf["per_counter_result"]) * min(b.concrete, 5)
        against = _strongest(t.closed + t.results)
        return _decision(*_open_outcome(best.rule, body), best, against, min(score, cap), body, cfg)
    if t.closed:
        best = _heaviest(t.closed)
        score = best.rule.confidence + margin * (b.closed_w - best.weight) - penalty * min(b.open_w, 1.0)
        return _decision("完成", best.rule.name, best, _strongest(t.open), min(score, cap), body, cfg)
    by_heading = _by_section(section_heading, cfg)  # the report's own grouping outranks bare results
    if by_heading is not None:
        return by_heading
    if b.results_w >= float(dec["results_at"]) and (b.concrete or not t.open):
        best = _heaviest(t.results)
        score = best.rule.confidence + float(conf["per_result"]) * min(b.concrete, 3)
        score += margin * min(b.results_w, 1.5) - 2 * penalty * min(b.open_w, 0.5)
        if b.concrete < int(conf["strong_results"]):  # the phase sets the confidence of weak decisions
            score += _prior_shift(prior, CLOSED, cfg)
        return _decision("完成", best.rule.name, best, _strongest(t.open), min(score, cap), body, cfg)
    return _weak(b, prior, body, cfg)


def _weak(b: _Balance, prior: str | None, body: str, cfg: StatusRules) -> StatusDecision:
    """Neither side reached its threshold: the heavier side decides at low confidence, the phase breaks a
    tie. Without one concrete result (a count, an issued document), open wording outweighs bare act verbs."""
    t, weak_max = b.tally, float(cfg.confidence["weak_max"])
    progress = [h for h in t.open if not h.aim]  # aims (purpose clauses, slogan tails) do not lean it open
    open_w = min(b.open_w, sum(h.weight for h in progress))
    tie = open_w == b.results_w and prior == OPEN
    if progress and (not b.concrete or open_w > b.results_w or tie):
        best = _heaviest(progress)
        score = min(best.rule.confidence, weak_max) + _prior_shift(prior, OPEN, cfg)
        against = _strongest(t.results)
        return _decision(*_open_outcome(best.rule, body), best, against, min(score, weak_max), body, cfg)
    if t.results:
        best = _heaviest(t.results)
        score = min(best.rule.confidence, weak_max) - float(cfg.confidence["counter_penalty"])
        score += _prior_shift(prior, CLOSED, cfg)
        return _decision("完成", best.rule.name, best, _strongest(t.open), min(score, weak_max), body, cfg)
    return UNKNOWN_STATUS


def _open_outcome(rule: Rule, body: str) -> tuple[str, str]:
    """An open decision's status and rule name; a negative with no progress anywhere is 未完成."""
    if rule.progress:
        if any(p.search(body) for p in rule.progress):
            return rule.progress_status or "阶段性完成", rule.progress_name or rule.name
        return rule.status or "未完成", rule.name
    return rule.status or "阶段性完成", rule.name


def _strongest(hits: list[_Hit]) -> _Hit | None:
    """The heaviest hit; among equals the first in document order (max keeps the first)."""
    return max(hits, key=lambda h: (h.weight, h.rule.confidence), default=None)


def _heaviest(hits: list[_Hit]) -> _Hit:
    """The heaviest of hits known to exist (the caller checked a weight above zero)."""
    best = _strongest(hits)
    if best is None:
        raise ValueError("no signal to decide on")
    return best


def _decision(status: str, name: str, best: _Hit | None, against: _Hit | None, score: float, body: str,
              cfg: StatusRules) -> StatusDecision:
    evidence = evidence_sentence(body, best.start, best.end, cfg) if best else ""
    counter = evidence_sentence(body, against.start, against.end, cfg) if against else ""
    confidence = round(max(0.05, min(score, 0.99)), 3)
    return StatusDecision(status, "inferred", evidence, name, confidence,  # type: ignore[arg-type]
                          counter_evidence=counter if counter != evidence else "")


def _by_section(heading: str, cfg: StatusRules) -> StatusDecision | None:
    if not heading.strip():
        return None
    for rule in cfg.rules:
        for pattern, status in rule.by_section:
            if pattern.search(heading):
                evidence = heading.strip()[:200]
                return StatusDecision(status, "inferred", evidence, rule.name, rule.confidence)  # type: ignore[arg-type]
    return None


def _cancelled(rule: Rule, sentence: str) -> bool:
    """One of the rule's `unless` patterns stands in the sentence."""
    return bool(rule.unless) and any(p.search(sentence) for p in rule.unless)


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    """The first match of the first pattern (in config order) that matches anywhere in the text."""
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None:
            return match
    return None


# --- the report as context ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _report_prior(ctx: ReportContext) -> str | None:
    """phase_prior under the configured rules, worked out once per report (each of its issues asks)."""
    return phase_prior(ctx)


def phase_prior(ctx: ReportContext, cfg: StatusRules | None = None) -> str | None:
    """OPEN for a report inside the concentrated rectification period (its wording or 2–8 months after the
    feedback), CLOSED for a late one or one titled 整改情况; None when nothing tells."""
    phase = (cfg or rules()).phase
    if ctx.heading and phase.get("open_words") and re.search(phase["open_words"], ctx.heading):
        return OPEN
    months = None
    if ctx.published_on and ctx.feedback_on:
        pub, fed = ctx.published_on, ctx.feedback_on
        months = (pub.year - fed.year) * 12 + pub.month - fed.month
    if months is not None and months >= int(phase.get("closed_months", 9)):
        return CLOSED
    if ctx.heading and phase.get("closed_words") and re.search(phase["closed_words"], ctx.heading):
        return CLOSED
    low, high = phase.get("open_months", [2, 8])
    if months is not None and int(low) <= months <= int(high):
        return OPEN
    return None


def _prior_shift(prior: str | None, side: str, cfg: StatusRules) -> float:
    if prior is None:
        return 0.0
    shift = float(cfg.phase.get("shift", 0.12))
    return shift if prior == side else -shift


def report_warnings(issues: list[Issue] | tuple[Issue, ...], stated: dict[str, float]) -> list[ParseWarning]:
    """Report-level status warnings: passed commitments with no result (overdue), and the item-level split
    against the completion the report states about itself."""
    out: list[ParseWarning] = []
    late = [i.label for i in issues if i.status.source == "inferred" and i.status.overdue]
    if late:
        labels = messages.joined(late, limit=8)
        out.append(messages.warning("overdue_commitment", count=len(late), labels=labels))
    mismatch = _stated_split(issues, stated, rules())
    if mismatch:
        out.append(mismatch)
    return out


def _stated_split(issues: list[Issue] | tuple[Issue, ...], stated: dict[str, float],
                  cfg: StatusRules) -> ParseWarning | None:
    """Where the report states its own completion (N completed / a rate) and the inferred items read
    differently, say so, naming the 完成 items that read most open (or the open items that read most done)."""
    inferred = [i for i in issues if i.status.source == "inferred" and i.status.status]
    if not inferred:
        return None
    share = None
    if "completion_rate" in stated:
        share = float(stated["completion_rate"]) / 100
    elif "completed" in stated:
        parts = ("completed", "in_progress", "not_completed", "basically_completed")
        total = stated.get("issues") or sum(stated.get(k, 0) for k in parts)
        if total:
            share = float(stated["completed"]) / float(total)
    if share is None:
        return None
    done = [i for i in inferred if i.status.status == "完成"]
    parsed = len(done) / len(inferred)
    if abs(parsed - share) <= cfg.stated_tolerance:
        return None
    if parsed > share:  # the items read more done than the report says: the weakest 完成 first
        suspects = sorted(done, key=lambda i: i.status.confidence)
    else:
        still_open = (i for i in inferred if i.status.status != "完成")
        suspects = sorted(still_open, key=lambda i: i.status.confidence)
    return messages.warning("stated_split_mismatch", stated=round(share * 100), parsed=round(parsed * 100),
                            done=len(done), total=len(inferred),
                            labels=messages.joined((i.label for i in suspects), limit=5))


# --- text helpers ---------------------------------------------------------------------------------------


def mask(text: str, ignore: tuple[re.Pattern[str], ...]) -> str:
    """Blank out ignored spans (document names, quotations) keeping every other character at its offset."""
    for pattern in ignore:
        text = pattern.sub(lambda m: _FILLER * len(m.group(0)), text)
    return text


def evidence_sentence(text: str, start: int, end: int, cfg: StatusRules) -> str:
    """The sentence around text[start:end], trimmed to a window around the match when it is too long."""
    reach = max(0, start - 2 * cfg.evidence_max)  # bounded look-back: bodies can be whole reports
    left = fastrx.last_split_end(cfg.sentence_split, text, reach, start, reach)
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
