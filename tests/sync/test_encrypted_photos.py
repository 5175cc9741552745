"""Encrypted photo stores sync: the server gets the plain bytes, each device its own key."""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lagesbild_desktop.db import blobfiles
from tests.sync.client_devices import Fleet, photo, stored


@pytest.fixture
def fleet(sync_server, template_db: Path, tmp_path: Path) -> Iterator[Fleet]:
    made = Fleet(sync_server, template_db, tmp_path)
    yield made
    made.close()
    for device in made.devices:
        blobfiles.use_key(device.store, None)


def test_an_encrypted_photo_travels_and_is_encrypted_on_both_devices(fleet, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    blobfiles.use_key(a.store, os.urandom(32))
    blobfiles.use_key(b.store, os.urandom(32))  # another installation, another key
    source = photo(tmp_path, "foto.jpg", 300_000, seed=7)
    plain = source.read_bytes()
    sha = hashlib.sha256(plain).hexdigest()
    made = a.observe()
    a.attach(made, source)
    assert a.sync().complete
    assert b.sync().complete
    assert stored(b) == {sha}
    for device in (a, b):
        on_disk = blobfiles.blob_path(device.store, sha).read_bytes()
        assert plain[1000:1100] not in on_disk
        assert blobfiles.is_encrypted_file(blobfiles.blob_path(device.store, sha))
        assert blobfiles.read_blob(device.store, sha) == plain
    # The server holds the plain bytes under their hash: a plain device gets them too.
    c = fleet.device("c", "anna")
    assert c.sync().complete
    assert blobfiles.read_blob(c.store, sha) == plain
    assert blobfiles.blob_path(c.store, sha).read_bytes() == plain
