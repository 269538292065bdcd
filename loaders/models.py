"""The parsed model: frozen dataclasses shared by every loader stage, and their public JSON shape."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from loaders.vocab import vocab

Status = str  # one of STATUSES
StatusSource = Literal["explicit", "inferred", "override"]

STATUSES: tuple[str, ...] = tuple(s.value for s in vocab().statuses)  # config.yaml vocab.statuses
STATUS_SOURCES: tuple[str, ...] = ("explicit", "inferred", "override")


def stable_key(*parts: object) -> str:
    """A short, stable identifier built from meaningful parts (not from file paths or row numbers)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Deadline:
    text: str  # the phrase as printed, e.g. "力争2024年7月前投入使用"
    due_on: date | None  # end of the period it names; None when it cannot be resolved

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.due_on.isoformat() if self.due_on else None}


@dataclass(frozen=True)
class Figure:
    kind: str  # e.g. "party_discipline", "party_discipline.党内警告", "money_refunded", "stated_issues"
    value: float
    unit: str  # "人", "项", "万元", "个", "%", ...
    evidence: str  # the clause the number came from

    def to_json(self) -> dict[str, Any]:
        value: float | int = int(self.value) if float(self.value).is_integer() else self.value
        return {"kind": self.kind, "value": value, "unit": self.unit, "evidence": self.evidence}


@dataclass(frozen=True)
class StatusDecision:
    status: Status | None  # None: nothing decided it (status unknown)
    source: StatusSource | None
    evidence: str  # the sentence or line that decided it
    rule: str  # the name of the rule in config.yaml, or "explicit"
    confidence: float  # 0..1
    counter_evidence: str = ""  # the strongest sentence against the decision (inferred statuses), or ""
    overdue: tuple[str, ...] = ()  # commitments dated before the report with no result stated


UNKNOWN_STATUS = StatusDecision(None, None, "", "none", 0.0)


@dataclass(frozen=True)
class ParseWarning:
    code: str  # machine-readable, e.g. "numbering_gap", "stated_count_mismatch", "unparsed_section"
    message: str  # plain-English explanation (the CLI, `parse --json`)
    message_zh: str = ""  # the same facts in Chinese, for the dashboard (loaders/messages.py builds both)

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh}


@dataclass(frozen=True)
class Issue:
    label: str  # numbering as printed: "一", "(三)", "12", "问题7"
    category: str  # the category / feedback heading it sits under ("" when the issue is its own category)
    title: str  # the problem text
    status: StatusDecision = UNKNOWN_STATUS
    measures: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    section: str = ""  # the section heading above it, e.g. "集中整改期内已完成的整改事项"
    owner: str | None = None  # the unit answering for it as printed (责任单位 / 牵头单位), if the report says

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "category": self.category,
            "title": self.title,
            "status": self.status.status,
            "status_source": self.status.source,
            "evidence": self.status.evidence,
            "rule": self.status.rule,
            "confidence": round(self.status.confidence, 3),
            "counter_evidence": self.status.counter_evidence,
            "overdue": list(self.status.overdue),
            "deadlines": [d.to_json() for d in self.deadlines],
            "measures": list(self.measures),
            "owner": self.owner,
        }


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"province": self.province, "city": self.city, "county": self.county}


@dataclass(frozen=True)
class Inspection:
    team: str | None = None  # e.g. "省委第八巡视组"
    start: date | None = None
    end: date | None = None
    feedback_on: date | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "team": self.team,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "feedback_on": _iso(self.feedback_on),
        }


@dataclass(frozen=True)
class Report:
    title: str | None
    unit: str  # short unit name, e.g. "湖州市吴兴区"
    issuer: str | None = None  # the signing body as printed, e.g. "中共湖州市吴兴区委"
    region: Region = field(default_factory=Region)
    published_on: date | None = None
    inspection: Inspection = field(default_factory=Inspection)
    # where published_on came from: "signature" (the date under the signature) or "page" (the page's own
    # 发布时间 / 成文日期 / 日期 line, used when the report prints no signature date); None without a date
    published_on_source: str | None = None
    # stated totals as printed, e.g. {"categories": 4, "aspects": 14, "issues": 38, "measures": 189}
    stated: dict[str, float] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()
    issues: tuple[Issue, ...] = ()
    part: str = "main"  # "main" or "附件1", "附件2", ...
    parent_part: str | None = None  # "main" for an attachment
    source_url: str | None = None

    @property
    def key(self) -> str:
        """Identity that survives re-ingestion of an edited file: who published it, when, which part."""
        return stable_key(self.unit, _iso(self.published_on), self.part)

    def issue_key(self, issue: Issue) -> str:
        return stable_key(self.key, issue.category, issue.title)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "unit": self.unit,
            "issuer": self.issuer,
            "part": self.part,
            "parent_part": self.parent_part,
            "region": self.region.to_json(),
            "published_on": _iso(self.published_on),
            "published_on_source": self.published_on_source,
            "inspection": self.inspection.to_json(),
            "stated": {k: (int(v) if float(v).is_integer() else v) for k, v in self.stated.items()},
            "figures": [f.to_json() for f in self.figures],
            "warnings": [w.to_json() for w in self.warnings],
            "source_url": self.source_url,
            "issues": [i.to_json() for i in self.issues],
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
