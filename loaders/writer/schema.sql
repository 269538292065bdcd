-- The DuckDB schema. Owned by loaders/writer/store.py; read by queries.py. Documented in README.md
-- (section "Database schema"). store.py creates it when a table or the view is missing.
-- Keys are stable hashes (see loaders/models.py): report_key from unit + publication date + part,
-- issue_key from report_key + category + title, so a supervisor's override survives re-ingestion.
-- A key repeated inside one file gets a deterministic suffix and a duplicate_report / duplicate_issue warning.
-- Ingestion replaces everything except `overrides`, which only ever grows (append-only).

CREATE TABLE IF NOT EXISTS files (
    file_sha      VARCHAR PRIMARY KEY,   -- sha256 of the file's bytes
    path          VARCHAR NOT NULL,      -- absolute path at ingestion; a new sha at the same path replaces it
    size_bytes    BIGINT NOT NULL,
    ingested_at   TIMESTAMP NOT NULL,
    n_reports     INTEGER NOT NULL,      -- reports found in the file when it was ingested
    parser_version VARCHAR,             -- loaders/writer/fingerprint.py: rules + parser code it was parsed with
    displaced_by  VARCHAR               -- sha of a later file that took over one of its reports (same key):
                                        -- this file no longer holds all it held, so it is not "unchanged"
);

CREATE TABLE IF NOT EXISTS reports (
    report_key       VARCHAR PRIMARY KEY,
    file_sha         VARCHAR NOT NULL,
    ordinal          INTEGER NOT NULL,   -- position of the report in its file (0 = main)
    part             VARCHAR NOT NULL,   -- 'main' or '附件1', '附件2', ...
    parent_key       VARCHAR,            -- report_key of the main report, for an attachment
    title            VARCHAR,
    unit             VARCHAR NOT NULL,
    issuer           VARCHAR,
    province         VARCHAR,
    city             VARCHAR,
    county           VARCHAR,
    team             VARCHAR,
    inspection_start DATE,
    inspection_end   DATE,
    feedback_on      DATE,
    published_on     DATE,
    source_url       VARCHAR,
    stated_json      VARCHAR,            -- the 'stated' totals as JSON
    -- Counts of this report's rows, written with them (a report's rows only change all together):
    n_issues         INTEGER,            -- rows in issues
    n_categories     INTEGER,            -- distinct non-blank issues.category
    n_measures       INTEGER,            -- rows in measures of its issues
    n_warnings       INTEGER,            -- rows in warnings with its report_key
    published_on_source VARCHAR          -- 'signature' (date under the signature) or 'page' (the page's 发布时间…)
);

CREATE TABLE IF NOT EXISTS issues (
    issue_key     VARCHAR PRIMARY KEY,
    report_key    VARCHAR NOT NULL,
    seq           INTEGER NOT NULL,      -- order within the report
    label         VARCHAR,
    category      VARCHAR,
    title         VARCHAR NOT NULL,
    section       VARCHAR,
    status        VARCHAR,               -- parsed status: 完成 / 阶段性完成 / 未完成 / NULL (unknown)
    status_source VARCHAR,               -- explicit / inferred / NULL
    evidence      VARCHAR,
    rule          VARCHAR,
    confidence    DOUBLE,
    first_due     DATE,                  -- earliest deadlines.due_on of the issue (NULL: no dated deadline):
                                         -- overdue and aging need only this, without joining deadlines
    owner         VARCHAR,               -- 责任单位 / 牵头单位 as printed (a table column or label), NULL if none
    counter_evidence VARCHAR,            -- inferred status: the strongest sentence against it (NULL: none)
    overdue_commitments VARCHAR[],       -- inferred status: deadline phrases dated before the report's own
                                         -- date with no result stated (NULL: none); see loaders/parser/status.py
    title_clause  VARCHAR,               -- loaders.similar.title_clause(title): what 共性问题 compares
    -- Copies kept by the store so every list and count filters issues alone, without joining 2.6 M issues to
    -- their reports and lineage at 100,000 reports (queries/base.py _ctes):
    report_unit   VARCHAR,               -- its report's unit, province, city, publication date and part,
    report_province VARCHAR,             -- written with the issue (a report's rows only change all together);
    report_city   VARCHAR,               -- prefixed, so a join of issues with reports or issue_lineage keeps
    report_published_on DATE,            -- its unqualified column names unambiguous
    report_part   VARCHAR,
    shown_from    DATE,                  -- issue_lineage, written whenever a unit's lineage is rebuilt: a later
                                         -- version (version > 1) counts from its published_on on;
    hidden_from   DATE,                  -- a superseded version no longer counts from its successor_on on
                                         -- (0001-01-01: on an unknown date). NULL: no limit
    -- A copy kept by the store so counts read an issue's effective status without joining the corrections
    -- (the view issues_counted, ~60 ms of CPU per query at 100,000 reports): when a supervisor's correction
    -- counts for the issue, issues_counted's effective_status and effective_source ('override': its own;
    -- 'carried': an earlier version's); NULL when none does (the parsed status and status_source count).
    -- Rewritten from issues_counted by store.refresh_corrections whenever a write touches the issue's unit
    -- and whenever a correction is recorded or withdrawn (loaders/writer/overrides.py).
    correction_status VARCHAR,
    correction_source VARCHAR
);

-- The one copy of each measure's text (issues had a joined copy, measures_text, until the store dropped it:
-- ~40 % of the database twice). queries/ joins an issue's measures with '\n' where a page shows them.
CREATE TABLE IF NOT EXISTS measures (
    issue_key VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    text      VARCHAR NOT NULL
);

-- A page of issues reads its measures by key (queries/issues.py): without this index every page scanned the
-- keys and texts of every measure (~0.7 s of CPU at 100,000 reports; with it ~0.01 s).
CREATE INDEX IF NOT EXISTS measures_issue ON measures (issue_key);

CREATE TABLE IF NOT EXISTS deadlines (
    issue_key VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    text      VARCHAR NOT NULL,          -- as printed
    due_on    DATE                       -- normalised: end of the period named
);
-- As measures_issue: a page's deadlines by key (a scan of every deadline cost ~0.12 s at 100,000 reports).
CREATE INDEX IF NOT EXISTS deadlines_issue ON deadlines (issue_key);

CREATE TABLE IF NOT EXISTS figures (
    report_key VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,         -- e.g. party_discipline, party_discipline.党内警告, money_refunded, stated.issues
    value      DOUBLE NOT NULL,
    unit       VARCHAR,
    evidence   VARCHAR
);

CREATE TABLE IF NOT EXISTS warnings (
    report_key VARCHAR,                  -- NULL for file-level warnings
    file_sha   VARCHAR,
    code       VARCHAR NOT NULL,
    message    VARCHAR NOT NULL,         -- plain English (the CLI)
    message_zh VARCHAR                   -- the same in Chinese (the dashboard); NULL in rows stored before it
);

-- Append-only history of supervisors' corrections. Nothing updates or deletes a row: a mistaken correction is
-- withdrawn by a new row (kind 'withdrawal', ref_id = the row withdrawn), and a correction whose issue was
-- re-keyed by a republished report (its title edited slightly) is carried by a new row (kind 'carry', ref_id =
-- the row carried) on the matching issue. The latest active row (highest override_id) per issue_key wins.
-- Rows whose issue_key is no longer in `issues` are kept (orphaned) and listed by `python -m loaders overrides`.
CREATE TABLE IF NOT EXISTS overrides (
    override_id BIGINT PRIMARY KEY,      -- 1, 2, 3, ... in the order the rows were written
    issue_key   VARCHAR NOT NULL,
    status      VARCHAR,                 -- the corrected status; NULL only in a withdrawal
    note        VARCHAR,
    author      VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,      -- local time of the machine that wrote it
    kind        VARCHAR,                 -- 'correction' (NULL in rows stored before kinds existed), 'carry', 'withdrawal'
    ref_id      BIGINT,                  -- carry: the override carried over; withdrawal: the override withdrawn
    report_key  VARCHAR,                 -- the issue's report and title when the row was written, so an
    issue_title VARCHAR                  -- orphaned correction can still say which issue it was about
);

-- Corrections in force or superseded, but neither withdrawn nor a withdrawal themselves.
CREATE OR REPLACE VIEW overrides_active AS
SELECT o.* FROM overrides o
WHERE o.kind IS DISTINCT FROM 'withdrawal'
  AND NOT EXISTS (SELECT 1 FROM overrides w WHERE w.kind = 'withdrawal' AND w.ref_id = o.override_id);

-- The correction in force per issue: its latest active row (a correction or a carry).
CREATE OR REPLACE VIEW overrides_in_force AS
SELECT * FROM overrides_active
QUALIFY row_number() OVER (PARTITION BY issue_key ORDER BY override_id DESC) = 1;

-- Orphaned corrections: the one in force per issue whose issue is gone, unless a carry took it to the
-- edited issue (the CLI's `overrides --orphaned` and 数据质量 both read this).
CREATE OR REPLACE VIEW overrides_orphaned AS
SELECT o.* FROM overrides_in_force o
WHERE NOT EXISTS (SELECT 1 FROM issues i WHERE i.issue_key = o.issue_key)
  AND NOT EXISTS (SELECT 1 FROM overrides c WHERE c.kind = 'carry' AND c.ref_id = o.override_id);

-- What every page shows: the parsed status unless a supervisor's (active) correction overrides it.
CREATE OR REPLACE VIEW issues_effective AS
SELECT i.*,
       COALESCE(o.status, i.status)          AS effective_status,
       CASE WHEN o.issue_key IS NOT NULL THEN 'override' ELSE i.status_source END AS effective_source,
       o.author AS override_author, o.note AS override_note, o.created_at AS override_at
FROM issues i
LEFT JOIN overrides_in_force o USING (issue_key);

-- Derived from the tables above by loaders/writer/lineage.py, updated for every unit a write touches (store.py
-- update_lineage, in the write's transaction: extended or rebuilt, always equal to a rebuild); never edited by hand. A database made before them gets them on its next
-- read-write connection (store.ensure_schema builds them for every unit).
-- One row per report: its inspection thread (the reports of one inspection, in publication order).
CREATE TABLE IF NOT EXISTS report_threads (
    report_key     VARCHAR PRIMARY KEY,
    unit           VARCHAR NOT NULL,
    thread_id      VARCHAR NOT NULL,     -- stable hash of the unit and the thread's first report
    thread_round   INTEGER NOT NULL,     -- 1 = the unit's first inspection, 2 = the next round, ...
    position       INTEGER NOT NULL,     -- 1 = the thread's first report
    prev_thread_id VARCHAR               -- the unit's previous round (NULL for the first)
);

-- One row per issue: its place in the lineage of one problem across the reports of a thread.
CREATE TABLE IF NOT EXISTS issue_lineage (
    issue_key        VARCHAR PRIMARY KEY,
    unit             VARCHAR NOT NULL,
    thread_id        VARCHAR NOT NULL,
    lineage_id       VARCHAR NOT NULL,   -- issue_key of the problem's first version
    version          INTEGER NOT NULL,   -- 1, 2, ... along the lineage
    published_on     DATE,               -- its report's publication date (as-of counting without a join)
    first_on         DATE,               -- publication date of the first version (the 单位 page's order)
    first_seq        INTEGER NOT NULL,   -- the first version's place (issues.seq) in its report
    prev_issue_key   VARCHAR,            -- the version before (NULL: a new problem, "no match")
    score            DOUBLE,             -- similarity of the link to prev_issue_key (0..1)
    title_score      DOUBLE,
    measures_score   DOUBLE,
    merged_into      VARCHAR,            -- reported together with that issue from the next report on
    successor_on     DATE,               -- publication date of the next version (or of merged_into's report)
    superseded       BOOLEAN NOT NULL,   -- a later version exists: counted from then on in its place
    target_due       DATE,               -- the latest dated deadline of this version
    original_due     DATE,               -- the first target along the lineage
    prev_due         DATE,               -- the target before the last revision
    known_due        DATE,               -- the last dated target along the lineage up to this version
    due_revisions    INTEGER NOT NULL,   -- how often the target moved along the lineage up to this version
    measures_added   INTEGER,            -- measures with no close counterpart in the previous version
    recurrence_of    VARCHAR,            -- 屡改屡犯 candidate: issue_key of an earlier round's problem reported 完成
    recurrence_score DOUBLE
);

-- What pages count: issues_effective with a supervisor's correction carried along the lineage. Read-side rule
-- (issues_effective is left as it is): when an earlier version of the problem was corrected (its
-- effective_source is 'override'), the latest such correction applies to this version (effective_source
-- 'carried') unless this version has its own override or its report prints the status (explicit), or an
-- explicit status printed in a version in between superseded it. carried_* always show the correction that
-- would apply, so a printed status and a carried correction can be shown side by side. Only the few issues
-- with a corrected earlier version are joined: counting every issue costs no join of the lineage.
-- issues_counted_in(units): the issues of these units only (a VARCHAR[]; NULL: every unit), the one definition
-- (the view issues_counted is it for every unit). A lineage never leaves its unit, so each step reads only the
-- units' issues and lineage rows: the store's copy (store.refresh_corrections) recomputes one unit in 0.4 s
-- of CPU at 100,000 reports (load 10) where the view, filtered afterwards, computed every unit (1.7 s). A
-- one-unit list becomes an equality DuckDB filters in the scan (a longer list is filtered after the scan,
-- which reads every row); a NULL list folds away, leaving the view's plan as it was.
CREATE OR REPLACE MACRO issues_counted_in(units) AS TABLE
WITH corrected AS (
    SELECT l.lineage_id, l.version, e.issue_key, e.effective_status, e.override_author, e.override_note,
           e.override_at
    FROM issues_effective e JOIN issue_lineage l USING (issue_key)
    WHERE e.effective_source = 'override'
      AND (units IS NULL OR list_contains(units, e.report_unit))
      AND (units IS NULL OR list_contains(units, l.unit))
),
carried AS (
    SELECT l.issue_key, c.issue_key AS carried_from, c.effective_status AS carried_status,
           c.override_author AS carried_author, c.override_note AS carried_note, c.override_at AS carried_at,
           EXISTS (SELECT 1 FROM issue_lineage m JOIN issues x ON x.issue_key = m.issue_key
                   WHERE m.lineage_id = l.lineage_id AND m.version > c.version AND m.version < l.version
                     AND x.status_source = 'explicit'
                     AND (units IS NULL OR list_contains(units, m.unit))
                     AND (units IS NULL OR list_contains(units, x.report_unit))) AS carried_blocked
    FROM issue_lineage l JOIN corrected c ON c.lineage_id = l.lineage_id AND c.version < l.version
    WHERE units IS NULL OR list_contains(units, l.unit)
    QUALIFY row_number() OVER (PARTITION BY l.issue_key ORDER BY c.version DESC) = 1
)
SELECT e.* REPLACE (
           CASE WHEN k.carried_status IS NOT NULL AND NOT k.carried_blocked
                     AND COALESCE(e.effective_source, '') NOT IN ('override', 'explicit')
                THEN k.carried_status ELSE e.effective_status END AS effective_status,
           CASE WHEN k.carried_status IS NOT NULL AND NOT k.carried_blocked
                     AND COALESCE(e.effective_source, '') NOT IN ('override', 'explicit')
                THEN 'carried' ELSE e.effective_source END AS effective_source),
       k.carried_status, k.carried_from, k.carried_author, k.carried_note, k.carried_at,
       COALESCE(k.carried_blocked, FALSE) AS carried_blocked
FROM issues_effective e
LEFT JOIN carried k USING (issue_key)
WHERE units IS NULL OR list_contains(units, e.report_unit);

CREATE OR REPLACE VIEW issues_counted AS
SELECT * FROM issues_counted_in(NULL);

-- issues_counted plus every lineage column of the issue (for lists of issues, not for counting).
CREATE OR REPLACE VIEW issues_current AS
SELECT c.*, COALESCE(l.lineage_id, c.issue_key) AS lineage_id, COALESCE(l.version, 1) AS version,
       l.first_on, COALESCE(l.first_seq, c.seq) AS first_seq, l.thread_id, l.prev_issue_key,
       l.score AS link_score, l.merged_into, l.successor_on, COALESCE(l.superseded, FALSE) AS superseded,
       l.target_due, l.original_due, l.prev_due, l.known_due, COALESCE(l.due_revisions, 0) AS due_revisions,
       l.measures_added, l.recurrence_of, l.recurrence_score
FROM issues_counted c
LEFT JOIN issue_lineage l USING (issue_key);
