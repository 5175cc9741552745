"""Photo metadata removal: nothing but the orientation and what the user chose is left."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from lagesbild_desktop.domain.photo_metadata import (
    GPS,
    TIME,
    format_keep,
    parse_keep,
    strip_metadata,
)

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, ARTIST, ORIENTATION = 0x010F, 0x0110, 0x013B, 0x0112
SERIAL, TAKEN = 0xA431, 0x9003


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ARTIST], exif[ORIENTATION] = (
        "Canon", "EOS 5D", "Anna Andersson", 6)
    exif.get_ifd(EXIF_IFD).update({SERIAL: "SN123456", TAKEN: "2026:11:20 14:30:12"})
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (59.0, 30.0, 50.4), 3: "E",
                                  4: (15.0, 59.0, 36.6), 29: "2026:11:20"})
    return exif


def camera_jpeg() -> bytes:
    """A real JPEG as a phone writes it: Exif with GPS, maker and owner, XMP, a comment."""
    picture = Image.effect_noise((120, 80), 60).convert("RGB")
    out = BytesIO()
    picture.save(out, "JPEG", exif=camera_exif(), comment=b"Anna tog bilden",
                 xmp=b"<x:xmpmeta>Anna Andersson</x:xmpmeta>", quality=90)
    return out.getvalue()


def read_exif(data: bytes) -> Image.Exif:
    with Image.open(BytesIO(data)) as image:
        return image.getexif()


def pixels(data: bytes) -> bytes:
    with Image.open(BytesIO(data)) as image:
        return image.tobytes()


def test_a_jpeg_keeps_only_its_orientation_and_its_pixels_byte_for_byte():
    original = camera_jpeg()
    result = strip_metadata(original)
    assert result.changed
    assert result.kind == "jpeg"
    exif = read_exif(result.data)
    assert dict(exif) == {ORIENTATION: 6}
    assert not exif.get_ifd(GPS_IFD)
    assert not exif.get_ifd(EXIF_IFD)
    for secret in (b"Canon", b"EOS 5D", b"Anna", b"SN123456", b"2026:11:20", b"xmpmeta"):
        assert secret not in result.data
    assert pixels(result.data) == pixels(original)
    # The compressed picture is copied, not re-encoded: its scan data is in the result.
    scan = original[original.index(b"\xff\xda"):]
    assert result.data.endswith(scan)


@pytest.mark.parametrize(("keep", "has_time", "has_gps"), [
    (frozenset({TIME}), True, False), (frozenset({GPS}), False, True),
    (frozenset({TIME, GPS}), True, True)])
def test_the_chosen_tags_are_kept_and_nothing_else(keep, has_time, has_gps):
    exif = read_exif(strip_metadata(camera_jpeg(), keep).data)
    assert (TAKEN in exif.get_ifd(EXIF_IFD)) is has_time
    assert (2 in exif.get_ifd(GPS_IFD)) is has_gps
    if has_gps:
        assert exif.get_ifd(GPS_IFD)[2] == (59.0, 30.0, 50.4)
        assert 29 not in exif.get_ifd(GPS_IFD)  # the GPS date is time, not position
    assert MAKE not in exif
    assert ARTIST not in exif
    assert SERIAL not in exif.get_ifd(EXIF_IFD)


def test_a_png_loses_its_exif_and_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Author", "Anna Andersson")
    out = BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG", exif=camera_exif(), pnginfo=text)
    result = strip_metadata(out.getvalue())
    assert result.changed
    assert b"Anna" not in result.data
    assert b"Canon" not in result.data
    assert dict(read_exif(result.data)) == {ORIENTATION: 6}
    assert pixels(result.data) == pixels(out.getvalue())


def test_other_files_and_broken_images_come_back_unchanged():
    pdf = b"%PDF-1.4\n" + bytes(range(256))
    assert strip_metadata(pdf).data == pdf
    assert not strip_metadata(pdf).changed
    broken = camera_jpeg()[:200]
    assert strip_metadata(broken).data == broken
    plain = BytesIO()
    Image.new("RGB", (20, 20), "white").save(plain, "JPEG")
    assert strip_metadata(plain.getvalue()).data == plain.getvalue()  # nothing to remove


def test_the_setting_reads_and_writes():
    assert parse_keep("") == frozenset()
    assert parse_keep("gps, time,colour") == {GPS, TIME}
    assert format_keep({GPS, TIME}) == "time,gps"
