"""The catalogue of DOMAIN.md is complete and consistent."""

import re

from lagesbild_desktop.domain import catalogue as c


def test_category_codes_are_unique_and_parents_exist():
    codes = [cat.code for cat in c.CATEGORIES]
    assert len(codes) == len(set(codes))
    for cat in c.CATEGORIES:
        assert cat.parent is None or c.CATEGORY_BY_CODE[cat.parent].parent is None


def test_every_category_of_the_domain_is_there():
    swedish = {cat.sv for cat in c.CATEGORIES}
    for label in ["Skadegörelse", "Klotter", "Glaskross", "Anlagd brand",
                  "Nedskräpning/dumpning", "Otrygg plats", "Bristande belysning",
                  "Skymd sikt/vegetation", "Ödslig plats", "Otrygghetsskapande samling",
                  "Ordningsstörning/våld", "Misstänkt narkotikahantering", "Inbrott/stöld",
                  "Trafik", "Buskörning", "A-traktor/EPA", "Olovlig sovplats",
                  "Hot mot personal", "Arrangemang", "Ryktesspridning/sociala medier",
                  "Positiv iakttagelse", "Övrigt"]:
        assert label in swedish


def test_labels_and_colours():
    for cat in c.CATEGORIES:
        assert cat.sv
        assert cat.en
        assert re.fullmatch(r"#[0-9a-f]{6}", cat.colour)
    sub = c.CATEGORY_BY_CODE["graffiti"]
    assert sub.colour == c.CATEGORY_BY_CODE["vandalism"].colour


def test_statuses_and_enums_in_both_languages():
    assert [s.sv for s in c.OBSERVATION_STATUSES] == [
        "Ny", "Under bedömning", "Åtgärd planerad", "Pågår", "Åtgärdad",
        "Avslutad utan åtgärd", "Överlämnad (ej vårt ansvar)", "Dubblett"]
    assert [s.sv for s in c.SEVERITIES] == ["Låg", "Medel", "Hög", "Akut"]
    assert [s.sv for s in c.MEASURE_STATUSES] == [
        "Föreslagen", "Beslutad", "Pågår", "Genomförd", "Uppföljd", "Avbruten"]
    assert len(c.ORGANISATION_KINDS) == 8
    assert len(c.WALK_RATINGS) == 9
    for labels in (c.OBSERVATION_STATUSES, c.MEASURE_TYPES, c.MEASURE_PRIORITIES,
                   c.MEASURE_EFFECTS, c.WALK_LIGHT, c.ROLES):
        assert all(label.sv and label.en for label in labels)
    assert c.label_for(c.SEVERITIES, "4", "en") == "Acute"


def test_measure_transitions():
    assert c.can_move_measure("proposed", "decided")
    assert c.can_move_measure("decided", "decided")
    assert not c.can_move_measure("proposed", "done")
    assert not c.can_move_measure("followed_up", "proposed")
    statuses = c.codes(c.MEASURE_STATUSES)
    assert set(c.MEASURE_TRANSITIONS) == statuses
    for targets in c.MEASURE_TRANSITIONS.values():
        assert targets <= statuses
