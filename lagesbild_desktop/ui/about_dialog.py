"""The About dialog: the version, and every bundled component with its licence and text."""

from __future__ import annotations

import contextlib
import importlib.metadata as metadata
import logging
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, qVersion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import lagesbild_desktop
from lagesbild_desktop.config import resource
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

PROJECT = "lagesbild-desktop"
# What the app needs at run time (pyproject's dependencies): read as roots as well as the
# installed project's own requirements, which may be older than the source tree.
ROOTS = ("pyside6", "sqlalchemy", "alembic", "platformdirs", "pyproj", "shapely", "numpy",
         "pillow", "folium", "xstatic-leaflet", "gpxpy", "reportlab", "rl-accel", "uuid6",
         "tzdata", "httpx", "argon2-cffi", "sqlcipher3", "cryptography")
# Where a package's metadata says too little: its licence, and the texts in resources/licenses.
KNOWN = {
    "sqlcipher3": ("Zlib", ("SQLCipher.txt",)),
    "pyside6": ("", ("Qt.txt", "LGPL-3.0.txt", "GPL-3.0.txt")),
    "pyside6-essentials": ("", ("Qt.txt", "LGPL-3.0.txt", "GPL-3.0.txt")),
    "pyside6-addons": ("", ("Qt.txt", "LGPL-3.0.txt", "GPL-3.0.txt")),
    "shiboken6": ("", ("Qt.txt", "LGPL-3.0.txt", "GPL-3.0.txt")),
    "xstatic-leaflet": ("BSD-2-Clause", ("Leaflet.txt",)),
}
PYTHON_PACKAGE = QT_TRANSLATE_NOOP("AboutDialog", "Python package")
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice|authors)", re.IGNORECASE)


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str
    source: str                      # "Python package" or what bundles it
    texts: tuple[Path, ...] = ()     # licence files, read when shown


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _licence_of(meta: metadata.PackageMetadata) -> str:
    """License-Expression, else a short License field, else the classifiers."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    field = (meta.get("License") or "").strip()
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if field and "\n" not in field and len(field) <= 60:
        return field
    if classifiers:
        return ", ".join(classifiers)
    return field.splitlines()[0][:60] if field else "?"


def _licence_files(dist: metadata.Distribution) -> tuple[Path, ...]:
    found = []
    for file in dist.files or ():
        in_info = file.parts and file.parts[0].endswith((".dist-info", ".egg-info"))
        if in_info and (LICENCE_FILE.match(file.name) or "licenses" in file.parts):
            found.append(Path(str(file.locate())))
    return tuple(found)


def python_components() -> list[Component]:
    """The installed distributions the app runs on, found by walking its requirements."""
    from packaging.requirements import InvalidRequirement, Requirement

    seen: dict[str, Component] = {}

    def walk(name: str) -> None:
        if _key(name) in seen:
            return
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            return
        meta = dist.metadata
        shown = meta.get("Name") or name
        licence, texts = _licence_of(meta), _licence_files(dist)
        known, extra = KNOWN.get(_key(name), ("", ()))
        if known and (licence == "?" or licence.startswith("(")):
            licence = known
        texts += tuple(resource("licenses", file) for file in extra)
        seen[_key(name)] = Component(shown, dist.version, licence, PYTHON_PACKAGE, texts)
        for line in dist.requires or ():
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and not requirement.marker.evaluate(
                    {"extra": ""}):
                continue  # optional extras (server, dev) are not bundled
            walk(requirement.name)

    walk(PROJECT)
    for root in ROOTS:
        walk(root)
    seen.pop(_key(PROJECT), None)
    return sorted(seen.values(), key=lambda c: c.name.lower())


def _qt_versions() -> tuple[str, str]:
    try:
        from PySide6.QtWebEngineCore import qWebEngineChromiumVersion, qWebEngineVersion

        return qWebEngineVersion(), qWebEngineChromiumVersion()
    except ImportError:  # pragma: no cover - WebEngine is a dependency
        return "?", "?"


def bundled_components() -> list[Component]:
    """What is not a Python package: Qt, Chromium, the map scripts, SQLCipher, fonts, data."""
    web_engine, chromium = _qt_versions()
    leaflet = "1.9"
    with contextlib.suppress(metadata.PackageNotFoundError):
        leaflet = metadata.version("xstatic-leaflet").rsplit(".", 1)[0]
    texts = resource("licenses")
    return [
        Component("Qt", qVersion(), "LGPL-3.0-only", "PySide6",
                  (texts / "Qt.txt", texts / "LGPL-3.0.txt", texts / "GPL-3.0.txt")),
        Component("Qt WebEngine", web_engine, "LGPL-3.0-only", "PySide6",
                  (texts / "Qt.txt", texts / "LGPL-3.0.txt")),
        Component("Chromium", chromium,
                  QT_TRANSLATE_NOOP("AboutDialog", "BSD-3-Clause (and others)"), "Qt WebEngine",
                  (texts / "Chromium.txt",)),
        Component("Leaflet", leaflet, "BSD-2-Clause", "xstatic-leaflet",
                  (texts / "Leaflet.txt",)),
        Component("Leaflet.heat", "0.2", "BSD-2-Clause", "folium",
                  (texts / "Leaflet.heat.txt",)),
        Component("SQLCipher", "4", "BSD-3-Clause (Zetetic)", "sqlcipher3",
                  (texts / "SQLCipher.txt",)),
        Component("SQLite", "3", QT_TRANSLATE_NOOP("AboutDialog", "Public domain"), "sqlcipher3",
                  (texts / "SQLCipher.txt",)),
        Component(QT_TRANSLATE_NOOP("AboutDialog", "DejaVu fonts"), "2.37", "Bitstream Vera",
                  QT_TRANSLATE_NOOP("AboutDialog", "PDF reports"),
                  (resource("fonts", "LICENSE-DejaVu.txt"),)),
        Component(QT_TRANSLATE_NOOP("AboutDialog", "Map data"), "",
                  QT_TRANSLATE_NOOP("AboutDialog", "See the base map's attribution"),
                  QT_TRANSLATE_NOOP("AboutDialog", "Map"),
                  (texts / "map-data.txt",)),
    ]


def all_components() -> list[Component]:
    return bundled_components() + python_components()


def read_licence(component: Component) -> str:
    parts = []
    for path in component.texts:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            parts.append(f"== {path.name} ==\n\n{text}")
        except OSError as error:
            log.warning("licence text %s not readable: %s", path, error)
    return "\n\n".join(parts)


def version_line() -> str:
    web_engine, chromium = _qt_versions()
    try:
        import PySide6

        pyside = PySide6.__version__
    except (ImportError, AttributeError):  # pragma: no cover
        pyside = "?"
    return (f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {pyside} · "
            f"Qt WebEngine {web_engine} (Chromium {chromium})")


class AboutDialog(QDialog):
    """Lists the components once they are read (in the background: ~40 metadata files)."""

    loaded = Signal(int)  # how many components are listed

    def __init__(self, work: BackgroundWork, parent: QWidget | None = None,
                 *, components: Callable[[], list[Component]] = all_components) -> None:
        super().__init__(parent)
        self.work = work
        self.components: list[Component] = []
        self.setWindowTitle(self.tr("About Lägesbild"))
        self.resize(760, 620)
        purpose = self.tr("The shared situational picture of a municipality and its local "
                          "police.")
        own = self.tr("Licence of Lägesbild: {licence}.").format(licence=self._own_licence())
        listed = self.tr("Bundled components and their licences:")
        heading = QLabel(
            f"<h2>Lägesbild Desktop {escape(lagesbild_desktop.__version__)}</h2>"
            f"<p>{escape(purpose)}</p><p>{escape(version_line())}</p>"
            f"<p>{escape(own)}</p><p>{escape(listed)}</p>")
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading = heading
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Component"), self.tr("Version"), self.tr("Licence"), self.tr("Part of")])
        self.table.setAccessibleName(self.tr("Bundled components and their licences"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for column in (0, 1, 2):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Licence text"))
        self.text.setPlaceholderText(self.tr("Select a component to read its licence."))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.text)
        split.setSizes([330, 200])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_text(row))
        work.run(components, self._listed, self._failed, label="licences")

    @staticmethod
    def _own_licence() -> str:
        try:
            return _licence_of(metadata.metadata(PROJECT))
        except metadata.PackageNotFoundError:
            return "EUPL-1.2"

    def _listed(self, components: list[Component]) -> None:
        self.components = components
        self.table.setRowCount(len(components))
        for row, component in enumerate(components):
            for column, value in enumerate((component.name, component.version,
                                            component.licence, component.source)):
                shown = QCoreApplication.translate("AboutDialog", value) if value else ""
                self.table.setItem(row, column, QTableWidgetItem(shown))
        self.loaded.emit(len(components))

    def _failed(self, error: BaseException) -> None:
        log.error("licences not listed: %s", error)
        self.text.setPlainText(QCoreApplication.translate(
            "AboutDialog", "The list of components could not be read."))
        self.loaded.emit(0)

    def _show_text(self, row: int) -> None:
        if not 0 <= row < len(self.components):
            return
        component = self.components[row]

        def shown(text: str) -> None:
            if self.table.currentRow() == row:
                self.text.setPlainText(text or self.tr(
                    "The licence text is not included; the licence is {licence}.").format(
                        licence=component.licence))

        self.work.run(lambda: read_licence(component), shown, self._failed, label="licence")
