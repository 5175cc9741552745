"""The safety-walk protocol against a real SQLite database: the service, the PDF, the command."""

import re
import subprocess
import time
from datetime import date, datetime, timedelta

import pytest

from lagesbild_desktop import config
from lagesbild_desktop.cli import main
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.reports.walk_protocol import (
    CLASSIFICATION,
    build_walk_protocol,
    walk_protocol_story,
    walk_styles,
    write_walk_protocol,
)
from lagesbild_desktop.services import attachments, lookups, measures, observations, walks
from lagesbild_desktop.services.installation import add_organisation
from lagesbild_desktop.services.walk_protocol import UnknownWalk, walk_protocol
from tests.db.test_report import check_pdf, pdf_pages, pytestmark  # noqa: F401 (skip marker)

WHEN = datetime(2026, 11, 17, 19, 0, tzinfo=LOCAL)
TODAY = date(2026, 12, 2)
KOPING = (59.5139, 15.9935)
ROUTE = {"type": "LineString", "coordinates": [
    [15.9935, 59.5139], [15.9950, 59.5145], [15.9961, 59.5152], [15.9975, 59.5160]]}
LONG_TEXT = " ".join(["Mörk gångväg längs ån, ödslig och utan insyn från husen."] * 180)


def jpeg(path, seed: int, size=(3000, 2000)):
    """A real JPEG of `size` with a little structure, different for every seed."""
    from PIL import Image, ImageDraw

    small = Image.effect_noise((size[0] // 20, size[1] // 20), 60).convert("RGB")
    picture = small.resize(size, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(picture)
    hue = (seed * 47 % 255, seed * 91 % 255, seed * 23 % 255)
    draw.rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=hue)
    draw.text((40, 40), f"Foto {seed}", fill="white")
    picture.save(path, "JPEG", quality=85)
    return path


@pytest.fixture
def store(tmp_path):
    return tmp_path / "bilagor"


def a_finding(db, actor, walk_id, stop, title, **values):
    data = dict(category="poor_lighting", occurred_from=WHEN + timedelta(minutes=5 * (stop or 9)),
                latitude=KOPING[0] + 0.0003 * (stop or 0), longitude=KOPING[1] + 0.0004,
                title=title, place_name="Stora torget", walk_id=walk_id, stop_number=stop)
    data.update(values)
    return observations.create_observation(db, actor, ObservationInput(**data)).id


@pytest.fixture
def walk(db, actor, tmp_path, store):
    """A walk in Köping with four findings (one deleted), two photos and three measures."""
    area = lookups.resolve_areas(db, ["Köping"])
    walk_id = walks.create_walk(db, actor, WalkInput(
        "Kvällsvandring Östra Köping", WHEN, light="dark", area_id=min(area), route=ROUTE,
        participants={"residents": 11, "municipality": 3, "police": 2, "housing": 1},
        organiser="Brottsförebyggande rådet i Köping", phase="minutes_done",
        notes="Nästa vandring i mars.\nÅterkoppling till de boende på stormötet.")).id
    third = a_finding(db, actor, walk_id, 3, "Trasig lampa vid gångtunneln",
                      category="poor_lighting", description="Tre av fyra armaturer är släckta.",
                      ratings={"lighting": 0, "openness": 1, "visibility": 1, "people": 0,
                               "security": 0, "walk_path": 2, "transport": 3,
                               "gender_usage": 1, "feeling": 0},
                      proposed_measure="Byt armaturerna och beskär häcken.")
    first = a_finding(db, actor, walk_id, 1, "Skymd sikt vid lekplatsen",
                      category="blocked_view", ratings={"visibility": 1, "feeling": 2})
    a_finding(db, actor, walk_id, 2, "Fin ny belysning på torget", category="positive")
    gone = a_finding(db, actor, walk_id, 4, "Borttagen punkt")
    observations.delete_observation(db, actor, gone)
    a_finding(db, actor, None, None, "Inte en del av vandringen")
    for n in range(2):
        attachments.add_attachment(db, actor, store, third, jpeg(tmp_path / f"lampa{n}.jpg", n))
    housing = add_organisation(db, "Köpingebostäder AB", "housing")
    police = min(lookups.resolve_organisations(db, ["Polisen Västra Mälardalen"]))
    measures.create_measure(db, actor, MeasureInput(
        "Byt armaturer i gångtunneln", "situational", responsible_org_id=housing,
        responsible_contact="Örjan Ståhl, fastighetsskötare", priority="high",
        deadline=date(2026, 11, 30), status="decided", observation_ids=[third]))
    measures.create_measure(db, actor, MeasureInput(
        "Kvällspatrull vid lekplatsen", "presence", responsible_org_id=police,
        priority="normal", deadline=date(2027, 1, 31), walk_id=walk_id))
    measures.create_measure(db, actor, MeasureInput(
        "Beskär häckarna", "situational", priority="long_term", observation_ids=[first]))
    unrelated = measures.create_measure(db, actor, MeasureInput("Annat arbete", "social"))
    assert unrelated.walk_id is None
    return walk_id


# --- The service -------------------------------------------------------------------------------


def test_the_protocol_reads_the_walk_its_findings_and_measures(db, walk, store):
    p = walk_protocol(db, walk, store=store, today=TODAY)
    assert (p.title, p.light_label, p.phase_label, p.area) == (
        "Kvällsvandring Östra Köping", "Mörker", "Protokoll klart", "Köping")
    assert p.starts_at.tzinfo is not None
    assert p.starts_at.hour == 19
    assert [(g.label, g.count) for g in p.participants] == [
        ("Boende", 11), ("Kommun", 3), ("Polis", 2), ("Bostadsbolag", 1), ("Övriga", 0)]
    assert p.participant_total == 17
    assert p.route == ROUTE
    assert [f.stop_number for f in p.findings] == [1, 2, 3]  # in stop order, none deleted
    third = p.findings[2]
    assert third.category_label == "Bristande belysning"
    assert [(r.label, r.value) for r in third.ratings][:2] == [("Belysning", 0), ("Öppenhet", 1)]
    assert len(third.ratings) == 9
    assert third.rated
    assert not p.findings[1].rated
    assert [r.value for r in p.findings[0].ratings].count(None) == 7
    assert len(third.photos) == 2
    assert all(ph.path and ph.path.is_file() for ph in third.photos)
    assert third.proposed_measure.startswith("Byt armaturerna")
    by_title = {m.title: m for m in p.measures}
    assert set(by_title) == {"Byt armaturer i gångtunneln", "Kvällspatrull vid lekplatsen",
                             "Beskär häckarna"}
    lamp = by_title["Byt armaturer i gångtunneln"]
    assert (lamp.responsible_org, lamp.priority_label, lamp.status_label, lamp.overdue,
            lamp.stop_numbers) == ("Köpingebostäder AB", "Hög", "Beslutad", True, (3,))
    assert by_title["Kvällspatrull vid lekplatsen"].responsible_org.startswith("Polisen")
    assert not by_title["Kvällspatrull vid lekplatsen"].overdue
    assert [m.title for m in p.measures][0] == "Beskär häckarna"  # stop 1 first


def test_without_a_store_the_photos_are_listed_but_have_no_file(db, walk):
    p = walk_protocol(db, walk, today=TODAY)
    assert [ph.path for ph in p.findings[2].photos] == [None, None]


def test_an_unknown_or_deleted_walk_is_refused_in_both_languages(db, actor, walk):
    with pytest.raises(UnknownWalk) as unknown:
        walk_protocol(db, "no-such-walk")
    assert "no-such-walk" in str(unknown.value)
    assert "Det finns ingen trygghetsvandring" in unknown.value.message_sv
    walks.delete_walk(db, actor, walk)
    with pytest.raises(UnknownWalk):
        walk_protocol(db, walk)


# --- The PDF -------------------------------------------------------------------------------------


def body_text(pages: list[str]) -> str:
    """The pages' text without header and footer, as one line: text that runs over a page
    break reads on."""
    lines = [line for page in pages for line in page.strip("\n").splitlines()[1:-1]]
    return " ".join(" ".join(lines).split())


def image_count(path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    return sum(1 for line in listing if line.split()[2] == "image")


def test_the_pdf_shows_participants_findings_ratings_and_measures(db, walk, store, tmp_path):
    path = write_walk_protocol(db, walk, tmp_path / "protokoll.pdf", store=store,
                               author="Åsa Öberg", today=TODAY)
    pages = check_pdf(path, tmp_path, CLASSIFICATION)
    text = " ".join(" ".join(pages).split())
    for words in ("Protokoll från trygghetsvandring", "Kvällsvandring Östra Köping",
                  "17 november 2026", "kl. 19:00", "Mörker", "Köping",
                  "Brottsförebyggande rådet i Köping", "Protokoll klart",
                  "Boende 11", "Kommun 3", "Polis 2", "Bostadsbolag 1", "Övriga 0", "Totalt 17",
                  "Punkt 1 · Skymd sikt/vegetation", "Punkt 2 · Positiv iakttagelse",
                  "Punkt 3 · Bristande belysning", "Trasig lampa vid gångtunneln",
                  "Tre av fyra armaturer är släckta.", "Föreslagen åtgärd",
                  "Byt armaturerna och beskär häcken.", "0 = dåligt", "3 = bra",
                  "Byt armaturer i gångtunneln", "Köpingebostäder AB", "Örjan Ståhl",
                  "Hög", "2026-11-30", "FÖRSENAD", "Kvällspatrull vid lekplatsen",
                  "2027-01-31", "Långsiktig", "Nästa vandring i mars.", "Åsa Öberg"):
        assert words in text, words
    assert "Borttagen punkt" not in text
    assert "Inte en del av vandringen" not in text
    assert "Annat arbete" not in text
    # The ratings of stop 3, in the catalogue's order under their names.
    table = re.search(r"Belysning\s+Öppenhet\s+Synlighet\s+Människor\s+Bevakning\s+Gångväg\s+"
                      r"Kollektivtrafik\s+Könsfördelning\s+Känsla\s+"
                      r"0 1 1 0 0 2 3 1 0", text)
    assert table, text
    assert re.search(r"Synlighet.*Känsla\s+– – 1 – – – – – 2", text)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Title:\s+Protokoll: Kvällsvandring Östra Köping 2026-11-17", info)
    assert re.search(r"Author:\s+Åsa Öberg", info)
    assert b"/Lang (sv-SE)" in path.read_bytes()
    assert image_count(path) == 3  # the route map and the two photos


def test_fifty_photos_are_all_embedded_small_and_fast(db, actor, walk, store, tmp_path):
    ids = [a_finding(db, actor, walk, 10 + n, f"Punkt med bilder {n}") for n in range(10)]
    for n in range(50):
        source = jpeg(tmp_path / f"foto{n}.jpg", 100 + n)
        attachments.add_attachment(db, actor, store, ids[n % 10], source)
    started = time.perf_counter()
    path = write_walk_protocol(db, walk, tmp_path / "bilder.pdf", store=store)
    seconds = time.perf_counter() - started
    pages = check_pdf(path, tmp_path, CLASSIFICATION)
    assert 3 <= len(pages) <= 12
    photos = image_count(path)
    assert photos == 53  # 50, the 2 of the fixture and the route map
    size = path.stat().st_size
    assert size < 15_000_000
    print(f"50 photos: {seconds:.1f} s, {size / 1e6:.1f} MB, {len(pages)} pages")


def test_a_long_description_runs_over_pages(db, actor, walk, store, tmp_path):
    a_finding(db, actor, walk, 5, "Lång beskrivning", description=LONG_TEXT[:10_000])
    path = write_walk_protocol(db, walk, tmp_path / "lång.pdf", store=store)
    pages = check_pdf(path, tmp_path, CLASSIFICATION)
    text = body_text(pages)
    phrase = "Mörk gångväg längs ån"
    assert text.count(phrase) == LONG_TEXT[:10_000].count(phrase) > 150
    assert len(pages) >= 3


def test_a_missing_or_broken_photo_prints_a_placeholder(db, actor, walk, store, tmp_path):
    p = walk_protocol(db, walk, store=store)
    photo = p.findings[2].photos[0]
    photo.path.unlink()
    broken = p.findings[2].photos[1].path
    broken.write_bytes(b"not a jpeg at all")
    path = write_walk_protocol(db, walk, tmp_path / "saknas.pdf", store=store)
    text = " ".join(" ".join(check_pdf(path, tmp_path, CLASSIFICATION)).split())
    assert text.count("Bilden saknas") == 2
    assert "lampa0.jpg" in text


def test_a_walk_with_nothing_recorded_says_so(db, actor, tmp_path):
    walk_id = walks.create_walk(db, actor, WalkInput("Planerad vandring", WHEN)).id
    path = write_walk_protocol(db, walk_id, tmp_path / "tom.pdf")
    text = " ".join(" ".join(check_pdf(path, tmp_path, CLASSIFICATION)).split())
    for words in ("Ingen rutt registrerad", "Inga fynd registrerade",
                  "Inga åtgärder kopplade till vandringen", "Totalt 0"):
        assert words in text, words
    assert image_count(path) == 0


def test_user_text_with_markup_and_a_long_title_do_not_break_the_layout(db, actor, tmp_path):
    title = "Vandring <b>&</b> " + "lång rubrik " * 15
    walk_id = walks.create_walk(db, actor, WalkInput(title[:200], WHEN,
                                                     notes="x" * 10_000)).id
    a_finding(db, actor, walk_id, 1, "<i>Tre & två</i>", description="a < b > c\n\n& d",
              proposed_measure="<script>")
    path = write_walk_protocol(db, walk_id, tmp_path / "svår.pdf")
    text = "".join(check_pdf(path, tmp_path, CLASSIFICATION))
    assert "<i>Tre & två</i>" in text
    assert "<script>" in text
    assert text.count("x") >= 10_000


def test_the_story_fits_into_another_document(db, walk, store, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from lagesbild_desktop.reports.lagesbild_report import _p, _styles

    styles = _styles()
    doc = SimpleDocTemplate(str(tmp_path / "inne.pdf"), pagesize=A4)
    protocol = walk_protocol(db, walk, store=store, today=TODAY)
    story = [_p("Lägesbild med vandringar", styles["title"])]
    story += walk_protocol_story(protocol, styles, doc.width, heading_level="h2")
    doc.build(story)
    text = " ".join(" ".join(pdf_pages(tmp_path / "inne.pdf")).split())
    assert "Lägesbild med vandringar" in text
    assert "Punkt 3 · Bristande belysning" in text
    assert "h3" not in styles  # the caller's styles are left as they were
    assert "h3" in walk_styles(styles)


def test_the_map_background_comes_from_mbtiles_with_its_attribution(db, walk, store,
                                                                    tmp_path):
    from tests.mbtiles_files import png, write_mbtiles

    tiles = write_mbtiles(tmp_path / "karta.mbtiles", {(1, 1, 0): png((40, 160, 60))}, {
        "name": "Grönt", "format": "png", "minzoom": "1", "maxzoom": "1",
        "attribution": "© Lantmäteriet"})
    path = write_walk_protocol(db, walk, tmp_path / "karta.pdf", store=store,
                               tiles_path=tiles)
    text = " ".join(" ".join(check_pdf(path, tmp_path, CLASSIFICATION)).split())
    assert "Kartunderlag: © Lantmäteriet" in text
    assert image_count(path) == 3  # the map and the two photos


def test_a_map_that_cannot_be_drawn_does_not_stop_the_protocol(db, walk, tmp_path,
                                                                monkeypatch):
    from lagesbild_desktop.maps import static_map

    def broken(**_kwargs):
        raise ValueError("no map today")

    monkeypatch.setattr(static_map, "render_map", broken)
    path = write_walk_protocol(db, walk, tmp_path / "utan-karta.pdf")
    text = " ".join(" ".join(check_pdf(path, tmp_path, CLASSIFICATION)).split())
    assert "Kartan kunde inte ritas." in text
    assert "Punkt 3 · Bristande belysning" in text


def test_build_from_a_protocol(db, walk, store, tmp_path):
    protocol = walk_protocol(db, walk, store=store, today=TODAY)
    path = build_walk_protocol(protocol, tmp_path / "b.pdf")
    assert "skapad 2026-12-02" in pdf_pages(path)[0]


# --- The command ---------------------------------------------------------------------------------


def test_the_command_writes_the_protocol_with_photos_from_the_store(db, db_path, actor,
                                                                    tmp_path, capsys):
    store = config.attachments_dir(db_path)
    walk_id = walks.create_walk(db, actor, WalkInput("Vandring Ängsgärdet", WHEN)).id
    finding = a_finding(db, actor, walk_id, 1, "Mörkt")
    attachments.add_attachment(db, actor, store, finding, jpeg(tmp_path / "a.jpg", 7))
    path = tmp_path / "kommando.pdf"
    assert main(["--db", str(db_path), "walk-report", walk_id, "-o", str(path),
                 "--author", "Kommunpolis"]) == 0
    assert str(path) in capsys.readouterr().out
    text = " ".join(" ".join(check_pdf(path, tmp_path, CLASSIFICATION)).split())
    assert "Vandring Ängsgärdet" in text
    assert "Bilden saknas" not in text
    assert image_count(path) >= 1
    assert main(["--db", str(db_path), "walk-report", "okänd", "-o",
                 str(tmp_path / "x.pdf")]) == 2
    assert "Det finns ingen trygghetsvandring med id okänd" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["--db", str(db_path), "walk-report", walk_id, "-o", str(tmp_path / "y.pdf"),
                 "--mbtiles", str(tmp_path / "saknas.mbtiles")]) == 2
    assert "MBTiles" in capsys.readouterr().err


def test_the_lagesbild_report_prints_the_walks_of_its_period(db, walk, store, tmp_path):
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.domain.periods import day_range
    from lagesbild_desktop.reports.lagesbild_report import INTERNAL, write_lagesbild_report

    november = ObservationFilter(*day_range(date(2026, 11, 2), date(2026, 11, 29)))
    aggregated = tmp_path / "lägesbild.pdf"
    write_lagesbild_report(db, november, aggregated, today=TODAY, store=store)
    text = body_text(check_pdf(aggregated, tmp_path))
    walks_part = text[text.index("Trygghetsvandringar i perioden"):]
    for words in ("Kvällsvandring Östra Köping", "Totalt 17", "Punkt 3 · Bristande belysning",
                  "Byt armaturer i gångtunneln", "Köpingebostäder AB", "FÖRSENAD"):
        assert words in walks_part, words
    # Aggregated: no free text, no photos (they may show or name people).
    for words in ("Trasig lampa vid gångtunneln", "Tre av fyra armaturer är släckta.",
                  "Byt armaturerna och beskär häcken.", "Nästa vandring i mars."):
        assert words not in text, words
    maps_and_route = image_count(aggregated)

    internal = tmp_path / "intern.pdf"
    write_lagesbild_report(db, november, internal, annex=True, today=TODAY, store=store)
    text = body_text(check_pdf(internal, tmp_path, INTERNAL))
    assert "Tre av fyra armaturer är släckta." in text
    assert "Nästa vandring i mars." in text
    assert image_count(internal) == maps_and_route + 2  # and the two photos

    arboga = ObservationFilter(*day_range(date(2026, 11, 2), date(2026, 11, 29)),
                               area_ids=lookups.resolve_areas(db, ["Arboga"]))
    elsewhere = tmp_path / "arboga.pdf"
    write_lagesbild_report(db, arboga, elsewhere, today=TODAY, store=store)
    text = body_text(check_pdf(elsewhere, tmp_path))
    assert "Inga trygghetsvandringar under perioden." in text
    assert "Kvällsvandring Östra Köping" not in text


def test_without_free_text_keeps_places_ratings_and_measures(db, walk, store):
    from lagesbild_desktop.services.walk_protocol import without_free_text

    full = walk_protocol(db, walk, store=store, today=TODAY)
    shown = without_free_text(full)
    assert shown.free_text_withheld
    assert not full.free_text_withheld
    assert shown.notes == ""
    assert shown.photo_count == 0 < full.photo_count
    assert all(f.title == f.description == f.proposed_measure == "" for f in shown.findings)
    assert [(f.stop_number, f.category, f.place_name, f.ratings) for f in shown.findings] == [
        (f.stop_number, f.category, f.place_name, f.ratings) for f in full.findings]
    assert shown.measures == full.measures
