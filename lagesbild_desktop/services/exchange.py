"""Observations in and out of files: CSV as Swedish Excel reads and writes it, and GeoJSON.

CSV export (chosen so that Swedish Excel shows it well and it imports back unchanged):
``;`` separated, UTF-8 with BOM, CRLF line ends, the Swedish header
``id;kategori;beskrivning;tid_från;tid_till;latitud;longitud;plats;kommun;allvarlighet;
status;organisation;delning``, and the values

- kategori: the Swedish label (the code when two categories share a label);
- tid_från/tid_till: local time (Europe/Stockholm) ``YYYY-MM-DD HH:MM``, which Excel reads
  as a date. Seconds (and fractions) are written only when the time has them, so nothing
  is rounded away; a time in the repeated hour when summer time ends gets its offset
  (``2025-10-26 02:30+01:00``), the only way to tell the two 02:30s apart;
- latitud/longitud: decimal comma, 6 decimals (about 0.1 m), more only when the stored
  value needs them to come back exactly;
- allvarlighet: the number 1-4 (sorts and filters in Excel); status and delning: the
  Swedish labels; organisation: its name; kommun: the municipality (information only);
- free text (beskrivning, plats) that starts with ``= + - @``, a tab or CR gets a
  leading apostrophe so Excel does not run it as a formula (CSV injection); text that
  starts with an apostrophe gets one more. Import takes exactly one away again.

Only these 13 columns are in CSV (import also reads the other fields of
`observation_record` when a file has them); GeoJSON carries every field.

Import reads both formats (GeoJSON by content: it starts with ``{``). CSV may use the
Swedish or the English headers, or others mapped with `parse_column_map`; UTF-8 with or
without BOM, UTF-16 with BOM (Excel's "Unicode text") or Windows-1252; ``;``, ``,`` or
tab between fields; decimal commas; ISO 8601 times, ``YYYY-MM-DD HH:MM`` and bare dates
(local midnight). Rows that break a rule are reported with their line number (for
GeoJSON: the feature's number) and everything else goes in one transaction. Rows with
an id keep it; rows without get a uuid5 of their content, so importing a file again
adds nothing.

Import refuses a position outside Sweden (domain.geo.in_sweden: Sweden and a margin),
naming latitude and longitude swapped when they are, unless `allow_outside_sweden`; and
it scans the free text of the rows it would import for personal data as export does
(services.export_privacy): `personal_data` "refuse" raises ImportPersonalDataFound with
every finding and imports nothing, "mask" stores the findings as labels, "keep" stores
the text as it is. GeoJSON is read with domain.geojson (deep nesting, huge numbers and
NaN are an UnusableFile with a message, not a traceback).
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import math
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from lagesbild_desktop.domain import catalogue, geojson
from lagesbild_desktop.domain.observation import (
    ObservationInput,
    errors_only,
    validate_observation,
)
from lagesbild_desktop.domain.periods import LOCAL, parse_local
from lagesbild_desktop.domain.privacy import mask, scan
from lagesbild_desktop.services import export_privacy
from lagesbild_desktop.services.export_privacy import ExportFinding, PersonalDataFound

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database
    from lagesbild_desktop.domain.actor import Actor
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.services.observations import ObservationView

log = logging.getLogger(__name__)

CSV_COLUMNS_SV = (
    "id", "kategori", "beskrivning", "tid_från", "tid_till", "latitud", "longitud", "plats",
    "kommun", "allvarlighet", "status", "organisation", "delning",
)
CSV_COLUMNS_EN = (
    "id", "category", "description", "occurred_from", "occurred_to", "latitude", "longitude",
    "place", "municipality", "severity", "status", "organisation", "sharing",
)
RECORD_KEYS = CSV_COLUMNS_EN + (
    "title", "sweref99tm_n", "sweref99tm_e", "area", "place_type", "police_report",
    "walk_id", "stop_number", "ratings", "proposed_measure", "tags", "created_at", "updated_at",
)
SWEDISH_NAMES: dict[str, str] = dict(zip(CSV_COLUMNS_EN, CSV_COLUMNS_SV, strict=True)) | {
    "title": "rubrik", "sweref99tm_n": "sweref99tm_n", "sweref99tm_e": "sweref99tm_e",
    "area": "område", "place_type": "platstyp", "police_report": "polisanmälan",
    "walk_id": "vandring", "stop_number": "punkt", "ratings": "bedömningar",
    "proposed_measure": "åtgärdsförslag", "tags": "taggar", "created_at": "skapad",
    "updated_at": "ändrad",
}
# municipality, area, created_at, updated_at and the SWEREF 99 TM pair are shown in
# files but derived on import (the area from the position; SWEREF only read when a CSV
# file has no latitude/longitude).
FREE_TEXT = ("description", "place", "title", "proposed_measure")

# Fixed, so a row without an id gets the same id on every device and every import.
CONTENT_NAMESPACE = uuid.UUID("3c5e0f0a-8d0e-4d6b-9a7e-2f4f1c9b6a21")
ID_CHUNK = 500
SNIFF_BYTES = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _fold(text: str) -> str:
    # The same folding as services.lookups, whose maps are looked up with it.
    return " ".join(text.casefold().split())


def _key(name: str) -> str:
    """A header as compared: folded, with spaces, hyphens and underscores alike."""
    cleaned = name.replace("\ufeff", "").replace("-", " ").replace("_", " ")
    return "_".join(cleaned.casefold().split())


_ALIASES: dict[str, str] = (
    {_key(name): name for name in RECORD_KEYS}
    | {_key(sv): en for en, sv in SWEDISH_NAMES.items()}
    | {"place_name": "place", "platsnamn": "place", "lat": "latitude", "lon": "longitude",
       "lng": "longitude"}
)


# --- Errors and results ---------------------------------------------------------------------


class UnusableFile(Exception):
    """A file that cannot be imported at all; str() is English, `message_sv` Swedish."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


class ExportFailed(Exception):
    """The export file could not be written; str() is English, `message_sv` Swedish."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


@dataclass
class RejectedRow:
    line: int
    reason_en: str
    reason_sv: str


@dataclass
class ImportResult:
    imported: int
    duplicates: int
    rejected: list[RejectedRow]
    # Headers (CSV) or property names (GeoJSON) that matched no field and were not read.
    ignored_columns: list[str] = field(default_factory=list)
    # Rows imported with something to check (a position outside Sweden that was allowed).
    warnings: list[RejectedRow] = field(default_factory=list)
    # Personal data found in the imported free text (masked or kept as chosen).
    personal_data: list[ExportFinding] = field(default_factory=list)
    # Whether `line` is a GeoJSON feature's number rather than a CSV line.
    features: bool = False

    def where_sv(self, line: int) -> str:
        """"rad 12" or "objekt 12": where a rejected row or warning is, in Swedish."""
        return f"{'objekt' if self.features else 'rad'} {line}"

    def where_en(self, line: int) -> str:
        return f"{'feature' if self.features else 'line'} {line}"


class ImportPersonalDataFound(PersonalDataFound):
    """The rows to import hold personal data and the caller asked to refuse then;
    nothing was imported. `findings` name the line (or feature) and field of each."""

    def __init__(self, findings: list[ExportFinding]) -> None:
        super().__init__(findings)
        Exception.__init__(self, f"the file to import holds {len(findings)} personal data "
                           "findings; choose to mask them or to import unchanged")
        shown = "\n".join(f.line_sv() for f in findings[:export_privacy.SHOWN])
        more = (f"\n…och {len(findings) - export_privacy.SHOWN} till."
                if len(findings) > export_privacy.SHOWN else "")
        self.message_sv = (f"Filen som ska importeras innehåller personuppgifter "
                           f"({len(findings)} fynd):\n{shown}{more}")


# --- Records ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LOCAL).isoformat()


def observation_record(view: ObservationView) -> dict[str, Any]:
    """Every field of an observation under its English column name, JSON-ready."""
    from lagesbild_desktop.domain.geo import wgs84_to_sweref

    northing, easting = wgs84_to_sweref(view.latitude, view.longitude)
    return {
        "id": view.id,
        "category": view.category,
        "description": view.description,
        "occurred_from": _iso(view.occurred_from),
        "occurred_to": _iso(view.occurred_to),
        "latitude": view.latitude,
        "longitude": view.longitude,
        "place": view.place_name,
        "municipality": view.municipality,
        "severity": view.severity,
        "status": str(view.status),
        "organisation": view.organisation,
        "sharing": view.sharing,
        "title": view.title,
        "sweref99tm_n": round(northing, 2) if math.isfinite(northing) else None,
        "sweref99tm_e": round(easting, 2) if math.isfinite(easting) else None,
        "area": view.area,
        "place_type": view.place_type,
        "police_report": view.police_report,
        "walk_id": view.walk_id,
        "stop_number": view.stop_number,
        "ratings": dict(view.ratings) if view.ratings is not None else None,
        "proposed_measure": view.proposed_measure,
        "tags": list(view.tags),
        "created_at": _iso(view.created_at),
        "updated_at": _iso(view.updated_at),
    }


# --- Export -------------------------------------------------------------------------------------


def csv_time(moment: datetime | None) -> str:
    """A time as Swedish Excel reads it, in local time, without losing anything."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
        if local.microsecond:
            text += f".{local.microsecond:06d}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += local.isoformat()[-6:]
    return text


def csv_decimal(value: float) -> str:
    text = f"{value:.6f}"
    if float(text) != value:
        text = repr(value)
    return text.replace(".", ",")


def _excel_safe(text: str) -> str:
    if text.startswith(_FORMULA_START) or text.startswith("'"):
        return "'" + text
    return text


def _excel_unsafe(text: str) -> str:
    if text.startswith("'") and text[1:].startswith((*_FORMULA_START, "'")):
        return text[1:]
    return text


def _write_csv(views: Iterator[ObservationView], out: IO[str], db: Database) -> int:
    from lagesbild_desktop.services.lookups import category_codes

    known = category_codes(db)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS_SV)
    count = 0
    for view in views:
        label = view.category_label
        category = label if known.get(_fold(label)) == view.category else view.category
        writer.writerow([
            view.id, category, _excel_safe(view.description), csv_time(view.occurred_from),
            csv_time(view.occurred_to), csv_decimal(view.latitude),
            csv_decimal(view.longitude), _excel_safe(view.place_name), view.municipality,
            view.severity, catalogue.label_for(catalogue.OBSERVATION_STATUSES, view.status),
            view.organisation, catalogue.label_for(catalogue.SHARING_LEVELS, view.sharing),
        ])
        count += 1
    return count


def _write_geojson(views: Iterator[ObservationView], out: IO[str], db: Database) -> int:
    # One feature a line: diffable, and a reader can stream it line by line.
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for view in views:
        properties = observation_record(view)
        del properties["latitude"], properties["longitude"]
        feature = {
            "type": "Feature", "id": view.id,
            "geometry": {"type": "Point", "coordinates": [view.longitude, view.latitude]},
            "properties": properties,
        }
        out.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def export_observations(
    db: Database, f: ObservationFilter, fmt: Literal["csv", "geojson"], path: Path, *,
    actor: Actor | None = None, personal_data: str = "refuse",
) -> int:
    """Write the filtered observations to `path`; returns how many rows were written.

    The file appears whole or not at all: it is written beside the target and moved
    into place. The export is recorded in the audit log. Raises NotPermitted when
    `actor` may not export.

    personal_data (services.export_privacy): "refuse" raises PersonalDataFound, before
    any file is written, when the free text holds identity numbers, phone numbers,
    e-mail addresses or licence plates; "mask" writes them as labels ("[personnummer]")
    in the file only; "keep" writes them unchanged. The audit entry says which.
    """
    from lagesbild_desktop.db import audit
    from lagesbild_desktop.services import export_privacy
    from lagesbild_desktop.services.observations import iter_observations

    writers: dict[str, Callable[[Iterator[ObservationView], IO[str], Database], int]] = {
        "csv": _write_csv, "geojson": _write_geojson}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}")
    if actor is not None:
        from lagesbild_desktop.services.permissions import require

        require(actor, "export")
    export_privacy.check_choice(personal_data)
    printed = export_privacy.CSV_FIELDS if fmt == "csv" else None
    if personal_data == export_privacy.REFUSE:
        scanned = iter_observations(db, f)
        try:
            findings = list(export_privacy.find(scanned, fields=printed))
        finally:
            scanned.close()
        if findings:
            raise export_privacy.PersonalDataFound(findings)
    path = Path(path)
    # utf-8-sig writes the BOM Excel needs to see UTF-8; GeoJSON (RFC 7946) has none.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    views = iter_observations(db, f)
    found = [0]

    def guarded(rows: Iterator[ObservationView]) -> Iterator[ObservationView]:
        if personal_data == export_privacy.REFUSE:  # scanned above: nothing was found
            yield from rows
            return
        for view in rows:
            hits = sum(1 for _ in export_privacy.find([view], fields=printed))
            found[0] += hits
            yield (export_privacy.masked(view, printed) if hits and personal_data == "mask"
                   else view)
    # mkstemp makes the file readable by its owner only; exports hold observations, so
    # that is kept after the move.
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                        suffix=".part")
    except OSError as error:
        views.close()
        raise _export_failed(path, error) from error
    try:
        with open(handle, "w", encoding=encoding, newline="") as out:
            count = writers[fmt](guarded(views), out, db)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temp)
        raise _export_failed(path, error) from error
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    finally:
        views.close()
    with db.transaction() as session:
        audit.append(session, actor.user_id if actor else None, [audit.AuditEvent(
            "export", "observation", None, {
                "format": fmt, "rows": count, "file": path.name,
                **export_privacy.audit_details(personal_data, found[0])})])
    log.info("exported %d observations as %s to %s (personal data: %s, %d found)", count,
             fmt, path, personal_data, found[0])
    return count


def _export_failed(path: Path, error: OSError) -> ExportFailed:
    log.error("export to %s failed: %s", path, error)
    return ExportFailed(
        f"cannot write {path}: {error}",
        f"Det gick inte att skriva filen {path} ({error.strerror or error}). Kontrollera "
        "att mappen finns och att du får skriva där. Ingen fil har skapats.")


# --- Column names -------------------------------------------------------------------------------


def parse_column_map(text: str) -> dict[str, str]:
    """'Händelse=kategori,Lat=latitud' -> {'händelse': 'kategori', 'lat': 'latitud'}."""
    mapping: dict[str, str] = {}
    if not text.strip():
        return mapping
    for part in text.split(","):
        source, sep, target = part.partition("=")
        source, target = _fold(source), _fold(target)
        if not sep or not source or not target:
            raise UnusableFile(
                f"column map: '{part.strip()}' is not of the form header=column",
                f"Kolumnkopplingen '{part.strip()}' ska skrivas rubrik=kolumn, till exempel "
                "'Händelse=kategori,Lat=latitud'.")
        if _key(target) not in _ALIASES:
            raise UnusableFile(
                f"column map: unknown column '{target}' (known: {', '.join(CSV_COLUMNS_EN)})",
                f"Kolumnkopplingen pekar på en okänd kolumn '{target}'. Kända kolumner: "
                f"{', '.join(CSV_COLUMNS_SV)}.")
        if source in mapping:
            raise UnusableFile(
                f"column map: '{source}' is mapped twice",
                f"Kolumnkopplingen nämner rubriken '{source}' två gånger.")
        mapping[source] = target
    return mapping


def _resolve_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for source, target in (columns or {}).items():
        found = _ALIASES.get(_key(target))
        if found is None:
            raise UnusableFile(f"column map: unknown column '{target}'",
                               f"Kolumnkopplingen pekar på en okänd kolumn '{target}'.")
        resolved[_key(source)] = found
    return resolved


# --- Reading the file ---------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    names: dict[str, str]  # field -> the header or property name the file uses


@dataclass
class _Broken:
    line: int
    reason_en: str
    reason_sv: str


def _sniff(path: Path) -> tuple[str, bool]:
    """The file's text encoding and whether it is JSON; UnusableFile when it is no text."""
    try:
        with path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
            size = os.fstat(raw.fileno()).st_size
    except FileNotFoundError:
        raise UnusableFile(f"{path}: no such file",
                           f"Filen {path} finns inte.") from None
    except IsADirectoryError:
        raise UnusableFile(f"{path} is a folder, not a file",
                           f"{path} är en mapp, inte en fil.") from None
    except OSError as error:
        raise UnusableFile(f"{path}: cannot read ({error})",
                           f"Filen {path} går inte att läsa ({error.strerror}).") from error
    if head.startswith(b"PK\x03\x04"):
        raise UnusableFile(
            f"{path} looks like an Excel workbook or other zip file, not CSV",
            f"{path.name} verkar vara en Excel-arbetsbok (eller annan zip-fil), inte CSV. "
            "Spara den i Excel som 'CSV UTF-8' eller 'CSV (semikolonavgränsad)' och "
            "importera den filen.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = _detect_encoding(path)
    text = head.decode(encoding, errors="replace")
    if not text.lstrip("\ufeff \t\r\n") and size <= len(head):
        raise UnusableFile(f"{path} is empty", f"Filen {path.name} är tom.")
    odd = sum(1 for ch in text if (ch < " " and ch not in "\t\r\n\f") or ch == "\ufffd")
    if odd > max(2, len(text) // 20):
        raise _binary(path)
    return encoding, text.lstrip("\ufeff \t\r\n").startswith("{")


def _binary(path: Path) -> UnusableFile:
    return UnusableFile(
        f"{path} is not a text file (binary content)",
        f"{path.name} är ingen textfil. Importera en CSV-fil (till exempel sparad från "
        "Excel) eller en GeoJSON-fil.")


def _detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) when the whole file is valid UTF-8, else Windows-1252."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    with path.open("rb") as raw:
        starts_with_bom = raw.read(3) == codecs.BOM_UTF8
        raw.seek(0)
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            if b"\x00" in chunk:
                raise _binary(path)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError:
                    cp1252_ok = False
        if utf8_ok:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        return "utf-8-sig"
    if starts_with_bom or not cp1252_ok:
        raise UnusableFile(
            f"{path}: unknown text encoding (not UTF-8, not Windows-1252)",
            f"Teckenkodningen i {path.name} känns inte igen. Spara filen som 'CSV UTF-8' "
            "och försök igen.")
    return "cp1252"


def _delimiter(first_line: str) -> str:
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])  # a tie goes to ";", the first
    return best if counts[best] else ";"


def _csv_rows(
    path: Path, encoding: str, columns: dict[str, str], ignored: list[str]
) -> Iterator[_Row | _Broken]:
    with path.open(encoding=encoding, newline="") as text:
        first = text.readline()
        excel_hint = re.fullmatch(r"\ufeff?sep=(.)\r?\n?", first)
        if excel_hint:  # Excel's "sep=;" first line names the delimiter
            delimiter, skipped = excel_hint.group(1), 1
        else:
            delimiter, skipped = _delimiter(first), 0
            text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        except csv.Error as error:
            raise _broken_csv(path, skipped + reader.line_num, error) from error
        if header is None:
            raise UnusableFile(f"{path} holds no header row",
                               f"Filen {path.name} saknar rubrikrad.")
        fields = _header_fields(path, header, columns, ignored)
        names = {name: shown for _, name, shown in fields}
        width = len(header)
        previous = skipped + reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _broken_csv(path, skipped + reader.line_num, error) from error
            line, previous = previous + 1, skipped + reader.line_num
            last = previous
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and Excel's ";;;;" rows
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]
            if len(cells) != width:
                yield _wrong_width(line, last, len(cells), width)
                continue
            values = {name: cells[i] for i, name, _ in fields}
            for name in FREE_TEXT:
                if name in values:
                    values[name] = _excel_unsafe(values[name])
            yield _Row(line, values, names)


def _broken_csv(path: Path, line: int, error: csv.Error) -> UnusableFile:
    return UnusableFile(f"{path}: CSV cannot be read at line {line}: {error}",
                        f"CSV-filen {path.name} går inte att läsa vid rad {line} ({error}).")


def _wrong_width(line: int, last: int, got: int, width: int) -> _Broken:
    en = f"The row has {got} fields, the header {width}"
    sv = f"Raden har {got} fält men rubrikraden {width}"
    if last > line:
        en += f" (it runs over lines {line}-{last}: is a quotation mark missing?)"
        sv += f" (den sträcker sig över rad {line}–{last}: saknas ett citattecken?)"
    return _Broken(line, en + ".", sv + ".")


def _header_fields(
    path: Path, header: list[str], columns: dict[str, str], ignored: list[str]
) -> list[tuple[int, str, str]]:
    fields: list[tuple[int, str, str]] = []
    seen: dict[str, str] = {}
    keys = {_key(name) for name in header}
    unmatched = [source for source in columns if source not in keys]
    if unmatched:
        raise UnusableFile(
            f"{path}: the column map names headers not in the file: {', '.join(unmatched)}",
            f"Kolumnkopplingen nämner rubriker som inte finns i {path.name}: "
            f"{', '.join(unmatched)}. Rubrikerna i filen är: "
            f"{', '.join(h.strip() for h in header if h.strip())}.")
    for index, shown in enumerate(header):
        shown = shown.replace("\ufeff", "").strip()
        key = _key(shown)
        if not key:
            continue
        name = columns.get(key) or _ALIASES.get(key)
        if name is None:
            ignored.append(shown)
            continue
        if name in seen:
            raise UnusableFile(
                f"{path}: columns '{seen[name]}' and '{shown}' both hold {name}",
                f"Kolumnerna '{seen[name]}' och '{shown}' i {path.name} betyder båda "
                f"{SWEDISH_NAMES[name]}.")
        seen[name] = shown
        fields.append((index, name, shown))
    has = set(seen)
    missing = [n for n in ("category", "occurred_from") if n not in has]
    if not ({"latitude", "longitude"} <= has or {"sweref99tm_n", "sweref99tm_e"} <= has):
        missing[1:1] = [n for n in ("latitude", "longitude") if n not in has]
    if missing:
        raise UnusableFile(
            f"{path}: required columns missing: {', '.join(missing)} (a file needs "
            "category, latitude, longitude and occurred_from, in Swedish or English)",
            f"Kolumner saknas i {path.name}: "
            f"{', '.join(SWEDISH_NAMES[n] for n in missing)}. Filen måste ha kolumnerna "
            "kategori, latitud, longitud och tid_från (eller category, latitude, longitude, "
            "occurred_from). Andra rubriker kan kopplas till dem, t.ex. "
            "'Händelse=kategori,Lat=latitud'.")
    return fields


def _geojson_rows(
    path: Path, encoding: str, columns: dict[str, str], ignored: list[str]
) -> Iterator[_Row | _Broken]:
    try:
        data = geojson.parse(path.read_text(encoding=encoding), path.name)
    except geojson.GeoJsonError as error:
        raise UnusableFile(f"{path}: {error}", error.message_sv) from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Feature":
        features: Any = [data]
    elif kind == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise UnusableFile(f"{path}: JSON but not a GeoJSON FeatureCollection",
                           f"{path.name} är JSON men ingen GeoJSON FeatureCollection.")
    unknown: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            yield _Broken(number, "Not a GeoJSON Feature.", "Inte ett GeoJSON-objekt (Feature).")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            yield _Broken(number, "The properties are not an object.",
                          "Egenskaperna (properties) är inget objekt.")
            continue
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        for shown, value in properties.items():
            name = columns.get(_key(shown)) or _ALIASES.get(_key(shown))
            if name is None:
                unknown.setdefault(shown)
            elif name not in values:
                values[name], names[name] = value, shown
        if "id" not in values and feature.get("id") is not None:
            values["id"], names["id"] = feature["id"], "id"
        geometry = feature.get("geometry")
        if geometry is not None:
            point = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (not isinstance(geometry, dict) or geometry.get("type") != "Point"
                    or not isinstance(point, list) or len(point) < 2):
                yield _Broken(number, "Only Point geometries can be imported.",
                              "Bara punkter (Point) kan importeras.")
                continue
            values["longitude"], values["latitude"] = point[0], point[1]
            names["longitude"], names["latitude"] = "longitude", "latitude"
        yield _Row(number, values, names)
    ignored.extend(unknown)


# --- Turning a row into an observation ----------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, en: str, sv: str) -> None:
        super().__init__(en)
        self.en, self.sv = en, sv


def _label_map(labels: tuple[catalogue.Label, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for label in labels:
        for text in (label.code, label.sv, label.en):
            found.setdefault(_fold(text), str(label.code))
    return found


_STATUSES = _label_map(catalogue.OBSERVATION_STATUSES)
_SHARING = _label_map(catalogue.SHARING_LEVELS) | {"intern": "internal", "delad": "partners"}
_POLICE_REPORT = _label_map(catalogue.POLICE_REPORT)
_PLACE_TYPES = _label_map(catalogue.PLACE_TYPES)
_SEVERITIES = _label_map(catalogue.SEVERITIES)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f"'{_short(value)}' is not text", f"'{_short(value)}' är ingen text")


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value).strip().replace("\u2212", "-")
        text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if not _NUMBER.fullmatch(text):
            raise _Bad(f"'{_short(value)}' is not a number", f"'{_short(value)}' är inget tal")
        number = float(text.replace(",", "."))
    if not math.isfinite(number):
        raise _Bad(f"'{_short(value)}' is not a number", f"'{_short(value)}' är inget tal")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _Bad(f"'{_short(value)}' is not a whole number",
                   f"'{_short(value)}' är inget heltal")
    return int(number)


def _time(value: Any) -> datetime:
    text = _text(value).strip()
    try:
        return parse_local(text)
    except ValueError:
        raise _Bad(
            f"'{_short(text)}' is not a time (use YYYY-MM-DD HH:MM or ISO 8601)",
            f"'{_short(text)}' är ingen tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM)") from None


def _choice(table: dict[str, str], what_en: str, what_sv: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        found = table.get(_fold(_text(value)))
        if found is None:
            raise _Bad(f"unknown {what_en} '{_short(value)}'",
                       f"okänt värde för {what_sv} '{_short(value)}'")
        return found
    return parse


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(_text(value).strip()))
    except ValueError:
        raise _Bad(f"'{_short(value)}' is not an id (UUID)",
                   f"'{_short(value)}' är inget giltigt id (UUID)") from None


def _tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _text(value).split(",")
    return [tag for tag in (_text(item).strip() for item in items) if tag]


def _ratings(value: Any) -> dict[str, int]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict):
        raise _Bad("ratings must be an object such as {\"lighting\": 2}",
                   "bedömningarna ska skrivas som {\"lighting\": 2}")
    return {str(name): _integer(score) for name, score in value.items()}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Lookups:
    """What converting rows needs from the database, read once per import."""

    actor: Actor
    now: datetime
    categories: dict[str, str]
    active_categories: frozenset[str]
    organisations: dict[str, tuple[str, str]]  # folded name -> (id, name)
    walks: frozenset[str]
    allow_outside_sweden: bool = False

    @classmethod
    def load(cls, db: Database, actor: Actor, allow_outside_sweden: bool = False) -> _Lookups:
        from sqlalchemy import select

        from lagesbild_desktop.db.models import Category, Walk, utcnow
        from lagesbild_desktop.services.lookups import category_codes, organisation_ids_by_name

        with db.session() as session:
            active = frozenset(session.scalars(select(Category.code).where(Category.active)))
            walks = frozenset(session.scalars(select(Walk.id)))
        return cls(actor, utcnow(), category_codes(db), active, organisation_ids_by_name(db),
                   walks, allow_outside_sweden)


@dataclass
class _Parsed:
    line: int
    id: str | None
    data: ObservationInput
    owner: str
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (English, Swedish)


def _convert(row: _Row, lookups: _Lookups) -> _Parsed | _Broken:
    problems: list[tuple[str, str]] = []
    values = row.values

    def take(name: str, parse: Callable[[Any], Any], required: bool = False) -> Any:
        shown_en = row.names.get(name, name)
        shown_sv = row.names.get(name, SWEDISH_NAMES[name])
        raw = values.get(name)
        # Free text keeps its spaces; for everything else blank means "not given".
        if raw is None or raw == "" or (parse is not _text and _blank(raw)):
            if required:
                problems.append((f"{shown_en}: missing", f"{shown_sv}: saknas"))
            return None
        try:
            return parse(raw)
        except _Bad as bad:
            problems.append((f"{shown_en}: {bad.en}", f"{shown_sv}: {bad.sv}"))
            return None

    def category(value: Any) -> str:
        found = lookups.categories.get(_fold(_text(value)))
        if found is None:
            raise _Bad(f"unknown category '{_short(value)}'",
                       f"okänd kategori '{_short(value)}'")
        return found

    def organisation(value: Any) -> str:
        found = lookups.organisations.get(_fold(_text(value)))
        if found is None:
            raise _Bad(f"unknown organisation '{_short(value)}'",
                       f"okänd organisation '{_short(value)}'")
        return found[0]

    def walk(value: Any) -> str:
        found = _uuid(value)
        if found not in lookups.walks:
            raise _Bad(f"no safety walk with id {found} in this database",
                       f"trygghetsvandringen {found} finns inte i databasen")
        return found

    record_id = take("id", _uuid)
    code = take("category", category, required=True)
    start = take("occurred_from", _time, required=True)
    end = take("occurred_to", _time)
    position_given = not (_blank(values.get("latitude")) and _blank(values.get("longitude")))
    if not position_given and not _blank(values.get("sweref99tm_n")):
        from lagesbild_desktop.domain.geo import sweref_to_wgs84

        northing = take("sweref99tm_n", _number, required=True)
        easting = take("sweref99tm_e", _number, required=True)
        latitude, longitude = (None, None) if northing is None or easting is None else (
            sweref_to_wgs84(northing, easting))
    else:
        latitude = take("latitude", _number, required=True)
        longitude = take("longitude", _number, required=True)
    severity = take("severity", _severity)
    status = take("status", _status)
    sharing = take("sharing", _sharing)
    police_report = take("police_report", _police_report)
    place_type = take("place_type", _place_type)
    owner = take("organisation", organisation) or lookups.actor.org_id
    texts = {name: take(name, _text) or "" for name in FREE_TEXT}
    walk_id = take("walk_id", walk)
    stop_number = take("stop_number", _integer)
    ratings = take("ratings", _ratings)
    tags = take("tags", _tags) or []
    if problems or code is None or start is None or latitude is None or longitude is None:
        return _Broken(row.line, "; ".join(en for en, _ in problems) + ".",
                       "; ".join(sv for _, sv in problems) + ".")
    data = ObservationInput(
        category=code, occurred_from=start, occurred_to=end, latitude=latitude,
        longitude=longitude, title=texts["title"], description=texts["description"],
        place_name=texts["place"], place_type=place_type, severity=severity or 1,
        status=status or catalogue.ObservationStatus.NEW,
        police_report=police_report or "unknown", sharing=sharing or "partners",
        walk_id=walk_id, stop_number=stop_number, ratings=ratings,
        proposed_measure=texts["proposed_measure"], tags=tags)
    found = validate_observation(data, lookups.now, lookups.active_categories)
    errors = errors_only(found)
    if errors:
        return _Broken(row.line, "; ".join(f"{p.field}: {p.message_en}" for p in errors),
                       " ".join(p.message_sv for p in errors))
    outside = _outside_sweden(latitude, longitude)
    if outside is not None and not lookups.allow_outside_sweden:
        return _Broken(row.line, outside[0], outside[1])
    warnings = [(p.message_en, p.message_sv) for p in found
                if p.level == "warning" and not (outside and p.field == "latitude")]
    if outside is not None:
        warnings.insert(0, outside)
    return _Parsed(row.line, record_id, data, owner, warnings)


def _outside_sweden(latitude: float, longitude: float) -> tuple[str, str] | None:
    """Why a position is refused (English, Swedish), None when it is in Sweden."""
    from lagesbild_desktop.domain.geo import columns_swapped, in_sweden

    if in_sweden(latitude, longitude):
        return None
    where = f"{latitude:.5f}, {longitude:.5f}"
    if columns_swapped(latitude, longitude):
        return (f"The position ({where}) is outside Sweden; latitude and longitude seem to "
                "be swapped (it would be in Sweden the other way round).",
                f"Positionen ({where}) ligger utanför Sverige; latitud och longitud verkar "
                "ha bytt plats (åt andra hållet hamnar den i Sverige).")
    return (f"The position ({where}) is outside Sweden.",
            f"Positionen ({where}) ligger utanför Sverige.")


_status = _choice(_STATUSES, "status", "status")
_sharing = _choice(_SHARING, "sharing", "delning")
_police_report = _choice(_POLICE_REPORT, "police report", "polisanmälan")
_place_type = _choice(_PLACE_TYPES, "place type", "platstyp")
_severity_label = _choice(_SEVERITIES, "severity", "allvarlighet")


def _severity(value: Any) -> int:
    # 1-4 or Låg/Medel/Hög/Akut; Excel may hand a number back as 2.0 or "2,0".
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric or _NUMBER.fullmatch(_text(value).strip()):
        value = str(_integer(value))
    return int(_severity_label(value))


def content_id(data: ObservationInput) -> str:
    """A deterministic id from what identifies an observation, for rows without an id."""
    key = json.dumps([
        data.category, data.occurred_from.astimezone(UTC).isoformat(),
        None if data.occurred_to is None else data.occurred_to.astimezone(UTC).isoformat(),
        repr(float(data.latitude)), repr(float(data.longitude)), data.description,
        data.place_name,
    ], ensure_ascii=False)
    return str(uuid.uuid5(CONTENT_NAMESPACE, key))


def _fingerprint(parsed: _Parsed, content: str) -> int:
    """Equal for two rows that would store the same observation (`content`: content_id)."""
    data = parsed.data
    ratings = None if data.ratings is None else tuple(sorted(data.ratings.items()))
    # content_id covers category, times (as instants), position, description and place.
    return hash((content, data.title, data.place_type, data.severity, str(data.status),
                 data.police_report, data.sharing, data.walk_id, data.stop_number, ratings,
                 data.proposed_measure, tuple(data.tags), parsed.owner))


def _keep_first(
    parsed: _Parsed, seen: dict[str, tuple[int, int]], accepted: list[_Parsed],
    rejected: list[RejectedRow],
) -> int:
    """Accept the first row of each id; 1 when this row repeats an earlier one exactly."""
    content = content_id(parsed.data)
    if parsed.id is None:
        parsed.id = content
    fingerprint = _fingerprint(parsed, content)
    first = seen.get(parsed.id)
    if first is None:
        seen[parsed.id] = (parsed.line, fingerprint)
        accepted.append(parsed)
        return 0
    if first[1] == fingerprint:
        return 1
    rejected.append(RejectedRow(
        parsed.line,
        f"Same observation (id {parsed.id}) as line {first[0]} but with other values; "
        "only the first was taken.",
        f"Samma iakttagelse (id {parsed.id}) som rad {first[0]} men med andra uppgifter; "
        "bara den första togs med."))
    return 0


def _existing_ids(db: Database, ids: list[str]) -> set[str]:
    from sqlalchemy import select

    from lagesbild_desktop.db.models import Observation

    found: set[str] = set()
    with db.session() as session:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start:start + ID_CHUNK]
            found.update(session.scalars(select(Observation.id).where(
                Observation.id.in_(chunk))))
    return found


# --- Import -------------------------------------------------------------------------------------


# Free text an imported row stores, with the names the user knows them by.
_IMPORT_TEXT: dict[str, tuple[str, str]] = {
    "title": ("rubrik", "title"), "description": ("beskrivning", "description"),
    "place_name": ("plats", "place"), "proposed_measure": ("åtgärdsförslag", "proposed measure"),
    "tags": ("taggar", "tags"),
}


def _personal_data(parsed: list[_Parsed], features: bool) -> list[ExportFinding]:
    """Every finding in the free text of the rows to import, with their line (feature)."""
    unit_sv, unit_en = ("objekt", "feature") if features else ("rad", "line")
    findings: list[ExportFinding] = []
    for row in parsed:
        for name, (field_sv, field_en) in _IMPORT_TEXT.items():
            value = getattr(row.data, name)
            for text in value if isinstance(value, list) else [value]:
                findings += [ExportFinding(f.kind, f.text, f"{unit_sv} {row.line}: {field_sv}",
                                           f"{unit_en} {row.line}: {field_en}")
                             for f in scan(text)]
    return findings


def _masked(data: ObservationInput) -> ObservationInput:
    masked = export_privacy.masked(data)  # title, description, place_name, proposed_measure
    tags = [mask(tag, found) if (found := scan(tag)) else tag
            for tag in masked.tags]
    return masked if tags == masked.tags else replace(masked, tags=tags)


def import_observations(
    db: Database, actor: Actor, path: Path, *, columns: dict[str, str] | None = None,
    allow_outside_sweden: bool = False,
    personal_data: export_privacy.PersonalDataChoice = "refuse",
) -> ImportResult:
    """Import a CSV or GeoJSON file: valid rows in one transaction, the rest reported.

    A position outside Sweden rejects its row unless `allow_outside_sweden` (then it is
    a warning). Personal data in the free text of the rows to import: "refuse" raises
    ImportPersonalDataFound (nothing imported), "mask" replaces it by labels, "keep"
    imports it unchanged; either way the result lists the findings.

    Raises UnusableFile (and changes nothing) when the file as a whole cannot be read.
    """
    from lagesbild_desktop.services.observations import create_observations_bulk
    from lagesbild_desktop.services.permissions import require

    require(actor, "create")
    export_privacy.check_choice(personal_data)
    path = Path(path)
    mapping = _resolve_columns(columns)
    encoding, is_json = _sniff(path)
    ignored: list[str] = []
    reader = _geojson_rows if is_json else _csv_rows
    lookups = _Lookups.load(db, actor, allow_outside_sweden)

    rejected: list[RejectedRow] = []
    parsed_rows: list[_Parsed] = []
    try:
        for row in reader(path, encoding, mapping, ignored):
            parsed = row if isinstance(row, _Broken) else _convert(row, lookups)
            if isinstance(parsed, _Broken):
                rejected.append(RejectedRow(parsed.line, parsed.reason_en, parsed.reason_sv))
            else:
                parsed_rows.append(parsed)
    except UnicodeDecodeError as error:
        raise UnusableFile(f"{path}: cannot decode as {encoding}: {error}",
                           f"Tecknen i {path.name} går inte att läsa.") from error
    findings = _personal_data(parsed_rows, is_json)
    if findings and personal_data == export_privacy.REFUSE:
        log.warning("%s: not imported, %d personal data findings", path, len(findings))
        raise ImportPersonalDataFound(findings)
    if findings and personal_data == export_privacy.MASK:
        for parsed in parsed_rows:  # before the ids: a row's content id is of what is stored
            parsed.data = _masked(parsed.data)
    accepted: list[_Parsed] = []
    seen: dict[str, tuple[int, int]] = {}  # id -> (line, fingerprint) of its first row
    duplicates = 0
    for parsed in parsed_rows:
        duplicates += _keep_first(parsed, seen, accepted, rejected)
    rejected.sort(key=lambda r: r.line)
    existing = _existing_ids(db, list(seen))
    new = [p for p in accepted if p.id not in existing]
    duplicates += len(accepted) - len(new)
    if new:
        create_observations_bulk(
            db, actor, [p.data for p in new], ids=[p.id for p in new],
            owner_org_ids=[p.owner for p in new], now=lookups.now)
    warnings = [RejectedRow(p.line, en, sv) for p in accepted for en, sv in p.warnings]
    unit = "feature" if is_json else "line"
    for warning in warnings:
        log.warning("%s %s %d: %s", path, unit, warning.line, warning.reason_en)
    if ignored:
        log.warning("%s: columns not imported (no matching field): %s", path,
                    ", ".join(ignored))
    if findings:
        log.warning("%s: %d personal data findings %s", path, len(findings),
                    "masked" if personal_data == export_privacy.MASK else "kept unchanged")
    log.info("imported %s: %d new, %d already there, %d rejected", path, len(new),
             duplicates, len(rejected))
    return ImportResult(len(new), duplicates, rejected, ignored, warnings, findings, is_json)
