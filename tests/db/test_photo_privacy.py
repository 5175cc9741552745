"""Photos lose their metadata on the way into the store, so what is stored, shared and
exported (the walk protocol's thumbnails, a copy saved out) holds no position or maker."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from io import BytesIO

import pytest
from PIL import Image

from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.photo_metadata import GPS, TIME
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import attachments, audit_log, observations, walks
from lagesbild_desktop.services.permissions import NotPermitted
from tests.unit.test_photo_metadata import (
    EXIF_IFD,
    GPS_IFD,
    MAKE,
    ORIENTATION,
    TAKEN,
    camera_exif,
)

WHEN = datetime(2026, 11, 17, 19, 0, tzinfo=LOCAL)


def camera_photo(path, size=(900, 600)):
    picture = Image.effect_noise(size, 50).convert("RGB")
    picture.save(path, "JPEG", exif=camera_exif(), quality=90)
    return path


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(BytesIO(data)) as image:
        return image.getexif()


def no_secrets(data: bytes) -> None:
    exif = exif_of(data)
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif
    for secret in (b"Canon", b"Anna Andersson", b"SN123456"):
        assert secret not in data


@pytest.fixture
def finding(db, actor):
    return observations.create_observation(db, actor, ObservationInput(
        category="poor_lighting", occurred_from=WHEN, latitude=59.5139, longitude=15.9935,
        place_name="Stora torget")).id


def test_a_photo_is_stored_without_metadata_by_default(db, actor, finding, tmp_path):
    store = tmp_path / "store"
    source = camera_photo(tmp_path / "IMG_0001.jpg")
    original = source.read_bytes()
    view = attachments.add_attachment(db, actor, store, finding, source)
    stored = attachments.read_blob(store, view.sha256)
    no_secrets(stored)
    assert dict(exif_of(stored)) == {ORIENTATION: 6}
    assert view.sha256 == hashlib.sha256(stored).hexdigest()  # the hash names what is kept
    assert view.size == len(stored)
    assert (view.taken_at, view.exif_latitude, view.exif_longitude) == (None, None, None)
    assert source.read_bytes() == original  # the user's file is never touched
    copy = tmp_path / "ut.jpg"
    attachments.copy_out(store, view.sha256, copy)
    no_secrets(copy.read_bytes())


def test_the_installation_chooses_what_photos_keep(db, actor, finding, tmp_path):
    assert attachments.photo_metadata_keep(db) == frozenset()
    attachments.set_photo_metadata_keep(db, actor, frozenset({GPS, TIME}))
    assert attachments.photo_metadata_keep(db) == {GPS, TIME}
    view = attachments.add_attachment(db, actor, tmp_path / "store", finding,
                                      camera_photo(tmp_path / "a.jpg"))
    exif = exif_of(attachments.read_blob(tmp_path / "store", view.sha256))
    assert exif.get_ifd(GPS_IFD)[2] == (59.0, 30.0, 50.4)
    assert TAKEN in exif.get_ifd(EXIF_IFD)
    assert MAKE not in exif
    assert view.exif_latitude == pytest.approx(59.514, abs=1e-3)
    assert view.taken_at is not None
    entries = audit_log.list_audit(db, actor, audit_log.AuditFilter(
        action="set_photo_metadata")).rows
    assert entries[0].details == {"keep": "time,gps"}
    with pytest.raises(NotPermitted):
        attachments.set_photo_metadata_keep(db, replace(actor, role="police"), frozenset())
    with pytest.raises(ValueError, match="unknown"):
        attachments.set_photo_metadata_keep(db, actor, frozenset({"colour"}))


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="needs poppler-utils")
def test_the_walk_protocols_photos_carry_no_metadata(db, actor, tmp_path):
    from lagesbild_desktop.reports.walk_protocol import write_walk_protocol

    store = tmp_path / "store"
    walk_id = walks.create_walk(db, actor, WalkInput("Vandring", WHEN, light="dark")).id
    stop = observations.create_observation(db, actor, ObservationInput(
        category="poor_lighting", occurred_from=WHEN, latitude=59.5139, longitude=15.9935,
        walk_id=walk_id, stop_number=1)).id
    attachments.set_photo_metadata_keep(db, actor, frozenset({GPS, TIME}))
    attachments.add_attachment(db, actor, store, stop, camera_photo(tmp_path / "a.jpg"))
    pdf = write_walk_protocol(db, walk_id, tmp_path / "p.pdf", store=store)
    out = tmp_path / "images"
    out.mkdir()
    subprocess.run(["pdfimages", "-j", str(pdf), str(out / "i")], check=True)
    photos = sorted(out.glob("i-*.jpg"))
    assert photos  # the thumbnail is a JPEG in the PDF
    for path in photos:
        data = path.read_bytes()
        no_secrets(data)
        assert not exif_of(data).get_ifd(EXIF_IFD)  # the kept time stays in the store


def test_the_command_line_shows_and_sets_the_choice(db, db_path, actor, finding, tmp_path,
                                                    capsys):
    from lagesbild_desktop import cli

    assert cli.main(["photo-metadata", "--db", str(db_path)]) == 0
    assert "[none]" in capsys.readouterr().out
    assert cli.main(["photo-metadata", "--db", str(db_path), "--keep", "gps"]) == 0
    assert "GPS-position" in capsys.readouterr().out
    assert attachments.photo_metadata_keep(db) == {GPS}
    assert cli.main(["photo-metadata", "--db", str(db_path), "--keep", "colour"]) == 2
    assert "Okänt val colour" in capsys.readouterr().err
    assert attachments.photo_metadata_keep(db) == {GPS}
    assert cli.main(["photo-metadata", "--db", str(db_path), "--keep", "none"]) == 0
    assert attachments.photo_metadata_keep(db) == frozenset()


def test_photos_stored_before_are_stripped_under_a_new_hash(db, db_path, actor, finding,
                                                            tmp_path, capsys):
    from lagesbild_desktop import cli, config
    from lagesbild_desktop.db import blobfiles
    from lagesbild_desktop.db.models import Attachment, Outbox
    from lagesbild_desktop.services.installation import add_organisation

    store = config.attachments_dir(db_path)
    # As an older version stored them: the bytes as taken, GPS in the record.
    old = attachments.add_attachment(db, actor, store, finding,
                                     camera_photo(tmp_path / "a.jpg"))
    original = camera_photo(tmp_path / "b.jpg").read_bytes()
    old_sha, _ = blobfiles.write_blob(store, original)
    other_org = add_organisation(db, "Polisen", "police")
    with db.transaction() as session:
        mine = session.get(Attachment, old.id)
        mine.sha256, mine.size, mine.exif_latitude = old_sha, len(original), 59.5
        theirs = Attachment(**{c.name: getattr(mine, c.key) for c in Attachment.__table__.c
                               if c.name not in ("id", "owner_org_id", "sharing")},
                            id="01a219b6-0000-7000-8000-000000000001",
                            owner_org_id=other_org, sharing="internal")
        session.add(theirs)
    coordinator = replace(actor, role="coordinator")
    done = attachments.strip_stored_photos(db, coordinator, store)
    assert (done.stripped, done.unchanged, done.not_yours) == (1, 0, 1)
    [view] = [a for a in attachments.list_attachments(db, finding) if a.id == old.id]
    assert view.sha256 != old_sha
    assert view.exif_latitude is None
    no_secrets(attachments.read_blob(store, view.sha256))
    assert blobfiles.blob_path(store, old_sha).exists()  # the other organisation's uses it
    with db.session() as session:
        ops = [o for o in session.query(Outbox).all() if o.row_id == old.id]
    assert ops[-1].fields["sha256"] == view.sha256  # the new hash syncs
    # The command line on a plain database acts as its administrator, who may change the
    # other organisation's photo; then nothing uses the old file and it goes.
    assert cli.main(["photo-metadata", "--db", str(db_path), "--strip-stored"]) == 0
    assert "1 lagrade foton rensades, 1 behövde inte rensas" in capsys.readouterr().out
    assert not blobfiles.blob_path(store, old_sha).exists()
