"""What the admin commands do: organisations, users, devices. The tests call these too."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server import auth, push
from lagesbild_desktop.sync.server.models import Device, Record, User
from lagesbild_desktop.sync.server.store import Store, utcnow

log = logging.getLogger(__name__)

# The CLI takes the Swedish words too (`--kind kommun`); stored are the app's codes.
KIND_ALIASES = {
    "kommun": "municipality", "polis": "police", "bostadsbolag": "housing",
    "väktare": "security", "vaktare": "security", "räddningstjänst": "rescue",
    "raddningstjanst": "rescue", "näringsliv": "business", "naringsliv": "business",
    "förening": "association", "forening": "association", "allmänhet": "public",
    "allmanhet": "public",
}
ORGANISATION_KINDS = catalogue.codes(catalogue.ORGANISATION_KINDS)
# The namespace of services/installation.py's built-in ids: an organisation added here
# gets the id the desktop app gives an organisation of the same name, so a device set up
# as "Köpings kommun" and the server agree on who owns its records. (The server may not
# import the app's layers; tests/sync/test_server_basics.py checks the two agree.)
BUILT_IN = uuid.UUID("6f1c1f5e-2b7a-4c55-9a55-7a1b1e0c5d10")


def organisation_id(name: str) -> str:
    return str(uuid.uuid5(BUILT_IN, f"organisation:{name}"))


class AdminError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    name: str
    username: str
    registered_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None


def organisation_kind(kind: str) -> str:
    code = KIND_ALIASES.get(kind.strip().lower(), kind.strip().lower())
    if code not in ORGANISATION_KINDS:
        raise AdminError(f"unknown organisation kind {kind!r}; one of "
                         + ", ".join(sorted(ORGANISATION_KINDS | set(KIND_ALIASES))))
    return code


def find_organisation(store: Store, name: str) -> str | None:
    """The id of the organisation called `name` (or with that id), if any."""
    with store.read() as session:
        for row_id, data in session.execute(
                select(Record.row_id, Record.data).where(Record.table_name == "organisation")):
            if row_id == name or json.loads(data).get("name") == name:
                return str(row_id)
    return None


def add_org(store: Store, name: str, kind: str, *, org_id: str | None = None,
            now: datetime | None = None) -> str:
    """Create an organisation; it reaches every client through pull like any change."""
    code = organisation_kind(kind)
    name = name.strip()
    if not name:
        raise AdminError("an organisation needs a name")
    if find_organisation(store, name) is not None:
        raise AdminError(f"an organisation called {name!r} exists already")
    org_id = org_id or organisation_id(name)
    op = protocol.Op(op_id=str(uuid.uuid4()), table="organisation", row_id=org_id,
                     op="upsert", fields={"name": name, "kind": code})
    [result] = push.push(store, auth.SERVER_ADMIN, [op], now or utcnow())
    if result.status != "applied":
        raise AdminError(f"could not add the organisation: {result.reason}")
    log.info("organisation %s (%s) added as %s", name, code, org_id)
    return org_id


def add_user(store: Store, username: str, org: str, role: str, password: str, *,
             display_name: str = "", now: datetime | None = None) -> str:
    if role not in protocol.ROLES:
        raise AdminError(f"unknown role {role!r}; one of {', '.join(sorted(protocol.ROLES))}")
    if not username.strip():
        raise AdminError("a user needs a user name")
    if not password:
        raise AdminError("a user needs a password")
    org_id = find_organisation(store, org)
    if org_id is None:
        raise AdminError(f"no organisation called {org!r}; add it first with add-org")
    password_hash = auth.hash_password(password)
    with store.write(seq_lock=False) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise AdminError(f"a user called {username!r} exists already")
        user = User(id=str(uuid.uuid4()), username=username.strip(),
                    display_name=display_name or username, org_id=org_id, role=role,
                    password_hash=password_hash, active=True,
                    created_at=now or utcnow())
        session.add(user)
    log.info("user %s added to organisation %s as %s", username, org_id, role)
    return user.id


def list_devices(store: Store) -> list[DeviceInfo]:
    with store.read() as session:
        return [
            DeviceInfo(d.id, d.name, username, d.registered_at, d.last_seen_at, d.revoked_at)
            for d, username in session.execute(
                select(Device, User.username).join(User, User.id == Device.user_id)
                .order_by(Device.registered_at))
        ]


def revoke_device(store: Store, device_id: str, *, now: datetime | None = None) -> None:
    """Stop the device at once: its tokens answer 403 device_revoked from now on.

    The tokens are kept (not deleted) so a revoked device is told why, not just
    "unknown token".
    """
    with store.write(seq_lock=False) as session:
        device = session.get(Device, device_id)
        if device is None:
            raise AdminError(f"no device {device_id!r}")
        if device.revoked_at is None:
            device.revoked_at = now or utcnow()
    log.info("device %s revoked", device_id)
