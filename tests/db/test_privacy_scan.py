"""The privacy scan over a real database, and `lagesbild privacy-scan`."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from lagesbild_desktop import cli
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import attachments, measures, observations, walks
from lagesbild_desktop.services.privacy import scan_database

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def an_observation(**changes: object) -> ObservationInput:
    values: dict[str, object] = dict(category="broken_glass", occurred_from=WHEN,
                                     latitude=59.3945, longitude=15.8413,
                                     place_name="Stora torget", severity=2)
    values.update(changes)
    return ObservationInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def recorded(db: Database, actor: Actor, tmp_path: Path) -> dict[str, str]:
    """One record of each kind with personal data in its free text, and some without."""
    obs = observations.create_observation(db, actor, an_observation(
        title="Bil ABC 123 parkerad", description="Ägaren 19121212-1212 ringde från "
        "070-123 45 67 och 070-765 43 21.", proposed_measure="Mejla gata@kungsor.se"))
    clean = observations.create_observation(db, actor, an_observation(
        description="Krossat glas 2026-11-20 kl 14.30, ärende K-123456-26."))
    gone = observations.create_observation(db, actor, an_observation(
        description="Raderad: 121212-1212"))
    observations.delete_observation(db, actor, gone.id)
    walk = walks.create_walk(db, actor, WalkInput("Trygghetsvandring", WHEN,
                                                  notes="Kontakt 08-123 456 78"))
    measure = measures.create_measure(db, actor, MeasureInput(
        "Belysning", "situational", responsible_contact="anna.berg@kungsor.se",
        effect_notes="Bilen DEF 12A är borta"))
    photo = tmp_path / "IMG_19121212-1212.jpg"
    Image.new("RGB", (8, 8)).save(photo)
    attachment = attachments.add_attachment(db, actor, tmp_path / "store", obs.id, photo)
    return {"observation": obs.id, "clean": clean.id, "walk": walk.id,
            "measure": measure.id, "attachment": attachment.id}


def test_every_finding_in_live_records_is_reported(db: Database,
                                                   recorded: dict[str, str]) -> None:
    found = [(s.table, s.row_id, s.field, s.finding.kind, s.finding.text)
             for s in scan_database(db)]
    obs, walk, measure = recorded["observation"], recorded["walk"], recorded["measure"]
    assert found == [
        ("observation", obs, "title", "licence_plate", "ABC 123"),
        ("observation", obs, "description", "personnummer", "19121212-1212"),
        ("observation", obs, "description", "phone", "070-123 45 67"),
        ("observation", obs, "description", "phone", "070-765 43 21"),
        ("observation", obs, "proposed_measure", "email", "gata@kungsor.se"),
        ("walk", walk, "notes", "phone", "08-123 456 78"),
        ("measure", measure, "effect_notes", "licence_plate", "DEF 12A"),
        ("measure", measure, "responsible_contact", "email", "anna.berg@kungsor.se"),
        ("attachment", recorded["attachment"], "file_name", "personnummer",
         "19121212-1212"),
    ]


def test_reading_in_small_chunks_gives_the_same(db: Database, actor: Actor,
                                                recorded: dict[str, str]) -> None:
    for n in range(7):
        observations.create_observation(db, actor, an_observation(
            title=f"Nr {n}", description=f"Ring 070-123 45 6{n}"))
    whole = list(scan_database(db))
    assert list(scan_database(db, chunk=2)) == whole
    assert len(whole) == 9 + 7


def test_an_empty_database_has_nothing(db: Database) -> None:
    assert list(scan_database(db)) == []


# -- the command -------------------------------------------------------------------------------

def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_scans_standard_input(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = "Ring 070-123 45 67,\nom 19121212-1212 eller ABC 123.\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    status, out, _ = run(["privacy-scan", "--format", "json", "-"], capsys)
    assert status == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {"kind": "phone", "start": 5, "end": 18, "text": "070-123 45 67"},
        {"kind": "personnummer", "start": 23, "end": 36, "text": "19121212-1212"},
        {"kind": "licence_plate", "start": 43, "end": 50, "text": "ABC 123"},
    ]
    assert all(text[d["start"]:d["end"]] == d["text"] for d in lines)


def test_the_command_in_swedish_text(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Pnr 121212-1212"))
    status, out, _ = run(["privacy-scan", "-"], capsys)
    assert status == 1
    assert "Personnummer" in out
    assert "121212-1212" in out
    assert out.splitlines()[-1] == "1 fynd."


def test_nothing_found_exits_zero(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Krossat glas vid 722 11, 12 500 kr."))
    assert run(["privacy-scan", "--format", "json", "-"], capsys) == (0, "", "")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(["privacy-scan", "-"], capsys)[:2] == (0, "Inga personuppgifter hittades.\n")


def test_the_command_scans_the_database(db: Database, db_path: Path,
                                        recorded: dict[str, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["privacy-scan", "--db", str(db_path), "--format", "json"], capsys)
    assert status == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 9
    assert lines[1] == {"table": "observation", "id": recorded["observation"],
                        "field": "description", "kind": "personnummer", "start": 7,
                        "end": 20, "text": "19121212-1212"}
    status, out, _ = run(["--db", str(db_path), "privacy-scan"], capsys)
    assert status == 1
    assert out.splitlines()[-1] == "9 fynd."
    assert "Registreringsnummer" in out


def test_a_clean_database_exits_zero(db_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["privacy-scan", "--db", str(db_path)], capsys)[:2] == (
        0, "Inga personuppgifter hittades.\n")


def test_bad_use_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["privacy-scan", "file.txt"], capsys)
    assert status == 2
    assert "Skriv `-`" in err
    assert run(["privacy-scan", "--db", str(tmp_path / "none.db")], capsys)[0] == 2
    with pytest.raises(SystemExit) as raised:
        cli.main(["privacy-scan", "--format", "xml", "-"])
    assert raised.value.code == 2
