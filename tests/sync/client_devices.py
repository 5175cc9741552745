"""Devices for the sync client's tests: each a real SQLite file with its photo store.

A `Fleet` sets up the organisations and users on the real test server (the
`sync_server` fixture) and makes devices from the shared template database, each with
its own device id, signed in as one of the users.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from lagesbild_desktop.config import attachments_dir
from lagesbild_desktop.db import records
from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import (
    SYNCED_TABLES,
    Conflict,
    Outbox,
    Setting,
    SyncState,
    measure_observation,
)
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import attachments, installation, observations
from lagesbild_desktop.sync.client import ServerAccount, SyncReport, sync
from tests.sync.conftest import PASSWORD, SyncServer

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
MUNICIPALITY = "Köpings kommun"
POLICE = "Polisen Västra Mälardalen"
USERS = {  # username: (organisation, role)
    "anna": (MUNICIPALITY, "coordinator"),
    "bo": (MUNICIPALITY, "coordinator"),
    "cia": (MUNICIPALITY, "reporter"),
    "polis": (POLICE, "police"),
    "lasare": (MUNICIPALITY, "read_only"),
}


def draft(**changes: Any) -> ObservationInput:
    values: dict[str, Any] = dict(category="graffiti", occurred_from=WHEN, latitude=59.514,
                                  longitude=15.993, description="Klotter på fasaden")
    values.update(changes)
    return ObservationInput(**values)


class Device:
    """One installation of the app: its database, photo store and signed-in user."""

    def __init__(self, name: str, path: Path, server: SyncServer, username: str,
                 password: str = PASSWORD) -> None:
        self.name = name
        self.db: Database = open_database(path)
        with self.db.transaction() as session:  # a copy of the template: a device of its own
            session.get(Setting, installation.DEVICE_KEY).value = new_id()  # type: ignore[union-attr]
        self.device_id = installation.device_id(self.db)
        self.store = attachments_dir(path)
        self.username = username
        self.password = password
        self.account = ServerAccount(server.base_url, username, lambda: self.password)
        self._actor: Actor | None = None

    def __repr__(self) -> str:
        return f"Device({self.name}, {self.username})"

    def sync(self, transport: httpx.BaseTransport | None = None, **options: Any) -> SyncReport:
        return sync(self.db, self.store, self.account, device_id=self.device_id,
                    transport=transport, **options)

    @property
    def actor(self) -> Actor:
        """The signed-in user as the app acts (after the first sync made them known)."""
        if self._actor is None:
            self._actor = installation.actor_for(self.db, self.username)
        return self._actor

    # --- what a user does -------------------------------------------------------------

    def observe(self, **changes: Any) -> str:
        return observations.create_observation(self.db, self.actor, draft(**changes)).id

    def edit(self, observation_id: str, **changes: Any) -> None:
        view = observations.get_observation(self.db, observation_id)
        observations.update_observation(self.db, self.actor, observation_id,
                                        replace(view.as_input(), **changes))

    def delete(self, observation_id: str) -> None:
        observations.delete_observation(self.db, self.actor, observation_id)

    def get(self, observation_id: str) -> Any:
        return observations.get_observation(self.db, observation_id)

    def attach(self, observation_id: str, source: Path) -> Any:
        return attachments.add_attachment(self.db, self.actor, self.store, observation_id,
                                          source)

    # --- what the tests look at -------------------------------------------------------

    def outbox(self) -> list[Outbox]:
        with self.db.session() as session:
            return list(session.scalars(select(Outbox).order_by(Outbox.seq)))

    def conflicts(self) -> list[Conflict]:
        with self.db.session() as session:
            return list(session.scalars(select(Conflict).order_by(Conflict.created_at)))

    def cursor(self) -> int:
        with self.db.session() as session:
            state = session.get(SyncState, self.account.base_url)
            return state.cursor if state else 0

    def data(self, tables: tuple[str, ...] = ("observation", "attachment", "measure", "walk")
             ) -> dict[tuple[str, str], dict[str, Any]]:
        """Every synced row (user data and tombstones) and the measures' links."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        with self.db.session() as session:
            for table in tables:
                for row in session.scalars(select(SYNCED_TABLES[table])):
                    found[(table, row.id)] = records.column_values(row)  # type: ignore[arg-type]
            for measure_id, observation_id in session.execute(select(measure_observation)):
                found.setdefault(("link", measure_id), {})[observation_id] = True
        return found

    def close(self) -> None:
        self.db.close()


class Fleet:
    """The server's organisations and users, and the devices made in one test."""

    def __init__(self, server: SyncServer, template: Path, folder: Path) -> None:
        self.server = server
        self.admin = server.admin
        self.folder = folder
        self.template = template
        self.org_ids = {name: self.admin.add_org(name, kind) for name, kind in (
            (MUNICIPALITY, "municipality"), (POLICE, "police"))}
        for username, (org, role) in USERS.items():
            self.admin.add_user(username, org, role)
        self.devices: list[Device] = []

    def device(self, name: str, username: str = "anna", *, connect: bool = True) -> Device:
        path = self.folder / f"{name}.db"
        shutil.copyfile(self.template, path)
        device = Device(name, path, self.server, username)
        self.devices.append(device)
        if connect:
            report = device.sync()
            assert report.error is None, report.error
        return device

    def sync_all(self, *devices: Device, rounds: int = 2) -> None:
        """Everyone syncs, twice round, so each sees what the others sent."""
        for _ in range(rounds):
            for device in devices or self.devices:
                report = device.sync()
                assert report.error is None, (device, report.error)

    def close(self) -> None:
        for device in self.devices:
            device.close()


def photo(folder: Path, name: str, size: int, seed: int = 1) -> Path:
    """A picture of noise (only pictures are stored) of a little over `size` bytes, whose
    bytes differ from other seeds'; a PNG whatever `name` says, as a camera's may."""
    import random

    from PIL import Image

    pixels = max(1, -(-size // 3))
    width = min(pixels, 512)
    height = -(-pixels // width)
    path = folder / name
    noise = random.Random(seed).randbytes(width * height * 3)
    Image.frombytes("RGB", (width, height), noise).save(path, format="PNG")
    return path


def stored(device: Device) -> set[str]:
    return {p.name for p in device.store.glob("??/*")}


def copy_device_file(device: Device, target: Path) -> None:
    shutil.copyfile(device.db.path, target)
