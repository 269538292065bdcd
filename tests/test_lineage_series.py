"""Issue lineage on a written series of one unit's reports (tests/series/dongchangfu, expected.yaml beside
them): threads, every link, merges, status and deadline changes along a lineage, recurrences across rounds,
corrections carried along a lineage, status as of a date, and the per-unit rebuild in the write path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from conftest import SERIES_DIR, sample_path

import queries
from loaders.writer import lineage, overrides, store
from loaders.writer.ingest import ingest_paths

EXPECTED = yaml.safe_load((SERIES_DIR / "expected.yaml").read_text(encoding="utf-8"))
UNIT = "聊城市东昌府区"


def fetch(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


class Series:
    """The stored series, with issues named as expected.yaml names them: (report file, title fragment)."""

    def __init__(self, db: Path) -> None:
        self.issues = fetch(db, """
            SELECT regexp_extract(f.path, '[^/]+$'), i.issue_key, i.title, i.status, r.published_on,
                   l.lineage_id, l.version, l.prev_issue_key, l.score, l.merged_into, l.target_due,
                   l.due_revisions, l.original_due, l.recurrence_of, l.thread_id
            FROM issues i JOIN reports r USING (report_key) JOIN files f USING (file_sha)
            JOIN issue_lineage l USING (issue_key) ORDER BY r.published_on, i.seq""")
        self.by_key = {row[1]: row for row in self.issues}

    def in_report(self, report: str) -> list[tuple]:
        return [row for row in self.issues if row[0] == report]

    def find(self, report: str, fragment: str) -> tuple:
        found = [row for row in self.in_report(report) if fragment in row[2]]
        assert len(found) == 1, f"{fragment!r} names {len(found)} issues of {report}"
        return found[0]

    def key(self, ref: list[str] | None) -> str | None:
        return None if ref is None else self.find(*ref)[1]


def test_reports_are_grouped_into_the_expected_threads(series_db: Path) -> None:
    rows = fetch(series_db, """SELECT t.thread_round, t.position, regexp_extract(f.path, '[^/]+$'),
                                      t.thread_id, t.prev_thread_id
                               FROM report_threads t JOIN reports r USING (report_key)
                               JOIN files f USING (file_sha) ORDER BY 1, 2""")
    rounds: dict[int, list[str]] = {}
    for n, _, name, _, _ in rows:
        rounds.setdefault(n, []).append(name)
    assert [rounds[n] for n in sorted(rounds)] == EXPECTED["threads"]
    # The later round is linked to the earlier one; the first round to nothing.
    ids = {n: tid for n, _, _, tid, _ in rows}
    assert {n: prev for n, _, _, _, prev in rows} == {1: None, 2: ids[1]}


def test_every_issue_links_to_its_expected_predecessor(series_db: Path) -> None:
    s = Series(series_db)
    threshold = lineage.rules().threshold
    for report, spec in EXPECTED["links"].items():
        listed = spec["issues"]
        # Every issue of the report is listed (no link goes unchecked).
        assert len(s.in_report(report)) == len(listed), report
        for fragment, prev in listed.items():
            row = s.find(report, fragment)
            if prev == "same":
                prev = [spec["from"], row[2]]
            want = s.key(prev)
            assert row[7] == want, f"{report}: {fragment}"
            if want is None:
                assert row[6] == 1 and row[8] is None  # "no match": a new problem, no score
            else:
                assert row[8] >= threshold and row[5] == s.by_key[want][5]  # same lineage, score kept
                assert row[6] == s.by_key[want][6] + 1


def test_a_reworded_title_still_links(series_db: Path) -> None:
    s = Series(series_db)
    new = s.find("2_followup_2023-12-28.txt", "惠企政策兑现不及时")
    old = s.find("1_progress_2023-09-26.txt", "扶持工业企业发展政策落实不到位")
    score, title_score = fetch(series_db, "SELECT score, title_score FROM issue_lineage WHERE issue_key = ?",
                               [new[1]])[0]
    assert new[7] == old[1]
    assert title_score < 0.7  # reworded: most of the title differs …
    assert score >= lineage.rules().threshold  # … and the measures, restated, carry the link


def test_merged_problems_end_in_the_issue_they_were_merged_into(series_db: Path) -> None:
    s = Series(series_db)
    for merge in EXPECTED["merged"]:
        gone, into = s.find(*merge["from"]), s.find(*merge["into"])
        assert gone[9] == into[1]
        assert gone[5] != into[5]  # its own lineage ends there; the merged issue continues another


def test_status_and_deadlines_along_each_lineage(series_db: Path) -> None:
    s = Series(series_db)
    for first, versions in EXPECTED["versions"].items():
        root = s.find(versions[0][0], first)
        chain = sorted((row for row in s.issues if row[5] == root[1]), key=lambda row: row[6])
        got = [[row[0], row[3], row[10], row[11], row[12]] for row in chain]
        want = [[v[0], v[1], v[2], v[3], v[4]] for v in versions]
        assert got == want, first


def test_recurrences_across_rounds_are_flagged_and_nothing_else(series_db: Path) -> None:
    s = Series(series_db)
    expected = {s.key(r["issue"]): s.key(r["of"]) for r in EXPECTED["recurrences"]}
    flagged = {row[1]: row[13] for row in s.issues if row[13] is not None}
    assert flagged == expected


def test_unrelated_issues_never_score_above_the_threshold(series_db: Path) -> None:
    """Scored as if they were in one thread: the next round's problems against every problem of the first
    round (except the returning one, which only resembles its old self), and the follow-up's new problem."""
    rules = lineage.rules()
    rows = fetch(series_db, """
        SELECT regexp_extract(f.path, '[^/]+$'), i.issue_key, i.title, i.label, i.category,
               (SELECT list(text ORDER BY seq) FROM measures m WHERE m.issue_key = i.issue_key)
        FROM issues i JOIN reports r USING (report_key) JOIN files f USING (file_sha)""")
    as_in = {key: lineage.IssueIn(key, name, 0, title, label, cat, tuple(m or ()))
             for name, key, title, label, cat, m in rows}
    round_1 = [i for i in as_in.values() if not i.report_key.startswith("3_")]
    s = Series(series_db)
    returning = {s.key(r["issue"]) for r in EXPECTED["recurrences"]}
    new = [i for i in as_in.values() if i.report_key.startswith("3_") and i.issue_key not in returning]
    new.append(as_in[s.find("2_followup_2023-12-28.txt", "政府采购")[1]])
    others = [i for i in round_1 if "政府采购" not in i.title]
    scores = lineage._scores(new, others, rules)[0]
    assert max(max(row) for row in scores) < rules.threshold


def _status(db: Path, fragment: str, as_of: dt.date) -> list[tuple[str, str, str | None]]:
    f = queries.Filters(units=(UNIT,), as_of=as_of)
    rows = queries.issues_page(db, f)
    hits = rows[rows["title"].str.contains(fragment, regex=False)]
    return [(r.status, r.source, str(r.published_on.date())) for r in hits.itertuples()]


def test_status_as_of_a_date_follows_the_latest_report_published_by_then(series_db: Path) -> None:
    assert _status(series_db, "农业产业项目落地少推进慢", dt.date(2023, 12, 1)) == [
        ("阶段性完成", "inferred", "2023-09-26")]
    assert _status(series_db, "农业产业项目落地少推进慢", dt.date(2024, 1, 1)) == [
        ("完成", "explicit", "2023-12-28")]
    assert _status(series_db, "土壤污染防范意识不足", dt.date(2025, 10, 1)) == [
        ("完成", "explicit", "2025-09-15")]
    # Item 7's December deadline (2024-06) replaced March's (2023-12): not overdue in January 2024.
    late = queries.overdue_issues(series_db, queries.Filters(units=(UNIT,), as_of=dt.date(2024, 1, 15)))
    assert not late["title"].str.contains("惠企政策").any()
    assert not late["title"].str.contains("扶持工业企业").any()
    before = queries.overdue_issues(series_db, queries.Filters(units=(UNIT,), as_of=dt.date(2023, 12, 27)))
    assert not before["title"].str.contains("扶持工业企业").any()  # not yet due on 2023-12-27
    # Every version is still there for whoever asks for all of them.
    every = queries.issues_page(series_db, queries.Filters(units=(UNIT,), all_versions=True))
    assert len(every) == 96 and every.groupby("lineage_id")["issue_key"].count().max() == 3


def _effective(db: Path, key: str) -> dict[str, Any]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("SELECT effective_status, effective_source, carried_status, carried_from, "
                          "carried_author, status, status_source FROM issues_current WHERE issue_key = ?",
                          [key])
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def test_a_correction_is_carried_along_the_lineage_unless_a_printed_status_supersedes_it(
    series_db: Path,
) -> None:
    s = Series(series_db)
    march, december = "1_progress_2023-09-26.txt", "2_followup_2023-12-28.txt"
    # Item 13: inferred in both reports; corrected on the March version → December's carries it.
    m13, d13 = s.find(march, "打造乡村振兴齐鲁样板"), s.find(december, "打造乡村振兴齐鲁样板")
    overrides.add_override(series_db, m13[1], "未完成", "现场核查：耕地尚未恢复", "张三")
    assert _effective(series_db, d13[1]) == {
        "effective_status": "未完成", "effective_source": "carried", "carried_status": "未完成",
        "carried_from": m13[1], "carried_author": "张三", "status": "阶段性完成", "status_source": "inferred"}
    # Item 11: December prints 整改结果:已完成 → that wins, and the March correction is still shown beside it.
    m11, d11 = s.find(march, "科技创新投入不足"), s.find(december, "科技创新投入不足")
    overrides.add_override(series_db, m11[1], "未完成", "资金未拨付", "李四")
    got = _effective(series_db, d11[1])
    assert (got["effective_status"], got["effective_source"]) == ("完成", "explicit")
    assert (got["carried_status"], got["carried_from"]) == ("未完成", m11[1])
    # A correction of the December version itself wins over the carried one.
    overrides.add_override(series_db, d13[1], "阶段性完成", "复核", "王五")
    got = _effective(series_db, d13[1])
    assert (got["effective_status"], got["effective_source"]) == ("阶段性完成", "override")
    # The March version keeps its own correction; other problems are untouched.
    assert _effective(series_db, m13[1])["effective_source"] == "override"
    other = s.find(december, "经济要稳住要求有落差")
    assert _effective(series_db, other[1])["carried_status"] is None
    # 总览 counts the carried status (December's item 11 stays 完成, item 13 is the December override).
    k = queries.key_figures(series_db, queries.Filters(units=(UNIT,), as_of=dt.date(2024, 1, 1))).iloc[0]
    listed = queries.issues_page(series_db, queries.Filters(units=(UNIT,), as_of=dt.date(2024, 1, 1)))
    assert k["issues"] == len(listed) and k["done"] == (listed["status"] == "完成").sum()


def test_a_write_rebuilds_the_lineage_of_the_units_it_touches_only(
    series_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fetch(series_db, "SELECT * FROM issue_lineage ORDER BY issue_key")
    seen: list[str] = []
    real = lineage.build

    def spy(reports: Any, issues: Any, r: Any = None) -> lineage.Built:
        seen.append(reports[0].unit)
        return real(reports, issues, r)

    monkeypatch.setattr(lineage, "build", spy)
    ingest_paths([sample_path("000")], series_db, workers=1, progress=False)
    assert seen == ["湖州市吴兴区"]
    after = fetch(series_db, "SELECT * FROM issue_lineage WHERE unit = ? ORDER BY issue_key", [UNIT])
    assert after == [row for row in before if row[1] == UNIT]
    # The follow-up written again with other bytes and the same parse: its unit's rows stay as they are.
    seen.clear()
    changed = SERIES_DIR / "2_followup_2023-12-28.txt"
    copy = series_db.parent / "2_followup_2023-12-28.txt"
    text = changed.read_text(encoding="utf-8")
    copy.write_text(text + "\n", encoding="utf-8")
    kept = fetch(series_db, "SELECT * FROM issue_lineage WHERE unit = ? ORDER BY issue_key", [UNIT])
    ingest_paths([copy], series_db, workers=1, progress=False)
    assert seen == []
    assert fetch(series_db, "SELECT * FROM issue_lineage WHERE unit = ? ORDER BY issue_key", [UNIT]) == kept
    # With an issue's title edited, its unit is rebuilt: the follow-up's links come back the same.
    titles = fetch(series_db, "SELECT i.title FROM issues i JOIN reports r USING (report_key) "
                              "WHERE r.unit = ? AND r.published_on = '2023-12-28' ORDER BY i.seq", [UNIT])
    title = next(t for (t,) in titles if len(t) > 8 and text.count(t) == 1)
    copy.write_text(text.replace(title, title[:-1] + "等"), encoding="utf-8")
    shape = ("SELECT version, due_revisions, prev_issue_key IS NULL, merged_into IS NULL FROM issue_lineage "
             "WHERE unit = ? ORDER BY first_on, first_seq, version, published_on")
    kept = fetch(series_db, shape, [UNIT])
    ingest_paths([copy], series_db, workers=1, progress=False)
    assert seen == [UNIT]
    rebuilt = fetch(series_db, shape, [UNIT])
    assert rebuilt == kept
    assert len(rebuilt) == len(kept) == 96


def test_an_older_database_gets_its_lineage_on_the_next_write(series_db: Path) -> None:
    expected = fetch(series_db, "SELECT * FROM issue_lineage ORDER BY issue_key")
    with duckdb.connect(str(series_db)) as con:  # as a database made before lineage existed
        con.execute("DROP VIEW issues_current; DROP TABLE issue_lineage; DROP TABLE report_threads")
    f = queries.Filters(units=(UNIT,), as_of=dt.date(2026, 1, 1))
    assert store.migrate(series_db)  # what the dashboard does once at start (any write connection too)
    assert fetch(series_db, "SELECT * FROM issue_lineage ORDER BY issue_key") == expected
    assert queries.key_figures(series_db, f).iloc[0]["issues"] < 96


def test_a_printed_status_in_between_stops_an_older_correction(series_db: Path) -> None:
    """Item 7: corrected in March, printed (explicit) in December; were the 回头看 silent on its status, the
    March correction would not jump over December's printed one."""
    s = Series(series_db)
    march = s.find("1_progress_2023-09-26.txt", "扶持工业企业发展政策落实不到位")
    later = s.find("4_lookback_2025-09-15.txt", "惠企政策兑现不及时")
    overrides.add_override(series_db, march[1], "未完成", "资金未拨付", "张三")
    with duckdb.connect(str(series_db)) as con:  # the 回头看 as if it printed no status of its own
        con.execute("UPDATE issues SET status_source = 'inferred' WHERE issue_key = ?", [later[1]])
    got = _effective(series_db, later[1])
    assert (got["effective_status"], got["effective_source"]) == ("完成", "inferred")
    assert got["carried_from"] == march[1]  # still shown, for the record
