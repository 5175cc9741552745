"""Where things live: the user data folder (platformdirs; LAGESBILD_HOME overrides), resources."""

from __future__ import annotations

import logging
import logging.handlers
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


def backups_dir(database: Path) -> Path:
    """The rolling backups of a database file (services/backups.py)."""
    return database.with_name(database.stem + "-sakerhetskopior")


def crash_log() -> Path:
    """Where faulthandler writes when the window's process dies (crash_log.py)."""
    return data_dir() / "logs" / "crash.log"


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def log_file() -> Path:
    return data_dir() / "logs" / "lagesbild.log"


def setup_logging(verbose: bool = False) -> None:
    """English log to a rotating file in the data folder; the terminal gets it with -v.

    Users read Swedish messages; the log is for support and stays in English.
    """
    root = logging.getLogger()
    if getattr(root, "_lagesbild_configured", False):
        return
    root.setLevel(logging.INFO)
    form = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        log_file().parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        to_file.setFormatter(form)
        root.addHandler(to_file)
    except OSError:
        verbose = True  # no writable data folder: the terminal is all we have
    if verbose:
        to_terminal = logging.StreamHandler()
        to_terminal.setFormatter(form)
        root.addHandler(to_terminal)
    root._lagesbild_configured = True  # type: ignore[attr-defined]
