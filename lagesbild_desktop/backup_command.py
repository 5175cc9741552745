"""`lagesbild backup list|restore|create`: the database's rolling local backups.

Kept apart from cli.py, which wires it in: `add_parser(commands)` in build_parser and
`"backup": run` in its COMMANDS.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("lagesbild")

EXIT_OK = 0  # refusals exit with cli.EXIT_UNUSABLE (2) through cli.UserError

BACKUP_HELP = """\
The window makes a backup of the database once a day and keeps the last 7, in the folder
NAME-sakerhetskopior beside the database (lagesbild-sakerhetskopior in the data folder),
encrypted with the database's own key: the key file that opens the database opens them.
Photos are not copied; they stay in the photo folder beside the database.

restore puts a backup in the database's place (the newest whole one unless BACKUP is
given, as its number in `backup list` or its file name). The file that was there is kept
as NAME.before-restore-TIME.bak. Close the window first (restore refuses while the
database is open elsewhere). An encrypted database needs --login (its password opens
the key file, even when the database itself is damaged).
Changes made after the backup that were not synced are not in it; a sync fetches what the
server has. Exit status: 0 done, 2 refused (nothing changed).
"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `backup` and its actions to the sub-command parsers of `lagesbild`."""
    from lagesbild_desktop.cli import add_db

    backup: argparse.ArgumentParser = commands.add_parser(
        "backup", help="the database's local backups: list, restore, make one now",
        description="The database's rolling local backups (SQLite's backup API, checked "
                    "with PRAGMA integrity_check before they are kept).",
        epilog=BACKUP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = backup.add_subparsers(dest="backup_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the backups, newest first (no sign-in needed)")
    add_db(listing)
    restore = actions.add_parser(
        "restore", help="put a backup in the database's place (the newest whole one)",
        epilog=BACKUP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(restore)
    restore.add_argument("backup", nargs="?", metavar="BACKUP",
                         help="number in `backup list` (1 = newest) or file name")
    create = actions.add_parser("create", help="make a backup now")
    add_db(create)
    return backup


def run(args: argparse.Namespace) -> int:
    """Raises cli.UserError (and NotPermitted) for cli.main to report."""
    from lagesbild_desktop.cli import UserError
    from lagesbild_desktop.db.engine import DatabaseProblem

    action = {"list": _list, "restore": _restore, "create": _create}[args.backup_action]
    try:
        return action(args)
    except DatabaseProblem as problem:
        raise UserError(str(problem), problem.message_sv) from problem
    except OSError as error:
        raise UserError(f"backup failed: {error}",
                        f"Säkerhetskopian gick inte att skriva eller läsa: {error}.") from error


def _list(args: argparse.Namespace) -> int:
    from lagesbild_desktop.cli import database_path
    from lagesbild_desktop.services import backups

    path = database_path(args)
    found = backups.list_backups(path)
    print(f"Säkerhetskopior av {path.name} i {backups.folder(path)}:")
    if not found:
        print("  inga ännu (fönstret gör en om dagen)")
    for number, backup in enumerate(found, 1):
        print(f"  {number:>2}  {backup.local_time()}  {backup.size_text():>9}  "
              f"{backup.path.name}")
    return EXIT_OK


def _choose(path: Path, text: str | None) -> Any:
    from lagesbild_desktop.cli import UserError
    from lagesbild_desktop.services import backups

    if text is None:
        return None
    found = backups.list_backups(path)
    if text.isdigit() and 1 <= int(text) <= len(found):
        return found[int(text) - 1]
    for backup in found:
        if text in (backup.path.name, str(backup.path)):
            return backup
    raise UserError(f"no backup {text!r} of {path}",
                    f"Det finns ingen säkerhetskopia {text!r}; se lagesbild backup list.")


def _open(args: argparse.Namespace, path: Path) -> tuple[Any, Any, bytes | None]:
    """(database or None, actor or None, key): what could be opened of a maybe damaged file.

    An encrypted database's key comes from the key file with the account's password,
    even when the database itself cannot be read."""
    from lagesbild_desktop.cli import UserError, credentials
    from lagesbild_desktop.db import keyfile
    from lagesbild_desktop.db.engine import DatabaseDamaged, open_database
    from lagesbild_desktop.services import accounts
    from lagesbild_desktop.services.installation import actor_for

    if keyfile.is_encrypted(path):
        user, password = credentials(args)
        try:
            db, signed = accounts.open_and_sign_in(path, user, password)
        except DatabaseDamaged as damaged:
            return None, None, damaged.key
        except accounts.LoginFailed as failed:
            raise UserError(str(failed), failed.message_sv) from failed
        return db, signed.actor, db.key
    try:
        db = open_database(path, create=False)
    except DatabaseDamaged:
        return None, None, None
    except Exception:  # noqa: BLE001 - missing or foreign: the file is not used as it is
        if path.exists():
            raise
        return None, None, None
    return db, actor_for(db), None


def _restore(args: argparse.Namespace) -> int:
    from lagesbild_desktop.cli import database_path
    from lagesbild_desktop.services import backups

    path = database_path(args)
    chosen = _choose(path, args.backup)
    db, actor, key = _open(args, path)
    try:
        report = backups.restore(path, chosen, key=key, db=db, actor=actor)
    finally:
        if db is not None:
            db.engine.dispose()  # closed, without writing to the file restored
    print(report.message("sv"))
    return EXIT_OK


def _create(args: argparse.Namespace) -> int:
    from lagesbild_desktop.cli import open_db
    from lagesbild_desktop.services import backups

    db = open_db(args)
    try:
        made = backups.make_backup(db)
    finally:
        db.close()
    print(f"Säkerhetskopia sparad: {made.path} ({made.size_text()}).")
    return EXIT_OK
