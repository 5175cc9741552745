"""The detail panel: everything about the selected observation, read-only."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.geo import wgs84_to_sweref
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.observations import ObservationView


class DetailPanel(QScrollArea):
    def __init__(self, language: str = "sv", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self._shown: ObservationView | None = None
        self._loading = False
        self.setWidgetResizable(True)
        self.setAccessibleName(self.tr("Details"))
        body = QWidget()
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.RichText)
        self._text.setOpenExternalLinks(False)
        self._text.setAccessibleName(self.tr("Details of the selected observation"))
        layout = QVBoxLayout(body)
        layout.addWidget(self._text)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_observation(None)

    @property
    def text(self) -> str:
        return self._text.text()

    def _quiet(self) -> str:
        """A grey that reads on the light and the night theme alike."""
        text = self.palette().color(QPalette.ColorRole.WindowText)
        ground = self.palette().color(QPalette.ColorRole.Window)
        mixed = [round(a * 0.62 + b * 0.38) for a, b in (
            (text.red(), ground.red()), (text.green(), ground.green()),
            (text.blue(), ground.blue()))]
        return "#{:02x}{:02x}{:02x}".format(*mixed)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # The night theme changes the palette: draw the greys again in the new one.
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_text"):
            if self._loading:
                self.show_loading()
            else:
                self.show_observation(self._shown)

    def show_loading(self) -> None:
        """Between a selection and its details: nothing of the previous one stays shown."""
        self._loading = True
        loading = self.tr("Loading…")
        self._text.setText(f"<p style='color:{self._quiet()}'>{escape(loading)}</p>")

    def show_observation(self, view: ObservationView | None) -> None:
        self._shown, self._loading = view, False
        if view is None:
            hint = self.tr("Select an observation in the table or on the map.")
            self._text.setText(f"<p style='color:{self._quiet()}'>{escape(hint)}</p>")
            return
        language = self._language

        def when(moment: object) -> str:
            return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]

        period = when(view.occurred_from)
        if view.occurred_to is not None:
            period += " – " + when(view.occurred_to)
        north, east = wgs84_to_sweref(view.latitude, view.longitude)
        rows = [
            (self.tr("Category"), view.category_label),
            (self.tr("Time"), period),
            (self.tr("Place"), view.place_name),
            (self.tr("Municipality"), view.municipality
             + (f" – {view.area}" if view.area and view.area != view.municipality else "")),
            (self.tr("Position (WGS 84)"), f"{view.latitude:.6f}, {view.longitude:.6f}"),
            (self.tr("Position (SWEREF 99 TM)"), f"N {north:.0f}, E {east:.0f}"),
            (self.tr("Severity"), f"{view.severity} "
             + catalogue.label_for(catalogue.SEVERITIES, str(view.severity), language)),
            (self.tr("Status"),
             catalogue.label_for(catalogue.OBSERVATION_STATUSES, view.status, language)),
            (self.tr("Police report filed"),
             catalogue.label_for(catalogue.POLICE_REPORT, view.police_report, language)),
            (self.tr("Organisation"), view.organisation),
            (self.tr("Sharing"),
             catalogue.label_for(catalogue.SHARING_LEVELS, view.sharing, language)),
        ]
        if view.stop_number is not None:
            rows.append((self.tr("Walk stop"), str(view.stop_number)))
        if view.proposed_measure:
            rows.append((self.tr("Proposed measure"), view.proposed_measure))
        quiet = self._quiet()
        table = "".join(
            f"<tr><td style='color:{quiet};padding-right:8px'>{escape(k)}</td>"
            f"<td>{escape(v)}</td></tr>" for k, v in rows if v)
        title = escape(view.title or view.category_label)
        description = escape(view.description).replace("\n", "<br>")
        self._text.setText(
            f"<h3 style='margin-bottom:4px'>{title}</h3><table>{table}</table>"
            f"<p>{description}</p>")
