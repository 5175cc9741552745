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
    assert strip_metadata(broken).unremoved  # its Exif is still there: see below
    assert not strip_metadata(pdf).unremoved
    plain = BytesIO()
    Image.new("RGB", (20, 20), "white").save(plain, "JPEG")
    assert strip_metadata(plain.getvalue()).data == plain.getvalue()  # nothing to remove


def test_the_setting_reads_and_writes():
    assert parse_keep("") == frozenset()
    assert parse_keep("gps, time,colour") == {GPS, TIME}
    assert format_keep({GPS, TIME}) == "time,gps"


# --- What phones and editors add around the picture (review of issue #7) -----------------

MAP_DATUM = 18  # GPSMapDatum: a string in the GPS IFD, so a raw byte search can find it


def other_camera_jpeg(progressive: bool = False) -> bytes:
    """A second picture with its own Exif: another make and a position with a datum."""
    exif = Image.Exif()
    exif[MAKE] = "SecondCam"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (59.0, 30.0, 51.0), 3: "E",
                                  4: (15.0, 59.0, 37.0), MAP_DATUM: "WGS-84"})
    out = BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(
        out, "JPEG", exif=exif, progressive=progressive)
    return out.getvalue()


def progressive_camera_jpeg() -> bytes:
    picture = Image.effect_noise((120, 80), 60).convert("RGB")
    out = BytesIO()
    picture.save(out, "JPEG", exif=camera_exif(), progressive=True, quality=90)
    return out.getvalue()


def assert_no_camera_metadata(data: bytes) -> None:
    """Nothing of camera_exif()/other_camera_jpeg() is left, read by Pillow and as bytes."""
    with Image.open(BytesIO(data)) as image:
        exif = image.getexif()
        assert dict(exif) == {ORIENTATION: 6} or dict(exif) == {}
        assert not exif.get_ifd(GPS_IFD)
        assert not exif.get_ifd(EXIF_IFD)
        assert "xmp" not in image.info
        assert "comment" not in image.info
    for secret in (b"Canon", b"EOS 5D", b"Anna", b"SN123456", b"2026:11:20", b"xmpmeta",
                   b"SecondCam", b"WGS-84", b"+59.5140"):
        assert secret not in data
    assert data.count(b"Exif\x00\x00") <= 1  # the new one, holding the orientation


def scan_of(data: bytes) -> bytes:
    """The picture as compressed: from the first SOS to the end-of-image marker."""
    return data[data.index(b"\xff\xda"):data.rindex(b"\xff\xd9") + 2]


# A motion photo: the video follows the picture; its location atom says where it was shot.
MOTION_VIDEO = (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
                + b"\x00\x00\x00\x1e\xa9xyz\x00\x12\x15\xc7+59.5140+015.9936/" + bytes(500))


@pytest.mark.parametrize("after", ["second picture", "motion video"])
def test_what_a_phone_appends_after_the_picture_is_cut_off(after):
    original = camera_jpeg()
    trailer = other_camera_jpeg() if after == "second picture" else MOTION_VIDEO
    result = strip_metadata(original + trailer)
    assert result.changed
    assert result.kind == "jpeg"
    assert result.data.endswith(b"\xff\xd9")
    assert_no_camera_metadata(result.data)
    assert result.data == strip_metadata(original).data
    assert pixels(result.data) == pixels(original)
    assert result.data.endswith(scan_of(original))  # still copied, not re-encoded


def test_a_progressive_jpeg_keeps_every_scan_and_loses_what_follows():
    original = progressive_camera_jpeg()
    assert original.count(b"\xff\xda") > 1  # several scans, with tables between them
    result = strip_metadata(original + other_camera_jpeg(progressive=True), frozenset({GPS}))
    assert result.kind == "jpeg"
    assert result.data.endswith(scan_of(original))
    assert pixels(result.data) == pixels(original)
    exif = read_exif(result.data)
    assert exif.get_ifd(GPS_IFD)[2] == (59.0, 30.0, 50.4)  # the chosen position, once
    assert MAKE not in exif
    for secret in (b"Canon", b"SecondCam", b"WGS-84"):
        assert secret not in result.data
    assert result.data.count(b"Exif\x00\x00") == 1


def with_fill_bytes(data: bytes) -> bytes:
    """FF fill bytes before every marker after the first (JPEG allows any number of them)."""
    out = bytearray(data[:2])
    at = 2
    while True:
        at_marker = data.find(b"\xff", at)
        if at_marker < 0:
            out += data[at:]
            return bytes(out)
        following = data[at_marker + 1]
        out += data[at:at_marker]
        if following != 0 and not 0xD0 <= following <= 0xD7:
            out += b"\xff\xff"  # before a marker, not inside the compressed data
        out += data[at_marker:at_marker + 2]
        at = at_marker + 2


@pytest.mark.parametrize("progressive", [False, True])
def test_fill_bytes_between_segments_are_read_and_the_copy_stays_lossless(progressive):
    original = progressive_camera_jpeg() if progressive else camera_jpeg()
    padded = with_fill_bytes(original) + other_camera_jpeg()
    assert pixels(padded) == pixels(original)  # Pillow reads it as the same picture
    result = strip_metadata(padded)
    assert result.kind == "jpeg"
    assert_no_camera_metadata(result.data)
    assert pixels(result.data) == pixels(original)
    assert b"\xff\xda" in result.data


def test_a_jpeg_the_lossless_copy_cannot_parse_is_encoded_again(caplog):
    original = camera_jpeg()
    at = original.index(b"\xff\xe1")  # junk before the Exif segment: Pillow skips it
    odd = original[:at] + b"\x00\x00junk" + original[at:]
    assert read_exif(odd)[MAKE] == "Canon"
    with caplog.at_level("WARNING", logger="lagesbild_desktop.domain.photo_metadata"):
        result = strip_metadata(odd + other_camera_jpeg())
    assert result.changed
    assert result.kind == "jpeg"
    assert not result.unremoved
    assert_no_camera_metadata(result.data)
    assert dict(read_exif(result.data)) == {ORIENTATION: 6}  # which way is up survives
    with Image.open(BytesIO(result.data)) as image:
        assert image.size == (120, 80)
    assert any("encoding the picture again" in record.getMessage() for record in caplog.records)
    kept = read_exif(strip_metadata(odd, frozenset({GPS})).data)
    assert kept.get_ifd(GPS_IFD)[2] == (59.0, 30.0, 50.4)
    assert MAKE not in kept


def test_an_unreadable_photo_with_exif_is_flagged_and_not_stored(tmp_path):
    from lagesbild_desktop.services import attachments

    broken = camera_jpeg()[:600]  # the Exif with its position, then the file stops
    result = strip_metadata(broken)
    assert result.unremoved
    assert result.data == broken
    source = tmp_path / "IMG_0002.jpg"
    source.write_bytes(broken)
    for keep in (frozenset(), frozenset({GPS, TIME})):
        with pytest.raises(attachments.AttachmentProblem) as refused:
            attachments.store_file(tmp_path / "store", source, keep)
        assert "IMG_0002.jpg" in refused.value.message_sv
    assert not list((tmp_path / "store").glob("??/*"))
    # Nor is one stored by an older version copied out as it is.
    from lagesbild_desktop.db import blobfiles

    sha256, _ = blobfiles.write_blob(tmp_path / "old-store", broken)
    with pytest.raises(attachments.AttachmentProblem):
        attachments.copy_out(tmp_path / "old-store", sha256, tmp_path / "copy.jpg")
    assert not (tmp_path / "copy.jpg").exists()
    # Bytes that only start like a JPEG carry no metadata, but are no photo either
    # (domain.photo_check): refused too, and nothing is stored.
    plain = tmp_path / "not-really.jpg"
    plain.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg " * 20)
    assert not strip_metadata(plain.read_bytes()).unremoved
    with pytest.raises(attachments.AttachmentProblem):
        attachments.store_file(tmp_path / "store", plain, frozenset())
    assert not list((tmp_path / "store").glob("??/*"))


TIFF_TAGS = {271: "Make", 272: "Model", 315: "Artist", 700: "XMP", 33723: "IPTC",
             34377: "Photoshop", 34665: "Exif IFD", 34853: "GPS IFD"}


def camera_tiff() -> bytes:
    tags = Image.Exif()
    tags.load(camera_exif().tobytes())  # so the Exif and GPS IFDs are written as such
    tags[700] = b"<x:xmpmeta>Anna Andersson</x:xmpmeta>"
    tags[33723] = b"\x1c\x02\x50\x00\x0eAnna Andersson"
    tags[34377] = b"8BIM\x04\x04\x00\x00\x00\x00\x00\x0eAnna Andersson"
    tags[315] = "Anna Andersson"
    out = BytesIO()
    Image.effect_noise((40, 30), 50).convert("RGB").save(out, "TIFF", tiffinfo=tags)
    return out.getvalue()


def test_a_tiff_loses_every_tag_that_says_who_where_or_with_what():
    original = camera_tiff()
    with Image.open(BytesIO(original)) as image:
        assert set(TIFF_TAGS) <= set(image.tag_v2)  # the test file has them all
    result = strip_metadata(original)
    assert result.changed
    assert result.kind == "tiff"
    with Image.open(BytesIO(result.data)) as image:
        left = {TIFF_TAGS[tag] for tag in TIFF_TAGS if tag in image.tag_v2}
        assert not left
        # Pillow turns a TIFF upright as it reads it: the saved pixels are upright.
        assert ORIENTATION not in image.tag_v2
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert not exif.get_ifd(EXIF_IFD)
        assert "xmp" not in image.info
    for secret in (b"Canon", b"EOS 5D", b"Anna", b"SN123456", b"2026:11:20", b"xmpmeta",
                   b"8BIM"):
        assert secret not in result.data
    assert pixels(result.data) == pixels(original)
    kept = read_exif(strip_metadata(original, frozenset({GPS})).data)
    assert kept.get_ifd(GPS_IFD)[2] == (59.0, 30.0, 50.4)
    assert MAKE not in kept


def test_every_page_of_a_tiff_loses_its_tags():
    tags = Image.Exif()
    tags.load(camera_exif().tobytes())
    tags[315] = "Anna Andersson"
    pages = [Image.effect_noise((40, 30), 50).convert("L") for _ in range(3)]
    out = BytesIO()
    pages[0].save(out, "TIFF", tiffinfo=tags, save_all=True, append_images=pages[1:])
    original = out.getvalue()
    assert original.count(b"Anna Andersson") == 3  # every page carries the tags
    result = strip_metadata(original)
    assert result.kind == "tiff"
    for secret in (b"Canon", b"EOS 5D", b"Anna", b"SN123456", b"2026:11:20"):
        assert secret not in result.data
    with Image.open(BytesIO(result.data)) as stripped, Image.open(BytesIO(original)) as image:
        assert stripped.n_frames == 3
        for page in range(3):
            stripped.seek(page)
            image.seek(page)
            assert not {tag for tag in TIFF_TAGS if tag in stripped.tag_v2}
            assert stripped.tobytes() == image.tobytes()
