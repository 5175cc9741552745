"""What a photo says about itself beyond its pixels: remove it, keeping what the user chose.

A camera or phone writes the position (GPS), the time, the make, model and serial number,
the owner's name, a preview thumbnail (which may show the picture before it was cropped)
and editing software's XMP and IPTC notes into the file. `strip_metadata` removes all of
it; `keep` may name TIME (when it was taken) and GPS (where). The orientation tag is
always kept: it only says which way is up, and keeping it spares re-encoding the picture.

JPEG is rewritten losslessly (the compressed picture data is copied byte for byte; only
the metadata segments change, and whatever follows the end of the picture, such as a
phone's second picture or motion-photo video, is cut off); a JPEG whose segments cannot
be followed is encoded again by Pillow (quality 95). PNG, WebP and TIFF are saved again
without metadata (PNG, TIFF and WebP as lossless). Other files come back unchanged
(`changed` False). An image that cannot be read at all but carries an Exif or XMP block
also comes back unchanged, with `unremoved` True: it must not be stored as a photo
without metadata. Pure bytes in, bytes out: every layer that needs it (the photo store,
sync, reports) imports it from here.
"""

from __future__ import annotations

import logging
import re
import struct
from collections.abc import Callable
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
# In compressed (scan) data an FF byte is followed by 00 (a stuffed FF) or a restart
# marker (D0-D7); any other FF starts a marker, maybe after fill bytes (more FFs).
_MARKER_AFTER_SCAN: Final = re.compile(rb"\xff(?![\x00\xd0-\xd7])")
# Where an unreadable image may still hold a position or a name: Exif (JPEG APP1, PNG
# eXIf, WebP EXIF), XMP, IPTC/Photoshop. TIFF files are themselves Exif structures.
_METADATA_SIGNS: Final = (b"Exif\x00", b"EXIF", b"eXIf", b"xmpmeta", b"ns.adobe.com/xap",
                          b"Photoshop 3.0", b"8BIM")
_TIFF_STARTS: Final = (b"II*\x00", b"MM\x00*")
_IMAGE_STARTS: Final = (b"\xff\xd8", b"\x89PNG\r\n\x1a\n", *_TIFF_STARTS)


@dataclass(frozen=True, slots=True)
class Stripped:
    data: bytes
    changed: bool  # False: the bytes are the input's (nothing to remove, or not an image)
    kind: str  # "jpeg", "png", "webp", "tiff", or "" when left as it was
    # True: an image that could not be read, whose Exif/XMP/IPTC (maybe a position) is
    # still in `data`; a caller must not store or hand it out as stripped.
    unremoved: bool = False


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
    """(marker, whole segment) from after SOI to EOI; an SOS segment carries its scan data.

    Fill bytes before a marker are dropped; anything after EOI (a second picture, a
    motion-photo video) is not returned. None when the bytes are not a JPEG this can
    follow to its end-of-image marker."""
    if data[:2] != b"\xff\xd8":
        return None
    out: list[tuple[int, bytes]] = []
    at, end = 2, len(data)
    while at < end:
        if data[at] != 0xFF:
            return None
        while at < end and data[at] == 0xFF:  # the marker's FF and any fill bytes
            at += 1
        if at >= end:
            return None
        marker = data[at]
        at += 1
        if marker == _EOI:
            out.append((marker, b"\xff\xd9"))
            return out
        if marker in (0x00, _SOI):
            return None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            out.append((marker, bytes([0xFF, marker])))
            continue
        if at + 2 > end:
            return None
        (length,) = struct.unpack(">H", data[at:at + 2])
        if length < 2 or at + length > end:
            return None
        segment_end = at + length
        if marker == _SOS:  # the scan data runs to the next marker
            found = _MARKER_AFTER_SCAN.search(data, segment_end)
            if found is None:
                return None
            segment_end = found.start()
        out.append((marker, bytes([0xFF, marker]) + data[at:segment_end]))
        at = segment_end
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


def _encode_jpeg_again(data: bytes, keep: frozenset[str]) -> Stripped | None:
    """The first picture of a JPEG Pillow reads but `_segments` cannot follow, encoded
    again (quality 95) with the orientation tag, the chosen tags and the colour profile."""
    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        if image.format not in ("JPEG", "MPO"):
            return None
        exif = _kept_exif(image.getexif(), keep)
        icc = image.info.get("icc_profile")
        image.load()
        picture = image.copy() if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")
    picture.info = {}  # Pillow would write a comment or XMP found there
    options: dict[str, Any] = {"quality": 95}
    if icc:
        options["icc_profile"] = icc
    if len(exif) or exif.get_ifd(_EXIF_IFD) or exif.get_ifd(_GPS_IFD):
        options["exif"] = exif.tobytes()
    out = BytesIO()
    picture.save(out, "JPEG", **options)
    return Stripped(out.getvalue(), True, "jpeg")


def _strip_by_saving(data: bytes, keep: frozenset[str]) -> Stripped | None:
    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        kind = (image.format or "").lower()
        frames = getattr(image, "n_frames", 1)
        # Animated PNG and WebP are left alone (and refused when they carry metadata); a
        # TIFF of several pages (a scanned document) is saved page by page.
        if kind not in ("png", "webp", "tiff") or frames > 1 and kind != "tiff":
            return None
        exif = _kept_exif(image.getexif(), keep)
        icc = image.info.get("icc_profile")
        transparency = image.info.get("transparency")
        # A plain copy: a TIFF's own tag directories (make, artist, XMP, IPTC, Photoshop,
        # the Exif and GPS IFDs) would otherwise be written again by Pillow's TIFF saver.
        picture = image.copy()
        if kind == "tiff" and _ORIENTATION not in image.tag_v2:  # type: ignore[attr-defined]
            # Pillow 13 turns a TIFF upright as it loads it and drops the tag; kept, the
            # tag would turn the saved (upright) pixels once more.
            exif.pop(_ORIENTATION, None)
        pages = []
        for page in range(1, frames):
            image.seek(page)
            pages.append(image.copy())
    picture.info = {} if transparency is None else {"transparency": transparency}
    options: dict[str, Any] = {}
    if icc:
        options["icc_profile"] = icc
    if len(exif) or exif.get_ifd(_EXIF_IFD) or exif.get_ifd(_GPS_IFD):
        options["exif"] = exif.tobytes()
    if kind == "webp":
        options["lossless"] = True
    if kind == "tiff" and not (exif.get_ifd(_EXIF_IFD) or exif.get_ifd(_GPS_IFD)):
        # Compressing goes through libtiff, which cannot write the Exif and GPS IFDs of a
        # kept time or position; Pillow's own writer can, uncompressed.
        options["compression"] = "tiff_deflate"
    if pages:
        options.update(save_all=True, append_images=pages)
    out = BytesIO()
    picture.save(out, kind.upper(), **options)
    return Stripped(out.getvalue(), True, kind)


def _attempt(how: Callable[[bytes, frozenset[str]], Stripped | None], data: bytes,
             keep: frozenset[str]) -> Stripped | None:
    from PIL import Image, UnidentifiedImageError

    try:
        result = how(data, keep)
    except UnidentifiedImageError:
        return None  # not an image (a PDF, a document): nothing of this kind to remove
    except (OSError, ValueError, SyntaxError, RuntimeError, struct.error,
            Image.DecompressionBombError) as error:  # RuntimeError: libtiff
        log.warning("photo metadata not removed (%d bytes): %s", len(data), error)
        return None
    return result


def _may_hold_metadata(data: bytes) -> bool:
    if data.startswith(_TIFF_STARTS):
        return True
    if not (data.startswith(_IMAGE_STARTS) or data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return False
    return any(sign in data for sign in _METADATA_SIGNS)


def strip_metadata(data: bytes, keep: frozenset[str] = frozenset()) -> Stripped:
    """`data` without metadata except the orientation and what `keep` names (TIME, GPS).

    Files that are not images come back unchanged; so do images that cannot be read, with
    `unremoved` True when they carry Exif, XMP or IPTC data."""
    if data[:2] == b"\xff\xd8":
        result = _attempt(_strip_jpeg, data, keep)
        if result is None:
            log.warning("photo metadata: the JPEG's segments could not be followed "
                        "(%d bytes); encoding the picture again", len(data))
            result = _attempt(_encode_jpeg_again, data, keep)
    else:
        result = _attempt(_strip_by_saving, data, keep)
    if result is not None:
        return result
    unremoved = _may_hold_metadata(data)
    if unremoved:
        log.warning("photo metadata could not be removed (%d bytes): the image cannot be "
                    "read and carries Exif, XMP or IPTC data", len(data))
    return Stripped(data, False, "", unremoved)
