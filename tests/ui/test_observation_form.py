"""The observation form, driven the way a user drives it: keys, the map, photos, drafts."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.geo import sweref_to_wgs84, wgs84_to_sweref
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import attachments, observations, walks
from lagesbild_desktop.services.drafts import DraftStore
from lagesbild_desktop.ui.observation_form import ObservationForm

# The offscreen platform says so when a completer pops up; nothing to act on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


class Keyboard:
    """Sends keys where a real keyboard would (an open completer first) and counts them."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.count = 0

    def _target(self) -> Any:
        return QApplication.activePopupWidget() or QApplication.focusWidget()

    def type(self, text: str) -> None:
        for char in text:
            self.qtbot.keyClicks(self._target(), char)
            self.count += 1

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
              times: int = 1) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self._target(), key, modifier)
            self.count += 1


def make_photo(path: Path, lat: float | None = None, lon: float | None = None) -> Path:
    """A small JPEG, with an EXIF GPS position when lat/lon are given."""
    image = Image.new("RGB", (320, 240), (40, 90, 160))
    exif = Image.Exif()
    if lat is not None and lon is not None:
        def dms(value: float) -> tuple[Fraction, ...]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
            return (Fraction(degrees), Fraction(minutes), Fraction(seconds, 1000))
        exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    image.save(path, "JPEG", exif=exif)
    return path


def an_observation(**changes: Any) -> ObservationInput:
    values: dict[str, Any] = dict(
        category="broken_glass", occurred_from=datetime.now(UTC) - timedelta(hours=3),
        latitude=59.3942, longitude=15.8420, title="Krossad busskur",
        description="Glaset i busskuren är krossat.", place_name="Kungsörs resecentrum",
        severity=2)
    values.update(changes)
    return ObservationInput(**values)


# -- recording -----------------------------------------------------------------------------

def test_an_observation_is_recorded_with_the_keyboard_alone(
        make_form: Callable[..., ObservationForm], qtbot: Any, store: Path) -> None:
    form = make_form()
    keys = Keyboard(qtbot)
    started = time.perf_counter()

    keys.type("klot")
    keys.press(Key.Key_Return)  # Klotter (Skadegörelse)
    keys.press(Key.Key_Tab, times=3)  # time (now), end time box, position
    keys.type("59.5140, 15.9930")
    keys.press(Key.Key_Tab, times=4)  # named place, place name, place type, severity
    keys.type("3")  # 3 Hög
    keys.press(Key.Key_Tab, times=2)  # title, description
    keys.type("Nytt klotter på gaveln mot torget")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        keys.press(Key.Key_Return, CTRL)
    elapsed = time.perf_counter() - started

    view = saved.args[0]
    assert view.category == "graffiti"
    assert (round(view.latitude, 4), round(view.longitude, 4)) == (59.514, 15.993)
    assert view.severity == 3
    assert view.description == "Nytt klotter på gaveln mot torget"
    assert abs(view.occurred_from - datetime.now(UTC)) < timedelta(minutes=2)
    assert view.status == "new"
    qtbot.waitUntil(lambda: not form.isVisible())
    # The "< 30 s" claim: 65 keystrokes are about 20 s at 40 words a minute (3.3 keys/s),
    # and the form itself adds next to nothing to that.
    human_seconds = keys.count / 3.3
    print(f"\nkeyboard recording: {keys.count} keystrokes, ~{human_seconds:.0f} s at 40 wpm, "
          f"form time {elapsed:.2f} s")
    assert keys.count <= 70
    assert human_seconds + elapsed < 30


def test_sweref_coordinates_are_converted(make_form: Callable[..., ObservationForm],
                                         qtbot: Any) -> None:
    form = make_form()
    form.category.setEditText("Glaskross")
    qtbot.keyClicks(form.position, "6599000 552000")

    assert "SWEREF 99 TM: N 6\u00a0599\u00a0000, E 552\u00a0000" in form.position_hint.text()
    assert "WGS 84: 59.5" in form.position_hint.text()
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    view = saved.args[0]
    assert (view.latitude, view.longitude) == pytest.approx(sweref_to_wgs84(6599000, 552000))
    assert wgs84_to_sweref(view.latitude, view.longitude) == pytest.approx(
        (6599000, 552000), abs=0.01)
    assert view.category == "broken_glass"


def test_choosing_a_named_place_fills_position_and_place_name(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    form.place.setFocus()
    keys = Keyboard(qtbot)
    keys.type("stora torget")
    keys.press(Key.Key_Return)

    assert form.place.currentText() == "Stora torget, Köping"
    assert form.position.text() == "59.513900, 15.993500"
    assert form.place_name.text() == "Stora torget, Köping"
    assert form.place_type.currentData() == "centre"
    assert not form._messages["position"].isVisible()


def test_a_map_click_fills_the_position(make_form: Callable[..., ObservationForm]) -> None:
    form = make_form()
    form.set_position(59.3945, 15.8413)
    assert form.position.text() == "59.394500, 15.841300"
    assert "WGS 84: 59.39450, 15.84130" in form.position_hint.text()


def test_a_bad_coordinate_is_explained_while_typing(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    qtbot.keyClicks(form.position, "59.51")
    message = form._messages["position"]
    assert message.isVisible()
    assert "Ange två värden" in message.text()  # CoordinateError.message_sv, live

    qtbot.keyClicks(form.position, ", 15.99")
    assert not message.isVisible()

    form.position.setText("55.6761, 12.5683")  # Copenhagen: a warning, in amber
    assert message.isVisible()
    assert "utanför Sverige" in message.text()
    assert "#8a5300" in message.text()
    form.category.setEditText("Övrigt")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:  # a warning does not block
        form.save()
    assert saved.args[0].latitude == pytest.approx(55.6761)


def test_an_end_before_the_start_is_shown_at_the_time_and_nothing_is_lost(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database) -> None:
    form = make_form()
    keys = Keyboard(qtbot)
    keys.type("glas")
    keys.press(Key.Key_Tab)
    start = datetime(2026, 1, 10, 22, 15, tzinfo=LOCAL)
    form.time_from.set_moment(start)
    form.has_end.setChecked(True)
    form.time_to.set_moment(start - timedelta(hours=1))
    form.position.setText("59.5140, 15.9930")
    form.title.setText("Krossad ruta")
    form.description.setPlainText("Rutan i dörren är krossad.")
    before = form._values()

    with qtbot.assertNotEmitted(form.saved, wait=300):
        qtbot.keyClick(form.description, Key.Key_Return, CTRL)

    message = form._messages["time"]
    assert message.isVisible()
    assert "Sluttiden ligger före starttiden." in message.text()
    assert "#b3261e" in message.text()
    assert QApplication.focusWidget() is form.time_to
    assert form.isVisible()
    assert form._values() == before
    assert form.category.currentText() == "Glaskross (Skadegörelse)"
    assert observations.find_observations(db, ObservationFilter()).total == 0


def test_an_unknown_category_is_refused_next_to_the_field(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    form.position.setText("59.5140, 15.9930")
    qtbot.keyClicks(form.category, "xyzzy")
    with qtbot.assertNotEmitted(form.saved, wait=200):
        form.save()
    assert "xyzzy" in form._messages["category"].text()
    assert form._messages["category"].isVisible()
    assert form.category.currentText() == "xyzzy"


def test_acute_severity_reminds_to_call_112(make_form: Callable[..., ObservationForm]) -> None:
    form = make_form()
    assert not form.acute.isVisible()
    form.severity.setCurrentIndex(form.severity.findData(4))
    assert form.acute.isVisible()
    assert "Ring 112" in form.acute.text()


def test_a_refused_save_keeps_the_form_open_with_everything(
        make_form: Callable[..., ObservationForm], qtbot: Any, actor: Actor) -> None:
    form = make_form()
    form._actor = Actor(actor.user_id, actor.org_id, actor.device_id, "read_only")
    form.category.setEditText("Klotter (Skadegörelse)")
    form.position.setText("59.5140, 15.9930")
    form.title.setText("Tagg på elskåp")
    before = form._values()

    form.save()
    assert not form.save_button.isEnabled()
    qtbot.waitUntil(lambda: bool(form.show_error.calls))  # type: ignore[attr-defined]

    assert "behörighet" in form.show_error.calls[0][0]  # type: ignore[attr-defined]
    assert form.isVisible()
    assert form.save_button.isEnabled()
    assert form._values() == before


# -- photos --------------------------------------------------------------------------------

def test_a_photo_position_is_offered_and_the_photo_is_stored_untouched(
        make_form: Callable[..., ObservationForm], qtbot: Any, tmp_path: Path, store: Path,
        db: Database) -> None:
    photo = make_photo(tmp_path / "IMG_0001.jpg", 59.5140, 15.9930)
    original = photo.read_bytes()
    stamp = os.stat(photo).st_mtime_ns
    form = make_form()
    form.choose_files = lambda: [photo]  # type: ignore[method-assign]
    form.category.setEditText("Klotter (Skadegörelse)")

    qtbot.mouseClick(form.add_photo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.photo_offer.isVisible)
    assert form.photo_offer.text() == "Använd fotots position (59.51, 15.99)"
    qtbot.mouseClick(form.photo_offer, Qt.MouseButton.LeftButton)
    assert form.position.text().startswith("59.5140")
    assert not form.photo_offer.isVisible()
    assert not form.photos.item(0).icon().isNull()

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    qtbot.waitUntil(lambda: not form.isVisible())

    # The user's file is untouched; the store holds it without its GPS (the default:
    # photos keep no metadata, docs/decisions.md), named by the hash of what is stored.
    from lagesbild_desktop.domain.photo_metadata import strip_metadata

    kept = strip_metadata(original).data
    assert kept != original
    digest = hashlib.sha256(kept).hexdigest()
    assert attachments.blob_path(store, digest).read_bytes() == kept
    assert photo.read_bytes() == original
    assert os.stat(photo).st_mtime_ns == stamp
    (stored,) = attachments.list_attachments(db, saved.args[0].id)
    assert (stored.sha256, stored.file_name) == (digest, "IMG_0001.jpg")
    assert stored.exif_latitude is None


def test_photos_can_be_dropped_on_the_form_and_removed(
        make_form: Callable[..., ObservationForm], qtbot: Any, tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "utan-gps.jpg")
    form = make_form()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo)), QUrl.fromLocalFile(str(tmp_path))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    form.dropEvent(drop)

    assert form.photos.files() == [photo.resolve()]
    qtbot.wait(50)
    assert not form.photo_offer.isVisible()  # no GPS in it: nothing offered
    form.photos.item(0).setSelected(True)
    qtbot.mouseClick(form.remove_photo, Qt.MouseButton.LeftButton)
    assert form.photos.files() == []


# -- drafts --------------------------------------------------------------------------------

def test_a_draft_is_saved_while_typing_and_restores_every_field(
        make_form: Callable[..., ObservationForm], qtbot: Any, drafts: DraftStore,
        tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "kvall.jpg")
    form = make_form()
    keys = Keyboard(qtbot)
    keys.type("belys")
    keys.press(Key.Key_Return)
    form.has_end.setChecked(True)
    form.position.setText("6599000, 552000")
    form.place_name.setText("Gångtunneln vid Ågatan")
    form.severity.setCurrentIndex(form.severity.findData(2))
    form.title.setText("Trasig belysning")
    form.description.setPlainText("Tre lampor släckta.\nMörkt hela vägen.")
    form.sharing.setCurrentIndex(form.sharing.findData("internal"))
    form.police_report.setCurrentIndex(form.police_report.findData("no"))
    form.photos.add_file(photo)

    qtbot.waitUntil(lambda: bool(drafts.load_all()) and drafts.load_all()[0].values.get(
        "photos") == [str(photo.resolve())], timeout=5000)
    (draft,) = drafts.load_all()
    assert draft.values["category"] == "poor_lighting"
    assert draft.values["title"] == "Trasig belysning"

    restored = make_form(draft=draft.values)
    assert restored._values() == form._values()
    assert restored.category.currentText() == "Bristande belysning (Otrygg plats)"
    assert restored.has_end.isChecked()
    assert restored.time_to.isEnabled()
    assert restored.photos.files() == [photo.resolve()]
    assert restored.has_input()


def test_a_saved_form_leaves_no_draft(make_form: Callable[..., ObservationForm], qtbot: Any,
                                      drafts: DraftStore) -> None:
    form = make_form()
    form.category.setEditText("Klotter (Skadegörelse)")
    form.position.setText("59.5140, 15.9930")
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    qtbot.waitUntil(lambda: not form.isVisible())
    form._work.wait_until_done()
    qtbot.wait(10)
    assert drafts.load_all() == []


def test_esc_asks_before_throwing_away_what_was_typed(
        make_form: Callable[..., ObservationForm], qtbot: Any, drafts: DraftStore) -> None:
    form = make_form()
    qtbot.keyClick(form.category, Key.Key_Escape)  # nothing typed: closes at once
    assert not form.isVisible()
    assert form.confirm_discard.calls == []  # type: ignore[attr-defined]

    form = make_form()
    form.title.setText("Något skrivet")
    qtbot.waitUntil(lambda: bool(drafts.load_all()), timeout=5000)
    form.confirm_discard.answer = False  # type: ignore[attr-defined]
    qtbot.keyClick(form.title, Key.Key_Escape)
    assert form.isVisible()
    assert form.title.text() == "Något skrivet"
    assert drafts.load_all()  # the draft stays until the user says so

    form.confirm_discard.answer = True  # type: ignore[attr-defined]
    qtbot.keyClick(form.title, Key.Key_Escape)
    assert not form.isVisible()
    qtbot.waitUntil(lambda: drafts.load_all() == [], timeout=5000)


# -- editing -------------------------------------------------------------------------------

def test_an_existing_observation_is_shown_and_its_changes_saved(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database, actor: Actor,
        store: Path, tmp_path: Path, drafts: DraftStore) -> None:
    view = observations.create_observation(db, actor, an_observation(tags=["busskur"]))
    photo = attachments.add_attachment(db, actor, store, view.id,
                                       make_photo(tmp_path / "busskur.jpg"))
    form = make_form(existing=view)

    assert form.windowTitle() == "Ändra iakttagelse"
    assert form.category.currentText() == "Glaskross (Skadegörelse)"
    assert form.position.text() == "59.394200, 15.842000"
    assert form.place_name.text() == "Kungsörs resecentrum"
    assert form.title.text() == "Krossad busskur"
    assert form.severity.currentData() == 2
    assert form.time_from.moment() == view.occurred_from.astimezone(LOCAL).replace(
        second=0, microsecond=0)
    qtbot.waitUntil(lambda: form.photos.count() == 1)
    assert form.photos.item(0).text() == photo.file_name
    assert not form.has_input()

    form.title.clear()
    qtbot.keyClicks(form.title, "Krossad busskur, igen")
    form.status.setCurrentIndex(form.status.findData("resolved"))
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.keyClick(form.title, Key.Key_S, CTRL)

    changed = saved.args[0]
    assert changed.id == view.id
    assert (changed.title, changed.status) == ("Krossad busskur, igen", "resolved")
    assert changed.tags == ["busskur"]  # fields the form does not show are kept
    assert changed.occurred_from == view.occurred_from  # untouched: its seconds too
    stored = observations.get_observation(db, view.id)
    assert stored.title == "Krossad busskur, igen"
    assert [a.id for a in attachments.list_attachments(db, view.id)] == [photo.id]


def test_a_photo_that_cannot_be_stored_keeps_the_form_open_on_the_saved_observation(
        make_form: Callable[..., ObservationForm], qtbot: Any, tmp_path: Path,
        db: Database) -> None:
    photo = make_photo(tmp_path / "borta.jpg")
    form = make_form()
    form.category.setEditText("Klotter (Skadegörelse)")
    form.position.setText("59.5140, 15.9930")
    with qtbot.waitSignal(form.photos.photo_read, timeout=10_000):  # checked and shown
        form.photos.add_file(photo)
    photo.unlink()  # e.g. a USB stick pulled out before saving

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    qtbot.waitUntil(lambda: bool(form.show_error.calls))  # type: ignore[attr-defined]

    assert "borta.jpg" in form.show_error.calls[0][0]  # type: ignore[attr-defined]
    assert form.isVisible()
    assert form.windowTitle() == "Ändra iakttagelse"
    assert form.photos.files() == [photo.resolve()]
    assert form.has_input()
    # Saving again changes the same observation; it does not record a second one.
    form.photos.clear()
    with qtbot.waitSignal(form.saved, timeout=10_000) as again:
        form.save()
    assert again.args[0].id == saved.args[0].id
    assert observations.find_observations(db, ObservationFilter()).total == 1


def test_a_decompression_bomb_or_a_text_file_is_refused_when_added_and_not_stored(
        make_form: Callable[..., ObservationForm], qtbot: Any, tmp_path: Path, store: Path,
        db: Database) -> None:
    from tests.unit.test_photo_check import bomb_png

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())  # 40,000 × 40,000 pixels in a few hundred bytes
    text = tmp_path / "anteckning.jpg"
    text.write_text("Ingen bild, bara text.\n" * 40, encoding="utf-8")
    good = make_photo(tmp_path / "IMG_0003.jpg")
    form = make_form()
    form.category.setEditText("Klotter (Skadegörelse)")
    form.position.setText("59.5140, 15.9930")
    for path in (bomb, text, good):
        form.photos.add_file(path)
    calls = form.show_error.calls  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=10_000)
    messages = "\n".join(call[0] for call in calls)
    assert "Bilden bomb.png är för stor" in messages
    assert "Filen anteckning.jpg är ingen bild som kan läsas" in messages
    assert all(call[0].startswith("Filen kan inte läggas till som foto:") for call in calls)
    assert "Traceback" not in messages
    assert form.photos.files() == [good.resolve()]

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    qtbot.waitUntil(lambda: not form.isVisible())
    (stored,) = attachments.list_attachments(db, saved.args[0].id)
    assert stored.file_name == "IMG_0003.jpg"
    assert [p for p in store.rglob("*") if p.is_file()] == [
        attachments.blob_path(store, stored.sha256)]


def test_a_hostile_photo_that_reaches_the_save_is_refused_there_and_not_stored(
        make_form: Callable[..., ObservationForm], qtbot: Any, tmp_path: Path, store: Path,
        db: Database) -> None:
    from tests.unit.test_photo_check import bomb_png

    photo = make_photo(tmp_path / "byttes.png")
    form = make_form()
    form.category.setEditText("Klotter (Skadegörelse)")
    form.position.setText("59.5140, 15.9930")
    with qtbot.waitSignal(form.photos.photo_read, timeout=10_000):
        form.photos.add_file(photo)
    photo.write_bytes(bomb_png())  # swapped for a bomb after it was checked

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    qtbot.waitUntil(lambda: bool(form.show_error.calls))  # type: ignore[attr-defined]
    message = form.show_error.calls[0][0]  # type: ignore[attr-defined]
    assert "byttes.png: Bilden byttes.png är för stor" in message
    assert attachments.list_attachments(db, saved.args[0].id) == []
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_a_finding_of_a_walk_no_longer_listed_keeps_its_walk(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    walk = walks.create_walk(db, actor, WalkInput("Vårvandring", datetime.now(UTC)))
    view = observations.create_observation(db, actor, an_observation(
        walk_id=walk.id, stop_number=3, ratings={"openness": 1}))
    walks.delete_walk(db, actor, walk.id)  # its findings stay, the walk is not listed
    form = make_form(existing=view)
    qtbot.waitUntil(lambda: not form._work.busy)

    assert form.walk_finding.walk.findData(walk.id) < 0
    assert form.walk_finding.walk_id() == walk.id
    assert not form.has_input()
    form.title.setText("Krossad busskur, lagad")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert (saved.args[0].walk_id, saved.args[0].stop_number) == (walk.id, 3)
    assert saved.args[0].ratings == {"openness": 1}


def test_a_walk_preset_gives_stop_one_for_a_walk_without_findings(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    walk = walks.create_walk(db, actor, WalkInput("Höstvandring", datetime.now(UTC)))
    form = make_form(walk_id=walk.id)
    qtbot.waitUntil(lambda: form.walk_finding.stop_number.value() == 1)
    assert form.walk_finding.walk.currentData() == walk.id
    assert form.walk_finding.is_expanded()
    qtbot.keyClick(form.category, Key.Key_Escape)  # a preset is not input: closes at once
    assert not form.isVisible()
    assert form.confirm_discard.calls == []  # type: ignore[attr-defined]
