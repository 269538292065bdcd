-- The DuckDB schema. Owned by loaders/store.py; read by loaders/queries.py. Documented in README.md
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
    parser_version VARCHAR,             -- loaders/fingerprint.py: rules + parser code it was parsed with
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
    n_warnings       INTEGER             -- rows in warnings with its report_key
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
    measures_text VARCHAR,               -- all measures joined, for full-text search
    first_due     DATE                   -- earliest deadlines.due_on of the issue (NULL: no dated deadline):
                                         -- overdue and aging need only this, without joining deadlines
);

CREATE TABLE IF NOT EXISTS measures (
    issue_key VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    text      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS deadlines (
    issue_key VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    text      VARCHAR NOT NULL,          -- as printed
    due_on    DATE                       -- normalised: end of the period named
);

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

-- What every page shows: the parsed status unless a supervisor's (active) correction overrides it.
CREATE OR REPLACE VIEW issues_effective AS
SELECT i.*,
       COALESCE(o.status, i.status)          AS effective_status,
       CASE WHEN o.issue_key IS NOT NULL THEN 'override' ELSE i.status_source END AS effective_source,
       o.author AS override_author, o.note AS override_note, o.created_at AS override_at
FROM issues i
LEFT JOIN (
    SELECT * FROM overrides_active
    QUALIFY row_number() OVER (PARTITION BY issue_key ORDER BY override_id DESC) = 1
) o USING (issue_key);
