"""What a photo says about itself beyond its pixels: remove it, keeping what the user chose.

A camera or phone writes the position (GPS), the time, the make, model and serial number,
the owner's name, a preview thumbnail (which may show the picture before it was cropped)
and editing software's XMP and IPTC notes into the file. `strip_metadata` removes all of
it; `keep` may name TIME (when it was taken) and GPS (where). The orientation tag is
always kept: it only says which way is up, and keeping it spares re-encoding the picture.

JPEG is rewritten losslessly (the compressed picture data is copied byte for byte; only
the metadata segments change); PNG, WebP and TIFF are saved again without metadata (PNG,
TIFF and WebP as lossless); other files, and images that cannot be read, are returned
unchanged (`changed` False, and the caller may log it). Pure bytes in, bytes out: every
layer that needs it (the photo store, sync, reports) imports it from here.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Final

log = logging.getLogger(__name__)

TIME: Final = "time"
GPS: Final = "gps"
KEEPABLE: Final = (TIME, GPS)

_ORIENTATION: Final = 0x0112
_DATETIME: Final = 0x0132
_EXIF_IFD: Final = 0x8769
_GPS_IFD: Final = 0x8825
# Capture time in the Exif IFD: DateTimeOriginal, its offset and sub-seconds.
_TIME_TAGS: Final = (0x9003, 0x9011, 0x9291)
# Position only: version, latitude (ref, value), longitude, altitude (ref, value).
_GPS_TAGS: Final = (0, 1, 2, 3, 4, 5, 6)

_SOI, _SOS, _EOI = 0xD8, 0xDA, 0xD9
_APP0, _APP1, _APP2, _APP14, _COM = 0xE0, 0xE1, 0xE2, 0xEE, 0xFE


@dataclass(frozen=True, slots=True)
class Stripped:
    data: bytes
    changed: bool  # False: the bytes are the input's (nothing to remove, or not an image)
    kind: str  # "jpeg", "png", "webp", "tiff", or "" when left as it was


def parse_keep(text: str) -> frozenset[str]:
    """A stored setting ("time,gps", "" for nothing) as a set; unknown words are ignored."""
    return frozenset(word for word in (w.strip() for w in text.split(",")) if word in KEEPABLE)


def format_keep(keep: frozenset[str] | set[str]) -> str:
    return ",".join(word for word in KEEPABLE if word in keep)


def _kept_exif(source: Any, keep: frozenset[str]) -> Any:
    """A new Pillow Exif holding only the orientation and the chosen tags of `source`."""
    from PIL import Image

    kept = Image.Exif()
    orientation = source.get(_ORIENTATION)
    if isinstance(orientation, int) and orientation != 1:
        kept[_ORIENTATION] = orientation
    if TIME in keep:
        if _DATETIME in source:
            kept[_DATETIME] = source[_DATETIME]
        original = source.get_ifd(_EXIF_IFD)
        chosen = {tag: original[tag] for tag in _TIME_TAGS if tag in original}
        if chosen:
            kept.get_ifd(_EXIF_IFD).update(chosen)
    if GPS in keep:
        gps = source.get_ifd(_GPS_IFD)
        chosen = {tag: gps[tag] for tag in _GPS_TAGS if tag in gps}
        if 2 in chosen and 4 in chosen:
            kept.get_ifd(_GPS_IFD).update(chosen)
    return kept


def _exif_segment(exif: Any) -> bytes:
    if not len(exif) and not exif.get_ifd(_EXIF_IFD) and not exif.get_ifd(_GPS_IFD):
        return b""
    body: bytes = exif.tobytes()  # b"Exif\0\0" + TIFF header and IFDs
    if len(body) + 2 > 0xFFFF:
        return b""
    return bytes([0xFF, _APP1]) + struct.pack(">H", len(body) + 2) + body


def _segments(data: bytes) -> list[tuple[int, bytes]] | None:
    """(marker, whole segment) up to SOS; the last item is (SOS, everything from SOS on).
    None when the bytes are not a well-formed JPEG header."""
    if data[:2] != b"\xff\xd8":
        return None
    out: list[tuple[int, bytes]] = []
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == _SOS:
            out.append((marker, data[at:]))
            return out
        if marker == _EOI or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append((marker, data[at:at + 2]))
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if length < 2 or at + 2 + length > len(data):
            return None
        out.append((marker, data[at:at + 2 + length]))
        at += 2 + length
    return None


def _keep_segment(marker: int, segment: bytes) -> bool:
    body = segment[4:]
    if marker == _APP0:
        return body.startswith(b"JFIF\x00")  # not JFXX, which carries a thumbnail
    if marker == _APP2:
        return body.startswith(b"ICC_PROFILE\x00")  # colours, not FlashPix data
    if marker == _APP14:
        return body.startswith(b"Adobe")  # the colour transform, needed to decode
    return not (0xE0 <= marker <= 0xEF or marker == _COM)


def _strip_jpeg(data: bytes, keep: frozenset[str]) -> Stripped | None:
    from PIL import Image

    segments = _segments(data)
    if segments is None:
        return None
    with Image.open(BytesIO(data)) as image:
        exif = _exif_segment(_kept_exif(image.getexif(), keep))
    kept = [segment for marker, segment in segments if _keep_segment(marker, segment)]
    # The new Exif goes after JFIF when there is one (JFIF wants to be first).
    place = 1 if kept and kept[0][:2] == b"\xff\xe0" else 0
    kept.insert(place, exif)
    result = b"\xff\xd8" + b"".join(kept)
    return Stripped(result, result != data, "jpeg")


def _strip_by_saving(data: bytes, keep: frozenset[str]) -> Stripped | None:
    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        kind = (image.format or "").lower()
        if kind not in ("png", "webp", "tiff") or getattr(image, "n_frames", 1) > 1:
            return None
        exif = _kept_exif(image.getexif(), keep)
        options: dict[str, Any] = {}
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        if len(exif) or exif.get_ifd(_EXIF_IFD) or exif.get_ifd(_GPS_IFD):
            options["exif"] = exif.tobytes()
        if kind == "webp":
            options["lossless"] = True
        if kind == "tiff":
            options["compression"] = "tiff_deflate"
        image.load()
        out = BytesIO()
        image.save(out, kind.upper() if kind != "tiff" else "TIFF", **options)
    return Stripped(out.getvalue(), True, kind)


def strip_metadata(data: bytes, keep: frozenset[str] = frozenset()) -> Stripped:
    """`data` without metadata except the orientation and what `keep` names (TIME, GPS).

    Files that are not images, and images Pillow cannot read, come back unchanged."""
    from PIL import Image, UnidentifiedImageError

    try:
        if data[:2] == b"\xff\xd8":
            result = _strip_jpeg(data, keep)
        else:
            result = _strip_by_saving(data, keep)
    except UnidentifiedImageError:
        result = None  # not an image (a PDF, a document): nothing of this kind to remove
    except (OSError, ValueError, SyntaxError, struct.error,
            Image.DecompressionBombError) as error:
        log.warning("photo metadata not removed (%d bytes): %s", len(data), error)
        result = None
    return result if result is not None else Stripped(data, False, "")
