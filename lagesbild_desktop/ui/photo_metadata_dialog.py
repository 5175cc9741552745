"""The installation's choice of what photos keep of their metadata (capture time, GPS).

Photos lose their metadata when they are added (domain.photo_metadata); this dialog sets
what is kept for photos added from now on. Coordinators and administrators only
("set_privacy"; the service checks too)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.photo_metadata import GPS, TIME
from lagesbild_desktop.services import attachments
from lagesbild_desktop.services.permissions import allowed
from lagesbild_desktop.ui.background import BackgroundWork


class PhotoMetadataDialog(QDialog):
    loaded = Signal()
    saved = Signal()

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work, self.db, self.actor = work, db, actor
        self.setWindowTitle(self.tr("Photo metadata"))
        note = QLabel(self.tr(
            "Photos lose their metadata when they are added: position, time, camera, "
            "owner and preview image. The photo that is stored, shared with partners and "
            "exported is the same. The orientation is always kept. Keep also:"))
        note.setWordWrap(True)
        self.time_box = QCheckBox(self.tr("Capture time"))
        self.gps_box = QCheckBox(self.tr("GPS position"))
        later = QLabel(self.tr("Applies to photos added from now on."))
        later.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (note, self.time_box, self.gps_box, later, self.buttons):
            layout.addWidget(widget)
        self.setEnabled(False)
        db_ = db
        work.run(lambda: attachments.photo_metadata_keep(db_), self._loaded, self._show_error,
                 label="photo metadata")

    def _loaded(self, keep: frozenset[str]) -> None:
        self.time_box.setChecked(TIME in keep)
        self.gps_box.setChecked(GPS in keep)
        self.setEnabled(True)
        self.loaded.emit()

    def chosen(self) -> frozenset[str]:
        return frozenset(word for word, box in ((TIME, self.time_box), (GPS, self.gps_box))
                         if box.isChecked())

    def save(self) -> None:
        db, actor, keep = self.db, self.actor, self.chosen()
        self.buttons.setEnabled(False)

        def done(_: Any) -> None:
            self.saved.emit()
            self.accept()

        def failed(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self._show_error(error)

        self.work.run(lambda: attachments.set_photo_metadata_keep(db, actor, keep), done,
                      failed, write=True, label="photo metadata")

    def _show_error(self, error: BaseException) -> None:
        self.show_error(getattr(error, "message_sv", None) or str(error))

    def show_error(self, text: str) -> None:
        """A message box; tests replace this."""
        QMessageBox.warning(self, self.tr("Photo metadata"), text)


def photo_metadata_action(parent: QWidget, work: BackgroundWork, db: Database,
                          actor: Actor) -> QAction | None:
    """The menu entry that opens the dialog; None for roles that may not set it."""
    if not allowed(actor.role, "set_privacy"):
        return None
    action = QAction(QCoreApplication.translate("PhotoMetadataDialog", "Photo metadata…"),
                     parent)

    def show() -> None:
        dialog = PhotoMetadataDialog(work, db, actor, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    action.triggered.connect(show)
    return action
