"""The dashboard's pages, in navigation order: read by app.py (st.navigation), the tests and bench.

Adding a page = one line here + its script in views/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    script: str  # path from the project root, e.g. "views/unit.py"
    title: str  # the navigation label, and the st.title the page prints
    icon: str
    url_path: str = ""  # "" only for the default page, which lives at "/"
    default: bool = False

    @property
    def slug(self) -> str:
        """A short name for files and logs (the url_path, or the script's stem for the default page)."""
        return self.url_path or self.script.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[Page, ...] = (
    # The default page lives at "/" (a url_path would only make "/overview" a "page not found").
    Page("views/overview.py", "总览", ":material/dashboard:", default=True),
    Page("views/unit.py", "单位", ":material/account_balance:", "unit"),
    Page("views/deadlines.py", "时限", ":material/schedule:", "deadlines"),
    Page("views/issues.py", "问题清单", ":material/list_alt:", "issues"),
    Page("views/scores.py", "评分", ":material/leaderboard:", "scores"),
    Page("views/common.py", "共性问题", ":material/hub:", "common"),
    Page("views/importer.py", "导入", ":material/upload_file:", "import"),
    Page("views/quality.py", "数据质量", ":material/rule:", "quality"),
)
