"""The privacy guard before export: CSV/GeoJSON, the report's annex, a walk's protocol;
the command line's options and the permission checks on exports."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from lagesbild_desktop import cli
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL, day_range
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import (
    audit_log,
    export_privacy,
    installation,
    measures,
    observations,
    walks,
)
from lagesbild_desktop.services.exchange import export_observations
from lagesbild_desktop.services.permissions import NotPermitted
from tests.db.test_report import pdf_pages, pytestmark  # noqa: F401 (skip marker)

WHEN = datetime(2026, 11, 17, 19, 0, tzinfo=LOCAL)
PERIOD = day_range(date(2026, 11, 2), date(2026, 11, 29))
TODAY = date(2026, 12, 2)
PNR = "19811218-9876"
PHONE = "070-123 45 67"
MAIL = "anna.svensson@example.se"
PLATE = "ABC 123"
PERSONAL = f"Mannen ({PNR}) ringde från {PHONE}, bilen {PLATE}, svar till {MAIL}."


def observation(db, actor, *, description="", title="", place="Stora torget", days=0,
                walk_id=None, stop=None):
    return observations.create_observation(db, actor, ObservationInput(
        category="graffiti", occurred_from=WHEN + timedelta(days=days), latitude=59.5139,
        longitude=15.9935, place_name=place, title=title, description=description,
        walk_id=walk_id, stop_number=stop))


@pytest.fixture
def personal(db, actor):
    """One observation with four kinds of personal data, one without any."""
    found = observation(db, actor, description=PERSONAL, title="Klotter på skolan")
    clean = observation(db, actor, description="Klotter på garaget.", days=1)
    return found, clean


def last_export(db):
    admin = installation.actor_for(db)
    return audit_log.list_audit(db, admin, audit_log.AuditFilter(action="export")).rows[0]


# --- the scanner over views ---------------------------------------------------------------

def test_every_finding_is_named_with_where_it_is(db, actor, personal):
    views = list(observations.iter_observations(db, ObservationFilter()))
    findings = list(export_privacy.find(views))
    assert [(f.kind, f.text) for f in findings] == [
        ("personnummer", PNR), ("phone", PHONE), ("licence_plate", PLATE), ("email", MAIL)]
    assert findings[0].where_sv == "iakttagelse 2026-11-17, Klotter: beskrivning"
    assert findings[0].line_en().startswith("personnummer: 19811218-9876 (observation "
                                            "2026-11-17, graffiti")


def test_masking_changes_the_copy_and_nothing_else(db, actor, personal):
    found, _ = personal
    view = observations.get_observation(db, found.id)
    copy = export_privacy.masked(view)
    assert copy.description == ("Mannen ([personnummer]) ringde från [telefonnummer], bilen "
                                "[registreringsnummer], svar till [e-postadress].")
    assert copy.title == view.title
    assert copy.id == view.id
    assert not list(export_privacy.find([copy]))
    assert observations.get_observation(db, found.id).description == PERSONAL


# --- CSV and GeoJSON --------------------------------------------------------------------

def test_an_export_with_personal_data_is_refused_unless_the_user_chose(db, actor, personal,
                                                                         tmp_path):
    out = tmp_path / "ut.csv"
    with pytest.raises(export_privacy.PersonalDataFound) as refused:
        export_observations(db, ObservationFilter(), "csv", out, actor=actor)
    assert len(refused.value.findings) == 4
    assert "Personnummer: 19811218-9876" in refused.value.message_sv
    assert not out.exists()
    assert not list(tmp_path.glob(".ut.csv*"))


def test_masked_csv_and_geojson_hold_labels_and_the_record_is_unchanged(db, actor, personal,
                                                                         tmp_path):
    found, _ = personal
    csv_file, geojson_file = tmp_path / "ut.csv", tmp_path / "ut.geojson"
    assert export_observations(db, ObservationFilter(), "csv", csv_file, actor=actor,
                               personal_data="mask") == 2
    text = csv_file.read_text(encoding="utf-8-sig")
    for secret in (PNR, PHONE, MAIL, PLATE):
        assert secret not in text
    assert "[personnummer]" in text
    assert "[e-postadress]" in text
    assert "Klotter på garaget." in text
    assert last_export(db).details["personal_data"] == "mask"
    assert last_export(db).details["personal_data_found"] == 4
    export_observations(db, ObservationFilter(), "geojson", geojson_file, actor=actor,
                        personal_data="mask")
    features = json.loads(geojson_file.read_text())["features"]
    described = {f["properties"]["description"] for f in features}
    assert any("[telefonnummer]" in d for d in described)
    assert PHONE not in geojson_file.read_text()
    assert observations.get_observation(db, found.id).description == PERSONAL


def test_kept_unchanged_is_written_as_stored_and_audited(db, actor, personal, tmp_path):
    out = tmp_path / "ut.csv"
    export_observations(db, ObservationFilter(), "csv", out, actor=actor,
                        personal_data="keep")
    assert PNR in out.read_text(encoding="utf-8-sig")
    details = last_export(db).details
    assert details["personal_data"] == "keep"
    assert details["personal_data_found"] == 4


def test_an_export_without_personal_data_needs_no_choice(db, actor, tmp_path):
    observation(db, actor, description="Klotter på garaget.")
    out = tmp_path / "ut.csv"
    assert export_observations(db, ObservationFilter(), "csv", out, actor=actor) == 1
    assert "personal_data" not in last_export(db).details


# --- the command line ----------------------------------------------------------------------

def test_cli_export_prints_the_findings_and_writes_nothing_by_default(db, db_path, actor,
                                                                       personal, tmp_path,
                                                                       capsys):
    out = tmp_path / "ut.csv"
    assert cli.main(["export", "--db", str(db_path), "--format", "csv", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "personal data: personnummer: 19811218-9876 (observation 2026-11-17" in err
    assert f"personal data: email: {MAIL}" in err
    assert "--mask-personal-data" in err
    assert not out.exists()
    assert cli.main(["export", "--db", str(db_path), "--format", "csv", "-o", str(out),
                     "--mask-personal-data"]) == 0
    captured = capsys.readouterr()
    assert "4 personal data findings masked in the file" in captured.err
    assert PNR not in out.read_text(encoding="utf-8-sig")
    assert "[personnummer]" in out.read_text(encoding="utf-8-sig")
    assert cli.main(["export", "--db", str(db_path), "--format", "csv", "-o", str(out),
                     "--keep-personal-data"]) == 0
    assert PNR in out.read_text(encoding="utf-8-sig")


def test_cli_report_annex_masks_the_annex(db, db_path, actor, personal, tmp_path, capsys):
    out = tmp_path / "intern.pdf"
    args = ["report", "--db", str(db_path), "--from", "2026-11-02", "--to", "2026-11-29",
            "--annex", "-o", str(out)]
    assert cli.main(args) == 1
    assert "(annex > observation 2026-11-17" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main([*args, "--mask-personal-data"]) == 0
    text = " ".join(" ".join(pdf_pages(out)).split())
    assert "[personnummer]" in text
    assert "[telefonnummer]" in text
    assert "9876" not in text
    assert "123 45 67" not in text
    assert "Klotter på garaget." in text


def test_the_aggregated_report_scans_measure_titles_not_the_officials_contact(db, actor,
                                                                             tmp_path):
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report

    observation(db, actor, description="Inget personligt.")
    measures.create_measure(db, actor, MeasureInput(
        f"Ring Kalle {PHONE} om lamporna", "situational",
        responsible_contact="Örjan, 070-765 43 21", deadline=date(2027, 1, 20)))
    path = tmp_path / "lb.pdf"
    with pytest.raises(export_privacy.PersonalDataFound) as refused:
        write_lagesbild_report(db, ObservationFilter(*PERIOD), path, today=TODAY)
    assert [f.where_sv for f in refused.value.findings] == [
        "öppna åtgärder › åtgärd ”Ring Kalle [telefonnummer] om lamporna”: titel"]
    write_lagesbild_report(db, ObservationFilter(*PERIOD), path, today=TODAY,
                           personal_data="mask")
    text = " ".join(" ".join(pdf_pages(path)).split())
    assert "[telefonnummer]" in text  # table cells wrap: the title is in pieces
    assert "45 67" not in text
    assert "765 43 21" in text  # the responsible official's work number is kept


def test_walk_protocol_findings_are_masked_in_the_pdf(db, db_path, actor, tmp_path, capsys):
    walk_id = walks.create_walk(db, actor, WalkInput(
        "Kvällsvandring", WHEN, light="dark", notes=f"Kontakt: {MAIL}")).id
    observation(db, actor, title="Trasig lampa", description=f"Ring {PHONE}",
                walk_id=walk_id, stop=1)
    out = tmp_path / "protokoll.pdf"
    args = ["walk-report", "--db", str(db_path), walk_id, "-o", str(out)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert f"phone: {PHONE} (safety walk 2026-11-17 ({walk_id}) > stop 1: description)" in err
    assert f"email: {MAIL}" in err
    assert cli.main([*args, "--mask-personal-data"]) == 0
    text = " ".join(" ".join(pdf_pages(out)).split())
    assert "Ring [telefonnummer]" in text
    assert "Kontakt: [e-postadress]" in text
    assert MAIL not in text
    entry = last_export(db)
    assert entry.details["kind"] == "walk_protocol"
    assert entry.details["personal_data"] == "mask"


# --- permissions ----------------------------------------------------------------------------

def test_reports_need_the_report_right(db, actor, tmp_path):
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report
    from lagesbild_desktop.reports.walk_protocol import write_walk_protocol

    walk_id = walks.create_walk(db, actor, WalkInput("Vandring", WHEN, light="dark")).id
    reporter = replace(actor, role="reporter")
    with pytest.raises(NotPermitted):
        write_lagesbild_report(db, ObservationFilter(*PERIOD), tmp_path / "a.pdf",
                               actor=reporter)
    with pytest.raises(NotPermitted):
        write_walk_protocol(db, walk_id, tmp_path / "b.pdf", actor=reporter)
    assert not list(tmp_path.glob("*.pdf"))
    # Read-only viewers may print the lägesbild; they may not export the observations.
    viewer = replace(actor, role="read_only")
    write_walk_protocol(db, walk_id, tmp_path / "c.pdf", actor=viewer)
    with pytest.raises(NotPermitted):
        export_observations(db, ObservationFilter(), "csv", tmp_path / "d.csv", actor=viewer)


def test_the_command_line_refuses_a_role_without_the_right(tmp_path, capsys):
    from lagesbild_desktop.services import accounts

    path = tmp_path / "data" / "lagesbild.db"
    path.parent.mkdir()
    db, signed = accounts.create_encrypted(path, "anna", "Anna Admin", "korrekt häst")
    accounts.add_account(db, signed.actor, "bertil", "Bertil", "reporter", "bertils lösen")
    walk_id = walks.create_walk(db, signed.actor, WalkInput("Vandring", WHEN,
                                                            light="dark")).id
    db.close()
    secret = tmp_path / "lösen.txt"
    secret.write_text("bertils lösen\n")
    login = ["--login", "bertil", "--login-password-file", str(secret)]
    runs = {
        "rapporter": ["report", "--db", str(path), "-o", str(tmp_path / "a.pdf")],
        "rapporter ": ["walk-report", "--db", str(path), walk_id, "-o",
                       str(tmp_path / "b.pdf")],
        "exportera iakttagelser": ["export", "--db", str(path), "--format", "csv", "-o",
                                   str(tmp_path / "c.csv")],
    }
    for words, args in runs.items():
        assert cli.main([*login, *args]) == 2
        err = capsys.readouterr().err
        assert "Din roll (rapportör) har inte behörighet att" in err
        assert words.strip() in err
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".csv")]
    db, anna = accounts.open_and_sign_in(path, "anna", "korrekt häst")
    try:
        assert not audit_log.list_audit(db, anna.actor,
                                        audit_log.AuditFilter(action="export")).rows
    finally:
        db.close()


def test_only_what_the_file_prints_is_scanned(db, actor, tmp_path):
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report

    # CSV has no title column; GeoJSON has every field.
    observation(db, actor, title=f"Ring {PHONE}", description="Klotter på garaget.")
    assert export_observations(db, ObservationFilter(), "csv", tmp_path / "a.csv",
                               actor=actor) == 1
    with pytest.raises(export_privacy.PersonalDataFound):
        export_observations(db, ObservationFilter(), "geojson", tmp_path / "a.geojson",
                            actor=actor)
    # The report prints no measure descriptions.
    measures.create_measure(db, actor, MeasureInput(
        "Byt lampor", "situational", description=f"Fastighetsskötaren {PHONE}",
        deadline=date(2027, 1, 20)))
    write_lagesbild_report(db, ObservationFilter(*PERIOD), tmp_path / "lb.pdf", today=TODAY)
    assert (tmp_path / "lb.pdf").exists()
