"""Import's checks (issue 13, point 5c): positions outside Sweden or with latitude and
longitude swapped, warnings on the command line, personal data in imported free text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lagesbild_desktop.cli import main
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Observation
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.services import exchange
from lagesbild_desktop.services.observations import find_observations

HEADER = "kategori;latitud;longitud;tid_från;beskrivning\n"
KOPING = "Klotter;59,5140;15,9926;2025-03-01 14:05;vid stationen\n"
COPENHAGEN = "Klotter;55,6761;12,5683;2025-03-01 14:06;Köpenhamn\n"
SWAPPED = "Klotter;15,9926;59,5140;2025-03-01 14:07;omkastad\n"
PERSONAL = "Klotter;59,5141;15,9927;2025-03-01 14:08;ring 070-123 45 67 eller 19121212-1212\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def descriptions(db: Database) -> list[str]:
    return sorted(v.description for v in find_observations(db, ObservationFilter()).rows)


def test_outside_sweden_and_swapped_are_rejected_by_line(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", HEADER + KOPING + COPENHAGEN + SWAPPED)
    result = exchange.import_observations(db, actor, path)
    assert result.imported == 1
    assert [r.line for r in result.rejected] == [3, 4]
    assert result.rejected[0].reason_sv == ("Positionen (55.67610, 12.56830) ligger utanför "
                                            "Sverige.")
    assert "latitud och longitud verkar ha bytt plats" in result.rejected[1].reason_sv
    assert "swapped" in result.rejected[1].reason_en
    assert "bytt plats" not in result.rejected[0].reason_sv
    assert result.warnings == []


def test_outside_sweden_is_imported_with_a_warning_when_allowed(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", HEADER + KOPING + COPENHAGEN + SWAPPED)
    result = exchange.import_observations(db, actor, path, allow_outside_sweden=True)
    assert (result.imported, result.rejected) == (3, [])
    assert [w.line for w in result.warnings] == [3, 4]
    assert "bytt plats" in result.warnings[1].reason_sv
    assert count(db) == 3


def test_geojson_points_are_checked_by_feature_number(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    def feature(lon: float, lat: float) -> dict[str, Any]:
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"kategori": "Klotter", "tid_från": "2025-03-01 14:05",
                               "beskrivning": f"{lat}"}}
    path = tmp_path / "in.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature(15.9926, 59.5140), feature(10.7522, 59.9139), feature(59.5140, 15.9926)]}),
        encoding="utf-8")
    result = exchange.import_observations(db, actor, path)
    assert result.features
    assert [r.line for r in result.rejected] == [2, 3]
    assert result.where_sv(2) == "objekt 2"
    assert "bytt plats" in result.rejected[1].reason_sv


def test_personal_data_stops_the_import_unless_masked_or_kept(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", HEADER + KOPING + PERSONAL)
    with pytest.raises(exchange.ImportPersonalDataFound) as found:
        exchange.import_observations(db, actor, path)
    assert count(db) == 0
    lines = [f.line_sv() for f in found.value.findings]
    assert lines == ["Telefonnummer: 070-123 45 67 (rad 3: beskrivning)",
                     "Personnummer: 19121212-1212 (rad 3: beskrivning)"]
    assert found.value.message_sv.startswith("Filen som ska importeras innehåller "
                                             "personuppgifter (2 fynd)")

    masked = exchange.import_observations(db, actor, path, personal_data="mask")
    assert (masked.imported, len(masked.personal_data)) == (2, 2)
    assert descriptions(db) == ["ring [telefonnummer] eller [personnummer]", "vid stationen"]
    # Importing the same file masked again adds nothing (the ids are of the masked rows).
    again = exchange.import_observations(db, actor, path, personal_data="mask")
    assert (again.imported, again.duplicates) == (0, 2)

    kept = exchange.import_observations(db, actor, path, personal_data="keep")
    assert kept.imported == 1
    assert "ring 070-123 45 67 eller 19121212-1212" in descriptions(db)


def test_personal_data_in_a_tag_or_title_is_found_too(
        db: Database, actor: Actor, tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "kategori;latitud;longitud;tid_från;rubrik;taggar\n"
                 "Klotter;59,5140;15,9926;2025-03-01 14:05;Anna a@b.se;ABC123,natt\n")
    with pytest.raises(exchange.ImportPersonalDataFound) as found:
        exchange.import_observations(db, actor, path)
    assert [(f.kind, f.where_sv) for f in found.value.findings] == [
        ("email", "rad 2: rubrik"), ("licence_plate", "rad 2: taggar")]
    exchange.import_observations(db, actor, path, personal_data="mask")
    (view,) = find_observations(db, ObservationFilter()).rows
    assert view.title == "Anna [e-postadress]"


def test_cli_rejects_outside_sweden_and_prints_warnings_when_allowed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "ny.db")
    path = write(tmp_path / "in.csv", HEADER + KOPING + COPENHAGEN + SWAPPED)
    assert main(["--db", target, "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "1 importerade, 0 fanns redan, 2 avvisade" in captured.out
    assert "rad 3: Positionen (55.67610, 12.56830) ligger utanför Sverige." in captured.err
    assert "rad 4: Positionen" in captured.err
    assert "bytt plats" in captured.err

    assert main(["--db", target, "import", str(path), "--allow-outside-sweden"]) == 0
    captured = capsys.readouterr()
    assert "2 importerade, 1 fanns redan, 0 avvisade, 2 varningar" in captured.out
    assert "varning: rad 3: Positionen (55.67610, 12.56830) ligger utanför" in captured.err
    assert "varning: rad 4:" in captured.err


def test_cli_personal_data_exit_code_and_options(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "ny.db")
    path = write(tmp_path / "in.csv", HEADER + PERSONAL)
    assert main(["--db", target, "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "personuppgift: Telefonnummer: 070-123 45 67 (rad 2: beskrivning)" in captured.err
    assert "Inget har importerats" in captured.err
    assert "--mask-personal-data" in captured.err
    assert captured.out == ""
    assert main(["--db", target, "import", str(path), "--mask-personal-data"]) == 0
    captured = capsys.readouterr()
    assert "2 personuppgifter maskerades." in captured.err
    assert "1 importerade" in captured.out
    assert main(["--db", target, "import", str(path), "--keep-personal-data"]) == 0
    assert "2 personuppgifter importerades oförändrade." in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the two choices exclude each other
        main(["--db", target, "import", str(path), "--mask-personal-data",
              "--keep-personal-data"])


def test_cli_hostile_geojson_is_a_message_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "ny.db")
    deep = tmp_path / "djup.geojson"
    deep.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000
                    + "]" * 100_000 + "}", encoding="utf-8")
    assert main(["--db", target, "import", str(deep)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lagesbild: djup.geojson går inte att läsa: listor")
    assert "Traceback" not in err
    long = tmp_path / "lang.geojson"
    long.write_text('{"type": "FeatureCollection", "features": [' + "1" * 5000 + "]}",
                    encoding="utf-8")
    assert main(["--db", target, "import", str(long)]) == 2
    err = capsys.readouterr().err
    assert "5000 tecken" in err
    assert "Traceback" not in err
