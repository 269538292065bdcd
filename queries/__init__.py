"""Every read query the dashboard runs: named functions, bound parameters, pandas DataFrames out.

`import queries; queries.issues_page(db, f, …)`. `db` is a database file (each call opens a
short read-only connection) or a `queries.Reader` shared by the queries of one page render. The functions
live in one module per page (overview, issues, deadlines, quality, ledger, scores, common; lineage: a
problem over time) over what they share (base); `__all__` lists the public API.
"""

from queries.base import (
    AGING_BUCKETS,
    DONE,
    LIGHTS,
    OTHER,
    STATUS_LABELS,
    UNKNOWN,
    Db,
    Filters,
    Reader,
)
from queries.common import common_groups, common_members
from queries.deadlines import (
    deadline_points,
    deadline_rows,
    deadline_summary,
    due_soon,
    overdue_buckets,
    overdue_issues,
)
from queries.imports import replaced_reports
from queries.issues import (
    issues_count,
    issues_page,
    unit_figures,
    unit_issues,
    unit_reports,
)
from queries.ledger import ledger_rows, light_issues
from queries.lineage import issue_history, unit_timeline
from queries.overview import (
    category_options,
    figures_by_unit,
    key_figures,
    overview_counts,
    report_options,
    status_by_category,
    status_by_unit,
    status_split,
)
from queries.quality import (
    issue_detail,
    issue_overrides_newest_first,
    issue_search,
    orphaned_overrides,
    recent_overrides,
    report_counts,
    warnings_list,
    weak_issues,
    weak_issues_count,
)
from queries.scores import unit_scores

__all__ = [
    "AGING_BUCKETS",
    "DONE",
    "LIGHTS",
    "OTHER",
    "STATUS_LABELS",
    "UNKNOWN",
    "Db",
    "Filters",
    "Reader",
    "category_options",
    "common_groups",
    "common_members",
    "deadline_points",
    "deadline_rows",
    "deadline_summary",
    "due_soon",
    "figures_by_unit",
    "issue_detail",
    "issue_history",
    "issue_overrides_newest_first",
    "issue_search",
    "issues_count",
    "issues_page",
    "key_figures",
    "ledger_rows",
    "light_issues",
    "orphaned_overrides",
    "overdue_buckets",
    "overdue_issues",
    "overview_counts",
    "recent_overrides",
    "replaced_reports",
    "report_counts",
    "report_options",
    "status_by_category",
    "status_by_unit",
    "status_split",
    "unit_figures",
    "unit_issues",
    "unit_reports",
    "unit_scores",
    "unit_timeline",
    "warnings_list",
    "weak_issues",
    "weak_issues_count",
]
