"""The command line: `python -m loaders ingest|parse|override|withdraw|overrides` (plain English, no
tracebacks)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from loaders.models import STATUSES
from loaders.writer import accept, ingest, overrides, store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _build_parser() -> argparse.ArgumentParser:
    db_help = "the DuckDB database file (default: paths.database in config.yaml, data/rectification.duckdb)"
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Read rectification-progress reports (巡视整改进展情况的通报) into the dashboard's "
        "database, and record supervisors' corrections.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="read report files and folders into the database",
                       description="Read report files (.txt .html .htm .docx .pdf) and folders (searched "
                       "recursively) into the database. Files already stored (same content) are skipped "
                       "without parsing; a changed file replaces its earlier version. Exit code 1 if any "
                       "file failed, 2 if a path does not exist.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: data/reports)")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--workers", type=_positive_int, help="parallel parser processes (default: CPU count)")
    p.add_argument("--no-progress", action="store_true", help="do not draw the progress bar on stderr")

    p = sub.add_parser("parse", help="parse one file and print what was found",
                       description="Parse one report file without touching the database. With --json, "
                       "print a JSON array with one object per report found (shape documented in README.md).")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the reports as JSON (UTF-8, indented)")

    p = sub.add_parser("override", help="correct the status of one issue (kept with author, time and note)",
                       description="Record a supervisor's correction of an issue's status. Corrections are "
                       "never edited or deleted: a new one supersedes the previous one, and all are kept.")
    p.add_argument("issue_key", metavar="ISSUE_KEY", help="the issue's key (shown in the dashboard)")
    p.add_argument("status", metavar="STATUS", help="one of: " + ", ".join(STATUSES))
    p.add_argument("--author", required=True, help="who makes the correction (required)")
    p.add_argument("--note", help="why (optional)")
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser("withdraw", help="withdraw a mistaken correction (kept in the history)",
                       description="Withdraw a supervisor's correction by its id (see `overrides`). "
                       "Nothing is deleted: a new record supersedes it, and the issue's status falls back to "
                       "its previous correction, or to the parsed status.")
    p.add_argument("override_id", type=_positive_int, metavar="OVERRIDE_ID",
                   help="the id of the correction")
    p.add_argument("--author", required=True, help="who withdraws it (required)")
    p.add_argument("--note", required=True, help="why it was wrong (required)")
    p.add_argument("--db", type=Path, help=db_help)

    p = sub.add_parser("overrides", help="list the history of corrections",
                       description="List supervisors' corrections, oldest first. Orphaned corrections (whose "
                       "issue is no longer in the database) are marked.")
    p.add_argument("--issue", metavar="ISSUE_KEY", help="only the corrections of this issue")
    p.add_argument("--orphaned", action="store_true", help="only corrections whose issue no longer exists")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--db", type=Path, help=db_help)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = args.paths or [ingest.default_reports_dir()]
    try:
        summary = ingest.ingest_paths(paths, args.db, workers=args.workers, progress=not args.no_progress)
    except ingest.MissingPathError as exc:
        _err(str(exc))
        return EXIT_USAGE
    for line in summary.lines():
        print(line)
    try:
        counts = store.table_counts(args.db)
        print(f"Database {args.db or store.default_db()} now holds {counts['files']} files, "
              f"{counts['reports']} reports, {counts['issues']} issues.")
    except store.DatabaseMissingError:
        print("Nothing was stored: the database was not created.")
    return EXIT_FAILED if summary.failures else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one file and print what was found; exit 1 (with the reason) when ingest would refuse it, so a
    script can tell; what was found is printed all the same. The decision is accept.judge_path's, the one
    ingest and 导入 make."""
    if not args.file.is_file():
        _err(f"Not a file: {args.file}" if args.file.exists() else f"No such file: {args.file}")
        return EXIT_FAILED
    verdict = accept.judge_path(str(args.file))  # a file too big is refused from its size, never read
    why = verdict.reason.en if verdict.reason is not None else ""
    if verdict.found is None:  # it could not be read or parsed
        _err(f"Could not parse {args.file}: {why}")
        if args.json and verdict.code == "too_large":
            print("[]")
        return EXIT_FAILED
    if args.json:
        print(json.dumps([r.to_json() for r in verdict.found], ensure_ascii=False, indent=2))
    else:
        for r in verdict.found:
            print(f"{r.part}\t{r.unit}\t{r.published_on or '(no date)'}\t{len(r.issues)} issues"
                  f"\t{len(r.warnings)} warnings\t{r.title or '(no title)'}")
    if not verdict.accepted:
        _err(f"{args.file}: ingest would not store it: {why.removeprefix(f'{args.file.name}: ')}")
        return EXIT_FAILED
    return EXIT_OK


def cmd_override(args: argparse.Namespace) -> int:
    row = overrides.add_override(args.db, args.issue_key, args.status, args.note, args.author)
    print(f"Recorded override #{row.override_id}: issue {row.issue_key} is now {row.status} "
          f"(by {row.author} at {row.created_at:%Y-%m-%d %H:%M:%S}).")
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    row = overrides.withdraw_override(args.db, args.override_id, args.note, args.author)
    print(f"Recorded withdrawal #{row.override_id} of override #{row.ref_id} on issue {row.issue_key} "
          f"(by {row.author} at {row.created_at:%Y-%m-%d %H:%M:%S}).")
    return EXIT_OK


def cmd_overrides(args: argparse.Namespace) -> int:
    rows = overrides.overrides_oldest_first(args.db, args.issue)
    orphaned = {o.override_id for o in overrides.orphaned_overrides(args.db)}
    withdrawn = overrides.withdrawn_ids(args.db)
    if args.orphaned:
        rows = [o for o in rows if o.override_id in orphaned]
    if args.json:
        print(json.dumps([{**o.to_json(), "orphaned": o.override_id in orphaned,
                           "withdrawn_by": withdrawn.get(o.override_id)} for o in rows],
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("No overrides.")
    for o in rows:
        marks = []
        if o.kind == overrides.WITHDRAWAL:
            marks.append(f"(withdraws #{o.ref_id})")
        elif o.kind == overrides.CARRY:
            marks.append(f"(carried from #{o.ref_id}: its issue's title was edited in a new version)")
        if o.override_id in withdrawn:
            marks.append(f"(withdrawn by #{withdrawn[o.override_id]})")
        if o.override_id in orphaned:
            marks.append("(orphaned: issue no longer in the database)")
        mark = "".join(f"\t{m}" for m in marks)
        print(f"#{o.override_id}\t{o.created_at:%Y-%m-%d %H:%M:%S}\t{o.issue_key}\t{o.status or '-'}"
              f"\t{o.author}\t{o.note or ''}{mark}")
    return EXIT_OK


COMMANDS = {"ingest": cmd_ingest, "parse": cmd_parse, "override": cmd_override, "withdraw": cmd_withdraw,
            "overrides": cmd_overrides}


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except store.StoreError as exc:  # includes bad overrides, a busy or missing database
        _err(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. `... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("Interrupted: files written before the interruption are stored; run the command again.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
