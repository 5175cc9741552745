"""`lagesbild retention run|show|set`: retention (gallring) from the command line.

Kept apart from cli.py, which wires it in: `add_parser(commands)` in build_parser and
`"retention": run` in its COMMANDS.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from typing import Any

log = logging.getLogger("lagesbild")

EXIT_OK = 0  # refusals exit with cli.EXIT_UNUSABLE (2) through cli.UserError


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `retention` and its actions to the sub-command parsers of `lagesbild`."""
    from lagesbild_desktop.cli import add_db

    retention: argparse.ArgumentParser = commands.add_parser(
        "retention", help="retention (gallring): thin records past their period",
        description="Records past the retention period lose their free text and photos; "
                    "the position is coarsened to a 250 m grid and the time to the week. "
                    "Also run automatically when the window starts.")
    actions = retention.add_subparsers(dest="retention_action", metavar="ACTION",
                                       required=True)
    run_parser = actions.add_parser("run", help="thin the records past their period now")
    add_db(run_parser)
    run_parser.add_argument("--today", metavar="DATE",
                            help="reckon as if today were DATE (YYYY-MM-DD)")
    run_parser.add_argument("--dry-run", action="store_true",
                            help="only count what would be thinned; change nothing")
    show = actions.add_parser("show", help="print the retention policy as JSON")
    add_db(show)
    set_parser = actions.add_parser(
        "set", help="change the retention policy (administrator or coordinator)")
    add_db(set_parser)
    set_parser.add_argument("--default-months", metavar="N|bevaras",
                            help="months records are kept in full; 'bevaras' keeps them")
    set_parser.add_argument("--category", action="append", default=[],
                            metavar="CODE=N|bevaras|standard",
                            help="a category's own period (inherited by its sub-categories); "
                                 "'standard' removes the override (repeatable)")
    return retention


def _months(text: str) -> int | None:
    from lagesbild_desktop.cli import UserError

    if text.strip().lower() == "bevaras":
        return None
    try:
        return int(text)
    except ValueError as error:
        raise UserError(f"not a number of months: {text!r}",
                        f"Inte ett antal månader: {text!r}.") from error


def run(args: argparse.Namespace) -> int:
    """Raises cli.UserError (and NotPermitted) for cli.main to report."""
    from lagesbild_desktop.cli import UserError, open_db
    from lagesbild_desktop.domain.retention import RetentionPolicyError

    db = open_db(args)  # an encrypted database as the signed-in account
    try:
        action = {"run": _run, "show": _show, "set": _set}[args.retention_action]
        return action(db, args)
    except RetentionPolicyError as error:
        raise UserError(str(error), error.message_sv) from error
    finally:
        db.close()


def _run(db: Any, args: argparse.Namespace) -> int:
    from lagesbild_desktop import config
    from lagesbild_desktop.cli import UserError, acting_user
    from lagesbild_desktop.services import retention

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError as error:
            raise UserError(f"bad date {args.today!r}",
                            f"Felaktigt datum {args.today!r}. Skriv ÅÅÅÅ-MM-DD.") from error
    report = retention.run_retention(
        db, acting_user(args, db), config.attachments_dir(db.path), today=today,
        dry_run=args.dry_run)
    print(report.message("sv"))
    if args.dry_run:
        print("Provkörning: ingenting ändrades.")
    return EXIT_OK


def _show(db: Any, _args: argparse.Namespace) -> int:
    from lagesbild_desktop.services import retention

    print(json.dumps(retention.get_policy(db).as_json(), ensure_ascii=False, indent=2))
    return EXIT_OK


def _set(db: Any, args: argparse.Namespace) -> int:
    from lagesbild_desktop.cli import UserError, acting_user
    from lagesbild_desktop.domain.retention import RetentionPolicy
    from lagesbild_desktop.services import retention

    current = retention.get_policy(db)
    default = current.default_months
    if args.default_months is not None:
        default = _months(args.default_months)
    categories = dict(current.categories)
    for item in args.category:
        code, sep, value = item.partition("=")
        if not sep or not code:
            raise UserError(f"write CODE=MONTHS, not {item!r}",
                            f"Skriv KOD=MÅNADER, inte {item!r}.")
        if value.strip().lower() == "standard":
            categories.pop(code, None)
        else:
            categories[code] = _months(value)
    policy = RetentionPolicy(default, categories)
    retention.set_policy(db, acting_user(args, db), policy)
    print(json.dumps(policy.as_json(), ensure_ascii=False, indent=2))
    return EXIT_OK
