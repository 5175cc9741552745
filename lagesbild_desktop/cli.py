"""The `lagesbild` command: the GUI by default, and sub-commands for scripted work."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lagesbild_desktop import __version__, config

log = logging.getLogger("lagesbild")

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE = 0, 1, 2
MAX_REJECTIONS_SHOWN = 20


class UserError(Exception):
    """A problem to report to the user in Swedish (and to the log in English)."""

    def __init__(self, message_en: str, message_sv: str, status: int = EXIT_UNUSABLE) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.status = status


def add_db(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    # Sub-commands suppress the default so `lagesbild --db X list` keeps X.
    parser.add_argument("--db", type=Path, default=default,
                        help="database file (default: lagesbild.db in the user data folder)")


def add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filter")
    group.add_argument("--from", dest="date_from", metavar="DATE",
                       help="first day (YYYY-MM-DD), local time")
    group.add_argument("--to", dest="date_to", metavar="DATE",
                       help="last day, included (YYYY-MM-DD)")
    group.add_argument("--category", action="append", default=[], metavar="CODE",
                       help="category code or Swedish label, with its sub-categories (repeatable)")
    group.add_argument("--municipality", action="append", default=[], metavar="NAME",
                       help="municipality or area name, with the areas inside it (repeatable)")
    group.add_argument("--status", action="append", default=[], metavar="CODE")
    group.add_argument("--min-severity", type=int, metavar="N")
    group.add_argument("--org", action="append", default=[], metavar="NAME",
                       help="owning organisation (repeatable)")
    group.add_argument("--text", default="", metavar="WORDS",
                       help="free text; every word must occur, as a word prefix")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lagesbild",
        description="Lägesbild Desktop: the shared situational picture of municipality "
                    "and police. With no command, the window opens.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_db(parser, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the window (the default)")
    add_db(gui)
    gui.add_argument("--screenshot", type=Path, metavar="FILE.png",
                     help="wait until the map has drawn, save the window, print the number "
                          "of blocked remote requests and exit")
    gui.add_argument("--language", choices=["sv", "en"], default="sv")

    demo = commands.add_parser("demo", help="build a demo database of Västra Mälardalen")
    add_db(demo)
    demo.add_argument("--observations", type=int, default=5000, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--force", action="store_true", help="replace an existing file")

    listing = commands.add_parser("list", help="list observations")
    add_db(listing)
    add_filters(listing)
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.add_argument("--limit", type=int, default=None, help="at most this many rows")

    export = commands.add_parser("export", help="export observations as CSV or GeoJSON")
    add_db(export)
    add_filters(export)
    export.add_argument("--format", choices=["csv", "geojson"], required=True)
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    imp = commands.add_parser("import", help="import observations from CSV or GeoJSON")
    add_db(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--columns", default="", metavar="MAP",
                     help="map other headers: 'Händelse=kategori,Lat=latitud,...'")
    return parser


def database_path(args: argparse.Namespace) -> Path:
    return args.db or config.default_database()


def open_db(args: argparse.Namespace, *, create: bool = False) -> Any:
    from lagesbild_desktop.db.engine import DatabaseProblem, open_database

    path = database_path(args)
    try:
        return open_database(path, create=create)
    except DatabaseProblem as problem:
        raise UserError(str(problem), problem.message_sv) from problem


def make_filter(db: Any, args: argparse.Namespace) -> Any:
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.domain.periods import parse_local
    from lagesbild_desktop.services import lookups

    try:
        start = parse_local(args.date_from) if args.date_from else None
        end = parse_local(args.date_to, end=True) if args.date_to else None
    except ValueError as error:
        raise UserError(f"bad date: {error}",
                        f"Felaktigt datum: {error}. Skriv ÅÅÅÅ-MM-DD.") from error
    try:
        return ObservationFilter(
            period_from=start, period_to=end,
            categories=lookups.resolve_categories(db, args.category),
            area_ids=lookups.resolve_areas(db, args.municipality),
            statuses=frozenset(args.status),
            min_severity=args.min_severity,
            owner_org_ids=lookups.resolve_organisations(db, args.org),
            text=args.text,
        )
    except lookups.UnknownName as error:
        raise UserError(str(error), error.message_sv) from error


def cmd_gui(args: argparse.Namespace) -> int:
    from lagesbild_desktop.ui.app import run_gui

    return run_gui(database_path(args), screenshot=getattr(args, "screenshot", None),
                   language=getattr(args, "language", "sv"))


def cmd_demo(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.demo import build_demo

    path = database_path(args)
    if path.exists() and not args.force:
        raise UserError(f"{path} exists; use --force to replace it",
                        f"{path} finns redan. Använd --force för att ersätta den.")
    summary = build_demo(path, observations=args.observations, seed=args.seed,
                         replace=args.force)
    print(summary)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.exchange import observation_record
    from lagesbild_desktop.services.observations import iter_observations

    db = open_db(args)
    f = make_filter(db, args)
    for shown, view in enumerate(iter_observations(db, f)):
        if args.limit is not None and shown >= args.limit:
            break
        if args.format == "json":
            print(json.dumps(observation_record(view), ensure_ascii=False))
        else:
            when = view.occurred_from.astimezone().strftime("%Y-%m-%d %H:%M")
            print(f"{when}  {view.category_label[:28]:28}  {view.municipality[:14]:14}  "
                  f"{view.severity}  {view.place_name[:30]:30}  {view.id}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.exchange import ExportFailed, export_observations
    from lagesbild_desktop.services.installation import actor_for

    db = open_db(args)
    try:
        count = export_observations(db, make_filter(db, args), args.format, args.output,
                                    actor=actor_for(db))
    except ExportFailed as error:
        raise UserError(str(error), error.message_sv) from error
    print(f"{count} iakttagelser exporterade till {args.output}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services import exchange
    from lagesbild_desktop.services.installation import actor_for, has_catalogue, prepare

    db = open_db(args, create=True)
    if not has_catalogue(db):
        prepare(db)
    actor = actor_for(db)
    try:
        columns = exchange.parse_column_map(args.columns)
        result = exchange.import_observations(db, actor, args.file, columns=columns)
    except exchange.UnusableFile as error:
        raise UserError(str(error), error.message_sv) from error
    if result.ignored_columns:
        print("Kolumner som inte lästes: " + ", ".join(result.ignored_columns), file=sys.stderr)
    for row in result.rejected[:MAX_REJECTIONS_SHOWN]:
        print(f"rad {row.line}: {row.reason_sv}", file=sys.stderr)
    if len(result.rejected) > MAX_REJECTIONS_SHOWN:
        print(f"… och {len(result.rejected) - MAX_REJECTIONS_SHOWN} rader till "
              f"(alla står i loggen {config.log_file()})", file=sys.stderr)
    for row in result.rejected:
        log.info("rejected line %s: %s", row.line, row.reason_en)
    print(f"{result.imported} importerade, {result.duplicates} fanns redan, "
          f"{len(result.rejected)} avvisade")
    return EXIT_PARTIAL if result.rejected else EXIT_OK


COMMANDS = {
    None: cmd_gui, "gui": cmd_gui, "demo": cmd_demo, "list": cmd_list,
    "export": cmd_export, "import": cmd_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config.setup_logging(verbose=args.verbose)
    try:
        return COMMANDS[args.command](args)
    except UserError as error:
        log.error("%s", error)
        print(f"lagesbild: {error.message_sv}", file=sys.stderr)
        return error.status
    except (PermissionError, LookupError) as error:  # NotPermitted, RecordNotFound
        log.error("%s", error)
        print(f"lagesbild: {getattr(error, 'message_sv', error)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
