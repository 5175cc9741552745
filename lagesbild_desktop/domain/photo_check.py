"""Whether a file offered as a photo is one: a whole picture of a readable kind and sane size.

Every way a user's file becomes a photo (the observation form, a safety walk's finding in
it) goes through `check_photo` before anything is written, so an empty, text, random or
truncated file, and a decompression bomb (a small file that claims 40,000 × 40,000
pixels and would take gigabytes to decode), are refused with a message. The size is read
from the header and checked before any pixel is decoded; then the picture is decoded
once (a JPEG at an eighth of its size, which still reads every byte of it) so that a
truncated file is found now and not when a report or the other devices need it.

Only the kinds Pillow reads itself are opened (JPEG, PNG, WebP, TIFF, GIF, BMP): no
plug-in that hands the file to another program (EPS and Ghostscript). HEIC, which Pillow
cannot read, is refused: its metadata (the position) could not be removed either.
Pure bytes in, facts or `PhotoRefused` out.
"""

from __future__ import annotations

import re
import struct
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Final

# Pillow's own limit (Image.MAX_IMAGE_PIXELS: some 0.25 GB at 3 bytes a pixel): above it
# Pillow warns of a decompression bomb, above twice it refuses to open the file. Cameras
# and phones take up to 50 megapixels (8,192 × 6,144); 89 leaves room.
MAX_PIXELS: Final = 89_478_485
# A phone's MPO (a JPEG with a second picture) opens as JPEG.
FORMATS: Final = ("JPEG", "PNG", "WEBP", "TIFF", "GIF", "BMP")
_KINDS_SV: Final = "JPEG, PNG, WebP, TIFF, GIF eller BMP"
_HEIF_BRANDS: Final = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1",
                       b"msf1", b"avif")


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    format: str  # Pillow's name: "JPEG", "PNG", ...
    width: int
    height: int
    frames: int


class PhotoRefused(ValueError):
    """Not a photo that may be stored; str() is English, ``message_sv`` Swedish.

    ``reason``: "empty", "heif", "not_an_image", "too_large" or "broken"."""

    def __init__(self, reason: str, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_sv = message_sv


def _spaced(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")  # 40 000, as Swedish writes it


def _megapixels(pixels: int) -> str:
    return _spaced(round(pixels / 1_000_000))


def _too_large(name: str, width: int | None, height: int | None, pixels: int) -> PhotoRefused:
    size_en = f"{width} × {height} pixels, " if width and height else ""
    size_sv = f"{_spaced(width)} × {_spaced(height)} bildpunkter, " if width and height else ""
    return PhotoRefused(
        "too_large",
        f"{name}: the picture is too large ({size_en}{_megapixels(pixels)} megapixels; "
        f"at most {_megapixels(MAX_PIXELS)} are taken); it was not added",
        f"Bilden {name} är för stor ({size_sv}{_megapixels(pixels)} megapixlar; högst "
        f"{_megapixels(MAX_PIXELS)} megapixlar tas emot). Den lades inte till.")


def _broken(name: str, error: BaseException) -> PhotoRefused:
    return PhotoRefused(
        "broken", f"{name}: the picture is damaged or incomplete ({error}); it was not added",
        f"Bilden {name} är skadad eller ofullständig och går inte att läsa till slut. Den "
        "lades inte till.")


def _not_an_image(name: str) -> PhotoRefused:
    return PhotoRefused(
        "not_an_image", f"{name} is not a picture of a kind that can be read; not added",
        f"Filen {name} är ingen bild som kan läsas (foton tas emot som {_KINDS_SV}). Den "
        "lades inte till.")


def check_photo(data: bytes, name: str) -> PhotoFacts:
    """What the picture in `data` is; PhotoRefused (naming the file `name`) when it is
    empty, no picture of FORMATS, larger than MAX_PIXELS, or damaged or incomplete."""
    from PIL import Image, UnidentifiedImageError

    if not data.strip(b"\x00 \t\r\n"):
        raise PhotoRefused("empty", f"{name} is empty; not added",
                           f"Filen {name} är tom. Den lades inte till.")
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise PhotoRefused(
            "heif", f"{name}: HEIC/HEIF pictures cannot be read here; not added",
            f"Bilden {name} är en HEIC-bild, som inte kan läsas här (och därför inte heller "
            "rensas från sin position). Spara eller exportera den som JPEG och lägg till "
            "den filen. Den lades inte till.")
    try:
        with warnings.catch_warnings():  # above MAX_PIXELS is refused here, not warned of
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=FORMATS)
        with image:
            width, height = image.size
            frames = int(getattr(image, "n_frames", 1))
            pixels = width * height * frames
            if width < 1 or height < 1:
                raise _broken(name, ValueError(f"size {width} × {height}"))
            if pixels > MAX_PIXELS:
                raise _too_large(name, width, height, pixels)
            kind = image.format or ""
            for frame in range(frames):
                if frame:
                    image.seek(frame)
                elif kind in ("JPEG", "MPO"):
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except PhotoRefused:
        raise
    except Image.DecompressionBombError as error:  # Pillow's check, before decoding
        found = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_large(name, None, None, int(found.group(1)) if found else 0) from None
    except UnidentifiedImageError:
        raise _not_an_image(name) from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError,
            MemoryError) as error:
        raise _broken(name, error) from None
    return PhotoFacts(kind, width, height, frames)
