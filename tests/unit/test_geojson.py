"""domain.geojson: users' JSON read with a message for every kind of damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild_desktop.domain import geojson
from lagesbild_desktop.domain.geo import load_area_collection


def test_ordinary_geojson_is_read() -> None:
    data = geojson.parse('{"type": "Point", "coordinates": [15.99, 59.51]}')
    assert data == {"type": "Point", "coordinates": [15.99, 59.51]}


def test_nesting_100000_deep_is_a_message_not_a_recursion_error() -> None:
    text = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(geojson.GeoJsonError) as refused:
        geojson.parse(text, "djup.geojson")
    assert refused.value.reason == "too_deep"
    assert refused.value.message_sv.startswith("djup.geojson går inte att läsa: listor")
    assert "nested too deeply" in str(refused.value)


def test_a_5000_digit_number_is_refused_with_its_place() -> None:
    text = '{"type": "Point",\n "coordinates": [' + "9" * 5000 + ", 59.5]}"
    with pytest.raises(geojson.GeoJsonError) as refused:
        geojson.parse(text, "lang.geojson")
    assert refused.value.reason == "long_number"
    assert "rad 2, tecken 18" in refused.value.message_sv
    assert "5000 tecken" in refused.value.message_sv
    assert len(refused.value.message_sv) < 300  # the number itself is not repeated
    fraction = '{"c": 0.' + "1" * 5000 + "}"
    with pytest.raises(geojson.GeoJsonError, match="5002 characters"):
        geojson.parse(fraction)


@pytest.mark.parametrize(("text", "reason"), [
    ('{"c": NaN}', "not_a_number"), ('{"c": -Infinity}', "not_a_number"),
    ('{"c": 1e400}', "infinite_number"), ('{"c": [1, 2', "not_json"),
])
def test_what_json_has_no_number_for(text: str, reason: str) -> None:
    with pytest.raises(geojson.GeoJsonError) as refused:
        geojson.parse(text)
    assert refused.value.reason == reason
    assert refused.value.message_sv


def test_an_area_file_nested_deep_is_refused_as_unusable(tmp_path: Path) -> None:
    path = tmp_path / "omraden.geojson"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ValueError, match="nested too deeply") as refused:
        load_area_collection(path)
    assert isinstance(refused.value, geojson.GeoJsonError)
    assert "omraden.geojson" in refused.value.message_sv
