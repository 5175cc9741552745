"""The lägesbild report's map against a demo database: the statistics' observations, no
duplicates, a legend per top-level category, flowables that build into a PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.db.models import Area, Category, Observation
from lagesbild_desktop.domain.catalogue import ObservationStatus
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.reports.lagesbild_report import _styles, register_fonts
from lagesbild_desktop.reports.map_figure import NO_BASEMAP, lagesbild_map, map_flowables
from lagesbild_desktop.services import demo
from lagesbild_desktop.services.lagesbild import compile_lagesbild, period_of

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("map-demo") / "demo.db"
    demo.build_demo(path, observations=2000, seed=5, today=TODAY)
    db = open_database(path)
    yield db
    db.close()


def duplicates_in_period(db, f: ObservationFilter) -> int:
    start, end = period_of(f, TODAY)
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Observation).where(
            Observation.status == ObservationStatus.DUPLICATE,
            Observation.occurred_from >= start, Observation.occurred_from < end,
            Observation.deleted_at.is_(None))) or 0


# The demo marks duplicates months after the fact: a long period holds some.
YEAR = ObservationFilter(period_from=datetime(2025, 12, 1, tzinfo=LOCAL),
                         period_to=datetime(2026, 11, 23, tzinfo=LOCAL))


@pytest.mark.parametrize("f", [YEAR, ObservationFilter()], ids=["year", "default-period"])
def test_the_map_shows_what_the_statistics_count(demo_db, f):
    static, legend = lagesbild_map(demo_db, f, today=TODAY, width=800, height=550)
    statistics = compile_lagesbild(demo_db, f, today=TODAY).statistics
    total = statistics.total.current
    if f is YEAR:
        assert duplicates_in_period(demo_db, f) > 0  # so leaving them out is tested
    assert total > 0
    assert sum(n for _, _, n in legend) == total
    assert static.points_drawn == total  # fitted to the points: none cut off
    assert [(label, n) for label, _, n in legend] == sorted(
        ((r.label, r.current) for r in statistics.categories if r.current),
        key=lambda e: (-e[1], e[0]))
    counts = [n for _, _, n in legend]
    assert counts == sorted(counts, reverse=True)
    assert static.image.size == (800, 550)
    assert static.attribution == ""


def test_legend_colours_are_the_top_level_categories(demo_db):
    _, legend = lagesbild_map(demo_db, ObservationFilter(), today=TODAY, width=400,
                              height=300)
    with demo_db.session() as session:
        top = {label: colour for label, colour in session.execute(
            select(Category.label_sv, Category.colour).where(Category.parent_code.is_(None)))}
    assert legend
    for label, colour, _ in legend:
        assert top[label] == colour


def test_one_category_gives_one_legend_entry(demo_db):
    f = ObservationFilter(categories=frozenset({"vandalism"}))
    static, legend = lagesbild_map(demo_db, f, today=TODAY, width=400, height=300)
    assert len(legend) == 1
    label, colour, count = legend[0]
    assert (label, colour) == ("Skadegörelse", "#d62728")
    assert count == compile_lagesbild(demo_db, f, today=TODAY).statistics.total.current
    assert static.points_drawn == count


def test_asking_for_duplicates_by_status_shows_them(demo_db):
    f = replace(YEAR, statuses=frozenset({ObservationStatus.DUPLICATE}))
    _, legend = lagesbild_map(demo_db, f, today=TODAY, width=400, height=300)
    assert sum(n for _, _, n in legend) == duplicates_in_period(demo_db, f) > 0


def test_no_points_fits_the_filtered_municipality(demo_db):
    from shapely.geometry import shape

    with demo_db.session() as session:
        arboga, geometry = session.execute(
            select(Area.id, Area.geometry).where(Area.name == "Arboga")).one()
    f = ObservationFilter(area_ids=frozenset({arboga}), text="ingetsådantordfinns")
    static, legend = lagesbild_map(demo_db, f, today=TODAY, width=600, height=400)
    whole, _ = lagesbild_map(demo_db, replace(f, area_ids=frozenset()), today=TODAY,
                             width=600, height=400)
    assert legend == []
    assert static.points_drawn == 0
    west, south, east, north = shape(geometry).bounds
    shown_south, shown_west, shown_north, shown_east = static.bounds
    assert shown_west <= west
    assert east <= shown_east
    assert shown_south <= south
    assert north <= shown_north
    assert abs((shown_west + shown_east) / 2 - (west + east) / 2) < 0.01
    # Centred on Arboga, not on the whole region as without the area filter.
    assert abs((whole.bounds[1] + whole.bounds[3]) / 2 - (west + east) / 2) > 0.1


def test_a_bad_tiles_file_gives_a_plain_map(demo_db, tmp_path, caplog):
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not a database at all" * 100)
    static, _ = lagesbild_map(demo_db, ObservationFilter(), today=TODAY, width=400,
                              height=300, tiles_path=junk)
    assert static.attribution == ""
    assert any("not used" in r.getMessage() for r in caplog.records)


def test_flowables_build_into_a_pdf(demo_db, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    static, legend = lagesbild_map(demo_db, ObservationFilter(), today=TODAY)
    register_fonts()
    doc = SimpleDocTemplate(str(tmp_path / "map.pdf"), pagesize=A4)
    flowables = map_flowables(static, legend, doc.width, _styles())
    assert len(flowables) == 4  # image, spacer, legend, caption
    caption = flowables[-1].text
    assert f"Kartunderlag: {NO_BASEMAP}" in caption
    legend_text = " ".join(cell.text for row in flowables[2]._cellvalues for cell in row if cell)
    label, _, count = legend[0]
    assert f"{label} ({count})" in legend_text
    doc.build(flowables)
    size = (tmp_path / "map.pdf").stat().st_size
    assert 10_000 < size < 1_500_000


def test_an_attribution_is_credited_in_the_caption(demo_db):
    static, legend = lagesbild_map(demo_db, ObservationFilter(), today=TODAY, width=400,
                                   height=300)
    credited = replace(static, attribution="© Lantmäteriet")
    register_fonts()
    caption = map_flowables(credited, legend, 400, _styles())[-1].text
    assert "Kartunderlag: © Lantmäteriet" in caption
