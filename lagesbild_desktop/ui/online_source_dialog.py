"""The dialog for the online map source: an XYZ URL template, its credit, zoom range, a
contact for the User-Agent and how politely to fetch."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from lagesbild_desktop.maps.tile_source import MAX_ZOOM, OnlineSource, TileSourceError


class OnlineSourceDialog(QDialog):
    def __init__(self, current: OnlineSource | None = None,
                 parent: QWidget | None = None, *, language: str | None = None) -> None:
        super().__init__(parent)
        # The UI language: given, or the window's ("sv" when it has none).
        self.language = language or str(getattr(parent, "language", "sv") or "sv")
        self.setWindowTitle(self.tr("Online map source"))
        self.setMinimumWidth(560)
        current = current or OnlineSource("")
        intro = QLabel(self.tr(
            "Tiles are fetched by the program (never by the map page) while the computer"
            " is online, and every tile shown is saved so that it shows again offline."
            " Use your own tile server or a provider whose terms allow this use."))
        intro.setWordWrap(True)
        self.url = QLineEdit(current.url_template)
        self.url.setPlaceholderText("https://karta.example.se/tiles/{z}/{x}/{y}.png")
        self.url.setAccessibleName(self.tr("Tile address"))
        self.attribution = QLineEdit(current.attribution)
        self.attribution.setPlaceholderText(self.tr("© The map's owner"))
        self.attribution.setAccessibleName(self.tr("Credit"))
        self.min_zoom = QSpinBox()
        self.min_zoom.setRange(0, MAX_ZOOM)
        self.min_zoom.setValue(current.min_zoom)
        self.min_zoom.setAccessibleName(self.tr("Lowest zoom level"))
        self.max_zoom = QSpinBox()
        self.max_zoom.setRange(0, MAX_ZOOM)
        self.max_zoom.setValue(current.max_zoom)
        self.max_zoom.setAccessibleName(self.tr("Highest zoom level"))
        self.contact = QLineEdit(current.contact)
        self.contact.setPlaceholderText("gis@kommun.se")
        self.contact.setAccessibleName(self.tr("Contact"))
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.1, 50.0)
        self.rate.setDecimals(1)
        self.rate.setValue(current.requests_per_second)
        self.rate.setSuffix(self.tr(" per second"))
        self.rate.setAccessibleName(self.tr("At most requests"))
        self.connections = QSpinBox()
        self.connections.setRange(1, 6)
        self.connections.setValue(current.connections)
        self.connections.setAccessibleName(self.tr("Connections at once"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #92400e")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b42318")

        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(self.tr("Tile address"), self.url)
        form.addRow(self.tr("Credit"), self.attribution)
        form.addRow(self.tr("Lowest zoom level"), self.min_zoom)
        form.addRow(self.tr("Highest zoom level"), self.max_zoom)
        form.addRow(self.tr("Contact (sent to the server)"), self.contact)
        form.addRow(self.tr("At most requests"), self.rate)
        form.addRow(self.tr("Connections at once"), self.connections)
        form.addRow(self.note)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.url.textChanged.connect(self._update_note)
        self._update_note()
        self._source: OnlineSource | None = None

    def _candidate(self) -> OnlineSource:
        return OnlineSource(
            url_template=self.url.text().strip(), attribution=self.attribution.text().strip(),
            min_zoom=self.min_zoom.value(), max_zoom=self.max_zoom.value(),
            contact=self.contact.text().strip(), requests_per_second=self.rate.value(),
            connections=self.connections.value())

    def _update_note(self) -> None:
        source = self._candidate()
        if source.url_template and not source.bulk_download_allowed:
            self.note.setText(self.tr(
                "OpenStreetMap's own tile servers are run by volunteers: the map can be"
                " shown from them, but their usage policy forbids preparing areas for"
                " offline use (bulk downloading)."))
        else:
            self.note.clear()

    def accept(self) -> None:
        try:
            self._source = self._candidate().validate()
        except TileSourceError as error:
            self.problem.setText(
                str(error) if self.language == "en" else error.message_sv)
            return
        super().accept()

    def source(self) -> OnlineSource | None:
        return self._source

    @classmethod
    def ask(cls, parent: QWidget | None, current: OnlineSource | None) -> OnlineSource | None:
        dialog = cls(current, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.source() if accepted else None
