"""The privacy guard: find identity numbers, phone numbers, e-mail and licence plates in text.

Records describe places, never people, so free text is scanned on save and before it
leaves the device. `scan` reports every occurrence (sorted, never overlapping); `mask`
replaces them with a bracketed Swedish label such as "[personnummer]", which keeps the
sentence readable and contains nothing `scan` finds again. The rules and their
trade-offs are in docs/decisions.md ("Privacy guard").
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

PERSONNUMMER: Final = "personnummer"
SAMORDNINGSNUMMER: Final = "samordningsnummer"
PHONE: Final = "phone"
EMAIL: Final = "email"
LICENCE_PLATE: Final = "licence_plate"
KINDS: Final = (PERSONNUMMER, SAMORDNINGSNUMMER, PHONE, EMAIL, LICENCE_PLATE)

KIND_SV: Final = {
    PERSONNUMMER: "Personnummer",
    SAMORDNINGSNUMMER: "Samordningsnummer",
    PHONE: "Telefonnummer",
    EMAIL: "E-postadress",
    LICENCE_PLATE: "Registreringsnummer",
}
MASK_SV: Final = {kind: f"[{label.lower()}]" for kind, label in KIND_SV.items()}

# The free-text fields of each synced table (by table name) that a shared record is
# scanned in before it is sent (sync.privacy_hold): as the forms' guard on save, not a
# measure's contact, which names the responsible official.
FREE_TEXT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "observation": ("title", "description", "place_name", "proposed_measure"),
    "walk": ("title", "notes"),
    "measure": ("title", "description", "effect_notes"),
    "attachment": ("file_name",),
}

# When two candidates overlap the longer wins; at equal length the earlier kind here.
_PRIORITY: Final = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One occurrence: `text` is `source[start:end]`."""

    kind: str
    start: int
    end: int
    text: str


# -- personnummer and samordningsnummer ----------------------------------------------------

# A dash may be an en dash (word processors turn one into the other); a space may be a
# no-break space.
_DASHES = "-\u2013"
_SPACES = " \u00a0"
_IDENTITY = re.compile(
    r"(?<![^\W_])(?<!\d[-\u2013.,:/+])"  # not inside a word or a longer number
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[ \u00a0]?[-\u2013][ \u00a0]?|[+ \u00a0])?"
    r"(?P<serial>\d{4})"
    r"(?![^\W_])(?![-\u2013.,:/+]?\d)")


def luhn_ok(digits: str) -> bool:
    """The Luhn check of a string of digits (the last one is the check digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _real_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _is_clock(digits: str) -> bool:
    return int(digits[:2]) < 24 and int(digits[2:]) < 60


def _identity_kind(match: re.Match[str]) -> str | None:
    century, sep = match["century"], match["sep"] or ""
    sep = sep.strip(_SPACES) or sep  # "811218 - 9876" is written with a dash
    yy, mm, dd = int(match["yy"]), int(match["mm"]), int(match["dd"])
    kind = PERSONNUMMER
    if dd > 60:  # a samordningsnummer: the day of birth plus 60
        kind, dd = SAMORDNINGSNUMMER, dd - 60
    if century is not None:
        if sep == "+" or century not in ("18", "19", "20"):
            return None
        years = [int(century) * 100 + yy]
    else:  # "+" marks someone 100 or older; the century is otherwise the nearer one
        years = [1800 + yy, 1900 + yy] if sep == "+" else [1900 + yy, 2000 + yy]
    if not any(_real_date(year, mm, dd) for year in years):
        return None
    # "20261120 1430" is a date and a time far more often than a number typed with a
    # space; with a dash or no separator it is taken as a number.
    if sep != "" and sep in _SPACES and _is_clock(match["serial"]):
        return None
    if not luhn_ok(match["yy"] + match["mm"] + match["dd"] + match["serial"]):
        return None
    return kind


def _identities(text: str) -> Iterator[Finding]:
    position = 0
    while (match := _IDENTITY.search(text, position)) is not None:
        kind = _identity_kind(match)
        if kind is None:
            position = match.start() + 1
            continue
        yield Finding(kind, match.start(), match.end(), match[0])
        position = match.end()


# -- phone numbers ---------------------------------------------------------------------------

# A Swedish number as people write it: "070-123 45 67", "08-123 456 78", "0701234567",
# "+46 70 123 45 67", "0046 (0)70-123 45 67". Groups are parted by a space or a dash
# (with spaces around it or not); the groups are checked in `_phone_end`.
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[-\u2013.,:/])"
    r"(?P<prefix>(?:\+|00)46[ \u00a0-]?(?:\(0\)[ \u00a0]?|0)?|\(?0)"
    r"(?P<rest>[1-9]\d{0,9}"
    r"(?:(?:[ \u00a0]?[-\u2013][ \u00a0]?|[ \u00a0]|\)[ \u00a0]?)\d{1,9}){0,6})")
_DASH_JOINED = re.compile(r"[ \u00a0]?[-\u2013][ \u00a0]?\d")
_GROUP = re.compile(r"\d+")
# National numbers that are a company's or an authority's, never a person's:
# 020x free phone, 077x shared cost.
_SERVICE_PREFIXES = ("20", "77")


def _phone_number_ok(groups: list[str]) -> bool:
    """Whether digit groups after the trunk 0 (or 46) make a Swedish number."""
    number = "".join(groups)
    if len(groups) > 1:
        area = groups[0]
        if len(area) > 3 or (len(area) == 1 and area != "8") or groups[1][0] == "0":
            return False
        if any(len(group) < 2 for group in groups[1:]):
            return False
        # A subscriber number has at least five digits ("0800-1600" is a time span),
        # and 08 is the only area code starting with 8.
        if len(number) - len(area) < 5 or (area.startswith("8") and area != "8"):
            return False
    if number.startswith(_SERVICE_PREFIXES):
        return False
    if number.startswith("7"):  # mobile: 07X-XXX XX XX
        return len(number) == 9
    if number.startswith("8"):  # Stockholm: 08-XXX XX XX or 08-XXX XXX XX
        return len(number) in (8, 9)
    return 7 <= len(number) <= 9


def _phone_end(match: re.Match[str]) -> int | None:
    """Where the number the match starts with ends, or None when there is none.

    Trailing groups parted by a space may be something else ("ring 070-123 45 67 2
    gånger"), so they are dropped one by one; a group joined by a dash is not dropped."""
    rest, offset = match["rest"], match.start("rest")
    spans = [m.span() for m in _GROUP.finditer(rest)]
    # "(08) 123 45 67": the parenthesis closes after the area code and nowhere else.
    bracketed = match["prefix"] == "(0"
    closed = [")" in rest[a[1]:b[0]] for a, b in itertools.pairwise(spans)]
    if bracketed and closed[:1] != [True]:
        return None
    spans = spans[:next((i + 1 for i, c in enumerate(closed) if c and (i or not bracketed)),
                        len(spans))]
    for count in range(len(spans), 1 if bracketed else 0, -1):
        end = spans[count - 1][1]
        if count < len(spans) and rest[end:spans[count][0]].strip(_SPACES):
            continue  # parted by a dash: the groups after it belong to this number
        if _phone_number_ok([rest[a:b] for a, b in spans[:count]]):
            following = match.string[offset + end:offset + end + 1]
            if following.isalnum() or following == "_" or \
                    _DASH_JOINED.match(match.string, offset + end):
                return None
            return offset + end
    return None


def _phones(text: str) -> Iterator[Finding]:
    position = 0
    while (match := _PHONE.search(text, position)) is not None:
        end = _phone_end(match)
        if end is None:
            position = match.start() + 1
            continue
        yield Finding(PHONE, match.start(), end, text[match.start():end])
        position = end


# -- e-mail ----------------------------------------------------------------------------------

# RFC 5322's dot-atom on the left, letters of any script allowed (RFC 6531: "åsa@" is
# deliverable), and a domain of labels ending in a top-level domain of letters: a full
# stop or comma after the address is punctuation, not part of it.
_LOCAL = r"\w!#$%&'*+/=?^`{|}~-"
_EMAIL = re.compile(
    rf"(?<![.{_LOCAL}])"
    rf"[{_LOCAL}]+(?:\.[{_LOCAL}]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
    r"(?![\w-]|\.[^\W_])")


def _emails(text: str) -> Iterator[Finding]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        yield Finding(EMAIL, match.start(), match.end(), match[0])


# -- licence plates --------------------------------------------------------------------------

# Swedish plates: three letters and three digits ("ABC 123"), or since 2019 two digits
# and a letter ("ABC 12A"). I, Q, V, Å, Ä and Ö are never used in the letters, and the
# last place is never an O (read as a zero). Only capitals: plates are written so, and
# "bus 123" or "Rum 123" in running text are not plates.
_PLATE_LETTER = "[A-HJ-PR-UW-Z]"
_PLATE = re.compile(
    rf"(?<![^\W_])(?<!\d[-.,:/])"
    rf"{_PLATE_LETTER}{{3}}[ \u00a0-]?\d{{2}}(?:\d|[A-HJ-NPR-UW-Z])"
    r"(?![^\W_])(?![-.,:/]\d)")


def _plates(text: str) -> Iterator[Finding]:
    for match in _PLATE.finditer(text):
        yield Finding(LICENCE_PLATE, match.start(), match.end(), match[0])


# -- scanning and masking ----------------------------------------------------------------------

_DETECTORS: Final[tuple[Callable[[str], Iterator[Finding]], ...]] = (
    _identities, _phones, _emails, _plates)


def _without_overlaps(candidates: Iterable[Finding]) -> list[Finding]:
    chosen: list[Finding] = []  # sorted by start, never overlapping
    for candidate in sorted(candidates, key=lambda f: (f.start - f.end, _PRIORITY[f.kind],
                                                       f.start)):
        at = bisect.bisect_left(chosen, candidate.start, key=lambda f: f.start)
        if (at == 0 or chosen[at - 1].end <= candidate.start) and (
                at == len(chosen) or candidate.end <= chosen[at].start):
            chosen.insert(at, candidate)
    return chosen


def _scan_once(text: str) -> list[Finding]:
    return _without_overlaps(f for detect in _DETECTORS for f in detect(text))


def scan(text: str) -> list[Finding]:
    """Every identity number, phone number, e-mail address and licence plate in `text`,
    sorted by where it starts; where two would overlap the longer is kept."""
    found = _scan_once(text)
    # A number found ends a run: what follows it ("…67+46 70 …") is looked at again as
    # if the number were masked, so the masked text never holds anything `scan` finds.
    while found:
        masked, pieces = _masked_with_map(text, found)
        more = []
        for f in _scan_once(masked):
            piece = bisect.bisect_right(pieces, f.start, key=lambda p: p[0]) - 1
            masked_start, original_start, length = pieces[piece]
            if f.end <= masked_start + length:  # never across a label
                shift = original_start - masked_start
                more.append(Finding(f.kind, f.start + shift, f.end + shift, f.text))
        if not more:
            break
        found = sorted([*found, *more], key=lambda f: f.start)
    return found


def _masked_with_map(text: str, findings: list[Finding]) -> tuple[str, list[tuple[int, int, int]]]:
    """The masked text, and where each unmasked piece is: (masked start, start, length)."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    position = length = 0
    for finding in findings:
        pieces.append((length, position, finding.start - position))
        parts += [text[position:finding.start], MASK_SV[finding.kind]]
        length += finding.start - position + len(MASK_SV[finding.kind])
        position = finding.end
    pieces.append((length, position, len(text) - position))
    parts.append(text[position:])
    return "".join(parts), pieces


def mask(text: str, findings: Iterable[Finding]) -> str:
    """`text` with each finding replaced by its label, e.g. "[personnummer]"; the rest
    is kept exactly. Findings must come from `scan(text)`: ValueError otherwise."""
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position or text[finding.start:finding.end] != finding.text:
            raise ValueError(f"finding {finding} does not fit the text")
        parts += [text[position:finding.start], MASK_SV[finding.kind]]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def mask_all(text: str) -> str:
    """`text` with everything `scan` finds masked."""
    return mask(text, scan(text))
