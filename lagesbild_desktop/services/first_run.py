"""The first start: checking what the set-up wizard asks for and building the installation.

Qt-free; the wizard (ui/first_run.py) shows the pages and runs `create_installation` in
the background. The database is built under a temporary name beside its final place and
renamed only when complete, so a cancelled or failed set-up leaves no database file (or,
after the rename, a complete one).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lagesbild_desktop import config
from lagesbild_desktop.db import audit, keyfile
from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.db.models import User, utcnow
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.services import accounts, installation

log = logging.getLogger(__name__)

LANGUAGES = ("sv", "en")
DEMO_OBSERVATIONS = 5000
MAPS_FOLDER = "kartor"  # base maps copied into the data folder live here

# Step names given to `progress`; the wizard shows them translated.
STEPS = ("database", "demo", "account", "encrypt", "base_map", "finish")

Progress = Callable[[int, int, str], None]


class SetupProblem(Exception):
    """Something the wizard asked for cannot be used; `message_sv` is for the user."""

    def __init__(self, message_en: str, message_sv: str, code: str = "") -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.code = code  # which check failed; the wizard words it in its language


class SetupCancelled(Exception):
    """The user cancelled while the installation was being made; nothing is left of it."""


@dataclass(frozen=True, slots=True)
class OrganisationChoice:
    name: str
    kind: str


def organisation_choices() -> list[OrganisationChoice]:
    """The organisations of the bundled area set: its municipalities and its police area."""
    from lagesbild_desktop.services import demo

    names = sorted(name for name, *_ in demo.MUNICIPALITIES.values())
    return [OrganisationChoice(demo.POLICE, "police"),
            *(OrganisationChoice(name, "municipality") for name in names)]


@dataclass(frozen=True, slots=True)
class SetupChoices:
    """Everything the wizard collected."""

    organisation: str
    organisation_kind: str
    username: str
    display_name: str
    password: str
    demo: bool
    language: str = "sv"
    server_url: str = ""
    mbtiles: Path | None = None
    online_url: str = ""
    online_attribution: str = ""
    demo_observations: int = DEMO_OBSERVATIONS


@dataclass(frozen=True, slots=True)
class Installation:
    """What was made: the open database, who is signed in, the settings to remember."""

    db: Database
    signed: accounts.SignedIn
    settings: dict[str, str]


# --- checks, one per page ---------------------------------------------------------------

def check_account(organisation: str, kind: str, username: str, password: str,
                  repeat: str) -> None:
    if not organisation.strip():
        raise SetupProblem("no organisation", "Välj eller skriv organisationens namn.",
                           "organisation")
    if kind not in catalogue.codes(catalogue.ORGANISATION_KINDS):
        raise SetupProblem(f"unknown organisation kind {kind!r}",
                           "Välj vilken sorts organisation det är.", "kind")
    if not username.strip():
        raise SetupProblem("no user name", "Skriv ett användarnamn.", "username")
    if any(char.isspace() for char in username.strip()):
        raise SetupProblem("space in the user name",
                           "Användarnamnet får inte innehålla mellanslag.", "username_space")
    if password != repeat:
        raise SetupProblem("the passwords differ", "De två lösenorden skiljer sig åt.",
                           "password_mismatch")
    try:
        accounts.check_new_password(password)
    except accounts.LoginFailed as error:
        raise SetupProblem(str(error), error.message_sv, "password_short") from error


def check_server_url(text: str) -> str:
    """The sync server's address, tidied ("" when none); http or https with a host."""
    text = text.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise SetupProblem(f"not an http(s) address: {text!r}",
                           "Serveradressen ska börja med http:// eller https:// och ha ett "
                           "värdnamn, t.ex. https://lagesbild.kommun.se.", "server_url")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as error:
        raise SetupProblem(f"bad port in {text!r}", "Portnumret i serveradressen är fel.",
                           "server_port") from error
    return text.rstrip("/")


def check_online_source(url: str, attribution: str = "") -> str:
    """An XYZ tile address template (http(s) with {z}, {x} and {y}), checked as the map's
    online source (maps/tile_source.py) checks it."""
    from lagesbild_desktop.maps.tile_source import OnlineSource, TileSourceError

    try:
        return OnlineSource(url.strip(), attribution.strip()).validate().url_template.strip()
    except TileSourceError as error:
        raise SetupProblem(str(error), error.message_sv, "online") from error


def check_mbtiles(path: Path) -> str:
    """Open the file as MBTiles (raster tiles); its name. SetupProblem in Swedish if not."""
    from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError

    try:
        with MBTiles(path) as tiles:
            if not tiles.is_raster:
                raise SetupProblem(f"{path} holds vector tiles",
                                   "Filen innehåller vektorplattor; Lägesbild visar bara "
                                   "rasterkartor (PNG, JPEG, WebP).", "mbtiles_vector")
            return tiles.name or path.stem
    except MBTilesError as error:
        raise SetupProblem(str(error), error.message_sv, "mbtiles") from error


def copy_base_map(source: Path, data_dir: Path) -> Path:
    """Copy the MBTiles file into the data folder (kept as is when it is there already).

    A map of the same name already in the folder is never overwritten (nor deleted later
    by a failed set-up): the copy gets a free name, "orto-2.mbtiles" and so on. A failed
    copy leaves no partial file.
    """
    folder = data_dir / MAPS_FOLDER
    target = folder / source.name
    if target.exists() and source.resolve() == target.resolve():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    number = 1
    while target.exists() or target.with_name(target.name + ".part").exists():
        number += 1
        target = folder / f"{source.stem}-{number}{source.suffix}"
    partial = target.with_name(target.name + ".part")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def set_aside_orphan_key_file(path: Path) -> Path | None:
    """A key file with no database beside it is left by a first run that stopped between
    its two renames (or by a database moved away): without a database it opens nothing,
    and it would stop both the sign-in and a new set-up. Renamed aside (never deleted,
    it may be someone's only copy of the key); the new name, or None if there was none.
    """
    path = Path(path)
    keys = keyfile.key_path(path)
    if path.exists() or not keys.exists():
        return None
    # Encrypting a database in place (accounts.encrypt_existing) also has a moment with
    # a key file and no database: that key belongs to data in these files, so it stays.
    encrypting = [file for file in (path.with_name(f"{path.name}.before-encryption.bak"),
                                    path.with_name(f".{path.name}.encrypting"))
                  if file.exists()]
    if encrypting:
        log.warning("key file %s has no database %s, but %s are there (an unfinished "
                    "encryption): left as it is", keys, path,
                    ", ".join(str(file) for file in encrypting))
        return None
    from lagesbild_desktop.services import backups

    if backups.list_backups(path):
        # The database was there and is lost: the sign-in finds it missing and offers
        # its backups, which this key file opens.
        log.warning("key file %s has no database %s, but backups of it: left as it is",
                    keys, path)
        return None
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    aside = keys.with_name(f"{keys.name}.orphaned-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = keys.with_name(f"{keys.name}.orphaned-{stamp}-{number}")
    os.replace(keys, aside)
    temporary = path.with_name(f".{path.name}.first-run")
    unfinished = " (an unfinished first run left it)" if temporary.exists() else ""
    log.warning("key file %s has no database %s%s; moved aside to %s, the set-up starts "
                "again", keys, path, unfinished, aside)
    remove_installation(temporary)
    return aside


def discard_installation(made: Installation, mbtiles: Path | None) -> None:
    """Remove a finished set-up the user cancelled: the database, its key file and the
    base map copied for it (not the file the user chose, if that was used in place)."""
    made.db.close()
    remove_installation(made.db.path)
    copied = made.settings.get("map/mbtiles")
    if copied and (mbtiles is None or Path(mbtiles).resolve() != Path(copied).resolve()):
        Path(copied).unlink(missing_ok=True)


# --- building it ------------------------------------------------------------------------

def _files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")),
            keyfile.key_path(path), keyfile.key_path(path).with_name(
                keyfile.key_path(path).name + ".tmp"),
            path.with_name(f"{path.name}.before-encryption.bak"),
            path.with_name(f".{path.name}.encrypting")]


def remove_installation(path: Path) -> None:
    """Delete a database and its key file (a set-up the user cancelled)."""
    for file in _files(path):
        file.unlink(missing_ok=True)


def _add_admin(db: Database, choices: SetupChoices) -> None:
    org_id = installation.add_organisation(db, choices.organisation.strip(),
                                           choices.organisation_kind)
    username = choices.username.strip()
    user_id = installation.add_user(db, username, choices.display_name.strip() or username,
                                    org_id, "admin",
                                    password_hash=accounts.hash_password(choices.password))
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        # The name may be one of the demo's accounts: the wizard's values win.
        user.password_hash = accounts.hash_password(choices.password)
        user.role, user.active, user.org_id = "admin", True, org_id
        user.updated_at = utcnow()
        audit.append(session, user_id, [audit.AuditEvent(
            "account_created", "user", user_id, {"role": "admin", "first": True})])


def create_installation(path: Path, choices: SetupChoices, *,
                        progress: Progress | None = None,
                        stop: Callable[[], bool] | None = None) -> Installation:
    """Build the installation at `path`: all of it, or (error, cancel) nothing.

    Empty: an encrypted database with the chosen organisation, the catalogue, the areas
    and the administrator. Demo: the demo database with the administrator added, then
    encrypted too (the demo's own accounts get no password, so only the administrator
    opens it). An MBTiles base map is copied into the data folder.
    """
    def step(done: int, name: str) -> None:
        if stop is not None and stop():
            raise SetupCancelled("set-up cancelled")
        if progress is not None:
            progress(done, len(STEPS), name)

    path = Path(path)
    if path.exists() or keyfile.is_encrypted(path):
        raise SetupProblem(f"{path} exists already", f"{path} finns redan.", "exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.first-run")
    remove_installation(temporary)
    username = choices.username.strip()
    settings: dict[str, str] = {"ui/language": choices.language}
    copied: Path | None = None
    try:
        step(0, "database")
        if choices.demo:
            from lagesbild_desktop.services.demo import build_demo

            step(1, "demo")
            build_demo(temporary, observations=choices.demo_observations, replace=True)
            step(2, "account")
            db = open_database(temporary)
            try:
                _add_admin(db, choices)
            finally:
                db.close()
            step(3, "encrypt")
            accounts.encrypt_existing(temporary, username, choices.password)
        else:
            keys, data_key = keyfile.create(temporary, username, choices.password)
            keys.save()
            db = open_database(temporary, create=True, key=data_key)
            try:
                installation.prepare(db, choices.organisation.strip(),
                                     choices.organisation_kind)
                step(2, "account")
                accounts.create_first_admin(db, username, choices.display_name.strip(),
                                            choices.password)
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        step(4, "base_map")
        if choices.mbtiles is not None:
            copied = copy_base_map(Path(choices.mbtiles), config.data_dir())
            settings["map/mbtiles"] = str(copied)
        elif choices.online_url:
            from lagesbild_desktop.maps.tile_source import OnlineSource

            # The keys ui/base_map.py reads: the source as JSON, and that it is in use.
            settings["map/online_source"] = OnlineSource(
                choices.online_url, choices.online_attribution).validate().to_json()
            settings["map/base"] = "online"
        if choices.server_url:
            settings["sync/server_url"] = choices.server_url
            settings["sync/username"] = username
        step(5, "finish")
        # The key file first: the database file appears only when everything is in place.
        os.replace(keyfile.key_path(temporary), keyfile.key_path(path))
        for sidecar in ("-wal", "-shm"):
            temporary.with_name(temporary.name + sidecar).unlink(missing_ok=True)
        os.replace(temporary, path)
    except BaseException:
        remove_installation(temporary)
        if not path.exists():
            keyfile.key_path(path).unlink(missing_ok=True)
        if copied is not None and Path(choices.mbtiles or "").resolve() != copied.resolve():
            copied.unlink(missing_ok=True)
        raise
    shutil.rmtree(config.attachments_dir(temporary), ignore_errors=True)
    db, signed = accounts.open_and_sign_in(path, username, choices.password)
    if progress is not None:
        progress(len(STEPS), len(STEPS), "finish")
    log.info("first run: %s database at %s for %s (%s)", "demo" if choices.demo else "empty",
             path, username, choices.organisation)
    return Installation(db, signed, settings)
