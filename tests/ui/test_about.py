"""The About dialog: version, Python/Qt versions and the bundled components' licences."""

from __future__ import annotations

import platform

from PySide6.QtCore import QCoreApplication, qVersion

import lagesbild_desktop
from lagesbild_desktop.ui.about_dialog import AboutDialog, Component, all_components
from tests.ui.main_window_fixture import light_again, open_window, small_demo

__all__ = ["light_again", "open_window", "small_demo"]  # fixtures used by name

# Component (as listed) -> a licence its row must name.
EXPECTED = {
    "Qt": "LGPL-3.0", "Qt WebEngine": "LGPL-3.0", "Chromium": "BSD",
    "Leaflet": "BSD-2-Clause", "Leaflet.heat": "BSD-2-Clause", "SQLCipher": "BSD",
    "PySide6": "LGPL-3.0", "folium": "MIT", "reportlab": "BSD", "SQLAlchemy": "MIT",
    "argon2-cffi": "MIT", "pillow": "MIT-CMU", "numpy": "BSD-3-Clause", "pyproj": "MIT",
    "shapely": "BSD-3-Clause", "httpx": "BSD-3-Clause", "alembic": "MIT",
    "cryptography": "Apache-2.0", "sqlcipher3": "Zlib",
}


def rows(dialog: AboutDialog) -> dict[str, tuple[str, str]]:
    table = dialog.table
    return {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}


def open_about(qtbot, work, **kwargs) -> AboutDialog:
    dialog = AboutDialog(work, **kwargs)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    return dialog


def test_the_dialog_lists_every_bundled_component_with_its_licence(qtbot, work):
    dialog = open_about(qtbot, work)
    listed = rows(dialog)
    for name, licence in EXPECTED.items():
        assert name in listed, f"{name} is not listed"
        assert licence in listed[name][1], f"{name}: {listed[name][1]}"
    map_data = QCoreApplication.translate("AboutDialog", "Map data")
    assert listed[map_data][1] == QCoreApplication.translate(
        "AboutDialog", "See the base map's attribution")
    assert listed["Qt"][0] == qVersion()
    # The Python packages come from the installed metadata, with their real versions.
    from importlib.metadata import version
    assert listed["SQLAlchemy"][0] == version("sqlalchemy")
    assert "pytest" not in {name.lower() for name in listed}  # tools are not bundled
    heading = dialog.heading.text()
    assert lagesbild_desktop.__version__ in heading
    assert platform.python_version() in heading
    assert qVersion() in heading
    assert "EUPL" in heading


def test_selecting_a_component_shows_its_licence_text(qtbot, work):
    dialog = open_about(qtbot, work)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    dialog.table.setCurrentCell(names.index("Leaflet"), 0)
    qtbot.waitUntil(lambda: "Agafonkin" in dialog.text.toPlainText(), timeout=5_000)
    # A Python package's own licence file, read from its installed metadata.
    dialog.table.setCurrentCell(names.index("SQLAlchemy"), 0)
    qtbot.waitUntil(lambda: "Permission is hereby granted" in dialog.text.toPlainText(),
                    timeout=5_000)
    dialog.table.setCurrentCell(names.index("Qt"), 0)
    qtbot.waitUntil(lambda: "GNU LESSER GENERAL PUBLIC LICENSE" in dialog.text.toPlainText(),
                    timeout=5_000)


def test_every_licence_text_named_exists():
    missing = [(c.name, str(p)) for c in all_components() for p in c.texts if not p.is_file()]
    assert missing == []
    assert all(c.texts for c in all_components() if c.source != "Python package"
               or c.name.lower().startswith(("pyside6", "sqlcipher3", "xstatic")))


def test_a_component_without_a_text_says_so(qtbot, work, tmp_path):
    lonely = Component("Nothing", "1", "Unlicense", "test", (tmp_path / "gone.txt",))
    dialog = open_about(qtbot, work, components=lambda: [lonely])
    dialog.table.setCurrentCell(0, 0)
    qtbot.waitUntil(lambda: "Unlicense" in dialog.text.toPlainText(), timeout=5_000)


def test_the_help_menu_opens_it(qtbot, open_window):
    window = open_window()
    window.about_action.trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 20, timeout=10_000)
    assert dialog.isVisible()
    assert window.about_action in window.menuBar().actions()[-1].menu().actions()
    dialog.close()
