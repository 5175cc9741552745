"""Night theme and large text: applied at once to widgets, dialogs and the map, remembered."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from lagesbild_desktop import config
from lagesbild_desktop.ui import theme
from tests.ui.main_window_fixture import activate, light_again, open_window, small_demo

__all__ = ["light_again", "open_window", "small_demo"]  # fixtures used by name


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) \
        + 0.0722 * channel(colour.blue())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def page_value(qtbot, view, script: str):
    box: list = []
    view.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


NIGHT_CLASS = "document.documentElement.classList.contains('lagesbild-night')"
TILE_FILTER = "getComputedStyle(document.querySelector('.leaflet-tile-pane')).filter"
BACKGROUND = "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"


def test_the_night_palette_is_dark_and_readable():
    palette = theme.night_palette()
    role = QPalette.ColorRole
    assert palette.color(role.Window).lightness() < 60
    assert palette.color(role.Base).lightness() < 60
    for text, ground in ((role.WindowText, role.Window), (role.Text, role.Base),
                         (role.ButtonText, role.Button),
                         (role.HighlightedText, role.Highlight)):
        assert contrast(palette.color(text), palette.color(ground)) >= 4.5, (text, ground)


def test_night_theme_by_shortcut_darkens_widgets_dialogs_and_the_map(qtbot, open_window, qapp):
    window = open_window()
    activate(qtbot, window)
    light_window = qapp.palette().color(QPalette.ColorRole.Window)
    light_background = page_value(qtbot, window.map, BACKGROUND)
    assert page_value(qtbot, window.map, NIGHT_CLASS) is False

    QTest.keyClick(window, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    assert window.night_action.isChecked()
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 60
    assert qapp.style().name().lower() == "fusion"
    # Widgets already shown and dialogs made later both follow the application palette.
    # Qt tells the widgets shown of the change through events.
    qtbot.waitUntil(
        lambda: window.table.palette().color(QPalette.ColorRole.Base).lightness() < 60)
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    assert dialog.palette().color(QPalette.ColorRole.Window).lightness() < 60
    assert field.palette().color(QPalette.ColorRole.Text).lightness() > 180
    dialog.deleteLater()
    # The map: the page has the night class, the tiles a darkening filter and the
    # background a dark colour.
    qtbot.waitUntil(lambda: page_value(qtbot, window.map, NIGHT_CLASS) is True, timeout=5_000)
    assert "invert" in page_value(qtbot, window.map, TILE_FILTER)
    assert page_value(qtbot, window.map, BACKGROUND) != light_background
    assert page_value(qtbot, window.map, BACKGROUND) == "rgb(20, 23, 27)"
    if window.walks.map is not None:
        qtbot.waitUntil(lambda: window.walks.map.is_ready, timeout=20_000)
        qtbot.waitUntil(lambda: page_value(qtbot, window.walks.map, NIGHT_CLASS) is True,
                        timeout=5_000)
    # Text drawn in greys of its own follows: the details' hint is a light grey now.
    qtbot.waitUntil(lambda: "#95989d" in window.details.text)
    settings = QSettings(str(config.data_dir() / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value(theme.THEME_KEY) == "night"

    window.night_action.trigger()  # and back
    assert qapp.palette().color(QPalette.ColorRole.Window) == light_window
    qtbot.waitUntil(lambda: page_value(qtbot, window.map, NIGHT_CLASS) is False, timeout=5_000)
    assert page_value(qtbot, window.map, TILE_FILTER) == "none"
    settings.sync()
    assert settings.value(theme.THEME_KEY) == "light"


def test_large_text_scales_every_font_and_goes_back(qtbot, open_window, qapp):
    window = open_window()
    activate(qtbot, window)
    normal = qapp.font().pointSizeF()
    normal_height = window.table.fontMetrics().height()

    QTest.keyClick(window, Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    assert window.large_text_action.isChecked()
    assert abs(qapp.font().pointSizeF() - normal * theme.LARGE_TEXT_SCALE) < 0.01
    qtbot.waitUntil(lambda: window.table.fontMetrics().height() > normal_height * 1.2)
    assert window.filters.text.font().pointSizeF() == qapp.font().pointSizeF()
    # The rows grow with the text, so nothing is cut off.
    rows = window.table.verticalHeader().defaultSectionSize()
    assert rows >= window.table.fontMetrics().height() + 4
    # Twice on: still 1.35 times the normal size, never compounded.
    window.set_large_text(True)
    assert abs(qapp.font().pointSizeF() - normal * theme.LARGE_TEXT_SCALE) < 0.01
    window.large_text_action.trigger()
    assert qapp.font().pointSizeF() == normal
    settings = QSettings(str(config.data_dir() / "settings.ini"), QSettings.Format.IniFormat)
    assert theme.saved_large_text(settings) is False


def test_the_choice_is_remembered_and_applied_at_the_next_start(qtbot, open_window, qapp):
    first = open_window()
    activate(qtbot, first)
    first.set_night(True)
    first.set_large_text(True)
    first.settings.sync()
    normal = QApplication.font()
    theme.apply_theme(qapp, night=False, large_text=False)  # as a fresh start would be
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 150
    assert qapp.font().pointSizeF() < normal.pointSizeF()

    # What app.py does before the sign-in dialog, from the same settings file.
    theme.apply_saved_theme(qapp)
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 60
    assert qapp.font().pointSizeF() == normal.pointSizeF()
    second = open_window()
    assert second.night_action.isChecked()
    assert second.large_text_action.isChecked()
    qtbot.waitUntil(lambda: page_value(qtbot, second.map, NIGHT_CLASS) is True, timeout=5_000)


def test_unknown_or_missing_settings_mean_light_and_normal(tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert theme.saved_night(settings) is False
    assert theme.saved_large_text(settings) is False
    settings.setValue(theme.THEME_KEY, "sepia")
    settings.setValue(theme.LARGE_TEXT_KEY, "true")
    assert theme.saved_night(settings) is False
    assert theme.saved_large_text(settings) is True


def test_rows_with_a_background_of_their_own_keep_dark_text(qtbot, open_window):
    """A light row colour (overdue measures) under the night palette's light text would
    be unreadable: every cell that sets a background sets its text colour too."""
    from PySide6.QtWidgets import QAbstractItemView

    window = open_window()
    window.set_night(True)
    with qtbot.waitSignal(window.lagesbild.compiled, timeout=20_000):
        window.tabs.setCurrentWidget(window.lagesbild)
    window.tabs.setCurrentWidget(window.measures)
    qtbot.waitUntil(lambda: window.measures.table.model().rowCount() > 0, timeout=20_000)
    background, foreground = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
    coloured = 0
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # a list widget's model hides it: one column
            columns = 1
        for row in range(min(model.rowCount(), 300)):
            for column in range(columns):
                index = model.index(row, column)
                if model.data(index, background) is None:
                    continue
                coloured += 1
                text = model.data(index, foreground)
                assert text is not None, (type(model).__name__, row, column)
    assert coloured > 0  # the demo has overdue measures and a weekday × hour table
