"""domain.photo_check: what is a photo that may be stored, and the messages for what is not."""

from __future__ import annotations

import random
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from lagesbild_desktop.domain.photo_check import MAX_PIXELS, PhotoRefused, check_photo


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims `width` × `height` pixels (some
    4.8 GB to decode): the first rows of black, as a decompression bomb starts."""
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 4, 9)
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", rows) + _chunk(b"IEND", b""))


def jpeg(size: tuple[int, int] = (320, 240)) -> bytes:
    out = BytesIO()
    noise = random.Random(3).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, noise).save(out, format="JPEG", quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def test_whole_pictures_pass_with_their_facts() -> None:
    facts = check_photo(jpeg(), "IMG_0001.jpg")
    assert (facts.format, facts.width, facts.height, facts.frames) == ("JPEG", 320, 240, 1)
    assert check_photo(png(), "karta.png").format == "PNG"


def test_a_decompression_bomb_is_refused_by_its_header() -> None:
    data = bomb_png()
    assert len(data) < 2000
    with pytest.raises(PhotoRefused) as refused:
        check_photo(data, "bomb.png")
    assert refused.value.reason == "too_large"
    assert refused.value.message_sv.startswith("Bilden bomb.png är för stor")
    assert "1\u00a0600 megapixlar" in refused.value.message_sv
    assert "lades inte till" in refused.value.message_sv
    assert "too large" in str(refused.value)


def test_just_above_the_limit_is_refused_and_its_size_named() -> None:
    # Below Pillow's own refusal (twice MAX_PIXELS): the check here names width and height.
    with pytest.raises(PhotoRefused) as refused:
        check_photo(bomb_png(10_000, 9_000), "stor.png")
    assert refused.value.reason == "too_large"
    assert "10\u00a0000 × 9\u00a0000 bildpunkter" in refused.value.message_sv
    assert MAX_PIXELS < 10_000 * 9_000


@pytest.mark.parametrize(("data", "reason", "swedish"), [
    (b"", "empty", "Filen x.jpg är tom."),
    (b"\x00" * 4096, "empty", "Filen x.jpg är tom."),
    (b"Inte en bild, bara text.\n" * 50, "not_an_image", "ingen bild som kan läsas"),
    (random.Random(1).randbytes(20_000), "not_an_image", "ingen bild som kan läsas"),
    (jpeg()[:3000], "broken", "skadad eller ofullständig"),
    (png()[:60], "broken", "skadad eller ofullständig"),
    (b"\x00\x00\x00\x18ftypheic" + bytes(100), "heif", "HEIC-bild"),
])
def test_what_is_no_photo_is_refused_with_a_swedish_message(
        data: bytes, reason: str, swedish: str) -> None:
    with pytest.raises(PhotoRefused) as refused:
        check_photo(data, "x.jpg")
    assert refused.value.reason == reason
    assert swedish in refused.value.message_sv
    assert "x.jpg" in str(refused.value)
