"""A shared photo reaches the server and the other devices without its metadata."""

from lagesbild_desktop.db import blobfiles
from lagesbild_desktop.services import attachments
from tests.db.test_photo_privacy import camera_photo, exif_of, no_secrets
from tests.sync.client_devices import stored


def test_the_uploaded_photo_has_no_position_or_maker(fleet, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe()
    view = a.attach(made, camera_photo(tmp_path / "IMG_0042.jpg"))
    assert a.sync().complete
    assert b.sync().complete
    assert stored(b) == {view.sha256}
    received = blobfiles.read_blob(b.store, view.sha256)
    assert received == blobfiles.read_blob(a.store, view.sha256)
    no_secrets(received)
    assert not exif_of(received).get_ifd(0x8769)
    shared = attachments.list_attachments(b.db, made)
    assert [(p.exif_latitude, p.taken_at) for p in shared] == [(None, None)]


def test_photos_stored_before_are_stripped_everywhere_after_the_migration(fleet, tmp_path):
    from lagesbild_desktop.db.models import Attachment

    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe()
    view = a.attach(made, camera_photo(tmp_path / "IMG_0042.jpg"))
    # As an older version stored and shared it: the bytes as taken.
    original = camera_photo(tmp_path / "IMG_0043.jpg").read_bytes()
    old_sha, _ = blobfiles.write_blob(a.store, original)
    with a.db.transaction() as session:
        from lagesbild_desktop.db import records

        records.update(session, a.actor, session.get(Attachment, view.id),
                       {"sha256": old_sha, "size": len(original)})
    assert a.sync().complete
    assert b.sync().complete
    assert blobfiles.read_blob(b.store, old_sha) == original
    done = attachments.strip_stored_photos(a.db, a.actor, a.store)
    assert done.stripped == 1
    assert a.sync().complete
    assert b.sync().complete
    [shared] = attachments.list_attachments(b.db, made)
    assert shared.sha256 != old_sha
    no_secrets(blobfiles.read_blob(b.store, shared.sha256))
