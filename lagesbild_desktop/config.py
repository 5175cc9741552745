"""Where things live: the user data folder (platformdirs; LAGESBILD_HOME overrides), resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Lagesbild"


def data_dir() -> Path:
    home = os.environ.get("LAGESBILD_HOME")
    if home:
        return Path(home)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_database() -> Path:
    return data_dir() / "lagesbild.db"


def attachments_dir(database: Path) -> Path:
    """The content-addressed attachment store that belongs to a database file."""
    return database.with_name(database.stem + "-bilagor")


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
