"""Shared fixtures: a fresh real SQLite database per test, built once and copied."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may touch the real user data folder (logs, drafts, settings).
os.environ["LAGESBILD_HOME"] = tempfile.mkdtemp(prefix="lagesbild-home-")

from lagesbild_desktop.db.engine import Database, open_database  # noqa: E402
from lagesbild_desktop.domain.actor import Actor  # noqa: E402
from lagesbild_desktop.services import installation  # noqa: E402


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the catalogue and areas, made once per test run."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(path)
    installation.prepare(db, "Köpings kommun", "municipality")
    installation.add_organisation(db, "Polisen Västra Mälardalen", "police")
    db.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "lagesbild.db"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def db(db_path: Path):  # type: ignore[no-untyped-def]
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def actor(db: Database) -> Actor:
    return installation.actor_for(db)


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own data folder: drafts and settings never leak between tests."""
    home = tmp_path / "home"
    monkeypatch.setenv("LAGESBILD_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def collect_garbage_on_this_thread():  # type: ignore[no-untyped-def]
    """Once a window test has moved the cycle collector to the GUI thread (ui/background.py),
    collect after every test here, on the main thread, as the app's timer would."""
    yield
    if not gc.isenabled():
        # The young generations (what this test left), now and then all of them.
        gc.collect(2 if gc.get_count()[2] >= gc.get_threshold()[2] else 1)
