"""The form's photo strip shows thumbnails of encrypted stored photos."""

from __future__ import annotations

import os

from PIL import Image

from lagesbild_desktop.db import blobfiles
from lagesbild_desktop.ui.photo_strip import _read


def test_a_sealed_photo_gets_a_thumbnail_and_a_plain_one_still_does(tmp_path):
    source = tmp_path / "foto.jpg"
    Image.new("RGB", (400, 200), (10, 120, 200)).save(source, "JPEG")
    store = tmp_path / "bilagor"
    blobfiles.use_key(store, os.urandom(32))
    try:
        sha, path = blobfiles.write_blob(store, source.read_bytes())
        assert blobfiles.is_encrypted_file(path)
        sealed = _read(path, with_info=False).image
        assert not sealed.isNull()
        assert (sealed.width(), sealed.height()) == (96, 48)
        plain = _read(source, with_info=True)
        assert not plain.image.isNull()
        assert plain.info is not None
    finally:
        blobfiles.use_key(store, None)
    assert _read(path, with_info=False).image.isNull()  # no key: no picture, no crash
