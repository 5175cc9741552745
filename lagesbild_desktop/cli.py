"""The `lagesbild` command: the GUI by default, and sub-commands for scripted work."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
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


def add_mbtiles(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mbtiles", type=Path, metavar="FILE.mbtiles",
                        help="raster tiles for the maps' background (default: borders only)")


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


STATS_JSON_HELP = """\
--format json prints one object:
  compiled_on      the day it was compiled (YYYY-MM-DD)
  filter           the filter as given (ids, codes, ISO 8601 times)
  periods          current, previous (same length, just before), last_year (shifted
                   52 weeks so weekdays line up) and trend: each {from, to, first_day,
                   last_day}, half-open [from, to) in local time
  total, categories (top level, sub-categories included), subcategories (each code,
  with its parent), municipalities, areas (as recorded; key null = outside every area):
                   rows {key, label, current, previous, last_year, change_previous,
                   change_previous_pct, change_last_year, change_last_year_pct};
                   a percentage is null when the earlier count is 0
  weekday_hour     {weekdays (Monday first), hours 0-23, counts[7][24], weekday_totals,
                   hour_totals}, local time (Europe/Stockholm)
  trend            52 ISO weeks ending with the period's: {week "2026-V48", week_start,
                   count, partial}
  summary          the largest increases, then decreases, against the previous period
                   (rows as above, with kind and direction; at least 5 in one period)
  hotspots         as `lagesbild hotspots --format json --no-ids`
  measures         {scope ("all", or "linked": only measures linked to an observation
                   the filter lets through when it restricts more than the period),
                   open_count, overdue_count, open: [{id, title, type, status, priority,
                   deadline, overdue, responsible_org_id, responsible_org,
                   responsible_contact, observation_count}]}
"""

HOTSPOTS_JSON_HELP = """\
--format json prints one object:
  method, cell_size_m (200), fdr_q (0.05), points (observations analysed),
  cells_tested (cells in the study area), significant_cells, hotspots_found
  hotspots         the top 10 by score: {rank, centre {lat, lon, northing, easting},
                   radius_m (circle around the centre covering its cells), cell_size_m,
                   cells [[easting, northing] of each cell's south-west corner, SWEREF
                   99 TM], place (the place name most of its observations give),
                   count, score (largest Gi* z), p_value, q_value (Benjamini-
                   Hochberg adjusted), significance ("99,9 %", "99 %", "95 %"),
                   confidence (0.999, 0.99, 0.95), observation_ids}
"""


PRIVACY_HELP = """\
--format json prints one object a line for each finding:
  from the database  {table, id, field, kind, start, end, text}
  from `-`           {kind, start, end, text}
kind is personnummer, samordningsnummer, phone, email or licence_plate; start and end
are character offsets (end excluded) in the field or in the whole input.

Exit status: 0 when nothing was found, 1 when something was found, 2 on bad use
(an unreadable database, an input that is not UTF-8, an argument other than `-`).
"""
EXIT_FOUND = 1

PERSONAL_DATA_HELP = """\
Personal data: the free text that goes into the file is scanned for identity numbers
(personnummer, samordningsnummer), phone numbers, e-mail addresses and licence plates.
Each finding is printed to standard error. Without --mask-personal-data or
--keep-personal-data nothing is written when something is found (exit status 1).
Masking changes the file only ("[personnummer]"), never the stored records.
"""


def add_personal_data(parser: argparse.ArgumentParser, verb: str = "write") -> None:
    """--mask-personal-data / --keep-personal-data; `verb` is what the command does with
    the text ("write" for an export, "store" for an import)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--mask-personal-data", dest="personal_data", action="store_const",
                       const="mask", default="refuse",
                       help=f"{verb} personal data found in the free text as labels such as "
                            "[personnummer]")
    group.add_argument("--keep-personal-data", dest="personal_data", action="store_const",
                       const="keep", help=f"{verb} personal data found unchanged")


IMPORT_PERSONAL_DATA_HELP = """\
Personal data: the free text of the rows to import (title, description, place, proposed
measure, tags) is scanned for identity numbers (personnummer, samordningsnummer), phone
numbers, e-mail addresses and licence plates, as on export. Each finding is printed to
standard error. Without --mask-personal-data or --keep-personal-data nothing is imported
when something is found (exit status 1).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lagesbild",
        description="Lägesbild Desktop: the shared situational picture of municipality "
                    "and police. With no command, the window opens.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_db(parser, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--login", metavar="NAME", default=None,
                        help="local account for an encrypted database (or LAGESBILD_USER)")
    parser.add_argument("--login-password-file", type=Path, metavar="FILE", default=None,
                        help="file whose first line is that account's password (or "
                             "LAGESBILD_PASSWORD; asked for when neither is given)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the window (the default)")
    add_db(gui)
    gui.add_argument("--screenshot", type=Path, metavar="FILE.png",
                     help="wait until the map has drawn, save the window, print the number "
                          "of blocked remote requests and exit")
    gui.add_argument("--language", choices=["sv", "en"], default=None,
                     help="the window's language for this run (default: the one chosen in "
                          "the program, Swedish)")

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

    export = commands.add_parser("export", help="export observations as CSV or GeoJSON",
                                 epilog=PERSONAL_DATA_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(export)
    add_filters(export)
    export.add_argument("--format", choices=["csv", "geojson"], required=True)
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    add_personal_data(export)

    stats = commands.add_parser(
        "stats", help="the lägesbild's numbers for the filters (counts, changes, trend)",
        description="The numbers of the lägesbild view for the chosen period and filters. "
                    "Without --from/--to the period is the last four whole weeks (Monday "
                    "to Sunday) before this week; with only --from it runs to the end of "
                    "today, with only --to it is the four weeks before.",
        epilog=STATS_JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(stats)
    add_filters(stats)
    stats.add_argument("--format", choices=["table", "json"], default="table")

    spots = commands.add_parser(
        "hotspots", help="hotspots of the filtered observations (Getis-Ord Gi*, 200 m grid)",
        description="The top 10 hotspots of the filtered observations in the period (the "
                    "same default period as `stats`): Getis-Ord Gi* on a 200 m grid in "
                    "SWEREF 99 TM, exact p-values, Benjamini-Hochberg FDR q = 0.05. The "
                    "method is described in docs/decisions.md.",
        epilog=HOTSPOTS_JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(spots)
    add_filters(spots)
    spots.add_argument("--format", choices=["table", "json"], default="table")
    spots.add_argument("--no-ids", action="store_true",
                       help="leave the observation ids out of the JSON")

    report = commands.add_parser(
        "report", help="the lägesbild as a PDF for the meeting and the council",
        description="Write the lägesbild for the period and filters as a PDF: summary, "
                    "statistics, weekday x hour, trend, hotspots, open measures and an "
                    "appendix, the map and the period's safety walks (without free text "
                    "and photos). Aggregated (no personal data) unless --annex adds the "
                    "internal list of the observations with their descriptions and the "
                    "walk protocols in full. The default period is the same as for "
                    "`stats`.",
        epilog=PERSONAL_DATA_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(report)
    add_filters(report)
    report.add_argument("--annex", action="store_true",
                        help="add the internal annex listing the observations")
    report.add_argument("--author", default="", help="the name printed as author")
    report.add_argument("--title", default="Lägesbild", help="the report's title")
    add_mbtiles(report)
    report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    add_personal_data(report)

    walk_report = commands.add_parser(
        "walk-report", help="the protocol of a safety walk as a PDF",
        description="Write the protocol of the safety walk WALK_ID as a PDF: the walk, its "
                    "participants, the route map with numbered stops, the findings with "
                    "ratings and photo thumbnails, and the measures with owner, priority and "
                    "deadline. The protocol holds free text and photos: it is internal.",
        epilog=PERSONAL_DATA_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(walk_report)
    walk_report.add_argument("walk_id", metavar="WALK_ID")
    add_mbtiles(walk_report)
    walk_report.add_argument("--author", default="", help="the name printed as author")
    walk_report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    add_personal_data(walk_report)

    imp = commands.add_parser(
        "import", help="import observations from CSV or GeoJSON",
        description="Import observations from a CSV or GeoJSON file. Rows that cannot be "
                    "imported are listed with their line (GeoJSON: feature) number; so are "
                    "warnings about rows that were. A position outside Sweden (Sweden and a "
                    "margin of some 25 km), or with latitude and longitude swapped, rejects "
                    "its row unless --allow-outside-sweden. Exit status: 0 when every row "
                    "was imported, 1 when rows were rejected or personal data stopped the "
                    "import, 2 when the file cannot be read at all.",
        epilog=IMPORT_PERSONAL_DATA_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--columns", default="", metavar="MAP",
                     help="map other headers: 'Händelse=kategori,Lat=latitud,...'")
    imp.add_argument("--allow-outside-sweden", action="store_true",
                     help="import positions outside Sweden too (each is printed as a warning)")
    add_personal_data(imp, verb="store")

    sync = commands.add_parser(
        "sync", help="exchange changes and photos with the sync server",
        description="Send this database's changes and photos to the server and fetch "
                    "everyone else's. Exit status: 0 when everything was exchanged, 1 when "
                    "something is left (changes the server refused, photos not sent), 3 when "
                    "the server could not be reached or refused the sign-in; the next run "
                    "continues where this one stopped.")
    add_db(sync)
    sync.add_argument("--server", required=True, metavar="URL",
                      help="the server's address, e.g. https://lagesbild.example.se")
    sync.add_argument("--user", required=True, metavar="NAME", help="user name on the server")
    sync.add_argument("--password-file", type=Path, required=True, metavar="FILE",
                      help="file whose first line is the password (it is not stored)")

    privacy = commands.add_parser(
        "privacy-scan", help="find personal data in the free text (identity numbers, "
                             "phone numbers, e-mail addresses, licence plates)",
        description="Scan the free text of every live record (observations, walks, "
                    "measures, photo file names) for personnummer and samordningsnummer "
                    "(with the Luhn check), phone numbers, e-mail addresses and licence "
                    "plates; with `-`, scan standard input instead. The rules are in "
                    "docs/decisions.md (Privacy guard).",
        epilog=PRIVACY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(privacy)
    privacy.add_argument("--format", choices=["text", "json"], default="text")
    privacy.add_argument("source", nargs="?", metavar="-",
                         help="`-` to scan standard input instead of the database")

    encrypt = commands.add_parser(
        "encrypt", help="encrypt a plain database (SQLCipher) and its photos",
        description="Encrypt the database in place with a new random key, wrapped for the "
                    "signed-in administrator (--login). The plain file is kept until the "
                    "encrypted one has been checked, then deleted. Other accounts open it "
                    "once an administrator has set their password (set-password).")
    add_db(encrypt)

    password = commands.add_parser(
        "set-password", help="set a local account's password (administrators: anyone's)",
        description="Set the password of ACCOUNT: your own, or anyone's as administrator. "
                    "The new password is read from --new-password-file or asked for.")
    add_db(password)
    password.add_argument("account", metavar="ACCOUNT")
    password.add_argument("--new-password-file", type=Path, metavar="FILE")

    from lagesbild_desktop import audit_command, rekey_command, retention_command

    photos = commands.add_parser(
        "photo-metadata", help="what photos keep of their metadata (EXIF) when added",
        description="Photos lose their metadata (position, time, camera, owner, preview) "
                    "when they are added, so the photo that is stored, shared and exported "
                    "holds none of it; the orientation is always kept. Without --keep the "
                    "current choice is printed.")
    add_db(photos)
    photos.add_argument("--keep", metavar="WHAT",
                        help="'none' (the default), 'time', 'gps' or 'time,gps': applies to "
                             "photos added from now on")
    photos.add_argument("--strip-stored", action="store_true",
                        help="also remove the metadata from photos stored before (each gets "
                             "a new hash; the change syncs to the server and other devices)")
    retention_command.add_parser(commands)
    audit_command.add_parser(commands)
    rekey_command.add_parser(commands)
    from lagesbild_desktop import backup_command

    backup_command.add_parser(commands)
    return parser


def database_path(args: argparse.Namespace) -> Path:
    return args.db or config.default_database()


def credentials(args: argparse.Namespace) -> tuple[str, str]:
    """The local account and its password: options, then the environment, then a prompt.

    For `sync`, the server account stands in (the same person, usually the same password).
    """
    import getpass
    import os

    user = args.login or os.environ.get("LAGESBILD_USER") or getattr(args, "user", None)
    if args.login_password_file is not None:
        password = _read_password(args.login_password_file)
    elif "LAGESBILD_PASSWORD" in os.environ:
        password = os.environ["LAGESBILD_PASSWORD"]
    elif getattr(args, "password_file", None) is not None and not args.login:
        password = _read_password(args.password_file)
    elif sys.stdin.isatty():
        user = user or input("Användarnamn: ")
        password = getpass.getpass("Lösenord: ")
    else:
        password = ""
    if not user:
        raise UserError("the database is encrypted; give --login NAME",
                        "Databasen är krypterad. Ange kontot med --login NAMN (och lösenordet "
                        "med --login-password-file FIL).")
    return user, password


def open_db(args: argparse.Namespace, *, create: bool = False) -> Any:
    """Open the database; an encrypted one as the signed-in account (`args.signed_in`)."""
    from lagesbild_desktop.db import keyfile
    from lagesbild_desktop.db.engine import DatabaseProblem, open_database
    from lagesbild_desktop.services import accounts

    path = database_path(args)
    args.signed_in = None
    try:
        if keyfile.is_encrypted(path):
            user, password = credentials(args)
            db, args.signed_in = accounts.open_and_sign_in(path, user, password)
            return db
        return open_database(path, create=create)
    except DatabaseProblem as problem:
        raise UserError(str(problem), problem.message_sv) from problem
    except accounts.LoginFailed as failed:
        raise UserError(str(failed), failed.message_sv) from failed


def acting_user(args: argparse.Namespace, db: Any) -> Any:
    """The signed-in account of an encrypted database; on a plain one, as before login."""
    from lagesbild_desktop.services.installation import actor_for

    signed = getattr(args, "signed_in", None)
    return signed.actor if signed is not None else actor_for(db)


def period_bounds(args: argparse.Namespace) -> tuple[Any, Any]:
    """--from and --to as local times (both days included); UserError when malformed."""
    from lagesbild_desktop.domain.periods import parse_local

    try:
        start = parse_local(args.date_from) if args.date_from else None
        end = parse_local(args.date_to, end=True) if args.date_to else None
    except ValueError as error:
        raise UserError(f"bad date: {error}",
                        f"Felaktigt datum: {error}. Skriv ÅÅÅÅ-MM-DD.") from error
    return start, end


def make_filter(db: Any, args: argparse.Namespace) -> Any:
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.services import lookups

    start, end = period_bounds(args)
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
    from lagesbild_desktop import crash_log
    from lagesbild_desktop.ui.app import run_gui

    crashed = crash_log.start()  # this process's fatal errors go to the crash log
    return run_gui(database_path(args), screenshot=getattr(args, "screenshot", None),
                   language=getattr(args, "language", None), last_crash=crashed)


def cmd_demo(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.demo import build_demo

    path = database_path(args)
    if path.exists() and not args.force:
        raise UserError(f"{path} exists; use --force to replace it",
                        f"{path} finns redan. Använd --force för att ersätta den.")
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.services import accounts

    summary = build_demo(path, observations=args.observations, seed=args.seed,
                         replace=args.force)
    db = open_database(path, create=False)
    try:
        accounts.set_demo_passwords(db)
    finally:
        db.close()
    print(summary)
    print(f"Demokonton: {accounts.DEMO_USER} (och de andra) med lösenordet "
          f"{accounts.DEMO_PASSWORD!r}. Demodatabasen är inte krypterad.")
    return EXIT_OK


def cmd_encrypt(args: argparse.Namespace) -> int:
    from lagesbild_desktop.db.engine import DatabaseProblem
    from lagesbild_desktop.services import accounts

    path = database_path(args)
    if not path.exists():
        raise UserError(f"no database at {path}", f"Det finns ingen databas i {path}.")
    user, password = credentials(args)
    try:
        keys = accounts.encrypt_existing(path, user, password)
    except DatabaseProblem as problem:
        raise UserError(str(problem), problem.message_sv) from problem
    except accounts.LoginFailed as failed:
        raise UserError(str(failed), failed.message_sv) from failed
    print(f"{path} är krypterad. Nyckelfilen {keys.name} ska ligga kvar bredvid den; "
          "utan den och ett lösenord går databasen inte att öppna.")
    return EXIT_OK


def cmd_set_password(args: argparse.Namespace) -> int:
    import getpass

    from lagesbild_desktop.services import accounts

    db = open_db(args)
    try:
        if args.signed_in is None and not accounts.needs_first_user(db):
            # A plain database: changing a password still needs a signed-in account.
            args.signed_in = accounts.authenticate(db, *credentials(args))
        actor = acting_user(args, db)
        if args.new_password_file is not None:
            new = _read_password(args.new_password_file)
        else:
            new = getpass.getpass(f"Nytt lösenord för {args.account}: ")
        accounts.set_password(db, actor, args.account, new)
    except accounts.LoginFailed as failed:
        raise UserError(str(failed), failed.message_sv) from failed
    finally:
        db.close()
    print(f"Lösenordet för {args.account} är ändrat.")
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


def guard_personal_data(args: argparse.Namespace, write: Callable[[str], Any]) -> Any:
    """Run `write(choice)` asking it to refuse personal data; when it finds some, print
    the findings to standard error and write again as --mask/--keep-personal-data say
    (without either: exit status 1, nothing written)."""
    from lagesbild_desktop.services.export_privacy import PersonalDataFound

    try:
        return write("refuse")
    except PersonalDataFound as found:
        for finding in found.findings:
            print(f"personal data: {finding.line_en()}", file=sys.stderr)
        if args.personal_data == "refuse":
            raise UserError(
                f"{len(found.findings)} personal data findings; nothing written",
                f"Exporten innehåller personuppgifter ({len(found.findings)} fynd, se "
                "ovan). Inget har skrivits. Välj --mask-personal-data (maskera i filen) "
                "eller --keep-personal-data (exportera oförändrat).",
                EXIT_FOUND) from found
        print(f"{len(found.findings)} personal data findings "
              f"{'masked in the file' if args.personal_data == 'mask' else 'kept unchanged'}",
              file=sys.stderr)
        return write(args.personal_data)


def refused(error: PermissionError, what_en: str, what_sv: str) -> UserError:
    role = getattr(error, "role", "?")
    return UserError(f"role {role} may not {what_en}",
                     f"Din roll ({role_sv(role)}) har inte behörighet att {what_sv}.")


def role_sv(role: str) -> str:
    from lagesbild_desktop.domain.catalogue import ROLES

    return next((label.sv.lower() for label in ROLES if label.code == role), role)


def cmd_export(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.exchange import ExportFailed, export_observations
    from lagesbild_desktop.services.permissions import NotPermitted

    db = open_db(args)
    f, actor = make_filter(db, args), acting_user(args, db)
    try:
        count = guard_personal_data(args, lambda choice: export_observations(
            db, f, args.format, args.output, actor=actor, personal_data=choice))
    except ExportFailed as error:
        raise UserError(str(error), error.message_sv) from error
    except NotPermitted as error:
        raise refused(error, "export observations", "exportera iakttagelser") from error
    print(f"{count} iakttagelser exporterade till {args.output}")
    return EXIT_OK


def _lagesbild_filter(args: argparse.Namespace) -> tuple[Any, Any]:
    db = open_db(args)
    return db, make_filter(db, args)


def cmd_stats(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services import lagesbild

    db, f = _lagesbild_filter(args)
    try:
        picture = lagesbild.compile_lagesbild(db, f)
    except lagesbild.BadPeriod as error:
        raise UserError(str(error), error.message_sv) from error
    if args.format == "json":
        print(json.dumps(picture.to_json(), ensure_ascii=False))
    else:
        print(stats_table(picture))
    return EXIT_OK


def cmd_hotspots(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services import lagesbild

    db, f = _lagesbild_filter(args)
    try:
        analysis = lagesbild.analyse_hotspots(db, f)
    except lagesbild.BadPeriod as error:
        raise UserError(str(error), error.message_sv) from error
    if args.format == "json":
        print(json.dumps(analysis.to_json(with_ids=not args.no_ids), ensure_ascii=False))
    else:
        print(hotspot_table(analysis))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report
    from lagesbild_desktop.services import lagesbild

    db, f = _lagesbild_filter(args)
    _check_mbtiles(args.mbtiles)
    actor = acting_user(args, db)
    return _write_pdf(args.output, lambda: guard_personal_data(
        args, lambda choice: write_lagesbild_report(
            db, f, args.output, annex=args.annex, author=args.author, title=args.title,
            municipalities=args.municipality, tiles_path=args.mbtiles,
            store=config.attachments_dir(db.path), actor=actor, personal_data=choice)),
        lagesbild.BadPeriod)


def _write_pdf(output: Path, write: Callable[[], object],
               *refusals: type[Exception]) -> int:
    """Write a PDF; `refusals` (with a message_sv) and file errors become UserErrors."""
    from lagesbild_desktop.services.permissions import NotPermitted

    try:
        write()
    except NotPermitted as error:  # a PermissionError, so an OSError: before those
        raise refused(error, "write reports", "skriva ut rapporter") from error
    except refusals as error:
        raise UserError(str(error), error.message_sv) from error  # type: ignore[attr-defined]
    except OSError as error:
        raise UserError(f"cannot write {output}: {error}",
                        f"Kan inte skriva {output}: {error.strerror or error}") from error
    print(output)
    return EXIT_OK


def _check_mbtiles(path: Path | None) -> None:
    """Fail before any work when the base map given cannot be read."""
    from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError

    if path is not None:
        try:
            MBTiles(path).close()
        except MBTilesError as error:
            raise UserError(str(error), error.message_sv) from error


def cmd_walk_report(args: argparse.Namespace) -> int:
    from lagesbild_desktop.maps.mbtiles import MBTilesError
    from lagesbild_desktop.reports.walk_protocol import write_walk_protocol
    from lagesbild_desktop.services.walk_protocol import UnknownWalk

    db = open_db(args)
    actor = acting_user(args, db)
    return _write_pdf(args.output, lambda: guard_personal_data(
        args, lambda choice: write_walk_protocol(
            db, args.walk_id, args.output, store=config.attachments_dir(db.path),
            tiles_path=args.mbtiles, author=args.author, actor=actor,
            personal_data=choice)), UnknownWalk, MBTilesError)


def _number(value: float | None, decimals: int = 0, sign: bool = False) -> str:
    """Swedish style: thousands grouped with a space, decimal comma."""
    if value is None:
        return "–"
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def _percent(value: float | None) -> str:
    return "–" if value is None else _number(value, 1, sign=True) + " %"


def _count_lines(title: str, rows: Sequence[Any]) -> list[str]:
    lines = [f"{title:32} {'perioden':>9} {'föreg.':>8} {'förändr.':>9} {'%':>9} "
             f"{'fjol':>8} {'förändr.':>9} {'%':>9}"]
    for r in rows:
        lines.append(
            f"{r.label[:32]:32} {_number(r.current):>9} {_number(r.previous):>8} "
            f"{_number(r.change_previous, sign=True):>9} {_percent(r.change_previous_pct):>9} "
            f"{_number(r.last_year):>8} {_number(r.change_last_year, sign=True):>9} "
            f"{_percent(r.change_last_year_pct):>9}")
    return lines


def _days(period: Any) -> str:
    return f"{period.start.date().isoformat()} – {period.last_day.isoformat()}"


def stats_table(picture: Any) -> str:
    """The lägesbild as readable Swedish text for a terminal."""
    s = picture.statistics
    p = s.periods
    out = [f"Lägesbild {_days(p.current)}",
           f"jämfört med föregående period {_days(p.previous)} och samma period i fjol "
           f"{_days(p.last_year)}", ""]
    out += _count_lines("Totalt", [s.total]) + [""]
    if s.summary:
        out.append("Sammanfattning (störst förändring mot föregående period)")
        for item in s.summary:
            word = "ökning" if item.direction == "increase" else "minskning"
            r = item.row
            out.append(f"  {word:10} {r.label}: {_number(r.previous)} → {_number(r.current)} "
                       f"({_number(r.change_previous, sign=True)}, "
                       f"{_percent(r.change_previous_pct)})")
        out.append("")
    out += _count_lines("Kategori", s.categories) + [""]
    out += _count_lines("Kommun", s.municipalities) + [""]
    out += _count_lines("Område", s.areas) + [""]
    out.append("Veckodag × timme (lokal tid)")
    out.append("     " + "".join(f"{h:>5}" for h in range(24)) + "  summa")
    for name, row, total in zip(("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
                                s.weekday_hour.counts, s.weekday_hour.weekday_totals,
                                strict=True):
        out.append(f"{name:5}" + "".join(f"{c:>5}" for c in row) + f"  {total:>5}")
    out.append("")
    out.append("Trend, 52 veckor")
    peak = max((w.count for w in s.trend), default=0) or 1
    for w in s.trend:
        bar = "█" * round(40 * w.count / peak)
        out.append(f"  {w.label}{'*' if w.partial else ' '} {_number(w.count):>7}  {bar}")
    if any(w.partial for w in s.trend):
        out.append("  * veckan är inte hel i perioden")
    out.append("")
    out.append(hotspot_table(picture.hotspots))
    out.append("")
    from lagesbild_desktop.domain.catalogue import MEASURE_STATUSES

    status_sv = {label.code: label.sv for label in MEASURE_STATUSES}
    scope = "" if picture.measures_scope == "all" else " (kopplade till filtrets iakttagelser)"
    out.append(f"Åtgärder{scope}: {len(picture.open_measures)} öppna, "
               f"{len(picture.overdue_measures)} försenade")
    for m in picture.open_measures:
        deadline = m.deadline.isoformat() if m.deadline else "ingen"
        late = "  FÖRSENAD" if m.overdue else ""
        org = picture.organisations.get(m.responsible_org_id or "", "")
        out.append(f"  {m.title[:48]:48} {org[:28]:28} {deadline:10} "
                   f"{status_sv.get(m.status, m.status)}{late}")
    return "\n".join(out)


def hotspot_table(analysis: Any) -> str:
    out = [f"Hotspots (Getis-Ord Gi*, {analysis.cell_size_m:.0f} m-rutor, FDR q = "
           f"{_number(analysis.q, 2)}): {analysis.clusters} funna"
           f" bland {_number(analysis.points)} iakttagelser"]
    if not analysis.hotspots:
        out.append("  Inga signifikanta hotspots.")
    for h in analysis.hotspots:
        out.append(f"  {h.rank:>2}. {h.place[:34]:34} {h.centre_lat:.5f}, {h.centre_lon:.5f}  "
                   f"radie {_number(h.radius_m):>5} m  {_number(h.count):>6} iakttagelser  "
                   f"z = {_number(h.score, 1):>5}  {h.significance}")
    return "\n".join(out)


def cmd_import(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services import exchange
    from lagesbild_desktop.services.installation import has_catalogue, prepare

    db = open_db(args, create=True)
    if not has_catalogue(db):
        prepare(db)
    actor = acting_user(args, db)
    try:
        columns = exchange.parse_column_map(args.columns)
        result = exchange.import_observations(
            db, actor, args.file, columns=columns,
            allow_outside_sweden=args.allow_outside_sweden, personal_data=args.personal_data)
    except exchange.UnusableFile as error:
        raise UserError(str(error), error.message_sv) from error
    except exchange.ImportPersonalDataFound as found:
        for finding in found.findings:
            print(f"personuppgift: {finding.line_sv()}", file=sys.stderr)
        raise UserError(
            f"{len(found.findings)} personal data findings in {args.file}; nothing imported",
            f"Filen innehåller personuppgifter ({len(found.findings)} fynd, se ovan). Inget "
            "har importerats. Välj --mask-personal-data (maskera vid importen) eller "
            "--keep-personal-data (importera oförändrat).", EXIT_FOUND) from found
    if result.ignored_columns:
        print("Kolumner som inte lästes: " + ", ".join(result.ignored_columns), file=sys.stderr)
    _print_rows(result, result.rejected, "")
    _print_rows(result, result.warnings, "varning: ")
    if result.personal_data:
        for finding in result.personal_data:
            print(f"personuppgift: {finding.line_sv()}", file=sys.stderr)
        done = "maskerades" if args.personal_data == "mask" else "importerades oförändrade"
        print(f"{len(result.personal_data)} personuppgifter {done}.", file=sys.stderr)
    for row in result.rejected:
        log.info("rejected %s: %s", result.where_en(row.line), row.reason_en)
    print(f"{result.imported} importerade, {result.duplicates} fanns redan, "
          f"{len(result.rejected)} avvisade"
          + (f", {len(result.warnings)} varningar" if result.warnings else ""))
    return EXIT_PARTIAL if result.rejected else EXIT_OK


def _print_rows(result: Any, rows: list[Any], prefix: str) -> None:
    """Rejected rows or warnings on standard error, the first MAX_REJECTIONS_SHOWN."""
    for row in rows[:MAX_REJECTIONS_SHOWN]:
        print(f"{prefix}{result.where_sv(row.line)}: {row.reason_sv}", file=sys.stderr)
    if len(rows) > MAX_REJECTIONS_SHOWN:
        what = "objekt" if result.features else "rader"
        print(f"… och {len(rows) - MAX_REJECTIONS_SHOWN} {what} till "
              f"(alla står i loggen {config.log_file()})", file=sys.stderr)


EXIT_SERVER = 3


def _read_password(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read the password file {path}: {error}",
                        f"Kan inte läsa lösenordsfilen {path}.") from error
    return lines[0] if lines else ""


def cmd_sync(args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.sync import run_sync
    from lagesbild_desktop.sync.client import ServerAccount

    password = _read_password(args.password_file)
    db = open_db(args)
    try:
        account = ServerAccount(args.server, args.user, lambda: password)
        report = run_sync(db, config.attachments_dir(db.path), account)
    finally:
        db.close()
    print(f"Skickade {report.pushed} ändringar och {report.blobs_up} bilder, tog emot "
          f"{report.pulled} ändringar och {report.blobs_down} bilder.")
    if report.error is not None:
        log.error("sync failed: %s (%s)", report.error.message_en, report.error.code)
        print(f"lagesbild: {report.error.message_sv}", file=sys.stderr)
        return EXIT_SERVER
    left = []
    refused = report.rejected_after - report.held_after
    if refused:
        left.append(f"{refused} ändringar avvisades av servern och behöver åtgärdas")
    if report.held_after:
        left.append(f"{report.held_after} delade ändringar innehåller personuppgifter och "
                    "väntar under Synk → Behöver åtgärd (maskera dem eller skicka ändå)")
    if report.quarantined_after:
        left.append(f"{report.quarantined_after} mottagna ändringar kunde inte sparas och "
                    "väntar under Synk → Konflikter och avvisade ändringar")
    if report.pending_ops_after:
        left.append(f"{report.pending_ops_after} ändringar väntar på att skickas")
    if report.pending_blobs_after:
        left.append(f"{report.pending_blobs_after} bilder väntar på att skickas")
    left += [problem.message_sv for problem in report.problems]
    if left:
        print("lagesbild: " + "; ".join(dict.fromkeys(left)) + ".", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def cmd_privacy_scan(args: argparse.Namespace) -> int:
    from lagesbild_desktop.domain.privacy import KIND_SV, scan
    from lagesbild_desktop.services.privacy import scan_database

    if args.source not in (None, "-"):
        raise UserError(f"unknown input {args.source!r}; give `-` for standard input",
                        f"Okänd indata {args.source!r}. Skriv `-` för att läsa standard in.")
    found: Iterable[tuple[dict[str, str], Any]]
    if args.source == "-":
        try:
            text = sys.stdin.read()
        except UnicodeDecodeError as error:
            raise UserError(f"standard input is not UTF-8: {error}",
                            "Standard in är inte UTF-8-text.") from error
        found = (({}, f) for f in scan(text))
    else:
        found = (({"table": s.table, "id": s.row_id, "field": s.field}, s.finding)
                 for s in scan_database(open_db(args)))
    count = 0
    for where, f in found:
        count += 1
        if args.format == "json":
            print(json.dumps({**where, "kind": f.kind, "start": f.start, "end": f.end,
                              "text": f.text}, ensure_ascii=False))
        elif where:
            print(f"{where['table']:11} {where['id']:36}  {where['field']:19} "
                  f"{KIND_SV[f.kind]:19} {f.text}")
        else:
            print(f"tecken {f'{f.start}–{f.end}':13} {KIND_SV[f.kind]:19} {f.text}")
    if args.format == "text":
        print(f"{count} fynd." if count else "Inga personuppgifter hittades.")
    return EXIT_FOUND if count else EXIT_OK


def cmd_photo_metadata(args: argparse.Namespace) -> int:
    from lagesbild_desktop.domain.photo_metadata import KEEPABLE, format_keep
    from lagesbild_desktop.services import attachments

    db = open_db(args)
    try:
        if args.keep is not None:
            words = {w.strip() for w in args.keep.split(",") if w.strip()} - {"none"}
            unknown = words - set(KEEPABLE)
            if unknown:
                raise UserError(f"unknown photo metadata {', '.join(sorted(unknown))}",
                                f"Okänt val {', '.join(sorted(unknown))}. Skriv none, time, "
                                "gps eller time,gps.")
            attachments.set_photo_metadata_keep(db, acting_user(args, db), frozenset(words))
        keep = attachments.photo_metadata_keep(db)
        if args.strip_stored:
            done = attachments.strip_stored_photos(db, acting_user(args, db),
                                                   config.attachments_dir(db.path))
            print(f"{done.stripped} lagrade foton rensades, {done.unchanged} behövde inte "
                  f"rensas, {done.not_yours} tillhör andra organisationer och lämnades.")
    finally:
        db.close()
    words_sv = {"time": "tidpunkt", "gps": "GPS-position"}
    kept = " och ".join(words_sv[w] for w in KEEPABLE if w in keep)
    print(f"Foton behåller: {kept or 'ingenting'} (och orienteringen). [{format_keep(keep)}]"
          if keep else "Foton behåller ingen metadata utom orienteringen. [none]")
    return EXIT_OK


def cmd_retention(args: argparse.Namespace) -> int:
    from lagesbild_desktop import retention_command

    return retention_command.run(args)


def cmd_audit(args: argparse.Namespace) -> int:
    from lagesbild_desktop import audit_command

    return audit_command.run(args)


def cmd_rekey(args: argparse.Namespace) -> int:
    from lagesbild_desktop import rekey_command

    return rekey_command.run(args)


def cmd_backup(args: argparse.Namespace) -> int:
    from lagesbild_desktop import backup_command

    return backup_command.run(args)


COMMANDS = {
    None: cmd_gui, "gui": cmd_gui, "demo": cmd_demo, "list": cmd_list,
    "export": cmd_export, "import": cmd_import, "stats": cmd_stats, "hotspots": cmd_hotspots,
    "report": cmd_report, "walk-report": cmd_walk_report, "sync": cmd_sync,
    "privacy-scan": cmd_privacy_scan, "retention": cmd_retention,
    "photo-metadata": cmd_photo_metadata,
    "audit": cmd_audit, "rekey": cmd_rekey, "encrypt": cmd_encrypt,
    "set-password": cmd_set_password,
    "backup": cmd_backup,
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
