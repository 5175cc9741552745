"""The safety-walks view: the walks, the selected walk's route, stops and findings.

Plans and edits walks (WalkForm), moves a walk through its phases, imports a route from a
GPX file or draws it on the small map, and opens the observation form for a new finding
preset with the walk and its next stop number.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop import config
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.observation import ValidationError
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import walk_routes, walks
from lagesbild_desktop.services.observations import ObservationView
from lagesbild_desktop.services.walks import WalkView
from lagesbild_desktop.ui.export_privacy import ask_export_privacy, guarded_export
from lagesbild_desktop.ui.walk_form import WalkForm, walk_input

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database
    from lagesbild_desktop.domain.actor import Actor
    from lagesbild_desktop.services.choices import Choices
    from lagesbild_desktop.services.drafts import DraftStore
    from lagesbild_desktop.ui.background import BackgroundWork
    from lagesbild_desktop.ui.map_view import MapView
    from lagesbild_desktop.ui.observation_form import ObservationForm

log = logging.getLogger(__name__)

WALK_ID_ROLE = Qt.ItemDataRole.UserRole
NOTICE_MS = 8000
MAX_FINDINGS = 1000  # a walk has tens of stops; this is a safety cap, not a page size
ALL = None
PHASES = [str(p.code) for p in catalogue.WALK_PHASES]


def stop_order(findings: list[ObservationView]) -> list[ObservationView]:
    """Findings by stop number; those without one last, oldest first."""
    return sorted(findings, key=lambda f: (f.stop_number is None, f.stop_number or 0,
                                           f.occurred_from))


def route_point_count(route: dict[str, Any] | None) -> int:
    return len((route or {}).get("coordinates") or [])


class WalksView(QWidget):
    walks_changed = Signal()  # a walk was created, changed or got a route
    loaded = Signal(int)  # the walk list shows the current filter: how many walks
    findings_loaded = Signal(int)  # the selected walk's findings are shown: how many
    form_opened = Signal(object)  # the WalkForm or ObservationForm just opened
    protocol_written = Signal(str)  # the path of a finished protocol PDF

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor, choices: Choices,
                 store: Path, drafts: DraftStore, language: str = "sv",
                 parent: QWidget | None = None, *, with_map: bool = True) -> None:
        """`with_map=False` leaves out the route map (tests and machines without it)."""
        super().__init__(parent)
        self._work, self._db, self._actor, self._choices = work, db, actor, choices
        self._store, self._drafts, self._language = store, drafts, language
        self._walks: list[WalkView] = []
        self._findings: list[ObservationView] = []
        self._generation = 0
        self._findings_generation = 0
        self._pending_selection: str | None = None
        self._drawn: list[list[float]] = []
        self._writing_protocol = False
        self.walk_form: WalkForm | None = None
        self.observation_form: ObservationForm | None = None
        self.map: MapView | None = None
        self._build(with_map)
        self._connect()
        self.reload()

    # -- building -------------------------------------------------------------------------
    def _build(self, with_map: bool) -> None:
        lang = self._language
        self.phase_filter = QComboBox()
        self.phase_filter.setAccessibleName(self.tr("Phase"))
        self.phase_filter.addItem(self.tr("All phases"), ALL)
        for phase in catalogue.WALK_PHASES:
            self.phase_filter.addItem(phase.text(lang), str(phase.code))

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([
            self.tr("Walk"), self.tr("Date"), self.tr("Light"), self.tr("Phase"),
            self.tr("Findings")])
        self.table.setAccessibleName(self.tr("Safety walks"))
        self._table_style(self.table)
        for column, width in enumerate((190, 125, 72, 120)):
            self.table.setColumnWidth(column, width)

        self.findings = QTableWidget(0, 4)
        self.findings.setHorizontalHeaderLabels([
            self.tr("Stop"), self.tr("Category"), self.tr("Description / proposed measure"),
            self.tr("Ratings")])
        self.findings.setAccessibleName(self.tr("Findings of the selected walk"))
        self._table_style(self.findings)
        for column, width in enumerate((50, 150, 320)):
            self.findings.setColumnWidth(column, width)

        self.new_button = QPushButton(self.tr("&New walk"))
        self.edit_button = QPushButton(self.tr("&Edit walk"))
        self.import_button = QPushButton(self.tr("Import route (&GPX)…"))
        self.draw_button = QPushButton(self.tr("&Draw route"))
        self.draw_button.setCheckable(True)
        self.save_route_button = QPushButton(self.tr("Sa&ve route"))
        self.previous_phase_button = QPushButton(self.tr("◀ &Previous phase"))
        self.next_phase_button = QPushButton(self.tr("Ne&xt phase ▶"))
        self.new_stop_button = QPushButton(self.tr("New &stop"))
        self.protocol_button = QPushButton(self.tr("Export protocol (PDF)…"))
        self.protocol_button.setToolTip(self.tr(
            "The walk's protocol: route map, participants, findings with photos and "
            "ratings, measures"))
        self.phase_label = QLabel()
        self.route_label = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self._notice_timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice.clear)
        self.count_label = QLabel()

        top = QHBoxLayout()
        label = QLabel(self.tr("P&hase"))
        label.setBuddy(self.phase_filter)
        top.addWidget(label)
        top.addWidget(self.phase_filter)
        top.addSpacing(12)
        for button in (self.new_button, self.edit_button, self.protocol_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.count_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        phases = QHBoxLayout()
        phases.addWidget(self.previous_phase_button)
        phases.addWidget(self.phase_label, 1, Qt.AlignmentFlag.AlignCenter)
        phases.addWidget(self.next_phase_button)
        left_layout.addLayout(phases)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        route = QHBoxLayout()
        for button in (self.import_button, self.draw_button, self.save_route_button):
            route.addWidget(button)
        route.addWidget(self.route_label, 1)
        right_layout.addLayout(route)
        inner = QSplitter(Qt.Orientation.Vertical)
        if with_map:
            from lagesbild_desktop.ui.map_view import MapView

            self.map = MapView(self)
            self.map.setMinimumHeight(200)
            self.map.show_observation_controls(False)
            self.map.show_map(self._choices.area_geojson, [], self._language,
                              run_in_background=self._work.run,
                              on_error=self._show_error)
            inner.addWidget(self.map)
        findings = QWidget()
        findings_layout = QVBoxLayout(findings)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(self.findings, 1)
        stop_row = QHBoxLayout()
        stop_row.addWidget(self.new_stop_button)
        stop_row.addStretch(1)
        findings_layout.addLayout(stop_row)
        inner.addWidget(findings)
        inner.setSizes([320, 260])
        right_layout.addWidget(inner, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([600, 800])
        self.splitter = split

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.notice)
        self._update_buttons()

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(24)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setStretchLastSection(True)

    def _connect(self) -> None:
        self.phase_filter.currentIndexChanged.connect(lambda _i: self._fill_table())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda _item: self.edit_selected())
        self.new_button.clicked.connect(lambda: self.new_walk())
        self.edit_button.clicked.connect(self.edit_selected)
        self.import_button.clicked.connect(self.import_route)
        self.draw_button.toggled.connect(self.draw_route)
        self.save_route_button.clicked.connect(self.save_route)
        self.previous_phase_button.clicked.connect(lambda: self.move_phase(-1))
        self.next_phase_button.clicked.connect(lambda: self.move_phase(1))
        self.new_stop_button.clicked.connect(self.new_stop)
        self.protocol_button.clicked.connect(self.export_protocol)
        if self.map is not None:
            self.map.route_edited.connect(self._route_edited)

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the walks in the background; the phase filter is applied here."""
        self._generation += 1
        generation, db = self._generation, self._db
        self._work.run(lambda: walks.list_walks(db), lambda found: self._walks_arrived(
            generation, found), self._show_error, label="walks")

    def _walks_arrived(self, generation: int, found: list[WalkView]) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._walks = found
        self._fill_table()

    def _fill_table(self) -> None:
        chosen = self._pending_selection or self.selected_id()
        self._pending_selection = None
        phase = self.phase_filter.currentData()
        shown = [w for w in self._walks if phase is None or w.phase == phase]
        lang = self._language
        self.table.blockSignals(True)
        self.table.setRowCount(len(shown))
        for row, walk in enumerate(shown):
            cells = [
                walk.title, walk.starts_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"),
                catalogue.label_for(catalogue.WALK_LIGHT, walk.light, lang),
                catalogue.label_for(catalogue.WALK_PHASES, walk.phase, lang),
                str(walk.findings)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(WALK_ID_ROLE, walk.id)
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.clearSelection()
        self.table.blockSignals(False)
        keep = next((i for i, w in enumerate(shown) if w.id == chosen), None)
        if keep is not None:
            self.table.selectRow(keep)
        else:
            self._selection_changed()
        self.count_label.setText(self.tr("1 walk") if len(shown) == 1 else
                                 self.tr("{count} walks").format(count=len(shown)))
        self.loaded.emit(len(shown))

    # -- selection ------------------------------------------------------------------------
    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        value = item.data(WALK_ID_ROLE) if item is not None else None
        return str(value) if value else None

    def selected(self) -> WalkView | None:
        walk_id = self.selected_id()
        return next((w for w in self._walks if w.id == walk_id), None)

    def select_walk(self, walk_id: str) -> bool:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(WALK_ID_ROLE) == walk_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self) -> None:
        walk = self.selected()
        if self.draw_button.isChecked():
            self.draw_button.setChecked(False)  # a drawing belongs to the walk it began on
        self._update_buttons()
        self._findings_generation += 1
        if walk is None:
            self._findings = []
            self._fill_findings()
            self.phase_label.setText("")
            self.route_label.setText("")
            self._show_route(None)
            return
        self.phase_label.setText(catalogue.label_for(catalogue.WALK_PHASES, walk.phase,
                                                     self._language))
        count = route_point_count(walk.route)
        self.route_label.setText(self.tr("Route: {count} points").format(count=count)
                                 if count else self.tr("No route yet"))
        generation, db, actor, language, walk_id = (self._findings_generation, self._db,
                                                     self._actor, self._language, walk.id)
        self._work.run(  # viewing a walk's details is logged: on the write queue
            lambda: walks.view_walk_findings(db, actor, walk_id, limit=MAX_FINDINGS,
                                             language=language),
            lambda rows: self._findings_arrived(generation, rows), self._show_error,
            write=True, label="walk findings")

    def _findings_arrived(self, generation: int, rows: list[ObservationView]) -> None:
        if generation != self._findings_generation or not shiboken6.isValid(self):
            return
        self._findings = stop_order(rows)
        self._fill_findings()
        self._show_route(self.selected())
        self.findings_loaded.emit(len(self._findings))

    def _fill_findings(self) -> None:
        self.findings.setRowCount(len(self._findings))
        for row, finding in enumerate(self._findings):
            text = finding.title or finding.description
            if finding.proposed_measure:
                text = f"{text} → {finding.proposed_measure}" if text else \
                    finding.proposed_measure
            ratings, tooltip = self.ratings_summary(finding.ratings)
            cells = ["" if finding.stop_number is None else str(finding.stop_number),
                     finding.category_label, text.replace("\n", " "), ratings]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(WALK_ID_ROLE, finding.id)
                if column == 2:
                    item.setToolTip("\n".join(p for p in (
                        finding.description, finding.proposed_measure) if p)[:500])
                if column == 3 and tooltip:
                    item.setToolTip(tooltip)
                self.findings.setItem(row, column, item)

    def ratings_summary(self, ratings: dict[str, int] | None) -> tuple[str, str]:
        """A short text (the mean, how many rated, the lowest) and every rating as tooltip."""
        rated = {k: v for k, v in (ratings or {}).items() if v is not None}
        if not rated:
            return "", ""
        labels = {str(r.code): r.text(self._language) for r in catalogue.WALK_RATINGS}
        mean = sum(rated.values()) / len(rated)
        lowest = min(rated, key=lambda k: (rated[k], list(labels).index(k)
                                           if k in labels else 99))
        text = self.tr("{mean} on average, {count} of 9 rated; lowest: {name} {value}").format(
            mean=self._decimal(mean),
            count=len(rated), name=labels.get(lowest, lowest), value=rated[lowest])
        tooltip = "\n".join(f"{labels[c]}: {rated[c]}" for c in labels if c in rated)
        return text, tooltip

    def _decimal(self, value: float) -> str:
        text = f"{value:.1f}"
        return text if self._language == "en" else text.replace(".", ",")

    def _update_buttons(self) -> None:
        may_write = self._actor.role != "read_only"
        walk = self.selected()
        chosen = walk is not None
        index = PHASES.index(walk.phase) if walk and walk.phase in PHASES else -1
        self.new_button.setEnabled(may_write)
        self.edit_button.setEnabled(may_write and chosen)
        self.import_button.setEnabled(may_write and chosen)
        self.draw_button.setEnabled(may_write and chosen and self.map is not None)
        self.save_route_button.setEnabled(
            may_write and chosen and self.draw_button.isChecked() and len(self._drawn) >= 2)
        self.previous_phase_button.setEnabled(may_write and index > 0)
        self.next_phase_button.setEnabled(may_write and 0 <= index < len(PHASES) - 1)
        self.new_stop_button.setEnabled(may_write and chosen)
        self.protocol_button.setEnabled(chosen and not self._writing_protocol)

    # -- the map --------------------------------------------------------------------------
    def stops(self) -> list[tuple[int, float, float]]:
        """The numbered stops of the shown findings, as (number, lat, lon)."""
        return [(f.stop_number, f.latitude, f.longitude) for f in self._findings
                if f.stop_number is not None]

    def _show_route(self, walk: WalkView | None) -> None:
        if self.map is None or self.draw_button.isChecked():
            return
        if walk is None:
            self.map.set_route(None, [])
        else:
            self.map.set_route(walk.route, self.stops())

    # -- walks ----------------------------------------------------------------------------
    def new_walk(self) -> None:
        if self._actor.role != "read_only":
            self._open_walk_form(None)

    def edit_selected(self) -> None:
        walk = self.selected()
        if walk is not None and self._actor.role != "read_only":
            self._open_walk_form(walk)

    def _open_walk_form(self, existing: WalkView | None) -> None:
        if self.walk_form is not None and shiboken6.isValid(self.walk_form) \
                and self.walk_form.isVisible():
            self.walk_form.raise_()
            self.walk_form.activateWindow()
            return
        form = WalkForm(work=self._work, db=self._db, actor=self._actor,
                        choices=self._choices, existing=existing, language=self._language,
                        parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(lambda view: self._changed(view.id, self.tr("Walk saved.")))
        self.walk_form = form
        form.show()
        self.form_opened.emit(form)

    def _changed(self, walk_id: str | None, notice: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._pending_selection = walk_id
        self.show_notice(notice)
        self.reload()
        self.walks_changed.emit()

    def move_phase(self, step: int) -> None:
        """Move the selected walk one phase forward (1) or back (-1)."""
        walk = self.selected()
        if walk is None or walk.phase not in PHASES:
            return
        index = PHASES.index(walk.phase) + step
        if 0 <= index < len(PHASES):
            self.set_phase(PHASES[index])

    def set_phase(self, phase: str) -> None:
        walk = self.selected()
        if walk is None or self._actor.role == "read_only" or phase == walk.phase:
            return
        db, actor, data = self._db, self._actor, walk_input(walk, phase=phase)
        label = catalogue.label_for(catalogue.WALK_PHASES, phase, self._language)
        self._work.run(lambda: walks.update_walk(db, actor, walk.id, data),
                       lambda view: self._changed(view.id, self.tr(
                           "The walk is now: {phase}.").format(phase=label)),
                       self._show_error, write=True, label="walk phase")

    # -- routes ---------------------------------------------------------------------------
    def choose_file(self) -> Path | None:
        """The GPX file to import; tests replace this."""
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import route"), "", self.tr("GPX files (*.gpx);;All files (*)"))
        return Path(name) if name else None

    def import_route(self) -> None:
        walk = self.selected()
        if walk is None or self._actor.role == "read_only":
            return
        path = self.choose_file()
        if path is None:
            return
        walk_id = walk.id
        self._work.run(lambda: walk_routes.read_gpx_file(path),
                       lambda gpx: self._gpx_read(walk_id, gpx), self._show_error,
                       label="read GPX")

    def _gpx_read(self, walk_id: str, gpx: Any) -> None:
        if not shiboken6.isValid(self):
            return
        notice = self.tr("Route imported: {count} points, {km} km.").format(
            count=gpx.point_count, km=self._decimal(gpx.length_m / 1000))
        if gpx.simplified:
            notice += " " + self.tr("The line was simplified from {count} points.").format(
                count=gpx.original_point_count)
        self._store_route(walk_id, gpx.route, notice)

    def _store_route(self, walk_id: str, route: dict[str, Any] | None, notice: str) -> None:
        db, actor = self._db, self._actor
        self._work.run(lambda: walk_routes.set_route(db, actor, walk_id, route),
                       lambda view: self._changed(view.id, notice), self._show_error,
                       write=True, label="walk route")

    def draw_route(self, on: bool) -> None:
        """Edit mode on the map: clicks add points, points can be dragged."""
        if self.map is None:
            return
        if self.draw_button.isChecked() != on:
            self.draw_button.setChecked(on)  # toggled comes back here
            return
        walk = self.selected()
        if on:
            if walk is None:
                self.draw_button.setChecked(False)
                return
            self._drawn = [[lat, lon] for lon, lat, *_ in (walk.route or {}).get(
                "coordinates", [])]
            self.show_notice(self.tr(
                "Click on the map to add points; drag a point to move it."))
        self.map.edit_route(on)
        if not on:
            self._drawn = []
            self._show_route(walk)
        self._update_buttons()

    def _route_edited(self, points: list[Any]) -> None:
        self._drawn = [[float(p[0]), float(p[1])] for p in points]
        self._update_buttons()

    @property
    def drawn_points(self) -> list[list[float]]:
        return [list(p) for p in self._drawn]

    def save_route(self) -> None:
        walk = self.selected()
        if walk is None or self._actor.role == "read_only":
            return
        try:
            route = walk_routes.route_from_points([(p[0], p[1]) for p in self._drawn])
        except ValidationError as error:
            self.show_error("\n".join(p.message(self._language) for p in error.problems))
            return
        self._pending_selection = walk.id
        self.draw_button.setChecked(False)
        self._store_route(walk.id, route, self.tr("Route saved: {count} points.").format(
            count=route_point_count(route)))

    # -- findings -------------------------------------------------------------------------
    def new_stop(self) -> None:
        """The observation form for a new finding of the selected walk (next stop)."""
        walk = self.selected()
        if walk is None or self._actor.role == "read_only":
            return
        from lagesbild_desktop.ui.observation_form import ObservationForm

        form = ObservationForm(work=self._work, db=self._db, actor=self._actor,
                               choices=self._choices, store=self._store, drafts=self._drafts,
                               language=self._language, walk_id=walk.id, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        walk_id = walk.id
        form.saved.connect(lambda _view: self._changed(walk_id, self.tr("Finding saved.")))
        self.observation_form = form
        form.show()
        self.form_opened.emit(form)

    # -- the protocol ---------------------------------------------------------------------
    def choose_protocol_file(self, walk: WalkView) -> str:
        """Where to save the walk's protocol; tests replace this."""
        name = re.sub(r"[^\w\- ,]+", "", walk.title).strip() or "trygghetsvandring"
        day = walk.starts_at.astimezone(LOCAL).date().isoformat()
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export protocol"), str(Path.home() / f"{name} {day}.pdf"),
            self.tr("PDF files (*.pdf)"))
        return chosen

    def open_file(self, path: Path) -> None:
        """Open a finished file in the system's viewer; tests replace this."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def base_map(self) -> Path | None:
        """The MBTiles file the map shows (Map → Choose base map), if it still exists."""
        settings = QSettings(str(config.data_dir() / "settings.ini"),
                             QSettings.Format.IniFormat)
        saved = str(settings.value("map/mbtiles", "") or "")
        return Path(saved) if saved and Path(saved).is_file() else None

    def export_protocol(self) -> None:
        """The selected walk's protocol as a PDF, written in the background, then opened."""
        from lagesbild_desktop.reports.walk_protocol import write_walk_protocol

        walk = self.selected()
        if walk is None or self._writing_protocol:
            return
        chosen = self.choose_protocol_file(walk)
        if not chosen:
            return
        path = Path(chosen) if chosen.lower().endswith(".pdf") else Path(chosen + ".pdf")
        db, store, tiles, author = self._db, self._store, self.base_map(), ""
        self._writing_protocol = True
        self._update_buttons()
        self.show_notice(self.tr("Writing the protocol…"))

        def finished() -> bool:
            self._writing_protocol = False
            if not shiboken6.isValid(self):
                return False
            self._update_buttons()
            return True

        def written(_: object) -> None:
            if finished():
                self.show_notice(self.tr("Saved {file}.").format(file=path.name))
                self.protocol_written.emit(str(path))
                self.open_file(path)

        def failed(error: BaseException) -> None:
            if not finished():
                return
            self.notice.clear()
            if isinstance(error, OSError) and not hasattr(error, "message_sv"):
                log.error("walks: cannot write %s: %s", path, error)
                self.show_error(self.tr("Cannot write {file}: {reason}").format(
                    file=path, reason=error.strerror or error))
            else:
                self._show_error(error)

        def cancelled() -> None:
            if finished():
                self.notice.clear()

        actor = self._actor

        def start(choice: str, done: Any, error: Any) -> None:
            self._work.run(lambda: write_walk_protocol(db, walk.id, path, store=store,
                                                       tiles_path=tiles, author=author,
                                                       actor=actor, personal_data=choice),
                           done, error, label="walk protocol")

        guarded_export(start, written, failed, self.ask_export_privacy, cancelled)

    def ask_export_privacy(self, findings: list[Any]) -> str:
        """Personal data in the protocol: "mask", "keep" or "cancel"; tests replace this."""
        return ask_export_privacy(self, findings, self._language)

    # -- messages -------------------------------------------------------------------------
    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self._notice_timer.start()

    def _show_error(self, error: BaseException) -> None:
        log.error("walks: %s", error)
        if isinstance(error, ValidationError):
            reason = "\n".join(p.message(self._language) for p in error.problems)
        else:
            reason = (getattr(error, "message_sv", None) if self._language != "en"
                      else None) or str(error)
        if shiboken6.isValid(self):
            self.show_error(reason)

    def show_error(self, text: str) -> None:
        """A message box; tests replace this."""
        QMessageBox.warning(self, self.tr("Safety walks"), text)
