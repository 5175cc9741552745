"""A strip of photo thumbnails: files about to be attached and attachments already stored.

Thumbnails and EXIF are read in the background (a phone photo takes a noticeable moment
to decode); the strip shows a placeholder until they arrive. A file added is first
checked as the save will check it (services.attachments.check_photo_file): one that is
no photo (empty, text, damaged, a decompression bomb) leaves the strip again and
`refused` says why, so the user hears of it when adding it, not only after saving.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QImageReader,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QStyle, QWidget

from lagesbild_desktop.services.attachments import (
    AttachmentProblem,
    AttachmentView,
    PhotoInfo,
    check_photo_file,
    is_encrypted_file,
    read_file,
    read_photo_info,
)
from lagesbild_desktop.ui.background import BackgroundWork

THUMBNAIL = 96
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff",
                            ".webp", ".gif", ".bmp"})
_KIND = Qt.ItemDataRole.UserRole  # "file" or "stored"
_VALUE = Qt.ItemDataRole.UserRole + 1  # the Path of a file, the AttachmentView of a stored one
_TOKEN = Qt.ItemDataRole.UserRole + 2  # finds the item again when its thumbnail arrives


def image_paths(mime: QMimeData) -> list[Path]:
    """The local image files among dragged data."""
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]


@dataclass(frozen=True)
class _Read:
    image: QImage
    info: PhotoInfo | None
    problem: AttachmentProblem | None = None  # a file added that is no photo


def _read(path: Path, with_info: bool) -> _Read:
    """Runs in a worker: QImage (unlike QPixmap) may be made off the GUI thread.

    An encrypted stored file is decrypted in memory and scaled with Pillow; any other
    file is read by Qt from its path.
    """
    if path.is_file() and is_encrypted_file(path):
        return _Read(_sealed_thumbnail(path), read_photo_info(path) if with_info else None)
    if with_info and path.exists():  # a file gone by now is reported when saving
        try:
            check_photo_file(path)  # before Qt decodes it: it may be a decompression bomb
        except AttachmentProblem as problem:
            return _Read(QImage(), None, problem)
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMBNAIL, THUMBNAIL,
                                         Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return _Read(image, read_photo_info(path) if with_info else None)


def _sealed_thumbnail(path: Path) -> QImage:
    from io import BytesIO

    from PIL import Image, ImageOps

    try:
        with Image.open(BytesIO(read_file(path))) as original:
            picture = ImageOps.exif_transpose(original)
            picture.thumbnail((THUMBNAIL, THUMBNAIL))
            out = BytesIO()
            picture.convert("RGBA").save(out, "PNG")
    except (OSError, ValueError, RuntimeError, Image.DecompressionBombError):
        return QImage()
    return QImage.fromData(out.getvalue(), "PNG")


class PhotoStrip(QListWidget):
    photo_read = Signal(object, object)  # Path, PhotoInfo: EXIF of a newly added file
    changed = Signal()  # a photo was added or removed
    refused = Signal(object, object)  # Path, AttachmentProblem: a file added that is no photo

    def __init__(self, work: BackgroundWork, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._removed: list[str] = []
        self._tokens = itertools.count(1)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        line = self.fontMetrics().height()
        self.setGridSize(QSize(THUMBNAIL + 16, THUMBNAIL + line + 10))
        self.setFixedHeight(THUMBNAIL + line + 10 + self.horizontalScrollBar().sizeHint().height()
                            + 2 * self.frameWidth())
        self.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("Photos"))
        self._placeholder = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    # -- contents -------------------------------------------------------------------------
    def add_file(self, path: Path) -> bool:
        """Add a file to be attached on save; False when it is already in the strip."""
        path = path.resolve()
        if path in self.files():
            return False
        item = self._item(path.name, str(path), "file", path)
        self._load(item, path, with_info=True)
        self.changed.emit()
        return True

    def add_stored(self, attachment: AttachmentView, blob: Path) -> None:
        if attachment.id in self._removed:
            return
        item = self._item(attachment.file_name, attachment.file_name, "stored", attachment)
        self._load(item, blob, with_info=False)

    def mark_stored(self, path: Path, attachment: AttachmentView) -> None:
        """A file has been saved: it is a stored attachment now."""
        for item in self._items("file"):
            if item.data(_VALUE) == path:
                item.setData(_KIND, "stored")
                item.setData(_VALUE, attachment)

    def files(self) -> list[Path]:
        return [item.data(_VALUE) for item in self._items("file")]

    def removed_stored(self) -> list[str]:
        """Ids of stored attachments the user removed (they go when the form is saved)."""
        return list(self._removed)

    def set_removed_stored(self, ids: list[str]) -> None:
        self._removed = list(ids)
        for item in self._items("stored"):
            if item.data(_VALUE).id in self._removed:
                self.takeItem(self.row(item))

    def remove_selected(self) -> None:
        for item in self.selectedItems():
            if item.data(_KIND) == "stored":
                self._removed.append(item.data(_VALUE).id)
            self.takeItem(self.row(item))
        self.changed.emit()

    def _items(self, kind: str) -> list[QListWidgetItem]:
        return [self.item(i) for i in range(self.count()) if self.item(i).data(_KIND) == kind]

    def _item(self, text: str, tooltip: str, kind: str, value: object) -> QListWidgetItem:
        item = QListWidgetItem(self._placeholder, text, self)
        item.setToolTip(tooltip)
        item.setData(_KIND, kind)
        item.setData(_VALUE, value)
        item.setData(_TOKEN, next(self._tokens))
        return item

    def _load(self, item: QListWidgetItem, path: Path, with_info: bool) -> None:
        token = item.data(_TOKEN)

        def loaded(result: _Read) -> None:
            if not shiboken6.isValid(self):
                return  # the form was closed while the photo was being read
            found = [self.item(i) for i in range(self.count())
                     if self.item(i).data(_TOKEN) == token]
            if not found:
                return  # removed meanwhile
            if result.problem is not None:
                self.takeItem(self.row(found[0]))
                self.changed.emit()
                self.refused.emit(path, result.problem)
                return
            if not result.image.isNull():
                found[0].setIcon(QIcon(QPixmap.fromImage(result.image)))
            if result.info is not None:
                self.photo_read.emit(path, result.info)

        self._work.run(lambda: _read(path, with_info), loaded, None, label="thumbnail")

    # -- keyboard, drops and the empty strip --------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedItems():
            self.remove_selected()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if image_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = image_paths(event.mimeData())
        for path in paths:
            self.add_file(path)
        if paths:
            event.acceptProposedAction()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter,
                             self.tr("No photos. Drag pictures here or add them with the button."))
            painter.end()
