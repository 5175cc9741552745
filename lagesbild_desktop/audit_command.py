"""`lagesbild audit verify|list`: check and read the audit log from the command line.

Kept apart from cli.py, which wires it in: `add_parser(commands)` in build_parser and
`"audit": run` in its COMMANDS.
"""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

log = logging.getLogger("lagesbild")

# Refusals (bad date, unknown user, not permitted) exit with cli.EXIT_UNUSABLE (2).
EXIT_OK, EXIT_BROKEN = 0, 1


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `audit` and its actions to the sub-command parsers of `lagesbild`."""
    from lagesbild_desktop.cli import add_db

    audit: argparse.ArgumentParser = commands.add_parser(
        "audit", help="the audit log: check its hash chain, list its entries",
        description="Every create, edit, view of details, export and delete is logged with "
                    "user, time and record, in an append-only hash chain.")
    actions = audit.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="check the chain; exit status 1 names the first broken entry")
    add_db(verify)
    listing = actions.add_parser("list", help="print entries, oldest first (administrators)")
    add_db(listing)
    listing.add_argument("--user", metavar="NAME",
                         help="user name, display name or id; '-' for entries without a user")
    listing.add_argument("--action", metavar="A",
                         help="create, edit, delete, restore, view, export, …")
    listing.add_argument("--from", dest="date_from", metavar="DATE",
                         help="from this day (YYYY-MM-DD, local time)")
    listing.add_argument("--to", dest="date_to", metavar="DATE",
                         help="up to and including this day")
    listing.add_argument("--record", metavar="ID", help="a record id, or part of one")
    listing.add_argument("--format", choices=["text", "json"], default="text",
                         help="json: one object per line")
    return audit


def run(args: argparse.Namespace) -> int:
    """Raises cli.UserError (and NotPermitted, UnknownUser) for cli.main to report."""
    from lagesbild_desktop.cli import open_db

    db = open_db(args)  # an encrypted database as the signed-in account
    try:
        action = {"verify": _verify, "list": _list}[args.audit_action]
        return action(db, args)
    finally:
        db.close()


def _verify(db: Any, _args: argparse.Namespace) -> int:
    from lagesbild_desktop.services.audit_log import check_chain

    result = check_chain(db)
    if result.problem is not None:
        log.error("audit log broken: %s", result.problem.message_en)
        print(f"Loggen är inte hel. {result.problem.message_sv}")
        print(f"{result.entries} poster före brottet är hela.")
        return EXIT_BROKEN
    print(f"Loggen är hel: {result.entries} poster")
    if not result.head_recorded and result.entries:
        print("Loggens slut kunde inte kontrolleras: ingen kontrollpunkt är sparad ännu "
              "(den sparas vid nästa post).")
    return EXIT_OK


def _list(db: Any, args: argparse.Namespace) -> int:
    from lagesbild_desktop.cli import acting_user, period_bounds
    from lagesbild_desktop.domain.periods import LOCAL
    from lagesbild_desktop.services import audit_log

    start, end = period_bounds(args)
    f = audit_log.AuditFilter(user=args.user, action=args.action, period_from=start,
                              period_to=end, record=args.record)
    count = 0
    for entry in audit_log.iter_audit(db, acting_user(args, db), f):
        count += 1
        if args.format == "json":
            print(json.dumps(entry.as_json(), ensure_ascii=False))
        else:
            when = entry.at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")
            print(f"{entry.id:>7} {when}  {entry.user_name or '–':20} {entry.action:10} "
                  f"{entry.table_name or '':12} {entry.row_id or '':36}  {entry.summary}")
    if args.format == "text":
        print(f"{count} poster." if count != 1 else "1 post.")
    return EXIT_OK
