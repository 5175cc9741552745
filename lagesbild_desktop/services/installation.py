"""Setting up a database: the built-in catalogue, areas, organisations, users, this device."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lagesbild_desktop.config import resource
from lagesbild_desktop.db import audit
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import Area, Category, Organisation, Setting, User, utcnow
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.geo import load_area_collection

# Built-in records get the same id on every device, so syncing them never duplicates.
BUILT_IN = uuid.UUID("6f1c1f5e-2b7a-4c55-9a55-7a1b1e0c5d10")
DEVICE_KEY = "device_id"
DEFAULT_AREAS = ("areas", "vastra_malardalen.geojson")


def built_in_id(kind: str, code: str) -> str:
    return str(uuid.uuid5(BUILT_IN, f"{kind}:{code}"))


def device_id(db: Database) -> str:
    """This installation's device id, made once."""
    with db.transaction() as session:
        setting = session.get(Setting, DEVICE_KEY)
        if setting is None:
            setting = Setting(key=DEVICE_KEY, value=new_id())
            session.add(setting)
        return setting.value


def _synced_defaults(org_id: str) -> dict[str, Any]:
    now = utcnow()
    return dict(owner_org_id=org_id, sharing="partners", created_at=now, updated_at=now,
                created_by=None, updated_by=None, rev=None, deleted_at=None)


def add_organisation(db: Database, name: str, kind: str) -> str:
    if kind not in catalogue.codes(catalogue.ORGANISATION_KINDS):
        raise ValueError(f"unknown organisation kind {kind}")
    with db.transaction() as session:
        existing = session.scalar(select(Organisation).where(Organisation.name == name))
        if existing is not None:
            return existing.id
        now = utcnow()
        org = Organisation(id=built_in_id("organisation", name), name=name, kind=kind,
                           created_at=now, updated_at=now, rev=None, deleted_at=None)
        session.add(org)
        return org.id


def add_user(
    db: Database, username: str, display_name: str, org_id: str, role: str,
    password_hash: str | None = None,
) -> str:
    if role not in catalogue.codes(catalogue.ROLES):
        raise ValueError(f"unknown role {role}")
    with db.transaction() as session:
        existing = session.scalar(select(User).where(User.username == username))
        if existing is not None:
            return existing.id
        now = utcnow()
        user = User(id=built_in_id("user", username), username=username,
                    display_name=display_name, org_id=org_id, role=role,
                    password_hash=password_hash, active=True, created_at=now,
                    updated_at=now, rev=None)
        session.add(user)
        return user.id


def seed_catalogue(db: Database, org_id: str) -> int:
    """Add the categories of DOMAIN.md that the database lacks; returns how many."""
    with db.transaction() as session:
        have = set(session.scalars(select(Category.code)))
        added = 0
        for order, seed in enumerate(catalogue.CATEGORIES):
            if seed.code in have:
                continue
            session.add(Category(
                id=built_in_id("category", seed.code), code=seed.code,
                parent_code=seed.parent, label_sv=seed.sv, label_en=seed.en,
                colour=seed.colour, icon=seed.icon, active=True, sort_order=order,
                **_synced_defaults(org_id)))
            session.flush()
            added += 1
        if added:
            audit.append(session, None, [audit.AuditEvent(
                "seed", "category", None, {"added": added})])
        return added


def load_areas(db: Database, org_id: str, path: Path | None = None) -> int:
    """Add the areas of a GeoJSON file that the database lacks (parents first)."""
    source = path or resource(*DEFAULT_AREAS)
    shapes = load_area_collection(source)
    # The shapes carry no "approximate" flag; it is read from the same file.
    raw = json.loads(source.read_text(encoding="utf-8"))
    approximate = {f["properties"]["id"]: bool(f["properties"].get("approximate"))
                   for f in raw["features"]}
    with db.transaction() as session:
        have = set(session.scalars(select(Area.id)))
        added = 0
        for shape in sorted(shapes, key=lambda s: s.parent_id is not None):
            area_id = built_in_id("area", shape.id)
            if area_id in have:
                continue
            parent = built_in_id("area", shape.parent_id) if shape.parent_id else None
            session.add(Area(id=area_id, name=shape.name, kind=shape.kind, parent_id=parent,
                             geometry=shape.geometry, approximate=approximate[shape.id],
                             **_synced_defaults(org_id)))
            session.flush()
            added += 1
        if added:
            audit.append(session, None, [audit.AuditEvent("seed", "area", None,
                                                          {"added": added})])
        return added


def actor_for(db: Database, username: str | None = None) -> Actor:
    """The acting user: the named one, or the first administrator or coordinator.

    Until login arrives (security issue) the command line acts as this user.
    """
    device = device_id(db)
    with db.session() as session:
        stmt = select(User).where(User.active)
        if username:
            stmt = stmt.where(User.username == username)
        users = session.scalars(stmt).all()
        order = {"admin": 0, "coordinator": 1, "police": 2, "reporter": 3, "read_only": 4}
        users = sorted(users, key=lambda u: (order.get(u.role, 9), u.username))
        if users:
            user = users[0]
            return Actor(user.id, user.org_id, device, user.role)
        if username:
            raise LookupError(f"no active user {username}")
        org = session.scalar(select(Organisation).order_by(Organisation.name))
    org_id = org.id if org else add_organisation(db, "Lokal installation", "municipality")
    return Actor(None, org_id, device, "admin")


def prepare(db: Database, org_name: str = "Lokal installation",
            org_kind: str = "municipality") -> str:
    """Make a new database usable: an organisation, the catalogue and the default areas."""
    org_id = add_organisation(db, org_name, org_kind)
    seed_catalogue(db, org_id)
    load_areas(db, org_id)
    device_id(db)
    return org_id


def has_catalogue(db: Database) -> bool:
    """Whether the database has been prepared (its category catalogue is there)."""
    from sqlalchemy import func

    with db.session() as session:
        return bool(session.scalar(select(func.count()).select_from(Category)))
