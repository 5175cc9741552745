"""`lagesbild-server`: run the sync server, or manage organisations, users and devices.

    lagesbild-server [--db URL] [--host 127.0.0.1] [--port 8765] [--blobs DIR]
    lagesbild-server add-org NAME --kind kommun|polis|bostadsbolag|...
    lagesbild-server add-user USERNAME --org NAME --role ROLE [--password-file F]
    lagesbild-server list-devices
    lagesbild-server revoke-device DEVICE_ID

Without --db the server keeps a SQLite file in the user's data folder; a deployment
passes a `postgresql+psycopg://` URL (or sets LAGESBILD_SERVER_DB).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from lagesbild_desktop.sync import protocol

APP_NAME = "lagesbild-server"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_url(value: str | None) -> str:
    value = value or os.environ.get("LAGESBILD_SERVER_DB")
    if not value:
        return f"sqlite:///{data_dir() / 'lagesbild-server.db'}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="database URL (sqlite:///FILE or postgresql+psycopg://...) "
                             "or a SQLite file path; default: a file in the data folder")
    parser = argparse.ArgumentParser(
        prog=APP_NAME, parents=[common],
        description="Lägesbild sync server and its admin commands.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--blobs", type=Path, default=None,
                        help="folder for attachment files (default: beside the data)")
    parser.add_argument("--log-level", default="info")
    commands = parser.add_subparsers(dest="command")

    org = commands.add_parser("add-org", parents=[common], help="add an organisation")
    org.add_argument("name")
    org.add_argument("--kind", required=True,
                     help="kommun, polis, bostadsbolag, ... (or municipality, police, ...)")

    user = commands.add_parser("add-user", parents=[common], help="add a user")
    user.add_argument("username")
    user.add_argument("--org", required=True, help="organisation name")
    user.add_argument("--role", required=True, choices=sorted(protocol.ROLES))
    user.add_argument("--display-name", default="")
    user.add_argument("--password-file", type=Path,
                      help="read the password from this file (first line); else prompt")

    commands.add_parser("list-devices", parents=[common], help="list registered devices")
    revoke = commands.add_parser("revoke-device", parents=[common],
                                 help="revoke a device: its tokens stop working at once")
    revoke.add_argument("device_id")
    return parser


def _password(path: Path | None) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("The passwords differ.")
    return first


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = database_url(getattr(args, "db", None))
    if args.command is None:
        return _serve(url, args)

    from lagesbild_desktop.sync.server import admin
    from lagesbild_desktop.sync.server.store import Store

    store = Store(url)
    try:
        if args.command == "add-org":
            org_id = admin.add_org(store, args.name, args.kind)
            print(f"Added organisation {args.name} ({org_id}).")
        elif args.command == "add-user":
            user_id = admin.add_user(store, args.username, args.org, args.role,
                                     _password(args.password_file),
                                     display_name=args.display_name)
            print(f"Added user {args.username} ({user_id}).")
        elif args.command == "list-devices":
            for d in admin.list_devices(store):
                state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
                print(f"{d.id}\t{d.name}\t{d.username}\t"
                      f"last seen {d.last_seen_at:%Y-%m-%d %H:%M}\t{state}")
        elif args.command == "revoke-device":
            admin.revoke_device(store, args.device_id)
            print(f"Revoked device {args.device_id}.")
    except admin.AdminError as error:
        print(f"{APP_NAME}: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _serve(url: str, args: argparse.Namespace) -> int:
    import uvicorn

    from lagesbild_desktop.sync.server.app import create_app

    blobs = args.blobs or data_dir() / "blobs"
    app = create_app(url, blobs)
    logging.getLogger(__name__).info("serving %s with blobs in %s", _redacted(url), blobs)
    uvicorn.run(app, host=args.host, port=args.port, log_level=str(args.log_level).lower())
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
