"""CSV and GeoJSON export and import of observations, on real SQLite files."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lagesbild_desktop.cli import main
from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.db.models import AuditLog, Observation, Outbox
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.geo import wgs84_to_sweref
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import exchange
from lagesbild_desktop.services.exchange import UnusableFile
from lagesbild_desktop.services.installation import actor_for, add_organisation
from lagesbild_desktop.services.observations import (
    ObservationView,
    create_observation,
    create_observations_bulk,
    find_observations,
)

SWEDISH_HEADER = ("id;kategori;beskrivning;tid_från;tid_till;latitud;longitud;plats;kommun;"
                  "allvarlighet;status;organisation;delning")
ENGLISH_HEADER = ("id;category;description;occurred_from;occurred_to;latitude;longitude;"
                  "place;municipality;severity;status;organisation;sharing")
RECORD_KEYS = {
    "id", "category", "description", "occurred_from", "occurred_to", "latitude", "longitude",
    "place", "municipality", "severity", "status", "organisation", "sharing", "title",
    "sweref99tm_n", "sweref99tm_e", "area", "place_type", "police_report", "walk_id",
    "stop_number", "ratings", "proposed_measure", "tags", "created_at", "updated_at",
}
# The fields a CSV file carries; GeoJSON carries every input field.
CSV_FIELDS = ("id", "category", "description", "occurred_from", "occurred_to", "latitude",
              "longitude", "place_name", "area_id", "severity", "status", "owner_org_id",
              "sharing")
ALL_FIELDS = (*CSV_FIELDS, "title", "place_type", "police_report", "walk_id", "stop_number",
              "ratings", "proposed_measure", "tags")
KOPING = (59.5140, 15.9926)
ARBOGA = (59.3945, 15.8385)


# --- Fixtures and helpers ---------------------------------------------------------------------


# `db`, `actor` and `template_db` come from tests/conftest.py: copies of one prepared
# database whose first organisation is "Köpings kommun".


def fresh(template: Path, target: Path) -> Database:
    shutil.copyfile(template, target)
    return open_database(target)


@pytest.fixture
def other_db(template_db: Path, tmp_path: Path) -> Iterator[Database]:
    """A second installation, as fresh as `db`, to import into."""
    database = fresh(template_db, tmp_path / "other.db")
    yield database
    database.close()


def obs(**values: Any) -> ObservationInput:
    defaults: dict[str, Any] = dict(
        category="graffiti", occurred_from=datetime(2025, 3, 1, 14, 5, tzinfo=LOCAL),
        latitude=ARBOGA[0], longitude=ARBOGA[1])
    return ObservationInput(**(defaults | values))


def views(db: Database) -> dict[str, ObservationView]:
    return {v.id: v for v in find_observations(db, ObservationFilter(), limit=10_000).rows}


def assert_same(a: dict[str, ObservationView], b: dict[str, ObservationView],
                fields: tuple[str, ...]) -> None:
    assert set(a) == set(b)
    for key, left in a.items():
        right = b[key]
        for name in fields:
            assert getattr(left, name) == getattr(right, name), (key, name)


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Observation, Outbox, AuditLog))


def write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def import_text(db: Database, actor: Actor, tmp_path: Path, text: str,
                **kw: Any) -> exchange.ImportResult:
    return exchange.import_observations(db, actor, write(tmp_path / "in.csv", text), **kw)


def sample(db: Database, actor: Actor) -> list[ObservationView]:
    made = [
        obs(description='Klotter på "muren"; stort\nandra raden', place_name="Järntorget"),
        obs(category="poor_lighting", occurred_from=datetime(2025, 4, 2, 21, 30, 15, tzinfo=LOCAL),
            occurred_to=datetime(2025, 4, 2, 23, 0, tzinfo=LOCAL), latitude=KOPING[0],
            longitude=KOPING[1], severity=3, status="assessing", sharing="internal",
            description="=1+2 ser ut som en formel", place_name="-Torget"),
        obs(category="positive", occurred_from=datetime(2025, 10, 26, 2, 30, tzinfo=LOCAL, fold=1),
            latitude=59.51234567891, longitude=15.9912345678912, severity=4,
            status="handed_over", description="åäö ÅÄÖ é ü ''"),
    ]
    return [create_observation(db, actor, data) for data in made]


# --- Export -------------------------------------------------------------------------------------


def test_csv_export_is_what_swedish_excel_reads(db: Database, actor: Actor,
                                                tmp_path: Path) -> None:
    sample(db, actor)
    out = tmp_path / "ut.csv"
    assert exchange.export_observations(db, ObservationFilter(), "csv", out) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.startswith(SWEDISH_HEADER + "\r\n")
    records = text.split("\r\n")
    first = records[1]
    assert ";Klotter;" in first
    assert '"Klotter på ""muren""; stort\nandra raden"' in first
    assert ";2025-03-01 14:05;;59,394500;15,838500;Järntorget;Arboga;1;Ny;" in first
    assert first.endswith(";Köpings kommun;Delad med samverkansparter")
    second = records[2]
    assert ";2025-04-02 21:30:15;2025-04-02 23:00;" in second
    assert ";'=1+2 ser ut som en formel;" in second  # no formula for Excel
    assert ";'-Torget;" in second
    assert ";Under bedömning;" in second
    assert second.endswith(";Intern (egen organisation)")
    third = records[3]
    assert ";2025-10-26 02:30+01:00;" in third  # the second 02:30 of that night
    assert ";59,51234567891;15,9912345678912;" in third
    assert records[4] == ""  # the file ends with CRLF
    assert not list(tmp_path.glob(".ut.csv.*"))


def test_geojson_export_holds_every_field(db: Database, actor: Actor, tmp_path: Path) -> None:
    made = sample(db, actor)
    out = tmp_path / "ut.geojson"
    assert exchange.export_observations(db, ObservationFilter(), "geojson", out) == 3
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    feature = next(f for f in data["features"] if f["id"] == made[1].id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [KOPING[1], KOPING[0]]}
    props = feature["properties"]
    assert set(props) == RECORD_KEYS - {"latitude", "longitude"}
    assert props["category"] == "poor_lighting"
    assert props["occurred_from"] == "2025-04-02T21:30:15+02:00"
    assert props["municipality"] == "Köping"
    northing, easting = wgs84_to_sweref(*KOPING)
    assert (props["sweref99tm_n"], props["sweref99tm_e"]) == (round(northing, 2),
                                                              round(easting, 2))


def test_export_respects_the_filter_and_is_audited(db: Database, actor: Actor,
                                                   tmp_path: Path) -> None:
    sample(db, actor)
    out = tmp_path / "ut.csv"
    only = ObservationFilter(categories=frozenset({"unsafe_place"}))
    assert exchange.export_observations(db, only, "csv", out, actor=actor) == 1
    assert "Bristande belysning" in out.read_text(encoding="utf-8-sig")
    with db.session() as session:
        entry = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry is not None
    assert entry.action == "export"
    assert entry.details == {"format": "csv", "rows": 1, "file": "ut.csv"}


def test_failed_export_leaves_the_old_file(db: Database, actor: Actor, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sample(db, actor)
    out = tmp_path / "ut.csv"
    out.write_text("gammal fil", encoding="utf-8")
    calls = []

    def breaks(moment: datetime | None) -> str:
        calls.append(moment)
        if len(calls) > 2:
            raise RuntimeError("disk on fire")
        return "2025-01-01 00:00"

    monkeypatch.setattr(exchange, "csv_time", breaks)
    with pytest.raises(RuntimeError):
        exchange.export_observations(db, ObservationFilter(), "csv", out)
    assert out.read_text(encoding="utf-8") == "gammal fil"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ut")] == []


def test_export_to_a_missing_folder_fails_clearly(db: Database, tmp_path: Path) -> None:
    with pytest.raises(exchange.ExportFailed) as caught:
        exchange.export_observations(db, ObservationFilter(), "csv",
                                     tmp_path / "finns-inte" / "ut.csv")
    assert "Ingen fil har skapats" in caught.value.message_sv


# --- Round trips --------------------------------------------------------------------------------


def test_csv_round_trip_into_a_fresh_database(db: Database, other_db: Database,
                                              actor: Actor, tmp_path: Path) -> None:
    sample(db, actor)
    out = tmp_path / "ut.csv"
    exchange.export_observations(db, ObservationFilter(), "csv", out)
    result = exchange.import_observations(other_db, actor_for(other_db), out)
    assert (result.imported, result.duplicates, result.rejected) == (3, 0, [])
    assert_same(views(db), views(other_db), CSV_FIELDS)


def test_geojson_round_trip_keeps_every_field_and_id(db: Database, other_db: Database,
                                                     actor: Actor, tmp_path: Path) -> None:
    sample(db, actor)
    create_observation(db, actor, obs(
        title="Trasig lampa", place_type="park", police_report="yes", stop_number=3,
        ratings={"lighting": 0, "feeling": 2}, proposed_measure="Byt armatur",
        tags=["belysning", "park"], occurred_from=datetime(2025, 5, 5, 5, 5, 5, 5, tzinfo=UTC)))
    out = tmp_path / "ut.geojson"
    exchange.export_observations(db, ObservationFilter(), "geojson", out)
    result = exchange.import_observations(other_db, actor_for(other_db), out)
    assert (result.imported, result.rejected, result.ignored_columns) == (4, [], [])
    assert_same(views(db), views(other_db), ALL_FIELDS)


def test_importing_twice_adds_nothing(db: Database, actor: Actor, tmp_path: Path) -> None:
    text = ("kategori;latitud;longitud;tid_från;beskrivning\n"
            "Klotter;59,3945;15,8385;2025-03-01 14:05;utan id\n"
            "Glaskross;59,514;15,9926;2025-03-02 10:00;också utan id\n")
    first = import_text(db, actor, tmp_path, text)
    assert (first.imported, first.duplicates) == (2, 0)
    before = counts(db)
    second = import_text(db, actor, tmp_path, text)
    assert (second.imported, second.duplicates, second.rejected) == (0, 2, [])
    assert counts(db) == before


def test_own_export_imports_as_duplicates(db: Database, actor: Actor, tmp_path: Path) -> None:
    sample(db, actor)
    for fmt in ("csv", "geojson"):
        out = tmp_path / f"ut.{fmt}"
        exchange.export_observations(db, ObservationFilter(), fmt, out)
        result = exchange.import_observations(db, actor, out)
        assert (result.imported, result.duplicates, result.rejected) == (0, 3, [])


def test_duplicates_within_a_file_count_once(db: Database, actor: Actor, tmp_path: Path) -> None:
    row = "Klotter;59,3945;15,8385;2025-03-01 14:05;samma\n"
    result = import_text(db, actor, tmp_path,
                         "kategori;latitud;longitud;tid_från;beskrivning\n" + row * 3)
    assert (result.imported, result.duplicates, result.rejected) == (1, 2, [])
    assert len(views(db)) == 1


def test_same_id_with_other_values_is_rejected_not_lost(db: Database, actor: Actor,
                                                        tmp_path: Path) -> None:
    the_id = "01a21875-5180-7fdc-9562-ca09d6e6cdf2"
    result = import_text(db, actor, tmp_path,
                         "id;kategori;latitud;longitud;tid_från;allvarlighet\n"
                         f"{the_id};Klotter;59,3945;15,8385;2025-03-01 14:05;1\n"
                         f"{the_id};Klotter;59,3945;15,8385;2025-03-01 14:05;3\n")
    assert result.imported == 1
    assert [r.line for r in result.rejected] == [3]
    assert "rad 2" in result.rejected[0].reason_sv
    assert views(db)[the_id].severity == 1


# --- Reading what other programs write ----------------------------------------------------------


def test_english_headers_and_labels(db: Database, actor: Actor, tmp_path: Path) -> None:
    result = import_text(db, actor, tmp_path, ENGLISH_HEADER.upper() + "\n"
                         ";Poor lighting;dark;2025-03-01T14:05:00+01:00;;59.3945;15.8385;"
                         "Station;;High;Being assessed;;Internal (own organisation)\n")
    assert (result.imported, result.rejected) == (1, [])
    (view,) = views(db).values()
    assert (view.category, view.severity, view.status, view.sharing) == (
        "poor_lighting", 3, "assessing", "internal")
    assert view.occurred_from == datetime(2025, 3, 1, 13, 5, tzinfo=UTC)


def test_column_map(db: Database, actor: Actor, tmp_path: Path) -> None:
    columns = exchange.parse_column_map(" Händelse = kategori , Lat=latitud,LON=longitud,"
                                        "När=tid_från,Text=description")
    assert columns == {"händelse": "kategori", "lat": "latitud", "lon": "longitud",
                       "när": "tid_från", "text": "description"}
    result = import_text(db, actor, tmp_path,
                         "Händelse;Lat;Lon;När;Text;Registrerad av\n"
                         "Klotter;59,3945;15,8385;2025-03-01 14:05;på väggen;Kalle\n",
                         columns=columns)
    assert (result.imported, result.rejected) == (1, [])
    assert result.ignored_columns == ["Registrerad av"]
    (view,) = views(db).values()
    assert (view.category, view.description) == ("graffiti", "på väggen")


@pytest.mark.parametrize("text", ["Händelse", "=kategori", "Händelse=", "a=b=c",
                                  "Händelse=ingen_sådan", "A=kategori,a=latitud"])
def test_malformed_column_map(text: str) -> None:
    with pytest.raises(UnusableFile) as caught:
        exchange.parse_column_map(text)
    assert caught.value.message_sv.startswith("Kolumnkopplingen")


def test_empty_column_map() -> None:
    assert exchange.parse_column_map("") == {}
    assert exchange.parse_column_map("  ") == {}


def test_windows_1252(db: Database, actor: Actor, tmp_path: Path) -> None:
    text = ("kategori;latitud;longitud;tid_från;beskrivning;plats\r\n"
            "Skymd sikt/vegetation;59,3945;15,8385;2025-03-01 14:05;Buskar växer över gången;"
            "Östra Ågatan\r\n")
    path = write(tmp_path / "ansi.csv", text, "cp1252")
    assert b"\xd6stra \xc5gatan" in path.read_bytes()
    result = exchange.import_observations(db, actor, path)
    assert (result.imported, result.rejected) == (1, [])
    (view,) = views(db).values()
    assert (view.category, view.description, view.place_name) == (
        "blocked_view", "Buskar växer över gången", "Östra Ågatan")


def test_utf16_as_excel_unicode_text(db: Database, actor: Actor, tmp_path: Path) -> None:
    text = "kategori\tlatitud\tlongitud\ttid_från\tplats\r\nKlotter\t59,3945\t15,8385\t" \
           "2025-03-01 14:05\tÅby\r\n"
    result = exchange.import_observations(db, actor, write(tmp_path / "u.txt", text, "utf-16"))
    assert (result.imported, result.rejected) == (1, [])
    assert next(iter(views(db).values())).place_name == "Åby"


@pytest.mark.parametrize(("text", "encoding"), [
    ('kategori,latitud,longitud,tid_från,plats\n'
     'Klotter,"59,3945","15,8385",2025-03-01 14:05,"Torget, norra"\n', "utf-8"),
    ("kategori\tlatitud\tlongitud\ttid_från\tplats\n"
     "Klotter\t59,3945\t15,8385\t2025-03-01 14:05\tTorget, norra\n", "utf-8"),
    ("sep=,\nkategori,latitud,longitud,tid_från,plats\n"
     "Klotter,59.3945,15.8385,2025-03-01 14:05,\"Torget, norra\"\n", "utf-8-sig"),
])
def test_comma_and_tab_separated(db: Database, actor: Actor, tmp_path: Path,
                                 text: str, encoding: str) -> None:
    result = import_text(db, actor, tmp_path, text) if encoding == "utf-8-sig" else (
        exchange.import_observations(db, actor, write(tmp_path / "in.csv", text, encoding)))
    assert (result.imported, result.rejected) == (1, [])
    (view,) = views(db).values()
    assert (view.latitude, view.longitude, view.place_name) == (59.3945, 15.8385,
                                                                "Torget, norra")


def test_numbers_dates_and_labels_in_every_accepted_spelling(db: Database, actor: Actor,
                                                             tmp_path: Path) -> None:
    result = import_text(db, actor, tmp_path,
                         "kategori;latitud;longitud;tid_från;tid_till;allvarlighet;status\n"
                         "KLOTTER;59,3945;15,8385;2025-03-01 14:05;2025-03-01 15:00;Hög;ny\n"
                         "graffiti;59.3946;15.8385;2025-03-01;;2,0;Åtgärdad\n"
                         "Graffiti;59,3947;15,8385;2025-03-01T14:05;;akut;resolved\n"
                         "klotter; 59,3948 ;15,8385;2025-03-01T13:05:00Z;;1;\n"
                         "Vandalism;59,3949;15,8385;2025-03-01 14:05:30+01:00;;;\n")
    assert (result.imported, result.rejected) == (5, [])
    got = sorted(views(db).values(), key=lambda v: v.latitude)
    assert [v.category for v in got] == ["graffiti"] * 4 + ["vandalism"]
    assert [v.severity for v in got] == [3, 2, 4, 1, 1]
    assert [v.status for v in got] == ["new", "resolved", "resolved", "new", "new"]
    local = [v.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S") for v in got]
    assert local == ["2025-03-01 14:05:00", "2025-03-01 00:00:00", "2025-03-01 14:05:00",
                     "2025-03-01 14:05:00", "2025-03-01 14:05:30"]
    assert got[0].occurred_to == datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
    assert got[0].latitude == 59.3945


def test_sweref_columns_instead_of_latitude_longitude(db: Database, actor: Actor,
                                                      tmp_path: Path) -> None:
    result = import_text(db, actor, tmp_path, "kategori;sweref99tm_n;sweref99tm_e;tid_från\n"
                         "Klotter;6 584 281,08;547620,75;2025-03-01 14:05\n")
    assert (result.imported, result.rejected) == (1, [])
    (view,) = views(db).values()
    assert view.latitude == pytest.approx(ARBOGA[0], abs=1e-6)
    assert view.longitude == pytest.approx(ARBOGA[1], abs=1e-6)


def test_organisation_by_name(db: Database, actor: Actor, tmp_path: Path) -> None:
    police = add_organisation(db, "Polisen Västra Mälardalen", "police")
    result = import_text(db, actor, tmp_path,
                         "kategori;latitud;longitud;tid_från;organisation\n"
                         "Klotter;59,3945;15,8385;2025-03-01 14:05;polisen västra mälardalen\n"
                         "Klotter;59,3946;15,8385;2025-03-01 14:05;\n"
                         "Klotter;59,3947;15,8385;2025-03-01 14:05;Okänd förening\n")
    assert result.imported == 2
    assert [(r.line, r.reason_sv) for r in result.rejected] == [
        (4, "organisation: okänd organisation 'Okänd förening'.")]
    owners = sorted((v.latitude, v.owner_org_id) for v in views(db).values())
    assert owners == [(59.3945, police), (59.3946, actor.org_id)]


# --- Broken rows and unusable files -------------------------------------------------------------


def test_broken_rows_are_reported_by_line_and_the_rest_imported(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    lines = [
        "kategori;beskrivning;latitud;longitud;tid_från",           # 1
        "Klotter;bra rad;59,3945;15,8385;2025-03-01 14:05",         # 2
        'Klotter;"rad ett',                                         # 3
        'rad två";59,3946;15,8385;2025-03-01 14:05',                # 4
        "Klotter;för få fält;59,3947",                              # 5
        "Klotter;inget tal;59,39x;15,8385;2025-03-01 14:05",        # 6
        "Klotter;fel datum;59,3948;15,8385;1 mars 2025",            # 7
        "",                                                         # 8 blank: skipped
        "Klotter;utanför jorden;95,0;15,8385;2025-03-01 14:05",     # 9
        "Flygande tefat;okänd kategori;59,3949;15,8385;2025-03-01 14:05",  # 10
        "Klotter;i framtiden;59,3950;15,8385;2099-03-01 14:05",     # 11
        "Klotter;också bra;59,3951;15,8385;2025-03-02 09:00",       # 12
        ";;;;",                                                     # 13 Excel's empty row
        "Klotter;utan tid;59,3952;15,8385;",                        # 14
        'Klotter;"aldrig stängd;59,3953;15,8385;2025-03-01 14:05',  # 15
        "Klotter;sista;59,3954;15,8385;2025-03-01 14:05",           # 16
    ]
    result = import_text(db, actor, tmp_path, "\r\n".join(lines) + "\r\n")
    assert result.imported == 3
    reasons = {r.line: r.reason_sv for r in result.rejected}
    assert sorted(reasons) == [5, 6, 7, 9, 10, 11, 14, 15]
    assert "3 fält" in reasons[5]
    assert "'59,39x' är inget tal" in reasons[6]
    assert "ingen tidpunkt" in reasons[7]
    assert "Latituden 95.0 ligger utanför" in reasons[9]
    assert "okänd kategori 'Flygande tefat'" in reasons[10]
    assert "framtiden" in reasons[11]
    assert "tid_från: saknas" in reasons[14]
    assert "citattecken" in reasons[15]
    assert "15–16" in reasons[15]
    for row in result.rejected:
        assert row.reason_en
        assert row.reason_en != row.reason_sv
    got = sorted((v.description, v.latitude) for v in views(db).values())
    assert got == [("bra rad", 59.3945), ("också bra", 59.3951), ("rad ett\r\nrad två", 59.3946)]


def test_geojson_rejects_by_feature_number(db: Database, actor: Actor, tmp_path: Path) -> None:
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.8385, 59.3945]},
            "properties": {"category": "Klotter", "occurred_from": "2025-03-01 14:05",
                           "colour": "red"}}
    line = {"type": "Feature", "geometry": {"type": "LineString",
                                            "coordinates": [[15.8, 59.3], [15.9, 59.4]]},
            "properties": {"category": "graffiti", "occurred_from": "2025-03-01"}}
    walk = json.loads(json.dumps(good))
    walk["properties"]["walk_id"] = "01a21875-5180-7fdc-9562-ca09d6e6cdf2"
    data = {"type": "FeatureCollection", "features": [good, line, "nonsense", walk]}
    path = tmp_path / "in.geojson"
    path.write_text(" \n" + json.dumps(data), encoding="utf-8")
    result = exchange.import_observations(db, actor, path)
    assert result.imported == 1
    assert [r.line for r in result.rejected] == [2, 3, 4]
    assert "trygghetsvandringen" in result.rejected[2].reason_sv
    assert result.ignored_columns == ["colour"]


def test_header_only_imports_nothing(db: Database, actor: Actor, tmp_path: Path) -> None:
    before = counts(db)
    result = import_text(db, actor, tmp_path, SWEDISH_HEADER + "\r\n")
    assert (result.imported, result.duplicates, result.rejected) == (0, 0, [])
    assert counts(db) == before


UNUSABLE = {
    "empty": (b"", "tom"),
    "only a BOM and blanks": (b"\xef\xbb\xbf \r\n", "tom"),
    "binary": (bytes(range(256)) * 40, "ingen textfil"),
    "binary without NUL": (bytes(range(1, 32)) * 200, "ingen textfil"),
    "xlsx": (b"PK\x03\x04" + bytes(100), "Excel-arbetsbok"),
    "wrong columns": (b"namn;adress;telefon\nKalle;Storgatan 1;123\n",
                      "Kolumner saknas"),
    "latitude missing": ("kategori;longitud;tid_från\nKlotter;15,8;2025-03-01\n".encode(),
                         "latitud"),
    "broken JSON": (b'{"type": "FeatureCollection", "features": [', "ingen giltig GeoJSON"),
    "JSON but not GeoJSON": (b'{"hello": 1}', "ingen GeoJSON FeatureCollection"),
    "bad UTF-8 after a BOM": (b"\xef\xbb\xbfkategori;latitud\n\x81\x8d\n", "Teckenkodningen"),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_unusable_file_changes_nothing(db: Database, actor: Actor, tmp_path: Path,
                                       case: str) -> None:
    content, expected = UNUSABLE[case]
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    before = counts(db)
    with pytest.raises(UnusableFile) as caught:
        exchange.import_observations(db, actor, path)
    assert expected in caught.value.message_sv
    assert str(caught.value) != caught.value.message_sv  # English for the log
    assert counts(db) == before


def test_missing_file_and_folder(db: Database, actor: Actor, tmp_path: Path) -> None:
    with pytest.raises(UnusableFile, match="no such file") as caught:
        exchange.import_observations(db, actor, tmp_path / "finns-inte.csv")
    assert "finns inte" in caught.value.message_sv
    with pytest.raises(UnusableFile) as caught:
        exchange.import_observations(db, actor, tmp_path)
    assert "mapp" in caught.value.message_sv


def test_missing_columns_are_listed_in_both_languages(db: Database, actor: Actor,
                                                      tmp_path: Path) -> None:
    with pytest.raises(UnusableFile) as caught:
        import_text(db, actor, tmp_path, "beskrivning;plats\nx;y\n")
    assert "kategori, latitud, longitud, tid_från" in caught.value.message_sv
    assert "category, latitude, longitude, occurred_from" in str(caught.value)


def test_column_map_naming_absent_header(db: Database, actor: Actor, tmp_path: Path) -> None:
    with pytest.raises(UnusableFile) as caught:
        import_text(db, actor, tmp_path, SWEDISH_HEADER + "\n",
                    columns={"händelse": "kategori"})
    assert "händelse" in caught.value.message_sv


# --- Command line -------------------------------------------------------------------------------


def test_cli_export_import_and_list(db: Database, actor: Actor, template_db: Path,
                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = sample(db, actor)
    db.close()
    source, target = str(db.path), str(tmp_path / "ny.db")
    shutil.copyfile(template_db, target)  # an installation that knows Köpings kommun
    csv_out, geo_out = tmp_path / "ut.csv", tmp_path / "ut.geojson"
    assert main(["--db", source, "export", "--format", "csv", "-o", str(csv_out)]) == 0
    assert main(["--db", source, "export", "--format", "geojson", "-o", str(geo_out),
                 "--category", "Bristande belysning"]) == 0
    out = capsys.readouterr().out
    assert "3 iakttagelser exporterade" in out
    assert "1 iakttagelser exporterade" in out
    assert len(json.loads(geo_out.read_text(encoding="utf-8"))["features"]) == 1

    assert main(["--db", target, "import", str(csv_out)]) == 0
    assert "3 importerade, 0 fanns redan, 0 avvisade" in capsys.readouterr().out
    assert main(["--db", target, "import", str(geo_out)]) == 0
    assert "0 importerade, 1 fanns redan" in capsys.readouterr().out

    assert main(["--db", target, "list", "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    assert all(set(r) == RECORD_KEYS for r in records)
    assert {r["id"] for r in records} == {v.id for v in made}
    positive = next(r for r in records if r["category"] == "positive")
    assert positive["occurred_from"] == "2025-10-26T02:30:00+01:00"
    assert positive["latitude"] == 59.51234567891


def test_cli_import_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "ny.db")
    partial = write(tmp_path / "delvis.csv", "kategori;latitud;longitud;tid_från\n"
                    "Klotter;59,3945;15,8385;2025-03-01 14:05\n"
                    "Klotter;x;15,8385;2025-03-01 14:05\n")
    assert main(["--db", target, "import", str(partial)]) == 1
    captured = capsys.readouterr()
    assert "1 importerade, 0 fanns redan, 1 avvisade" in captured.out
    assert "rad 3: latitud: 'x' är inget tal." in captured.err

    assert main(["--db", target, "import", str(tmp_path / "saknas.csv")]) == 2
    assert "finns inte" in capsys.readouterr().err
    assert main(["--db", target, "import", str(partial), "--columns", "trasig"]) == 2
    assert "Kolumnkopplingen" in capsys.readouterr().err
    mapped = write(tmp_path / "mappad.csv", "Händelse;Lat;Lon;Datum\n"
                   "Klotter;59,3945;15,8386;2025-03-01\n")
    assert main(["--db", target, "import", str(mapped), "--columns",
                 "Händelse=kategori,Lat=latitud,Lon=longitud,Datum=tid_från"]) == 0


# --- Property: anything a user can type survives CSV -------------------------------------------


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("åäöÅÄÖ\"';,\n\r\t=+-@ ")),
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])),
    max_size=40)


@st.composite
def observations(draw: st.DrawFn) -> ObservationInput:
    start = draw(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2026, 1, 1),
                              timezones=st.just(UTC)))
    length = draw(st.none() | st.timedeltas(timedelta(0), timedelta(days=3)))
    return ObservationInput(
        category=draw(st.sampled_from([c.code for c in catalogue.CATEGORIES])),
        occurred_from=start, occurred_to=None if length is None else start + length,
        latitude=draw(st.floats(59.30, 59.70)), longitude=draw(st.floats(15.60, 16.30)),
        description=draw(TEXT), place_name=draw(TEXT.map(lambda t: t[:30])),
        severity=draw(st.integers(1, 4)),
        status=draw(st.sampled_from(sorted(catalogue.codes(catalogue.OBSERVATION_STATUSES)))),
        sharing=draw(st.sampled_from(["internal", "partners"])))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(observations(), min_size=1, max_size=4))
def test_csv_round_trip_property(template_db: Path, inputs: list[ObservationInput]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        source, target = fresh(template_db, here / "a.db"), fresh(template_db, here / "b.db")
        try:
            create_observations_bulk(source, actor_for(source), inputs)
            out = here / "ut.csv"
            exchange.export_observations(source, ObservationFilter(), "csv", out)
            result = exchange.import_observations(target, actor_for(target), out)
            assert (result.imported, result.rejected) == (len(inputs), [])
            assert_same(views(source), views(target), CSV_FIELDS)
        finally:
            source.close()
            target.close()
