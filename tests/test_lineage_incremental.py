"""Incremental lineage (store.update_lineage: lineage.placement + lineage.extend) against a full rebuild.

Random corpora of a few units with many reports each — several inspection rounds, reports printing only part
of their inspection or nothing of it (loose), problems reworded, merged, closed and coming back in a later
round, deadlines revised, an undated report — are written in random orders and batchings (each batch one
transaction through store.write_files, some files written again with edits: replacements), and after every
write the derived tables must equal what rebuild_lineage(con, None) makes of the same database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from loaders.models import Deadline, Inspection, Issue, Report, StatusDecision
from loaders.writer import ingest, lineage, store
from loaders.writer.rows import FileVersion

TITLES = (
    "落实意识形态工作责任制不到位", "基层党组织建设薄弱", "选人用人把关不严", "违规发放津贴补贴",
    "政府债务风险防控不力", "招商引资项目落地率低", "生态环境保护整改不彻底", "安全生产监管存在漏洞",
    "惠民资金管理使用不规范", "国有资产管理混乱", "工程项目招投标不规范", "形式主义官僚主义问题突出",
    "干部队伍年龄结构不合理", "巡察整改成果运用不够", "财政资金使用效益不高", "耕地保护责任落实不到位",
    "农村集体三资监管薄弱", "医保基金监管存在风险", "教育资源配置不均衡", "营商环境优化不够",
    "矛盾纠纷化解不及时", "粮食安全责任制落实不力", "城市管理精细化水平不高", "科技创新投入不足",
)
STATUSES = ("完成", "完成", "阶段性完成", "未完成", None)
TABLES = {"report_threads": "report_key", "issue_lineage": "issue_key"}


def _measures(rng: random.Random, title: str, n: int) -> list[str]:
    verbs = ("制定", "开展", "建立", "完善", "督促", "清理", "核查", "印发")
    return [f"{rng.choice(verbs)}{title[:4]}专项整改措施第{k}项，责任落实到{rng.choice('甲乙丙丁')}科室"
            for k in range(1, n + 1)]


def _variant(rng: random.Random, title: str) -> str:
    return rng.choice((title, title, "关于" + title + "的问题", title + "问题", title[:-1] + "等"))


def _round_reports(rng: random.Random, unit: str, n_round: int, start: dt.date, pool: list[str],
                   published: list[dt.date]) -> list[Report]:
    """The reports of one inspection round of a unit: problems carried from report to report (reworded,
    measures growing, statuses and deadlines changing), sometimes two merged into one, sometimes new ones."""
    team = f"省委第{rng.choice('六八十')}巡视组"
    end, feedback = start + dt.timedelta(days=60), start + dt.timedelta(days=120)
    problems = {t: rng.randint(1, 3) for t in rng.sample(pool, rng.randint(3, 7))}
    dues = {t: dt.date(start.year + 1, rng.choice((3, 6, 9)), 28) for t in problems}
    out = []
    for _ in range(rng.randint(1, 5)):
        day = published[-1] + dt.timedelta(days=rng.randint(20, 90))
        published.append(day)
        if rng.random() < 0.3 and len(problems) >= 3:  # two problems reported as one from now on
            a, b = rng.sample(sorted(problems), 2)
            problems[a + "和" + b] = problems.pop(a) + problems.pop(b)
            dues[a + "和" + b] = dues[a]
        if rng.random() < 0.4:
            fresh = rng.choice(pool)
            problems.setdefault(fresh, 1)
            dues.setdefault(fresh, day + dt.timedelta(days=200))
        issues = []
        for title in sorted(problems, key=lambda _: rng.random()):
            if rng.random() < 0.15:
                continue  # left out of this report (comes back later)
            problems[title] += rng.randint(0, 2)
            if rng.random() < 0.3:
                dues[title] += dt.timedelta(days=rng.choice((-40, 90, 180)))
            deadlines = (Deadline("限期完成", dues[title]),) if rng.random() < 0.8 else ()
            status = rng.choice(STATUSES)
            decision = StatusDecision(status, "explicit" if status else None, "", "explicit", 1.0)
            issues.append(Issue(label=str(len(issues) + 1), category=rng.choice(("党的建设", "经济发展", "")),
                                title=_variant(rng, title), deadlines=deadlines, status=decision,
                                measures=tuple(_measures(rng, title, problems[title]))))
        printed = rng.random()
        inspection = (Inspection() if printed < 0.15  # loose: prints nothing of its inspection
                      else Inspection(team=team) if printed < 0.3
                      else Inspection(feedback_on=feedback) if printed < 0.4
                      else Inspection(team, start, end, feedback))
        out.append(Report(title=f"{unit}第{n_round}轮整改进展", unit=unit, published_on=day,
                          inspection=inspection, issues=tuple(issues)))
    return out


def corpus(seed: int) -> list[FileVersion]:
    """Files of two to four units, one report each."""
    rng = random.Random(seed)
    reports: list[Report] = []
    for u in range(rng.randint(2, 4)):
        unit = f"测试县{u}"
        pool = rng.sample(TITLES, 12)
        published = [dt.date(2020, 1, 1)]
        start = dt.date(2019, 3, 1)
        for n_round in range(1, rng.randint(2, 5) + 1):
            reports += _round_reports(rng, unit, n_round, start, pool, published)
            start += dt.timedelta(days=rng.choice((200, 400, 700)))
        if rng.random() < 0.5:  # an undated report (sorts after every dated one)
            undated = reports[-1]
            reports.append(Report(title=undated.title, unit=unit, published_on=None,
                                  issues=undated.issues[:3], inspection=undated.inspection))
    return [FileVersion(f"sha{seed}-{n}", f"/corpus/{seed}/{n}.txt", 1000, (rep,), "test")
            for n, rep in enumerate(reports)]


def in_publication_order(files: list[FileVersion]) -> list[FileVersion]:
    """Each unit's files in the order they were published (units one after the other)."""
    return sorted(files, key=lambda fv: (fv.reports[0].unit, fv.reports[0].published_on or dt.date.max))


def counted_writes(monkeypatch: pytest.MonkeyPatch) -> list[store.LineageCounts]:
    """What each later write's update_lineage did (new, extended, rebuilt units), appended as they run."""
    last: list[store.LineageCounts] = []
    real = store.update_lineage

    def counted(*args: object, **kwargs: object) -> store.LineageCounts:
        last.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return last[-1]

    monkeypatch.setattr(store, "update_lineage", counted)
    return last


def derived(con: store.Connection) -> dict[str, list[tuple]]:
    """The derived tables, and the issues' copies of their lineage's limits (queries read those)."""
    tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall() for t, key in TABLES.items()}
    tables["issues"] = con.execute(
        "SELECT issue_key, shown_from, hidden_from FROM issues ORDER BY issue_key").fetchall()
    return tables


def rebuilt(con: store.Connection) -> dict[str, list[tuple]]:
    """The derived tables after a full rebuild of every unit (rolled back: the database stays as it was)."""
    con.execute("BEGIN TRANSACTION")
    try:
        store.rebuild_lineage(con, None)
        return derived(con)
    finally:
        con.execute("ROLLBACK")


def _edited(fv: FileVersion, rng: random.Random) -> FileVersion:
    """The same file with one report's issues cut or reordered (a new sha at the same path: a replacement)."""
    rep = fv.reports[0]
    issues = list(rep.issues)
    rng.shuffle(issues)
    edited = Report(title=rep.title, unit=rep.unit, published_on=rep.published_on, inspection=rep.inspection,
                    issues=tuple(issues[: max(1, len(issues) - 1)]))
    return FileVersion(fv.file_sha + "-edited", fv.path, fv.size, (edited,), fv.parser_version)


@pytest.mark.parametrize("seed", range(12))
def test_written_in_any_batches_and_order_the_lineage_equals_a_full_rebuild(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = corpus(seed)
    rng = random.Random(f"order{seed}")
    if seed % 3:  # mostly in publication order, a few swapped: the common case and its exceptions
        for _ in range(len(files) // 4):
            a = rng.randrange(len(files) - 1)
            files[a], files[a + 1] = files[a + 1], files[a]
    else:
        rng.shuffle(files)
    counts = counted_writes(monkeypatch)
    db = tmp_path / "db.duckdb"
    done = 0
    with store.connect(db) as con:
        while done < len(files):
            batch = files[done : done + rng.choice((1, 1, 2, 3, 5))]
            done += len(batch)
            earlier = done - len(batch)
            if earlier and rng.random() < 0.15:  # a file written before comes again, edited
                batch = [*batch, _edited(files[rng.randrange(earlier)], rng)]
            elif earlier and rng.random() < 0.15:  # or with other bytes and the same reports
                again = files[rng.randrange(earlier)]
                batch = [*batch, replace(again, file_sha=again.file_sha + "-again")]
            store.write_files(con, batch)
            assert derived(con) == rebuilt(con), f"after {done} of {len(files)} files"
        assert derived(con)["issue_lineage"]
    assert sum(c.extended + c.rebuilt for c in counts) > 0


def test_every_path_is_taken_by_the_random_corpora(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpora above reach the extension, the whole rebuild (an older report, a replacement, a loose
    report among several threads) and a new thread, and links, merges, recurrences and revised deadlines."""
    seen = {"placement_none": 0, "extended_threads": 0}
    real_placement = lineage.placement

    def spy(*args: object, **kwargs: object) -> list[list[lineage.ReportIn]] | None:
        threads = real_placement(*args, **kwargs)  # type: ignore[arg-type]
        seen["placement_none" if threads is None else "extended_threads"] += 1
        return threads

    monkeypatch.setattr(lineage, "placement", spy)
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        for seed in range(4):
            for fv in corpus(seed):
                store.write_files(con, [fv])
        rows = con.execute("SELECT count(*) FILTER (prev_issue_key IS NOT NULL), "
                           "count(*) FILTER (merged_into IS NOT NULL), "
                           "count(*) FILTER (recurrence_of IS NOT NULL), "
                           "count(*) FILTER (due_revisions > 0) FROM issue_lineage").fetchone()
        assert derived(con) == rebuilt(con)
    assert seen["placement_none"] > 0 and seen["extended_threads"] > 0
    assert rows is not None and all(n > 0 for n in rows), rows


def test_placement_refuses_an_older_report_and_a_changed_grouping() -> None:
    day = dt.date(2024, 1, 1)
    team = "省委第八巡视组"

    def rep(key: str, days: int, team: str | None = team) -> lineage.ReportIn:
        return lineage.ReportIn(key, "县", day + dt.timedelta(days=days), team, dt.date(2023, 3, 1))

    a, b = rep("a", 0), rep("b", 30)
    stored = lineage.build([a, b], []).threads
    assert lineage.placement([a, b, rep("c", 60)], {"c"}, stored) is not None
    assert lineage.placement([a, b, rep("c", -5)], {"c"}, stored) is None  # before a stored report
    assert lineage.placement([a, rep("c", 60)], {"c"}, stored) is None  # a stored report is gone
    # A report fitting two threads equally needs the issues: no cheap proof, the unit is rebuilt.
    other = lineage.ReportIn("o", "县", day, "省委第六巡视组", dt.date(2023, 3, 1))
    two = lineage.build([a, other], []).threads
    loose = lineage.ReportIn("l", "县", day + dt.timedelta(days=90))
    assert lineage.placement([a, other, loose], {"l"}, two) is None


def test_equal_scores_go_to_the_earliest_head_as_in_a_full_build(tmp_path: Path) -> None:
    """The stored heads are rebuilt in build's order (report, then seq): a new issue scoring the same
    against two heads of different reports links to the earlier one and the other is merged into it."""
    day = dt.date(2024, 1, 1)

    def report(days: int, *issues: tuple[str, tuple[str, ...]]) -> FileVersion:
        rep = Report(title="整改", unit="县", published_on=day + dt.timedelta(days=days),
                     inspection=Inspection("省委第八巡视组", dt.date(2023, 3, 1)),
                     issues=tuple(Issue(str(n), "", title, measures=m)
                                  for n, (title, m) in enumerate(issues)))
        return FileVersion(f"sha{days}", f"/{days}.txt", 1, (rep,), "test")

    first = report(0, ("违规发放津贴补贴甲", ("清退款项",)))
    # Below the threshold against the first (other measures): a second problem, a head of its own.
    second = report(30, ("违规发放津贴补贴乙", ("建立制度",)))
    third = report(60, ("违规发放津贴补贴", ()))  # the title alone: the same score against both
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        store.write_files(con, [first, second])
        store.write_files(con, [third])
        rows = {title: (prev, merged) for title, prev, merged in con.execute(
            "SELECT i.title, p.title, m.title FROM issue_lineage l JOIN issues i USING (issue_key) "
            "LEFT JOIN issues p ON p.issue_key = l.prev_issue_key "
            "LEFT JOIN issues m ON m.issue_key = l.merged_into").fetchall()}
        assert derived(con) == rebuilt(con)
    assert rows["违规发放津贴补贴"] == ("违规发放津贴补贴甲", None)
    assert rows["违规发放津贴补贴乙"] == (None, "违规发放津贴补贴")


def test_a_unit_whose_derived_rows_are_out_of_step_is_rebuilt_not_refused(tmp_path: Path) -> None:
    files = corpus(1)
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        store.write_files(con, files[:3])
        unit = files[0].reports[0].unit
        con.execute("DELETE FROM issue_lineage WHERE unit = ? AND version = 1 AND NOT superseded", [unit])
        later = [fv for fv in files[3:] if fv.reports[0].unit == unit][:1]
        store.write_files(con, later)
        assert derived(con) == rebuilt(con)


def test_extend_refuses_stored_rows_whose_report_has_no_thread_row() -> None:
    """Stored lineage rows of a report without a stored thread row cannot be extended: lineage.extend raises
    OutOfStep (the store then rebuilds the unit), never a KeyError that would hide a programming error."""
    team, start = "省委第一巡视组", dt.date(2022, 9, 1)
    first = lineage.ReportIn("a", "县", dt.date(2023, 1, 1), team, start)
    later = lineage.ReportIn("b", "县", dt.date(2023, 6, 1), team, start)
    issue = lineage.IssueIn("a1", "a", 1, "违规发放津贴补贴")
    built = lineage.build([first], [issue])
    threads = lineage.placement([first, later], {"b"}, built.threads)
    assert threads is not None
    rows, issues, new = {row.issue_key: row for row in built.lineage}, {"a1": issue}, [
        lineage.IssueIn("b1", "b", 1, issue.title)]
    with pytest.raises(lineage.OutOfStep):
        lineage.extend([first, later], threads, {"b"}, lineage.Stored([], rows, issues), new)
    assert lineage.extend([first, later], threads, {"b"}, lineage.Stored(built.threads, rows, issues), new)


def test_an_extension_updates_the_stored_heads_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored rows an extension changes (superseded heads) keep their place in issue_lineage (same rowid):
    written over, not deleted and inserted again — a checkpoint after deletes vacuums every row group
    holding one, which made the compacting writes of an ingest hold the file for seconds at 10,000 files."""
    files = in_publication_order(corpus(1))
    last = counted_writes(monkeypatch)
    db = tmp_path / "db.duckdb"
    moved = 0
    with store.connect(db) as con:
        for fv in files:
            before = dict(con.execute("SELECT issue_key, rowid FROM issue_lineage").fetchall())
            heads = {k for (k,) in con.execute("SELECT issue_key FROM issue_lineage WHERE NOT superseded")
                     .fetchall()}
            store.write_files(con, [fv])
            if last[-1].rebuilt or not last[-1].extended:
                continue  # a unit rebuilt whole replaces its rows
            after = dict(con.execute("SELECT issue_key, rowid FROM issue_lineage").fetchall())
            gone = {k for (k,) in con.execute(
                "SELECT issue_key FROM issue_lineage WHERE superseded").fetchall()}
            moved += len(heads & gone)
            assert {k: after[k] for k in before} == before
        assert derived(con) == rebuilt(con)
    assert moved > 0  # heads were superseded by later reports, in place


def test_warm_lineage_leaves_the_write_nothing_to_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store.warm_lineage on a read-only connection scores what the write of the same rows then scores: an
    extending write adds nothing to lineage's caches (its linking is done before the database is held)."""
    files = in_publication_order(corpus(1))
    last = counted_writes(monkeypatch)
    db = tmp_path / "db.duckdb"
    warmed_writes = 0
    for fv in files:
        prep = store.prepare([fv])
        lineage._MATRICES.found.clear()
        lineage._ADDED.found.clear()
        if db.exists():
            with store.read_connection(db) as con:
                store.warm_lineage(con, prep)
        warmed = (set(lineage._MATRICES.found), set(lineage._ADDED.found))
        with store.connect(db) as con:
            store.write_prepared(con, prep)
        if last[-1].extended and not last[-1].rebuilt and warmed[0]:
            warmed_writes += 1
            assert (set(lineage._MATRICES.found), set(lineage._ADDED.found)) == warmed
    with store.connect(db) as con:
        assert derived(con) == rebuilt(con)
    assert warmed_writes > 0


def _planned_writes(files: list[FileVersion], rng: random.Random, db: Path, sizes: tuple[int, ...],
                    edits: float) -> Iterator[tuple[int, store.Connection]]:
    """Write `files` in random batches of `sizes` as ingest does (each write's lineage planned first on a
    read-only connection), a file written before coming again edited with probability `edits`; yields the
    number of files done and the write's connection, still open, after each write."""
    done = 0
    while done < len(files):
        batch = files[done : done + rng.choice(sizes)]
        done += len(batch)
        if done > len(batch) and rng.random() < edits:  # a file written before comes again, edited
            batch = [*batch, _edited(files[rng.randrange(done - len(batch))], rng)]
        prep = store.prepare(batch)
        if db.exists():
            with store.read_connection(db) as con:
                prep = replace(prep, lineage=store.warm_lineage(con, prep))
        with store.connect(db) as con:
            store.write_prepared(con, prep)
            yield done, con


@pytest.mark.parametrize("seed", range(4))
def test_a_write_using_its_warmed_plan_equals_a_full_rebuild(seed: int, tmp_path: Path) -> None:
    """Ingest plans each write's lineage on a read-only connection first (store.warm_lineage) and the write
    uses that plan when nothing was written in between: the derived tables must still equal a rebuild after
    every write (batches of several files, replacements among them, which fall back to computing it)."""
    files = corpus(seed)
    rng = random.Random(f"warm{seed}")
    for done, con in _planned_writes(files, rng, tmp_path / "db.duckdb", (1, 2, 3), edits=0.2):
        assert derived(con) == rebuilt(con), f"after {done} of {len(files)} files"


def test_ingest_drops_a_plan_when_the_database_changed_in_between(tmp_path: Path) -> None:
    """The plan is made on the database as it was; a write by anyone between the plan and the write's own
    connection changes the file's state, and ingest then lets the write compute its lineage itself."""
    files = sorted(corpus(3), key=lambda fv: fv.reports[0].published_on or dt.date.max)
    db = tmp_path / "db.duckdb"
    with store.connect(db) as con:
        store.write_files(con, files[:-2])
    state = ingest._file_state(db)
    warmed = ingest._warm_lineage(db, store.prepare(files[-1:]))
    assert warmed.lineage is not None and ingest._file_state(db) == state  # reading changes nothing
    with store.connect(db) as con:
        store.write_files(con, files[-2:-1])
    assert ingest._file_state(db) != state


def _limits(con: store.Connection) -> list[tuple]:
    return con.execute("SELECT issue_key, shown_from, hidden_from FROM issues ORDER BY issue_key").fetchall()


@pytest.mark.parametrize("seed", range(3))
def test_the_limits_a_write_copies_from_its_lineage_rows_equal_a_refresh_of_every_unit(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write sets issues.shown_from / hidden_from from the lineage rows it wrote (store.lineage_limits),
    not by refresh_lineage_limits' SQL over its units: after every write (warmed plans, batches, an edited
    file now and then) the issues' limits equal what that SQL computes for every unit, and the Python path
    did write superseded heads and later versions."""
    files = in_publication_order(corpus(seed))
    rng = random.Random(f"limits{seed}")
    copied: list[tuple] = []
    real = store._write_lineage_limits

    def spy(con: store.Connection, rows: list[lineage.LineageRow]) -> None:
        copied.extend(store.lineage_limits(row) for row in rows)
        real(con, rows)

    monkeypatch.setattr(store, "_write_lineage_limits", spy)
    for done, con in _planned_writes(files, rng, tmp_path / "db.duckdb", (1, 2, 4), edits=0.15):
        written = _limits(con)
        con.execute("BEGIN TRANSACTION")
        try:
            store.refresh_lineage_limits(con, None)
            assert _limits(con) == written, f"after {done} of {len(files)} files"
        finally:
            con.execute("ROLLBACK")
    assert any(shown is not None for shown, _ in copied) and any(hidden is not None for _, hidden in copied)
