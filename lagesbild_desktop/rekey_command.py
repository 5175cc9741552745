"""`lagesbild rekey`: give the encrypted database a new data key, or move it to the keyring.

Kept apart from cli.py, which wires it in: `add_parser(commands)` in build_parser and
`"rekey": run` in its COMMANDS.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger("lagesbild")

EXIT_OK = 0  # refusals exit with cli.EXIT_UNUSABLE (2) through cli.UserError


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `rekey` to the sub-command parsers of `lagesbild`."""
    from lagesbild_desktop.cli import add_db

    rekey: argparse.ArgumentParser = commands.add_parser(
        "rekey", help="give the encrypted database and its photos a new key (administrators)",
        description="Makes a new random data key: the database is re-encrypted with it, "
                    "every account's entry in the key file gets it (no password needed), "
                    "and the photo files are re-encrypted. The old key opens nothing "
                    "afterwards. Crash-safe: a sign-in finishes an interrupted rekey. "
                    "--key-storage keyring keeps the key in the OS keyring instead of the "
                    "key file (the password is still needed to sign in); --key-storage "
                    "password moves it back.")
    add_db(rekey)
    rekey.add_argument("--key-storage", choices=["password", "keyring"], default=None,
                       help="where the new key is kept (default: where it is now)")
    return rekey


def run(args: argparse.Namespace) -> int:
    """Raises cli.UserError (and NotPermitted) for cli.main to report."""
    from lagesbild_desktop.cli import UserError, credentials, database_path
    from lagesbild_desktop.db import keyfile
    from lagesbild_desktop.db.engine import DatabaseProblem
    from lagesbild_desktop.services import accounts, rekey

    path = database_path(args)
    if not keyfile.is_encrypted(path):
        raise UserError(f"{path} is not encrypted; nothing to rekey",
                        f"Databasen {path.name} är inte krypterad; det finns ingen nyckel "
                        "att byta. Kryptera den med lagesbild encrypt.")
    user, password = credentials(args)
    try:
        db, signed = accounts.open_and_sign_in(path, user, password)
    except DatabaseProblem as problem:
        raise UserError(str(problem), problem.message_sv) from problem
    except accounts.LoginFailed as failed:
        raise UserError(str(failed), failed.message_sv) from failed
    try:
        report = rekey.rekey(db, signed.actor, signed.username, password,
                             key_storage=args.key_storage)
    except keyfile.WrongPassword as error:
        raise UserError(str(error), error.message_sv) from error
    except (DatabaseProblem, keyfile.KeyFileProblem) as problem:
        raise UserError(str(problem), problem.message_sv) from problem
    finally:
        db.close()
    print(report.message("sv"))
    if report.key_storage == keyfile.KEYRING:
        print("Nyckeln finns i operativsystemets nyckelring; databasen öppnas bara på den "
              "här datorn med det här användarkontot.")
    return EXIT_OK
