"""Follow a problem over time: a unit's reports grouped into inspection threads, each issue linked to its
predecessor in the thread, and problems reported fixed in an earlier round that come back (屡改屡犯).

Pure Python over plain rows (no database): loaders/writer/store.py reads one unit's reports and issues, calls
`build`, and stores the result in the derived tables `report_threads` and `issue_lineage`. A write that only
adds reports after a unit's stored ones is applied by `placement` and `extend` instead (the stored rows that
change and the new ones, equal to what `build` makes of all the reports); other writes rebuild the units
they touch. Every rule and threshold is in config.yaml (`lineage`).

* Threads. Reports on one inspection (same team, inspection period, feedback date, as far as each report
  prints them) form a thread, ordered by publication date; the unit's threads in order are its rounds, each
  linked to the one before. A report printing none of these joins the thread whose issues it matches best.
* Lineage. Each issue of a report is matched to the latest version of a problem already in the thread (any
  earlier report: an item a report leaves out can come back): a score from the titles and the measures
  (rapidfuzz) plus bonuses for the same category and number; one-to-one, best scores first; below the
  threshold, no match (a new problem). An earlier problem left without a successor whose best match was
  taken by another was merged into it. A lineage's id is the issue_key of its first version.
* Across rounds, an issue resembling a problem whose last version in an earlier round was 完成 is a
  recurrence candidate (kept with its score; a supervisor decides).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from loaders.config import section
from loaders.models import stable_key
from loaders.parser.grammar import CN_DIGITS
from loaders.vocab import vocab

T = TypeVar("T")

_DIGIT_CN = {str(v): k for k, v in CN_DIGITS.items() if k in "一二三四五六七八九"} | {"0": "〇"}
_PUNCT = re.compile(r"[\s,，、。;；:：“”\"'《》()（）【】!！?？·．.]+")


@dataclass(frozen=True)
class ReportIn:
    report_key: str
    unit: str
    published_on: date | None
    team: str | None = None
    inspection_start: date | None = None
    inspection_end: date | None = None
    feedback_on: date | None = None
    ordinal: int = 0


@dataclass(frozen=True)
class IssueIn:
    issue_key: str
    report_key: str
    seq: int
    title: str
    label: str | None = None
    category: str | None = None
    measures: tuple[str, ...] = ()
    status: str | None = None  # parsed status (what the report said)
    due_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class ThreadRow:
    report_key: str
    unit: str
    thread_id: str
    thread_round: int  # 1 = the unit's first inspection
    position: int  # 1 = the thread's first report
    prev_thread_id: str | None  # the unit's previous round


@dataclass
class LineageRow:
    issue_key: str
    unit: str
    thread_id: str
    lineage_id: str  # issue_key of the first version
    version: int  # 1, 2, ... along the lineage
    published_on: date | None = None  # its report's publication date
    first_on: date | None = None  # publication date of the first version (problems listed in order of)
    first_seq: int = 0  # the first version's place in its report
    prev_issue_key: str | None = None
    score: float | None = None  # of the link to prev_issue_key
    title_score: float | None = None
    measures_score: float | None = None
    merged_into: str | None = None  # this problem was reported together with that issue from then on
    successor_on: date | None = None  # publication date of the next version (or the merged-into issue)
    superseded: bool = False  # a later version (or a merged-into issue) exists
    target_due: date | None = None  # the latest dated deadline of this version
    original_due: date | None = None  # the first target_due along the lineage
    prev_due: date | None = None  # the target before the last revision
    due_revisions: int = 0  # how often the target moved along the lineage up to this version
    measures_added: int | None = None  # measures with no close counterpart in the previous version
    recurrence_of: str | None = None  # issue_key of an earlier round's problem reported 完成
    recurrence_score: float | None = None
    known_due: date | None = None  # the last dated target along the lineage up to this version


@dataclass(frozen=True)
class Built:
    threads: list[ThreadRow]
    lineage: list[LineageRow]


# --- configuration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """config.yaml `lineage:` (the values live only there; a missing key is a KeyError naming it)."""

    date_tolerance_days: int
    team_session: str
    team_drop: tuple[str, ...]
    title_weight: float
    measures_weight: float
    same_category_bonus: float
    same_label_bonus: float
    threshold: float
    merge_threshold: float
    title_prefixes: tuple[str, ...]
    title_suffixes: tuple[str, ...]
    measure_added_below: float
    recurrence_threshold: float


@functools.cache
def rules() -> Rules:
    cfg = section("lineage")
    threads, match, rec = cfg["threads"], cfg["match"], cfg["recurrence"]
    return Rules(
        date_tolerance_days=int(threads["date_tolerance_days"]),
        team_session=str(threads["team_session"]),
        team_drop=tuple(threads["team_drop"]),
        title_weight=float(match["title_weight"]),
        measures_weight=float(match["measures_weight"]),
        same_category_bonus=float(match["same_category_bonus"]),
        same_label_bonus=float(match["same_label_bonus"]),
        threshold=float(match["threshold"]),
        merge_threshold=float(match["merge_threshold"]),
        title_prefixes=tuple(match["title_prefixes"]),
        title_suffixes=tuple(match["title_suffixes"]),
        measure_added_below=float(match["measure_added_below"]),
        recurrence_threshold=float(rec["threshold"]),
    )


# --- threads ---------------------------------------------------------------------------------------------


def team_key(team: str | None, r: Rules) -> str | None:
    """The team as compared: session prefix and filler words dropped, digits as Chinese numerals; None when
    no number is left (a generic 省委巡视组 names no particular team)."""
    if not team:
        return None
    t = re.sub(r.team_session, "", team.strip())
    for word in r.team_drop:
        t = t.replace(word, "")
    t = "".join(_DIGIT_CN.get(ch, ch) for ch in t)
    return t if any(ch in CN_DIGITS or ch in "十百" for ch in t) else None


@dataclass
class _Thread:
    reports: list[ReportIn]
    teams: set[str]
    dates: dict[str, list[date]]

    def add(self, rep: ReportIn, team: str | None) -> None:
        self.reports.append(rep)
        if team:
            self.teams.add(team)
        for name in ("inspection_start", "inspection_end", "feedback_on"):
            if (value := getattr(rep, name)) is not None:
                self.dates.setdefault(name, []).append(value)


def _fit(t: _Thread, rep: ReportIn, team: str | None, r: Rules) -> int | None:
    """How many printed fields agree with the thread; None when one disagrees (another inspection)."""
    agree = 0
    if team and t.teams:
        if team not in t.teams:
            return None
        agree += 1
    for name in ("inspection_start", "inspection_end", "feedback_on"):
        value, known = getattr(rep, name), t.dates.get(name)
        if value is None or not known:
            continue
        if all(abs((value - k).days) > r.date_tolerance_days for k in known):
            return None
        agree += 1
    return agree


def _order_key(rep: ReportIn) -> tuple[bool, date, int, str]:
    return (rep.published_on is None, rep.published_on or date.min, rep.ordinal, rep.report_key)


def group_threads(
    reports: Sequence[ReportIn], issues: Sequence[IssueIn], r: Rules | None = None
) -> list[list[ReportIn]]:
    """The unit's reports as threads (each in publication order), the threads in round order."""
    r = r or rules()
    threads: list[_Thread] = []
    loose: list[ReportIn] = []
    for rep in sorted(reports, key=_order_key):
        team = team_key(rep.team, r)
        if team is None and rep.inspection_start is None and rep.inspection_end is None \
                and rep.feedback_on is None:
            loose.append(rep)
            continue
        fits = [(agree, n) for n, t in enumerate(threads) if (agree := _fit(t, rep, team, r))]
        if not fits:
            threads.append(_Thread([], set(), {}))
            threads[-1].add(rep, team)
            continue
        best = max(agree for agree, _ in fits)
        candidates = [threads[n] for agree, n in fits if agree == best]
        _best_fit(candidates, rep, issues, r).add(rep, team)
    for rep in loose:  # printed nothing of its inspection: the thread whose problems it continues
        if threads:
            _best_fit(threads, rep, issues, r).add(rep, None)
        else:
            threads.append(_Thread([rep], set(), {}))
    for t in threads:
        t.reports.sort(key=_order_key)
    threads.sort(key=_round_key)
    return [t.reports for t in threads]


def _round_key(t: _Thread) -> tuple[date, str]:
    started = [d for values in t.dates.values() for d in values]
    published = [rep.published_on for rep in t.reports if rep.published_on is not None]
    return (min(started or published or [date.max]), t.reports[0].report_key)


def _best_fit(candidates: list[_Thread], rep: ReportIn, issues: Sequence[IssueIn], r: Rules) -> _Thread:
    """The candidate thread sharing most problems with the report (issues matching above the threshold);
    ties go to the thread whose last report before it is the most recent."""
    if len(candidates) == 1:
        return candidates[0]
    mine = [i for i in issues if i.report_key == rep.report_key]

    def overlap(t: _Thread) -> int:
        keys = {x.report_key for x in t.reports}
        theirs = [i for i in issues if i.report_key in keys]
        if not mine or not theirs:
            return 0
        scores = _scores(mine, theirs, r)[0]
        return sum(1 for row in scores if max(row) >= r.threshold)

    def recency(t: _Thread) -> date:
        before = [x.published_on for x in t.reports if x.published_on and rep.published_on
                  and x.published_on <= rep.published_on]
        return max(before, default=date.min)

    return max(candidates, key=lambda t: (overlap(t), recency(t)))


# --- similarity ------------------------------------------------------------------------------------------


def core_title(title: str, r: Rules) -> str:
    """The title without 关于…的问题 and punctuation: what the comparison reads."""
    t = _PUNCT.sub("", title or "")
    for prefix in r.title_prefixes:
        if t.startswith(prefix):
            t = t[len(prefix):]
            break
    for suffix in r.title_suffixes:
        if t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
            break
    return t


class _DigestCache(Generic[T]):
    """Results of a pure function of texts, by a 16-byte digest of its inputs' repr; emptied when full (a
    bound on memory, not an LRU: one ingest refills what it still needs)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: dict[bytes, T] = {}

    def get(self, inputs: object, compute: Callable[[], T]) -> T:
        key = hashlib.blake2b(repr(inputs).encode(), digest_size=16).digest()
        value = self.found.get(key)
        if value is None:
            if len(self.found) >= self.limit:
                self.found.clear()
            value = self.found[key] = compute()
        return value


def _frozen(matrix: np.ndarray) -> np.ndarray:
    matrix.setflags(write=False)  # shared by later rebuilds: never modified in place
    return matrix


# Pairwise matrices of one report's issues against another's, for a write that computes its lineage again
# after store.warm_lineage scored it, and a unit rebuilt whole more than once in a run. Writes extend units
# (and use the warmed plan) instead of rebuilding them, so few come back: 2,000 are plenty, and each holds
# ~10 KB with its key (20,000 held up to ~190 MiB of the ingest process at 10,000 real files).
_MATRICES: _DigestCache[np.ndarray] = _DigestCache(2_000)


def _title_matrix(new: list[str], old: list[str]) -> np.ndarray:
    return _MATRICES.get(("title", new, old), lambda: _frozen(_title_scores(new, old)))


def _title_scores(new: list[str], old: list[str]) -> np.ndarray:
    """Title similarity 0..100, new × old: the mean of the whole-string and the best-substring ratio, so a
    title reworded around the same core ("惠企政策兑现不及时" for "扶持工业企业发展政策落实不到位") keeps the
    part in common. rapidfuzz's native scorers over whole lists (no Python call per pair)."""
    whole = process.cdist(new, old, scorer=fuzz.ratio)
    return (whole + process.cdist(new, old, scorer=fuzz.partial_ratio)) / 2


# Measures grow from one report to the next (new ones appended, old ones restated): the shorter text found in
# the longer one scores high (partial ratio), over the first characters of each (enough to recognise them).
_MEASURE_CHARS = 600


def _measures_matrix(new: list[str], old: list[str]) -> np.ndarray:
    return _MATRICES.get(("measures", new, old), lambda: _frozen(_measures_scores(new, old)))


def _measures_scores(new: list[str], old: list[str]) -> np.ndarray:
    a, b = [t[:_MEASURE_CHARS] for t in new], [t[:_MEASURE_CHARS] for t in old]
    # The two texts compared over the length of the shorter (a grown text keeps its start): rapidfuzz's
    # ratio per pair costs ~1/40 of a partial ratio over whole lists at these lengths.
    scores = np.array([[fuzz.ratio(x[:len(y)], y[:len(x)]) if x and y else 0.0 for y in b] for x in a],
                      dtype=float).reshape(len(a), len(b))
    scores[[not t for t in a], :] = 0  # an empty side says nothing (the title alone decides, see _scores)
    scores[:, [not t for t in b]] = 0
    return scores


def _norm_category(c: str | None) -> str:
    return _PUNCT.sub("", c or "")


def _scores(new: Sequence[IssueIn], old: Sequence[IssueIn], r: Rules) -> tuple[list[list[float]], ...]:
    """(score, title score, measures score) matrices, new × old, each 0..1.

    Element-wise numpy over the matrices: each step is the same IEEE operation, in the same order, as the
    per-pair Python arithmetic it replaces (so the same floats), ~10x faster for a unit's many reports."""
    titles = _title_matrix([core_title(i.title, r) for i in new], [core_title(i.title, r) for i in old])
    new_m = ["".join(i.measures) for i in new]
    old_m = ["".join(i.measures) for i in old]
    measures = _measures_matrix(new_m, old_m)
    t = np.asarray(titles, dtype=float) / 100
    m = np.asarray(measures, dtype=float) / 100
    both = np.outer([bool(x) for x in new_m], [bool(y) for y in old_m])
    weighted = (r.title_weight * t + r.measures_weight * m) / (r.title_weight + r.measures_weight)
    total = np.where(both, weighted, t)
    new_cat = [_norm_category(i.category) for i in new]
    old_cat = [_norm_category(j.category) for j in old]
    same_cat = np.array([[bool(i.category) and a == b for b in old_cat]
                         for i, a in zip(new, new_cat, strict=True)], dtype=bool).reshape(len(new), len(old))
    same_label = same_cat & np.array([[bool(i.label) and i.label == j.label for j in old] for i in new],
                                     dtype=bool).reshape(len(new), len(old))
    total = np.where(same_cat, total + r.same_category_bonus, total)
    total = np.where(same_label, total + r.same_label_bonus, total)
    total = np.minimum(1.0, total)
    return total.tolist(), t.tolist(), m.tolist()


# --- lineage ---------------------------------------------------------------------------------------------


def build(reports: Sequence[ReportIn], issues: Sequence[IssueIn], r: Rules | None = None) -> Built:
    """Threads and lineage rows for ONE unit's reports and issues."""
    r = r or rules()
    if not reports:
        return Built([], [])
    unit = reports[0].unit
    by_report = _by_report(issues)
    published = {rep.report_key: rep.published_on for rep in reports}
    thread_rows: list[ThreadRow] = []
    out: dict[str, LineageRow] = {}
    closed_before: list[IssueIn] = []  # last versions reported 完成 in earlier rounds
    done = vocab().done
    for tid, thread, rows in _thread_rows(unit, group_threads(reports, issues, r)):
        thread_rows += rows
        heads = _link_reports(thread, by_report, tid, unit, published, [], out, r)
        firsts = [i for rep in thread for i in by_report.get(rep.report_key, [])
                  if out[i.issue_key].version == 1]
        _flag_recurrences(firsts, closed_before, out, r)
        closed_before += [i for i in heads if i.status == done]
    return Built(thread_rows, list(out.values()))


def _by_report(issues: Iterable[IssueIn]) -> dict[str, list[IssueIn]]:
    """Issues per report, each report's in their order (seq)."""
    by_report: dict[str, list[IssueIn]] = {}
    for i in issues:
        by_report.setdefault(i.report_key, []).append(i)
    for rows in by_report.values():
        rows.sort(key=lambda i: i.seq)
    return by_report


def _thread_rows(
    unit: str, threads: list[list[ReportIn]]
) -> Iterator[tuple[str, list[ReportIn], list[ThreadRow]]]:
    """Per thread in round order: its id (from its first report, so it stays while reports are appended to
    it), its reports and their rows."""
    prev = None
    for n, thread in enumerate(threads, 1):
        tid = stable_key("thread", unit, thread[0].report_key)
        yield tid, thread, [ThreadRow(rep.report_key, unit, tid, n, pos, prev)
                            for pos, rep in enumerate(thread, 1)]
        prev = tid


def _link_reports(
    reports: list[ReportIn], by_report: dict[str, list[IssueIn]], tid: str, unit: str,
    published: dict[str, date | None], heads: list[IssueIn], out: dict[str, LineageRow], r: Rules,
) -> list[IssueIn]:
    """Link the issues of a thread's reports, in order, to `heads`: the latest version of every problem of
    the thread's reports before them ([] for a whole thread), in the order this function leaves them, their
    rows in `out`. Returns the heads after the last report."""
    for rep in reports:
        new = by_report.get(rep.report_key, [])
        matched: dict[int, int] = {}  # new index -> head index
        scores = t_scores = m_scores = None
        if new and heads:
            scores, t_scores, m_scores = _scores(new, heads, r)
            pairs = sorted(((scores[a][b], a, b) for a in range(len(new)) for b in range(len(heads))
                            if scores[a][b] >= r.threshold), key=lambda x: (-x[0], x[1], x[2]))
            used_new: set[int] = set()
            used_old: set[int] = set()
            for _, a, b in pairs:
                if a not in used_new and b not in used_old:
                    matched[a] = b
                    used_new.add(a)
                    used_old.add(b)
        for a, issue in enumerate(new):
            row = LineageRow(issue.issue_key, unit, tid, issue.issue_key, 1, published.get(rep.report_key),
                             published.get(rep.report_key), issue.seq)
            if a in matched and scores is not None and t_scores is not None and m_scores is not None:
                b = matched[a]
                prev = out[heads[b].issue_key]
                row.lineage_id, row.version = prev.lineage_id, prev.version + 1
                row.first_on, row.first_seq = prev.first_on, prev.first_seq
                row.prev_issue_key = prev.issue_key
                row.score, row.title_score = round(scores[a][b], 4), round(t_scores[a][b], 4)
                row.measures_score = round(m_scores[a][b], 4)
                row.measures_added = _measures_added(issue, heads[b], r)
                prev.superseded, prev.successor_on = True, published.get(rep.report_key)
                _carry_deadline(row, prev, issue)
            else:
                _carry_deadline(row, None, issue)
            out[issue.issue_key] = row
        # Merges: an earlier problem with no successor whose best new match was taken by another.
        taken = set(matched.values())
        if scores is not None:
            for b, head in enumerate(heads):
                if b in taken or not new:
                    continue
                a = max(range(len(new)), key=lambda k: scores[k][b])
                if a in matched and scores[a][b] >= r.merge_threshold:
                    gone = out[head.issue_key]
                    gone.merged_into, gone.superseded = new[a].issue_key, True
                    gone.successor_on = published.get(rep.report_key)
        keep = [h for b, h in enumerate(heads) if b not in taken and not out[h.issue_key].superseded]
        heads = keep + list(new)
    return heads


# --- extension: a write that only adds reports after a unit's stored ones ----------------------------------


class NeedsIssues(Exception):
    """Grouping the unit's reports needs their issues (a report fits several threads equally, or prints
    nothing of its inspection while the unit has several): placement gives up, the unit is rebuilt whole."""


class _Unread(Sequence[IssueIn]):
    """Issues placement does not read: group_threads touching them raises NeedsIssues."""

    def __len__(self) -> int:
        raise NeedsIssues

    def __getitem__(self, index: object) -> IssueIn:  # type: ignore[override]
        raise NeedsIssues

    def __iter__(self) -> Iterator[IssueIn]:
        raise NeedsIssues


def placement(
    reports: Sequence[ReportIn], new_keys: Collection[str], stored: Sequence[ThreadRow],
    r: Rules | None = None,
) -> list[list[ReportIn]] | None:
    """The unit's threads as build groups them (all its `reports`, of which `new_keys` are new), when the new
    reports only extend the stored grouping (`stored`: the report_threads rows of the others): each stored
    thread keeps its reports in their order and its place among the stored threads, and gets new reports
    only after its stored ones (a new thread may come anywhere). None otherwise, or when grouping needs
    the issues (NeedsIssues): the unit is then rebuilt whole."""
    r = r or rules()
    old = {rep.report_key for rep in reports if rep.report_key not in new_keys}
    if len(stored) != len(old) or {t.report_key for t in stored} != old:
        return None
    try:
        threads = group_threads(reports, _Unread(), r)
    except NeedsIssues:
        return None
    by_thread: dict[str, list[str]] = {}
    for t in sorted(stored, key=lambda t: (t.thread_round, t.position)):
        by_thread.setdefault(t.thread_id, []).append(t.report_key)
    seen: list[str] = []
    for tid, thread, _ in _thread_rows(reports[0].unit, threads):
        kept = [rep.report_key for rep in thread if rep.report_key in old]
        if not kept:
            continue
        if any(rep.report_key not in old for rep in thread[:len(kept)]):
            return None  # a new report before a stored one: the thread's links change
        if by_thread.get(tid) != kept:
            return None
        seen.append(tid)
    return threads if seen == list(by_thread) else None


def extended_threads(unit: str, threads: list[list[ReportIn]], new_keys: Collection[str]) -> set[str]:
    """Ids of the threads (from placement) that hold stored reports and get new ones: their heads are
    linked to the new issues, so extend needs the heads' measures."""
    return {tid for tid, thread, _ in _thread_rows(unit, threads)
            if thread[0].report_key not in new_keys and thread[-1].report_key in new_keys}


@dataclass(frozen=True)
class Stored:
    """A unit's stored derived rows, as far as extend reads them."""

    threads: Sequence[ThreadRow]  # its report_threads rows
    rows: dict[str, LineageRow]  # its issue_lineage rows of heads (not superseded) and first versions
    # The same issues (title, label, category, status, seq); the measures of the heads of extended_threads.
    issues: dict[str, IssueIn]


class OutOfStep(Exception):
    """A unit's stored lineage rows do not fit its stored threads (rows lost or edited by hand): extending
    them is impossible, the unit must be rebuilt whole."""


def extend(
    reports: Sequence[ReportIn], threads: list[list[ReportIn]], new_keys: Collection[str], stored: Stored,
    new_issues: Iterable[IssueIn], r: Rules | None = None,
) -> Built:
    """What build(reports, every issue of the unit) stores, from the stored rows and `threads` (placement):
    every thread row (a new thread may move the rounds), and the lineage rows of the new reports' issues and
    of the stored ones that change (heads superseded by or merged into a new issue; the recurrence flags of
    every round after one that got new reports, as its last versions are the closed problems they compare
    with). Each thread's stored heads, in their order (reports in thread order, issues by seq: how
    _link_reports leaves them), are linked to its new reports by the same code as build. Raises OutOfStep
    when a stored lineage row's report has no stored thread row."""
    r = r or rules()
    unit = reports[0].unit
    by_report = _by_report(new_issues)
    published = {rep.report_key: rep.published_on for rep in reports}
    position = {t.report_key: t.position for t in stored.threads}
    if any(stored.issues[key].report_key not in position for key in stored.rows):
        raise OutOfStep(unit)
    per_thread: dict[str, list[IssueIn]] = {}
    for key, row in stored.rows.items():
        per_thread.setdefault(row.thread_id, []).append(stored.issues[key])
    thread_rows: list[ThreadRow] = []
    out: dict[str, LineageRow] = {}
    closed_before: list[IssueIn] = []
    done = vocab().done
    moved = False  # an earlier round got new reports: the closed problems this round compares with change
    for tid, thread, rows in _thread_rows(unit, threads):
        thread_rows += rows
        added = [rep for rep in thread if rep.report_key in new_keys]
        mine = sorted(per_thread.get(tid, []), key=lambda i: (position[i.report_key], i.seq))
        heads = [i for i in mine if not stored.rows[i.issue_key].superseded]
        for i in heads:
            out[i.issue_key] = dataclasses.replace(stored.rows[i.issue_key])
        heads = _link_reports(added, by_report, tid, unit, published, heads, out, r)
        firsts = [i for rep in added for i in by_report.get(rep.report_key, [])
                  if out[i.issue_key].version == 1]
        if moved:
            earlier = [i for i in mine if stored.rows[i.issue_key].version == 1]
            for i in earlier:
                row = out.setdefault(i.issue_key, dataclasses.replace(stored.rows[i.issue_key]))
                row.recurrence_of = row.recurrence_score = None
            firsts = earlier + firsts
        _flag_recurrences(firsts, closed_before, out, r)
        closed_before += [i for i in heads if i.status == done]
        moved = moved or bool(added)
    changed = [row for key, row in out.items() if key not in stored.rows or row != stored.rows[key]]
    return Built(thread_rows, changed)


def _carry_deadline(row: LineageRow, prev: LineageRow | None, issue: IssueIn) -> None:
    row.target_due = max(issue.due_dates, default=None)
    row.known_due = row.target_due
    if prev is None:
        row.original_due = row.target_due
        return
    row.original_due = prev.original_due or row.target_due
    row.due_revisions, row.prev_due = prev.due_revisions, prev.prev_due
    # A version naming no date (done, or silent on it) keeps the last known target as the reference.
    last = prev.known_due
    if row.target_due is None:
        row.known_due = last
    elif last is not None and row.target_due != last:
        row.due_revisions += 1
        row.prev_due = last


# _measures_added per (new measures, old measures, rule), by a digest of the texts: for the same cases as
# _MATRICES (a write computing again what warm_lineage counted, a unit rebuilt again). Cleared when full.
_ADDED: _DigestCache[int] = _DigestCache(50_000)  # ~15 per linked report: several writes' worth


def _measures_added(new: IssueIn, old: IssueIn, r: Rules) -> int:
    if not new.measures:
        return 0
    if not old.measures:
        return len(new.measures)
    return _ADDED.get((new.measures, old.measures, r.measure_added_below),
                      lambda: _count_added(new.measures, old.measures, r))


def _count_added(new: Sequence[str], old: Sequence[str], r: Rules) -> int:
    """New measures with no counterpart scoring measure_added_below or more among the old ones."""
    # Scores under the cutoff come back as 0: they count the same (below), and rapidfuzz skips early. The
    # margin keeps a score of exactly 100 * measure_added_below (0.6 * 100 is 60.00000000000001) as it was.
    best = process.cdist(list(new), list(old), scorer=fuzz.partial_ratio,
                         score_cutoff=100 * r.measure_added_below - 1e-6)
    return sum(1 for row in best if max(row) / 100 < r.measure_added_below)


def _flag_recurrences(
    firsts: list[IssueIn], closed: list[IssueIn], out: dict[str, LineageRow], r: Rules
) -> None:
    """Mark first versions of a round that resemble a problem closed (完成) in an earlier round. `closed`:
    the earlier rounds' last versions reported 完成, in round order, each round's in its head order (the
    first of equally close ones is taken)."""
    if not closed or not firsts:
        return
    titles = _title_matrix([core_title(i.title, r) for i in firsts], [core_title(i.title, r) for i in closed])
    best = titles.argmax(axis=1)
    for a, issue in enumerate(firsts):
        b = int(best[a])
        score = float(titles[a, b]) / 100
        if score >= r.recurrence_threshold:
            row = out[issue.issue_key]
            row.recurrence_of, row.recurrence_score = closed[b].issue_key, round(score, 4)
