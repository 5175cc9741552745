"""The main window: assembles filter panel, map, table, details and the form, and wires them."""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
    QTabWidget,
    QWidget,
)

from lagesbild_desktop import config
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import BoundingBox, ObservationFilter
from lagesbild_desktop.maps.page import encode_points
from lagesbild_desktop.services import observations
from lagesbild_desktop.services.choices import Choices, load_choices
from lagesbild_desktop.services.drafts import DraftStore
from lagesbild_desktop.services.observations import ObservationView
from lagesbild_desktop.services.permissions import allowed
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.base_map import OnlineBaseMap
from lagesbild_desktop.ui.detail_panel import DetailPanel
from lagesbild_desktop.ui.export_privacy import ask_export_privacy, guarded_export
from lagesbild_desktop.ui.filter_panel import FilterPanel
from lagesbild_desktop.ui.keyboard import TabLeavesView, tab_between_controls
from lagesbild_desktop.ui.lagesbild_view import LagesbildView
from lagesbild_desktop.ui.language import add_language_menu
from lagesbild_desktop.ui.map_view import MapView
from lagesbild_desktop.ui.measures_view import MeasuresView
from lagesbild_desktop.ui.observation_form import ObservationForm
from lagesbild_desktop.ui.observation_table import ObservationTableModel
from lagesbild_desktop.ui.photo_metadata_dialog import photo_metadata_action
from lagesbild_desktop.ui.sync_control import SyncControl
from lagesbild_desktop.ui.walks_view import WalksView

log = logging.getLogger(__name__)
# Details (and their audit entry) wait this long, so rows only passed over are not read.
DETAILS_DELAY_MS = 150


def user_message(error: BaseException, language: str = "sv") -> str:
    """The text for an error, whatever layer raised it: the errors of our layers carry a
    Swedish message and say it in English as their str()."""
    if language == "en":
        return str(error) or type(error).__name__
    return getattr(error, "message_sv", None) or "Något gick fel: " + str(error)


class MainWindow(QMainWindow):
    map_drawn = Signal(int)  # the map shows the current filter: how many points
    table_loaded = Signal(int)
    report_written = Signal(str)  # the path of a finished PDF

    def __init__(self, db: Database, actor: Actor, work: BackgroundWork,
                 language: str = "sv", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor, self.work, self.language = db, actor, work, language
        self.store = config.attachments_dir(db.path)
        self.drafts = DraftStore(config.data_dir() / "drafts")
        self.choices: Choices | None = None
        self.walks: WalksView | None = None
        self.form: ObservationForm | None = None
        self._deleted: list[str] = []
        self._map_generation = 0
        self._table_filter: ObservationFilter | None = None
        self._map_filter: ObservationFilter | None = None
        self._lagesbild_filter: ObservationFilter | None = None
        self._pending_selection: str | None = None
        self.settings = QSettings(str(config.data_dir() / "settings.ini"),
                                  QSettings.Format.IniFormat)
        self.setWindowTitle(self.tr("Lägesbild"))

        self.filters = FilterPanel(language)
        self.model = ObservationTableModel(work, db, language, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName(self.tr("Observations"))
        for column, width in enumerate((118, 190, 105, 200, 90, 120)):
            self.table.setColumnWidth(column, width)
        self.map = MapView(self)
        self.map.setAccessibleName(self.tr("Map of the observations"))
        TabLeavesView(self.map)
        self.details = DetailPanel(language)
        self._details_id: str | None = None
        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(DETAILS_DELAY_MS)
        self._details_timer.timeout.connect(self._load_details)
        self.audit_dialog: Any = None

        self.map.setMinimumHeight(240)
        self.table.setMinimumHeight(160)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.map)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([540, 340])
        self.observation_page = split
        self.measures = MeasuresView(work, db, actor, language, parent=self)
        self.lagesbild = LagesbildView(work, db, language, parent=self)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, self.tr("Observations"))
        self.tabs.addTab(self.lagesbild, self.tr("Situational picture"))
        self.tabs.addTab(self.measures, self.tr("Measures"))
        self.setCentralWidget(self.tabs)
        self._dock(self.tr("Filter"), self.filters, Qt.DockWidgetArea.LeftDockWidgetArea, 300)
        self._dock(self.tr("Details"), self.details, Qt.DockWidgetArea.RightDockWidgetArea, 270)

        self.count_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.count_label)
        self.sync = SyncControl(work, db, actor, self.store, self.settings, self)
        self.statusBar().addPermanentWidget(self.sync.label)
        self._make_actions()

        self.filters.changed.connect(self.apply_filter)
        self.tabs.currentChanged.connect(lambda _index: self._update_lagesbild())
        self.lagesbild.hotspot_chosen.connect(self.show_hotspot)
        self.model.loaded.connect(self._table_loaded)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.map.observation_clicked.connect(self.select_observation)
        self.map.map_clicked.connect(self._map_clicked)
        self.map.ready.connect(self._map_ready)
        self.work.slow_started.connect(lambda _label: self.progress.show())
        self.work.idle.connect(self._work_done)
        self.sync.synced.connect(self._synced)

        self.work.run(lambda: load_choices(db, language), self._choices_loaded,
                      self._show_error, label="choices")

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, width: int) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _make_actions(self) -> None:
        def action(text: str, shortcut: QKeySequence | str, slot: Any,
                   checkable: bool = False) -> QAction:
            made = QAction(text, self)
            made.setShortcut(QKeySequence(shortcut))
            made.setCheckable(checkable)
            made.triggered.connect(slot)
            self.addAction(made)
            return made

        toolbar = self.addToolBar(self.tr("Actions"))
        toolbar.setObjectName("actions")
        self.new_action = action(self.tr("New observation"), QKeySequence.StandardKey.New,
                                 self.new_observation)
        self.edit_action = action(self.tr("Edit"), "Ctrl+E", self.edit_selected)
        self.delete_action = action(self.tr("Delete"), QKeySequence.StandardKey.Delete,
                                    self.delete_selected)
        self.undo_action = action(self.tr("Undo delete"), QKeySequence.StandardKey.Undo,
                                  self.undo_delete)
        # Edit, delete and undo act on the observations only while they are shown: the
        # measures tab has its own.
        for scoped in (self.edit_action, self.delete_action, self.undo_action):
            self.removeAction(scoped)
            scoped.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.observation_page.addAction(scoped)
        self.measure_action = action(self.tr("New measure from the selection"),
                                     "Ctrl+Shift+M", self.measure_from_selection)
        self.heat_action = action(self.tr("Heat map"), "Ctrl+H", self.map.set_heatmap, True)
        self.refresh_action = action(self.tr("Refresh"), QKeySequence.StandardKey.Refresh,
                                     lambda: self.apply_filter(self.filters.current_filter(),
                                                               again=True))
        for made in (self.new_action, self.edit_action, self.delete_action, self.undo_action,
                     self.heat_action, self.measure_action):
            toolbar.addAction(made)
        self.undo_action.setEnabled(False)
        self.base_map_action = QAction(self.tr("Choose base map (MBTiles)…"), self)
        self.base_map_action.triggered.connect(self.choose_base_map)
        self.no_base_map_action = QAction(self.tr("No base map"), self)
        self.no_base_map_action.triggered.connect(lambda: self.use_base_map(None))
        self.online_map = OnlineBaseMap(self, self.settings, self.work, self._map_views)
        self.report_action = action(self.tr("Export lägesbild (PDF)…"), "Ctrl+P",
                                    self.export_report)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addActions([self.new_action, self.edit_action, self.delete_action,
                              self.undo_action, self.measure_action])
        file_menu.addSeparator()
        file_menu.addAction(self.report_action)
        # The audit log says who looked at what: administrators only (the service checks too).
        self.audit_action: QAction | None = None
        if self.actor.role == "admin":
            self.audit_action = QAction(self.tr("Audit log…"), self)
            self.audit_action.triggered.connect(self.show_audit_log)
            file_menu.addAction(self.audit_action)
        photos = photo_metadata_action(self, self.work, self.db, self.actor)
        if photos is not None:  # what photos keep of their metadata (coordinators, admins)
            file_menu.addAction(photos)
        if allowed(self.actor.role, "run_retention"):
            retention_action = QAction(self.tr("Retention…"), self)
            retention_action.triggered.connect(self.show_retention)
            file_menu.addAction(retention_action)
        if allowed(self.actor.role, "manage_users"):
            rekey_action = QAction(self.tr("Change the database key…"), self)
            rekey_action.triggered.connect(self.change_database_key)
            file_menu.addAction(rekey_action)
            # Over a whole database a restore is for administrators (services.backups);
            # over a damaged one anyone is offered it when the file would not open.
            self.restore_action = QAction(self.tr("Restore a backup…"), self)
            self.restore_action.triggered.connect(self.restore_backup)
            file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.file_menu, self.quit_action = file_menu, quit_action
        map_menu = self.menuBar().addMenu(self.tr("&Map"))
        map_menu.addActions([self.heat_action, self.refresh_action])
        map_menu.addSeparator()
        map_menu.addActions([self.base_map_action, self.no_base_map_action])
        map_menu.addSeparator()
        map_menu.addActions([self.online_map.source_action, self.online_map.area_action])
        sync_menu = self.menuBar().addMenu(self.tr("&Sync"))
        sync_menu.addActions([self.sync.sync_action, self.sync.attention_action])
        sync_menu.addSeparator()
        sync_menu.addAction(self.sync.settings_action)
        toolbar.addSeparator()
        toolbar.addAction(self.sync.sync_action)
        self._make_view_and_help_menus(action)

    def _make_view_and_help_menus(self, action: Any) -> None:
        """View (tabs, search, night theme, large text) and Help: the keyboard's way in."""
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.tab_actions: list[QAction] = []
        for number, text in enumerate((self.tr("&Observations"),
                                       self.tr("&Situational picture"),
                                       self.tr("&Measures"), self.tr("Safety &walks"))):
            made = action(text, f"Ctrl+{number + 1}",
                          lambda _checked=False, index=number: self.show_tab(index))
            self.tab_actions.append(made)
            view_menu.addAction(made)
        self.search_action = action(self.tr("Search in the te&xt"), QKeySequence.StandardKey.Find,
                                    self.focus_search)
        self.filter_action = action(self.tr("Go to the &filters"), "Ctrl+Shift+F",
                                    self.focus_filters)
        view_menu.addSeparator()
        view_menu.addActions([self.search_action, self.filter_action])
        view_menu.addSeparator()
        self.night_action = action(self.tr("&Night theme"), "Ctrl+Shift+N", self.set_night, True)
        self.large_text_action = action(self.tr("&Large text"), "Ctrl+Shift+T",
                                        self.set_large_text, True)
        view_menu.addActions([self.night_action, self.large_text_action])
        view_menu.addSeparator()
        self.language_menu = add_language_menu(view_menu, self, self.language, self.settings)
        from lagesbild_desktop.ui import theme

        self.night_action.setChecked(theme.saved_night(self.settings))
        self.large_text_action.setChecked(theme.saved_large_text(self.settings))
        self.map.set_night(self.night_action.isChecked())
        self._fit_rows()

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.help_action = action(self.tr("&Help"), QKeySequence.StandardKey.HelpContents,
                                  self.show_help)
        self.shortcuts_action = action(self.tr("&Keyboard shortcuts"), "Ctrl+F1",
                                       self.show_shortcuts)
        self.guide_action = action(self.tr("&User guide"), "Shift+F1", self.show_guide)
        self.about_action = QAction(self.tr("&About Lägesbild"), self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addActions([self.help_action, self.shortcuts_action, self.guide_action])
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        self.help_window: Any = None
        self.about_dialog: Any = None

    # -- loading ------------------------------------------------------------------------
    def _choices_loaded(self, choices: Choices) -> None:
        self.choices = choices
        self.filters.set_choices(choices)
        # The walks view needs the catalogue (areas, categories) to build its forms.
        self.walks = WalksView(self.work, self.db, self.actor, choices, self.store,
                               self.drafts, self.language, parent=self)
        self.walks.walks_changed.connect(
            lambda: self.apply_filter(self.filters.current_filter(), again=True))
        self.tabs.addTab(self.walks, self.tr("Safety walks"))
        if self.walks.map is not None:
            self.walks.map.setAccessibleName(self.tr("Map of the walk's route"))
            TabLeavesView(self.walks.map)
            self.walks.map.set_night(self.night_action.isChecked())
        tab_between_controls(self)
        self.map.show_map(choices.area_geojson,
                          [(c.code, c.label, c.colour) for c in choices.categories],
                          self.language, run_in_background=self.work.run,
                          on_error=self._show_error)
        self._offer_drafts()

    def _map_ready(self) -> None:
        if self.online_map.online is not None or self.online_map.restore():
            return
        saved = self.settings.value("map/mbtiles", "")
        if saved and Path(str(saved)).exists():
            self.use_base_map(Path(str(saved)), remember=False)

    def apply_filter(self, f: ObservationFilter, *, again: bool = False) -> None:
        """Show `f` in table and map; the same filter twice is read once unless `again`."""
        if again or f != self._table_filter:
            self._table_filter = f
            self.model.set_filter(f)
        if again or f != self._map_filter:
            self._update_map(f)
        self._update_lagesbild()

    def _update_lagesbild(self) -> None:
        """Compile the lägesbild for the filter on screen, only while its tab is shown."""
        f = self.filters.current_filter()
        if self.tabs.currentWidget() is self.lagesbild and f != self._lagesbild_filter:
            self._lagesbild_filter = f
            self.lagesbild.set_filter(f)

    def show_hotspot(self, hotspot: Any) -> None:
        """Show a hotspot's observations in the table and on the map."""
        lat, lon, radius = hotspot.centre_lat, hotspot.centre_lon, hotspot.radius_m + 100
        dlat = radius / 111_320
        dlon = radius / (111_320 * max(0.1, math.cos(math.radians(lat))))
        f = replace(self.filters.current_filter(),
                    bbox=BoundingBox(lat - dlat, lon - dlon, lat + dlat, lon + dlon))
        self.tabs.setCurrentWidget(self.observation_page)
        self.apply_filter(f)
        self.map.set_view(lat, lon, 15 if radius < 700 else 14)
        self.statusBar().showMessage(self.tr(
            "Showing the hotspot at {place}. Change a filter to see everything again.")
            .format(place=hotspot.place or f"{lat:.4f}, {lon:.4f}"), 10_000)

    def _update_map(self, f: ObservationFilter) -> None:
        # The view keeps points pushed before its page is ready, so this need not wait.
        self._map_filter = f
        self._map_generation += 1
        generation, db = self._map_generation, self.db

        def read_and_encode() -> tuple[list[str], Any]:
            points = observations.map_points(db, f)
            return points.ids, encode_points(points.latitudes, points.longitudes,
                                             points.categories)

        self.work.run(read_and_encode, lambda result: self._draw(generation, *result),
                      self._show_error, label="map")

    def _draw(self, generation: int, ids: list[str], batch: Any) -> None:
        if generation != self._map_generation:
            return  # an older filter's points arrived late
        self.map.set_encoded_observations(ids, batch, self.map_drawn.emit)

    def _table_loaded(self, total: int) -> None:
        live = self.choices.live_observations if self.choices else total
        self.count_label.setText(self.tr("{shown} of {total} observations").format(
            shown=f"{total:,}".replace(",", "\u202f"), total=f"{live:,}".replace(",", "\u202f")))
        self.table_loaded.emit(total)
        self.sync.refresh_status()  # a change since may be waiting to be sent
        if self._pending_selection:
            self.select_observation(self._pending_selection)

    # -- report ------------------------------------------------------------------------
    def choose_report_file(self) -> str:
        """Where to save the report; tests replace this."""
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export lägesbild"), str(Path.home() / "lagesbild.pdf"),
            self.tr("PDF files (*.pdf)"))
        return chosen

    def open_file(self, path: Path) -> None:
        """Open a finished file in the system's viewer; tests replace this."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def export_report(self) -> None:
        """The lägesbild PDF of exactly the filters on screen, written in the background."""
        from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report

        chosen = self.choose_report_file()
        if not chosen:
            return
        path = Path(chosen) if chosen.lower().endswith(".pdf") else Path(chosen + ".pdf")
        f, db = self.filters.current_filter(), self.db
        areas = self.choices.areas if self.choices else []
        names = [area.label for area in areas if area.code in f.area_ids]
        self.report_action.setEnabled(False)
        self.statusBar().showMessage(self.tr("Writing the lägesbild…"))
        steps = {"compile": self.tr("Compiling the numbers…"),
                 "map": self.tr("Drawing the map…"),
                 "walks": self.tr("Adding the safety-walk protocols…"),
                 "write": self.tr("Writing the PDF…"), "done": self.tr("Done.")}

        def progressed(done: int, total: int, step: str) -> None:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.show()
            self.statusBar().showMessage(steps.get(step, step))

        def written(_: object) -> None:
            self.report_action.setEnabled(True)
            self.statusBar().showMessage(self.tr("Saved {file}.").format(file=path.name), 6000)
            self.report_written.emit(str(path))
            self.open_file(path)

        def failed(error: BaseException) -> None:
            self.report_action.setEnabled(True)
            self.statusBar().clearMessage()
            self._show_error(error)

        def cancelled() -> None:
            self.report_action.setEnabled(True)
            self.statusBar().clearMessage()

        saved = str(self.settings.value("map/mbtiles", "") or "")
        tiles = Path(saved) if saved and Path(saved).is_file() else None
        store, actor = self.store, self.actor

        def start(choice: str, done: Any, error: Any) -> None:
            # Personal data in the report: refused first, then as the user chose.
            self.work.run_with_progress(
                lambda progress: write_lagesbild_report(
                    db, f, path, municipalities=names, progress=progress, tiles_path=tiles,
                    store=store, actor=actor, personal_data=choice),
                progressed, done, error, label="report")

        guarded_export(start, written, failed, self.ask_export_privacy, cancelled)

    def ask_export_privacy(self, findings: list[Any]) -> str:
        """Personal data in the report: "mask", "keep" or "cancel"; tests replace this."""
        return ask_export_privacy(self, findings, self.language)

    def _synced(self, report: Any) -> None:
        """Show what other devices sent."""
        if report.pulled:
            self.apply_filter(self.filters.current_filter(), again=True)

    def _work_done(self) -> None:
        """Nothing runs any more: hide the progress bar and make it a busy bar again."""
        self.progress.hide()
        self.progress.setRange(0, 0)

    # -- base map ----------------------------------------------------------------------
    def choose_base_map(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose base map"), "", self.tr("MBTiles files (*.mbtiles)"))
        if chosen:
            self.use_base_map(Path(chosen))

    def use_base_map(self, path: Path | None, *, remember: bool = True) -> bool:
        """Show tiles from an MBTiles file (None: the plain background with borders)."""
        try:
            self.map.set_mbtiles(path)
            if self.walks is not None and self.walks.map is not None:
                self.walks.map.set_mbtiles(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file: say so, keep the map
            log.warning("base map %s refused: %s", path, error)
            QMessageBox.warning(self, self.tr("Base map"), user_message(error, self.language))
            return False
        if remember:
            self.settings.setValue("map/mbtiles", str(path) if path else "")
        self.online_map.leave(remember=remember)
        return True

    def _map_views(self) -> list[MapView]:
        views = [self.map]
        if self.walks is not None and self.walks.map is not None:
            views.append(self.walks.map)
        return views

    # -- selection ---------------------------------------------------------------------
    def _row_changed(self, current: Any, _previous: Any) -> None:
        view = self.model.observation(current.row()) if current.isValid() else None
        self._details_id = view.id if view is not None else None
        if view is None:
            self._details_timer.stop()
            self.details.show_observation(None)
            return
        self.details.show_loading()
        self._details_timer.start()
        self.map.select(view.id)

    def _load_details(self) -> None:
        """Read the selected observation afresh; reading it logs the view (audit)."""
        observation_id, db, actor = self._details_id, self.db, self.actor
        if observation_id is None:
            return

        def shown(view: ObservationView) -> None:
            if self._details_id == observation_id:  # not a row passed over meanwhile
                self.details.show_observation(view)

        def failed(error: BaseException) -> None:
            log.warning("details of %s not shown: %s", observation_id, error)
            if self._details_id == observation_id:
                self.details.show_observation(None)

        self.work.run(lambda: observations.view_observation(db, actor, observation_id),
                      shown, failed, write=True, label="details")

    def selected(self) -> ObservationView | None:
        index = self.table.currentIndex()
        return self.model.observation(index.row()) if index.isValid() else None

    def select_observation(self, observation_id: str) -> None:
        """Select an observation's row (a point clicked on the map), loading it if needed."""
        row = self.model.row_of(observation_id)
        if row is not None:
            self._pending_selection = None
            self._select_row(row)
            return
        self._pending_selection = observation_id
        f, sort, db = self.model.current_filter, self.model.current_sort, self.db
        self.work.run(lambda: observations.observation_position(db, f, sort, observation_id),
                      lambda row: self._position_found(observation_id, row), self._show_error,
                      label="position")

    def _position_found(self, observation_id: str, row: int | None) -> None:
        if row is None or self._pending_selection != observation_id:
            return
        self.model.ensure_loaded(row)
        self.model.dataChanged.connect(self._retry_selection)

    def _retry_selection(self, *_args: Any) -> None:
        if self._pending_selection and self.model.row_of(self._pending_selection) is not None:
            self.model.dataChanged.disconnect(self._retry_selection)
            self.select_observation(self._pending_selection)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _map_clicked(self, latitude: float, longitude: float) -> None:
        if self.form is not None and self.form.isVisible():
            self.form.set_position(latitude, longitude)

    # -- recording ---------------------------------------------------------------------
    def new_observation(self, draft: dict[str, Any] | None = None) -> None:
        self._open_form(draft=draft or None)

    def edit_selected(self) -> None:
        view = self.selected()
        if view is not None:
            self._open_form(existing=view)

    def _open_form(self, *, existing: ObservationView | None = None,
                   draft: dict[str, Any] | None = None) -> None:
        """One form at a time: a second request brings the open one forward."""
        if self.choices is None:
            return
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            self.form.activateWindow()
            return
        self.form = ObservationForm(
            work=self.work, db=self.db, actor=self.actor, choices=self.choices,
            store=self.store, drafts=self.drafts, existing=existing, draft=draft,
            language=self.language, parent=self)
        self.form.saved.connect(self._saved)
        self.form.show()

    def measure_from_selection(self) -> None:
        """Open the measure form linked to the selected observations."""
        ids = [view.id for index in self.table.selectionModel().selectedRows()
               if (view := self.model.observation(index.row())) is not None]
        if not ids:
            self.statusBar().showMessage(
                self.tr("Select one or more observations in the table first."), 5000)
            return
        self.tabs.setCurrentWidget(self.measures)
        self.measures.create_from_observations(ids)

    def _saved(self, view: ObservationView) -> None:
        self.statusBar().showMessage(self.tr("Saved."), 4000)
        self._pending_selection = view.id
        self._refresh_counts()

    def delete_selected(self) -> None:
        view = self.selected()
        if view is None:
            return
        db, actor = self.db, self.actor

        def deleted(_: object) -> None:
            self._deleted.append(view.id)
            self.undo_action.setEnabled(True)
            self.statusBar().showMessage(
                self.tr("Observation deleted. Ctrl+Z brings it back."), 6000)
            self._refresh_counts()

        self.work.run(lambda: observations.delete_observation(db, actor, view.id), deleted,
                      self._show_error, write=True, label="delete")

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        observation_id = self._deleted.pop()
        self.undo_action.setEnabled(bool(self._deleted))
        db, actor = self.db, self.actor

        def restored(view: ObservationView) -> None:
            self._pending_selection = view.id
            self.statusBar().showMessage(self.tr("Observation restored."), 4000)
            self._refresh_counts()

        self.work.run(lambda: observations.restore_observation(db, actor, observation_id),
                      restored, self._show_error, write=True, label="restore")

    def _refresh_counts(self) -> None:
        db, language = self.db, self.language

        def loaded(choices: Choices) -> None:
            self.choices = choices
            self.apply_filter(self.filters.current_filter(), again=True)

        self.work.run(lambda: load_choices(db, language), loaded, self._show_error,
                      label="choices")

    def _offer_drafts(self) -> None:
        drafts = self.drafts.load_all()
        if not drafts:
            return
        answer = QMessageBox.question(
            self, self.tr("Unsaved observation"),
            self.tr("An observation you were writing was not saved (the program may have "
                    "closed unexpectedly). Do you want to continue with it?"))
        if answer == QMessageBox.StandardButton.Yes:
            self.new_observation(drafts[0].values)

    def show_audit_log(self) -> None:
        """The audit log dialog (administrators); one at a time."""
        from lagesbild_desktop.ui.audit_view import AuditDialog

        if self.audit_dialog is None:
            self.audit_dialog = AuditDialog(self.work, self.db, self.actor, self)
        elif self.audit_dialog.isVisible():
            self.audit_dialog.raise_()
            return
        else:
            self.audit_dialog.reload()
        self.audit_dialog.show()

    # -- view and help -----------------------------------------------------------------
    def show_tab(self, index: int) -> None:
        """Ctrl+1..4: a tab, with the keyboard focus in it (the table on the first)."""
        if not 0 <= index < self.tabs.count():
            return  # the walks tab comes once the catalogue is read
        self.tabs.setCurrentIndex(index)
        page = self.tabs.widget(index)
        if page is self.observation_page:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
                self._select_row(0)
        else:
            page.setFocus(Qt.FocusReason.ShortcutFocusReason)
            page.focusNextChild()

    def focus_search(self) -> None:
        """Ctrl+F: the filter's free-text field, its text selected for typing over."""
        self.filters.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.text.selectAll()

    def focus_filters(self) -> None:
        self.filters.period.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_night(self, on: bool) -> None:
        """The night theme: dark widgets and a dimmed map; remembered."""
        from PySide6.QtWidgets import QApplication

        from lagesbild_desktop.ui import theme

        self.night_action.setChecked(on)
        self.settings.setValue(theme.THEME_KEY, "night" if on else "light")
        theme.apply_theme(QApplication.instance(), night=on,  # type: ignore[arg-type]
                          large_text=self.large_text_action.isChecked())
        self.map.set_night(on)
        if self.walks is not None and getattr(self.walks, "map", None) is not None:
            self.walks.map.set_night(on)

    def set_large_text(self, on: bool) -> None:
        """Large text: every widget's font 1.35 times larger; remembered."""
        from PySide6.QtWidgets import QApplication

        from lagesbild_desktop.ui import theme

        self.large_text_action.setChecked(on)
        self.settings.setValue(theme.LARGE_TEXT_KEY, bool(on))
        theme.apply_theme(QApplication.instance(),  # type: ignore[arg-type]
                          night=self.night_action.isChecked(), large_text=on)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """The table's fixed row height follows the text size (large text)."""
        from PySide6.QtGui import QFontMetrics
        from PySide6.QtWidgets import QApplication

        height = QFontMetrics(QApplication.font()).height()
        self.table.verticalHeader().setDefaultSectionSize(max(22, height + 8))

    def _help(self) -> Any:
        from lagesbild_desktop.ui.help_window import HelpWindow

        if self.help_window is None:
            self.help_window = HelpWindow(self, self.work)
        return self.help_window

    def show_help(self) -> None:
        """F1: the help window, on the keyboard shortcuts."""
        self.show_shortcuts()

    def show_shortcuts(self) -> None:
        window = self._help()
        window.show_shortcuts()
        self._bring_forward(window)

    def show_guide(self) -> None:
        window = self._help()
        window.show_guide()
        self._bring_forward(window)

    def show_retention(self) -> None:
        from lagesbild_desktop.ui.retention_dialog import RetentionDialog

        dialog = RetentionDialog(self.work, self.db, self.actor, self.store, self.language, self)
        dialog.ran.connect(
            lambda _report: self.apply_filter(self.filters.current_filter(), again=True))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def change_database_key(self) -> None:
        from lagesbild_desktop.ui.rekey_dialog import RekeyDialog

        report = RekeyDialog.ask(self.work, self.db, self.actor, self.language, self)
        if report is not None:
            self.statusBar().showMessage(report.message(self.language), 15_000)

    def restore_backup(self) -> None:
        """A backup in the database's place; then the window closes (its data is gone)."""
        from lagesbild_desktop.ui.backup_dialog import RestoreDialog

        report = RestoreDialog.ask(self.db.path, self.work, key=self.db.key, db=self.db,
                                   actor=self.actor, language=self.language, parent=self)
        if report is None:
            return
        QMessageBox.information(self, self.tr("Lägesbild"), report.message(self.language)
                                + " " + self.tr("Lägesbild closes now; start it again."))
        self.close()

    def show_about(self) -> None:
        from lagesbild_desktop.ui.about_dialog import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.work, self)
        self._bring_forward(self.about_dialog)

    @staticmethod
    def _bring_forward(dialog: QWidget) -> None:
        if dialog.isVisible():
            dialog.raise_()  # already open behind the window
        else:
            dialog.show()
        dialog.activateWindow()

    def _show_error(self, error: BaseException) -> None:
        log.error("operation failed: %s", error)
        QMessageBox.warning(self, self.tr("Lägesbild"), user_message(error, self.language))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        for form in (self.form, self.measures.form):
            if form is not None and form.isVisible() and not form.close():
                event.ignore()  # a form is saving, or the user kept what they typed
                return
        self._details_timer.stop()
        self.online_map.shut_down()
        self.work.shut_down(10_000)
        super().closeEvent(event)

