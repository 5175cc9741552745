"""A stretched pseudo-language (every text ~40 % longer, accented) clips no label or button
in the main views at the window's default size.

The pseudo translation is made from the sources at test time (build/i18n.py pseudo):
what is shown bracketed is translated, and what fits stretched fits in Swedish, which
runs up to a third longer than English.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui.first_run import FirstRunWizard
from lagesbild_desktop.ui.language import use_language
from lagesbild_desktop.ui.main_window import MainWindow
from tests.ui.ui_texts import clipped, close_window, i18n

TODAY = date(2026, 11, 26)
DEFAULT_SIZE = (1440, 900)  # ui/app.py run_gui


@pytest.fixture(scope="module")
def pseudo_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return i18n.pseudo_release(tmp_path_factory.mktemp("pseudo") / "lagesbild_pseudo.qm")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=800, seed=3, today=TODAY)
    return path


@pytest.fixture
def pseudo(qapp: Any, pseudo_qm: Path) -> Any:
    use_language(qapp, "en")  # no Swedish underneath: every text shown must be stretched
    translator = QTranslator(qapp)
    assert translator.load(str(pseudo_qm))
    qapp.installTranslator(translator)
    assert QApplication.translate("MainWindow", "Measures").startswith("[Méåŝûréŝ")
    yield translator
    qapp.removeTranslator(translator)
    use_language(qapp, "sv")


@pytest.fixture
def window(qtbot: Any, work: Any, demo_template: Path, tmp_path: Path, pseudo: Any) -> Any:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    made = MainWindow(db, installation.actor_for(db), work)
    qtbot.addWidget(made)
    made.resize(*DEFAULT_SIZE)
    with qtbot.waitSignals([made.map_drawn, made.table_loaded], timeout=60_000):
        made.show()
    qtbot.waitUntil(lambda: made.walks is not None, timeout=20_000)
    yield made
    close_window(made, work)
    db.close()


def settle(qtbot: Any, work: Any) -> None:
    qtbot.waitUntil(lambda: not work.busy, timeout=30_000)


def shown(qtbot: Any, widget: QWidget) -> QWidget:
    """The widget on screen with its texts stretched (else there is nothing to check)."""
    if not widget.isVisible():
        with qtbot.waitExposed(widget):
            widget.show()
    texts = [w.text() for w in widget.findChildren(QWidget)
             if isinstance(w, QLabel | QAbstractButton) and w.isVisible() and w.text().strip()]
    assert any("~]" in text for text in texts), texts
    return widget


def test_the_pseudo_translation_keeps_placeholders() -> None:
    assert i18n.pseudo_text("Saved {file}.") == "[Ŝåvéd {file}. ~~~]"
    assert i18n.pseudo_text("%n observation(s)").startswith("[%n öbŝérvåtîöñ(ŝ) ")
    assert i18n.pseudo_text("&Export\tCtrl+P") == "[&Éxpört ~]\tCtrl+P"
    assert len(i18n.pseudo_text("Situational picture")) >= 1.4 * len("Situational picture")


def test_no_label_or_button_is_clipped_in_the_main_views(qtbot: Any, work: Any,
                                                         window: Any) -> None:
    offenders: dict[str, list[str]] = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        settle(qtbot, work)
        name = window.tabs.tabText(index)
        offenders[f"tab {name}"] = clipped(window)

    window.tabs.setCurrentIndex(0)
    window.new_observation()
    form = shown(qtbot, window.form)
    settle(qtbot, work)
    offenders["observation form"] = clipped(form)
    form.close()

    window.tabs.setCurrentWidget(window.measures)
    window.measures.new_measure()
    measure_form = shown(qtbot, window.measures.form)
    settle(qtbot, work)
    offenders["measure form"] = clipped(measure_form)
    measure_form.close()

    window.tabs.setCurrentWidget(window.walks)
    before = set(QApplication.topLevelWidgets())
    window.walks.new_walk()
    walk_forms = [w for w in QApplication.topLevelWidgets()
                  if w not in before and w.isVisible()]
    assert walk_forms
    settle(qtbot, work)
    offenders["walk form"] = clipped(shown(qtbot, walk_forms[0]))
    walk_forms[0].close()

    for page_id in range(5):  # the set-up wizard at its own default size
        wizard = FirstRunWizard(Path(window.db.path).with_name("ny.db"), work,
                                switch_language=lambda _code: None)
        qtbot.addWidget(wizard)
        wizard.setStartId(page_id)
        wizard.map_page.file_choice.setChecked(True)
        offenders[f"wizard page {page_id}"] = clipped(shown(qtbot, wizard))
        wizard.close()

    width = DEFAULT_SIZE[0]
    if window.width() > width:  # a minimum size forced it wider: cut off on a small screen
        offenders["window"] = [f"the window is {window.width()} px wide, not {width}; the "
                               f"tabs need {window.tabs.minimumSizeHint().width()} px"]

    found = {view: items for view, items in offenders.items() if items}
    listing = "\n".join(f"{view}:\n  " + "\n  ".join(items) for view, items in found.items())
    assert not found, f"clipped in the pseudo-language at {DEFAULT_SIZE}:\n{listing}"
