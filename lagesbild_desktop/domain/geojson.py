"""The one reader of JSON from users' files (GeoJSON): a message for any damage, never a traceback.

`json.loads` alone raises RecursionError for arrays nested some thousand deep, ValueError
(not JSONDecodeError) for an integer past Python's int-string limit (4,300 digits), and
reads ``1e400`` as infinity and ``NaN``/``Infinity`` (which JSON does not have) as
numbers. Here each of these is a `GeoJsonError` with an English and a Swedish message
that says where in the file it is. A number of more than MAX_NUMBER_CHARS characters is
refused: no coordinate, id or count needs more, and such a number can only be damage or
an attack.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Final

MAX_NUMBER_CHARS: Final = 100
_SHOWN: Final = 20  # characters of a refused number shown in the message


class GeoJsonError(ValueError):
    """A file that is not usable JSON; str() is English, ``message_sv`` Swedish.

    ``reason``: "not_json", "too_deep", "long_number", "infinite_number", "not_a_number",
    or "unreadable"."""

    def __init__(self, reason: str, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_sv = message_sv


class _Refused(Exception):
    def __init__(self, token: str, reason: str) -> None:
        super().__init__(token)
        self.token, self.reason = token, reason


def _int(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise _Refused(token, "long_number")
    return int(token)


def _float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise _Refused(token, "long_number")
    value = float(token)
    if not math.isfinite(value):
        raise _Refused(token, "infinite_number")
    return value


def _constant(token: str) -> float:
    raise _Refused(token, "not_a_number")


def _where(text: str, token: str) -> tuple[int, int]:
    """Line and column (from 1) of the first `token` that stands as a value of its own."""
    pattern = re.compile(r'(?<![\w.+"-])' + re.escape(token) + r'(?![\w."])')
    found = pattern.search(text)
    at = found.start() if found else 0
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _shown(token: str) -> str:
    return token if len(token) <= _SHOWN else token[:_SHOWN] + "…"


def parse(text: str, name: str = "filen") -> Any:
    """The JSON value of `text`; GeoJsonError (naming `name`) when it is not usable."""
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise GeoJsonError(
            "not_json", f"{name}: not valid JSON ({error})",
            f"{name} är ingen giltig GeoJSON-fil: fel vid rad {error.lineno}, tecken "
            f"{error.colno}.") from None
    except RecursionError:
        raise GeoJsonError(
            "too_deep", f"{name}: arrays or objects nested too deeply to read",
            f"{name} går inte att läsa: listor eller objekt ligger för djupt inuti varandra "
            "(en GeoJSON-fil har färre än tio nivåer). Filen är skadad eller ingen "
            "GeoJSON-fil.") from None
    except _Refused as refused:
        line, column = _where(text, refused.token)
        shown = _shown(refused.token)
        where_en, where_sv = f"line {line}, column {column}", f"rad {line}, tecken {column}"
        if refused.reason == "long_number":
            raise GeoJsonError(
                "long_number",
                f"{name}, {where_en}: a number of {len(refused.token)} characters ({shown}); "
                f"at most {MAX_NUMBER_CHARS} are read",
                f"{name} går inte att läsa: talet {shown} vid {where_sv} har "
                f"{len(refused.token)} tecken; högst {MAX_NUMBER_CHARS} läses. Filen är "
                "skadad eller ingen GeoJSON-fil.") from None
        if refused.reason == "infinite_number":
            raise GeoJsonError(
                "infinite_number", f"{name}, {where_en}: the number {shown} is too large",
                f"{name} går inte att läsa: talet {shown} vid {where_sv} är för stort för "
                "att räkna med.") from None
        raise GeoJsonError(
            "not_a_number", f"{name}, {where_en}: {shown} is not a JSON number",
            f"{name} går inte att läsa: {shown} vid {where_sv} är inget tal i JSON.") from None


def read(path: str | os.PathLike[str], encoding: str = "utf-8-sig") -> Any:
    """The JSON value of the file at `path` (UTF-8, a BOM allowed); GeoJsonError when it
    cannot be read or is not usable JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding=encoding)
    except (OSError, UnicodeDecodeError) as error:
        raise GeoJsonError(
            "unreadable", f"{path}: cannot read ({error})",
            f"Filen {path.name} går inte att läsa.") from error
    return parse(text, path.name)
