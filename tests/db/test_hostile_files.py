"""Hostile files through the services: a photo that is none, a decompression bomb, GeoJSON
nested 100,000 deep or with a 5,000-digit number. Each is refused with a Swedish message,
never a traceback, and leaves nothing behind (no file in the store, no record)."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lagesbild_desktop import config
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Attachment, Observation
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import attachments, exchange, observations
from tests.unit.test_photo_check import bomb_png, jpeg

WHEN = datetime(2026, 11, 17, 19, 0, tzinfo=LOCAL)


def stored_files(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []


def attachment_rows(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Attachment)) or 0)


@pytest.fixture
def observation(db: Database, actor: Actor) -> str:
    return observations.create_observation(db, actor, ObservationInput(
        category="graffiti", occurred_from=WHEN, latitude=59.514, longitude=15.993)).id


HOSTILE = {
    "bomb.png": (bomb_png(), "är för stor"),
    "tom.jpg": (b"", "är tom"),
    "text.jpg": ("Det här är ingen bild.\n".encode() * 40, "ingen bild som kan läsas"),
    "slump.jpg": (random.Random(5).randbytes(50_000), "ingen bild som kan läsas"),
    "avbruten.jpg": (jpeg()[:2500], "skadad eller ofullständig"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_file_that_is_no_photo_is_refused_and_leaves_nothing(
        db: Database, actor: Actor, observation: str, tmp_path: Path, name: str) -> None:
    data, swedish = HOSTILE[name]
    source = tmp_path / name
    source.write_bytes(data)
    store = config.attachments_dir(db.path)
    with pytest.raises(attachments.AttachmentProblem) as refused:
        attachments.add_attachment(db, actor, store, observation, source)
    assert swedish in refused.value.message_sv
    assert name in refused.value.message_sv
    assert "Traceback" not in refused.value.message_sv
    assert stored_files(store) == []
    assert attachment_rows(db) == 0
    assert source.read_bytes() == data  # the user's file is not touched
    with pytest.raises(attachments.AttachmentProblem):  # the form's check when chosen
        attachments.check_photo_file(source)


def test_a_real_photo_after_a_refused_one_is_stored_alone(
        db: Database, actor: Actor, observation: str, tmp_path: Path) -> None:
    store = config.attachments_dir(db.path)
    (tmp_path / "bomb.png").write_bytes(bomb_png())
    with pytest.raises(attachments.AttachmentProblem):
        attachments.add_attachment(db, actor, store, observation, tmp_path / "bomb.png")
    (tmp_path / "IMG_0001.jpg").write_bytes(jpeg())
    view = attachments.add_attachment(db, actor, store, observation, tmp_path / "IMG_0001.jpg")
    assert stored_files(store) == [attachments.blob_path(store, view.sha256)]


def test_a_failed_save_removes_the_file_it_wrote(
        db: Database, actor: Actor, observation: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = config.attachments_dir(db.path)
    (tmp_path / "IMG_0002.jpg").write_bytes(jpeg())

    def broken_insert(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(attachments.records, "insert", broken_insert)
    with pytest.raises(OSError, match="disk full"):
        attachments.add_attachment(db, actor, store, observation, tmp_path / "IMG_0002.jpg")
    assert stored_files(store) == []


def test_a_folder_offered_as_a_photo_is_refused(
        db: Database, actor: Actor, observation: str, tmp_path: Path) -> None:
    with pytest.raises(attachments.AttachmentProblem) as refused:
        attachments.add_attachment(db, actor, config.attachments_dir(db.path), observation,
                                   tmp_path)
    assert "ingen fil" in refused.value.message_sv


@pytest.mark.parametrize(("text", "swedish"), [
    ('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "för djupt"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
     '{"kategori": "Klotter", "tid_från": "2025-03-01 14:05"}, "geometry": {"type": "Point",'
     ' "coordinates": [15.99, ' + "5" * 5000 + "]}}]}", "5000 tecken"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
     '"geometry": {"type": "Point", "coordinates": [NaN, 59.5]}}]}', "inget tal i JSON"),
])
def test_hostile_geojson_is_an_unusable_file_and_imports_nothing(
        db: Database, actor: Actor, tmp_path: Path, text: str, swedish: str) -> None:
    path = tmp_path / "fientlig.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(exchange.UnusableFile) as refused:
        exchange.import_observations(db, actor, path)
    assert swedish in refused.value.message_sv
    assert "fientlig.geojson" in refused.value.message_sv
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
