"""The lägesbild PDF against a real SQLite database: numbers, text, structure, pages."""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from lagesbild_desktop.cli import main
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL, day_range
from lagesbild_desktop.reports.lagesbild_report import (
    AGGREGATED,
    INTERNAL,
    build_lagesbild_report,
    number,
    percent,
    write_lagesbild_report,
)
from lagesbild_desktop.services import lagesbild, lookups, measures, observations

TOOLS = ("pdftotext", "pdftoppm", "qpdf", "pdfinfo", "pdffonts")
pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason="needs poppler-utils and qpdf")

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PERIOD = day_range(date(2026, 11, 2), date(2026, 11, 29))
TODAY = date(2026, 12, 2)
KOPING = (59.5139, 15.9935)
ARBOGA = (59.3945, 15.8413)
LONG_TEXT = " ".join(["Ödelagd lekplats vid ån, trasig belysning och krossat glas."] * 170)


def at(day: date, hour: int = 21) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=LOCAL)


def obs(category, when, position, place="", description=""):
    return ObservationInput(category=category, occurred_from=when, latitude=position[0],
                            longitude=position[1], place_name=place, description=description)


@pytest.fixture
def report_data(db, actor):
    first = date(2026, 11, 2)
    inputs = []
    for i in range(40):
        position = (KOPING[0] + (i % 7) * 4e-4, KOPING[1] + (i % 5) * 6e-4)
        inputs.append(obs("graffiti", at(first + timedelta(days=i % 28)), position,
                          "Stora torget, Köping"))
    for i in range(12):
        inputs.append(obs("littering", at(first + timedelta(days=i), 14), ARBOGA,
                          "Ågatan, Arboga"))
    inputs.append(obs("poor_lighting", at(date(2026, 11, 20), 18), ARBOGA, "Gångtunneln",
                      description=LONG_TEXT[:10_000]))
    inputs += [obs("graffiti", at(date(2026, 10, 12)), KOPING)] * 8  # previous period
    inputs += [obs("littering", at(date(2025, 11, 10)), ARBOGA)] * 3  # last year
    ids = observations.create_observations_bulk(db, actor, inputs, now=NOW)
    measures.create_measure(db, actor, MeasureInput(
        "Byt lampor i gångtunneln", "situational", deadline=date(2026, 11, 20),
        status="decided"))
    measures.create_measure(db, actor, MeasureInput(
        "Öka närvaron på Stora torget", "presence", deadline=date(2027, 2, 1)))
    return ids


def pdf_pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def check_pdf(path, tmp_path, classification=AGGREGATED) -> list[str]:
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    pages = pdf_pages(path)
    assert pages
    for n, page in enumerate(pages, start=1):
        assert f"sida {n} av {len(pages)}" in page
        assert classification in " ".join(page.split())
    out = tmp_path / f"png-{path.stem}"  # one folder per PDF: no stale pages
    out.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(out / "p")], check=True,
                   capture_output=True)
    images = sorted(out.glob("p-*.png"))
    assert len(images) == len(pages)
    assert all(image.stat().st_size > 1000 for image in images)
    return pages


def row_pattern(label: str, row) -> str:
    cells = [number(row.current), number(row.previous),
             number(row.change_previous, sign=True), percent(row.change_previous_pct),
             number(row.last_year), number(row.change_last_year, sign=True),
             percent(row.change_last_year_pct)]
    # pdftotext gives the narrow no-break space between thousands as a plain space.
    cells = [c.replace("\u202f", " ") for c in cells]
    return re.escape(label) + r"\s+" + r"\s+".join(re.escape(c) for c in cells)


def test_the_numbers_match_the_lagesbild(db, report_data, tmp_path):
    f = ObservationFilter(*PERIOD)
    path = tmp_path / "lägesbild.pdf"
    picture = write_lagesbild_report(db, f, path, author="Åsa Öberg", today=TODAY)
    expected = lagesbild.compile_lagesbild(db, f, today=TODAY)
    assert expected.statistics.total == picture.statistics.total
    pages = check_pdf(path, tmp_path)
    text = "\n".join(pages)
    s = expected.statistics
    assert s.total.current == 53
    assert re.search(row_pattern("Totalt", s.total), text)
    vandalism = next(r for r in s.categories if r.key == "vandalism")
    assert (vandalism.current, vandalism.previous) == (40, 8)
    assert re.search(row_pattern("Skadegörelse", vandalism), text)
    koping = next(r for r in s.municipalities if r.label == "Köping")
    assert re.search(row_pattern("Köping", koping), text)
    assert f"{number(s.total.current)} iakttagelser" in text
    for word in ("Lägesbild", "Åsa Öberg", "Sammanfattning", "Veckodag och tid på dygnet",
                 "Trend, 52 veckor", "Hotspots", "Fokusområden och åtgärder",
                 "Uppföljning av tidigare åtgärder", "FÖRSENAD",
                 "Byt lampor i gångtunneln", "Öka närvaron på Stora torget", "Om mörkertal",
                 "Bristande belysning", "2 november 2026 – 29 november 2026"):
        assert word in text, word
    assert "Ödelagd lekplats" not in text  # no free text in the aggregated report
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Title:\s+Lägesbild 2026-11-02 – 2026-11-29", info)
    assert re.search(r"Author:\s+Åsa Öberg", info)
    assert "Aggregerad" in info
    assert b"/Lang (sv-SE)" in path.read_bytes()


def test_a_municipality_filter_is_respected(db, report_data, tmp_path):
    f = ObservationFilter(*PERIOD, area_ids=lookups.resolve_areas(db, ["Arboga"]))
    path = tmp_path / "arboga.pdf"
    write_lagesbild_report(db, f, path, municipalities=["Arboga"], today=TODAY)
    total = lagesbild.compile_lagesbild(db, f, today=TODAY).statistics.total
    assert total.current == 13
    text = "\n".join(check_pdf(path, tmp_path))
    assert re.search(row_pattern("Totalt", total), text)
    assert re.search(r"Kommuner\s+Arboga", text)


def test_an_empty_period_gives_a_valid_report_that_says_so(db, tmp_path):
    path = tmp_path / "tom.pdf"
    write_lagesbild_report(db, ObservationFilter(*PERIOD), path, today=TODAY)
    text = " ".join(" ".join(check_pdf(path, tmp_path)).split())
    assert "Inga iakttagelser registrerades under perioden" in text
    assert "Inga statistiskt säkerställda hotspots" in text
    assert "Inga öppna åtgärder" in text


def test_the_annex_lists_long_descriptions(db, report_data, tmp_path):
    path = tmp_path / "bilaga.pdf"
    write_lagesbild_report(db, ObservationFilter(*PERIOD), path, annex=True, today=TODAY)
    pages = check_pdf(path, tmp_path, INTERNAL)
    text = " ".join(" ".join(pages).split())
    assert "Intern bilaga: iakttagelser i perioden" in text
    assert text.count("Ödelagd lekplats vid ån") >= 150  # the 10,000 characters, all there
    assert AGGREGATED not in text


def test_build_from_a_compiled_lagesbild(db, report_data, tmp_path):
    picture = lagesbild.compile_lagesbild(db, ObservationFilter(*PERIOD), today=TODAY)
    path = build_lagesbild_report(picture, tmp_path / "r.pdf", author="X", title="Lägesbild V45")
    assert path.read_bytes().startswith(b"%PDF")
    assert "Lägesbild V45" in pdf_pages(path)[0]


def test_command_end_to_end(db, report_data, tmp_path, capsys):
    path = tmp_path / "kommando.pdf"
    base = ["--db", str(db.path)]
    assert main([*base, "report", "--from", "2026-11-02", "--to", "2026-11-29",
                 "--municipality", "Köping", "--annex", "--author", "Kommunpolis",
                 "-o", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    text = " ".join(" ".join(check_pdf(path, tmp_path, INTERNAL)).split())
    assert "Stora torget, Köping" in text
    assert "Gångtunneln" not in text  # in Arboga, outside the filter
    assert main([*base, "report", "--from", "2026-12-01", "--to", "2026-11-01",
                 "-o", str(tmp_path / "x.pdf")]) == 2
    assert "Perioden slutar innan den börjar" in capsys.readouterr().err


def test_unbroken_text_and_markup_in_the_annex_do_not_break_the_layout(db, report_data,
                                                                     tmp_path):
    from dataclasses import replace

    from lagesbild_desktop.services.observations import iter_observations

    f = ObservationFilter(*PERIOD)
    picture = lagesbild.compile_lagesbild(db, f, today=TODAY)
    rows = list(iter_observations(db, f))[:2]
    rows[0] = replace(rows[0], description="x" * 10_000)
    rows[1] = replace(rows[1], description="<b>Tre & två</b> < > \"'\n\n" + "ord " * 2500)
    path = build_lagesbild_report(picture, tmp_path / "svår.pdf", annex_rows=rows)
    text = "".join(check_pdf(path, tmp_path, INTERNAL))
    assert text.count("x") >= 10_000
    assert "<b>Tre & två</b>" in text
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert re.search(r"DejaVuSans\s+TrueType\s+\S+\s+yes", fonts)
    assert re.search(r"DejaVuSans-Bold\s+TrueType\s+\S+\s+yes", fonts)


def test_follow_up_lists_done_measures_with_their_effect(db, report_data, tmp_path, actor):
    measures.create_measure(db, actor, MeasureInput(
        "Klottersanering vid skolan", "situational", status="followed_up",
        deadline=date(2026, 9, 1), follow_up_on=date(2026, 10, 15), effect="improved",
        effect_notes="Inget nytt klotter på sex veckor."))
    measures.create_measure(db, actor, MeasureInput(
        "Nya lampor på Ågatan", "situational", status="done",
        deadline=date(2026, 8, 1), follow_up_on=date(2026, 11, 1)))
    measures.create_measure(db, actor, MeasureInput(  # followed up too long ago
        "Gammal åtgärd från 2024", "presence", status="followed_up",
        follow_up_on=date(2024, 5, 1), effect="worse"))
    f = ObservationFilter(*PERIOD)
    picture = write_lagesbild_report(db, f, tmp_path / "f.pdf", today=TODAY)
    assert [m.title for m in picture.followed_measures] == [
        "Nya lampor på Ågatan", "Klottersanering vid skolan"]
    assert picture.follow_up_due(picture.followed_measures[0])
    text = " ".join(" ".join(check_pdf(tmp_path / "f.pdf", tmp_path)).split())
    follow_up = text[text.index("Uppföljning av tidigare åtgärder"):]
    assert "2 åtgärder genomförda eller uppföljda under det senaste året" in follow_up
    assert "Bedömd effekt: förbättrat 1" in follow_up
    assert "1 väntar på uppföljning efter passerat datum" in follow_up
    assert "Inget nytt klotter på sex veckor." in follow_up
    assert "Ej uppföljd" in follow_up
    assert "Gammal åtgärd från 2024" not in text


def test_the_annex_leaves_out_duplicates_as_the_statistics_do(db, report_data, tmp_path,
                                                              actor):
    from lagesbild_desktop.services.duplicates import link_as_duplicate

    copy = observations.create_observation(db, actor, obs(
        "graffiti", at(date(2026, 11, 3)), KOPING, "Dubbelrapporterad plats"), now=NOW)
    link_as_duplicate(db, actor, copy.id, report_data[0], now=NOW)
    path = tmp_path / "bilaga.pdf"
    picture = write_lagesbild_report(db, ObservationFilter(*PERIOD), path, annex=True,
                                     today=TODAY)
    text = " ".join(" ".join(pdf_pages(path)).split())
    assert "Dubbelrapporterad plats" not in text
    listed = len(re.findall(r"Allvarlighet: ", text))
    assert listed == picture.statistics.total.current == 53


def test_the_maps_show_the_period_without_a_browser(db, report_data, tmp_path):
    path = tmp_path / "karta.pdf"
    write_lagesbild_report(db, ObservationFilter(*PERIOD), path, today=TODAY)
    text = " ".join(" ".join(check_pdf(path, tmp_path)).split())
    assert "Karta" in text
    assert "Närbild: hotspot 1" in text
    assert "Skadegörelse (40)" in text  # the legend counts what the statistics count
    assert "Kartunderlag: områdesgränser, ingen bakgrundskarta" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True,
                            capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(images) == 2  # the overview and the close-up
    assert all(int(line.split()[3]) >= 1600 for line in images)  # print resolution


def test_an_mbtiles_base_map_is_drawn_and_credited(db, report_data, tmp_path):
    from tests.mbtiles_files import png, write_mbtiles

    tiles = write_mbtiles(tmp_path / "bas.mbtiles", {
        (5, x, y): png((200, 220, 190), size=256) for x in range(16, 19) for y in range(8, 11)
    }, {"name": "Bas", "format": "png", "minzoom": "5", "maxzoom": "5",
        "attribution": "© Testkartan Västmanland"})
    path = tmp_path / "bas.pdf"
    write_lagesbild_report(db, ObservationFilter(*PERIOD), path, today=TODAY,
                           tiles_path=tiles)
    text = " ".join(" ".join(check_pdf(path, tmp_path)).split())
    assert "Kartunderlag: © Testkartan Västmanland" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True,
                            capture_output=True, text=True).stdout.splitlines()[2:]
    assert [line.split()[8] for line in images] == ["jpeg", "jpeg"]
