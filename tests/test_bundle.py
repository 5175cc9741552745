"""The bundle's pieces that run without building it: frozen resources, the smoke check's eyes.

Building and starting the bundle itself is `make bundle && sh build/smoke-bundle.sh` (CI).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from lagesbild_desktop import config

ROOT = Path(__file__).resolve().parent.parent


def load_smoke():
    spec = importlib.util.spec_from_file_location(
        "smoke_bundle", ROOT / "build" / "smoke-bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_resources_come_from_the_bundle_when_frozen(monkeypatch, tmp_path):
    (tmp_path / "resources" / "web").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert config.resource("web", "lagesbild-map.js") == (
        tmp_path / "resources" / "web" / "lagesbild-map.js")


def test_resources_come_from_the_checkout_otherwise(monkeypatch):
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert config.resource("web", "lagesbild-map.js").is_file()


def window_png(path: Path, markers: bool) -> Path:
    """A window-sized picture: grey panels, a pale map with borders, maybe coloured rings."""
    image = Image.new("RGB", (1440, 900), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((365, 70, 1310, 560), fill=(232, 234, 238))
    draw.polygon([(600, 150), (800, 140), (850, 450), (560, 480)], fill=(250, 248, 244),
                 outline=(90, 106, 133))
    for x in range(0, 340, 20):  # the filter panel's category colours: not on the map
        draw.rectangle((x, 240, x + 10, 250), fill=(220, 40, 40))
    if markers:
        for x, y, colour in ((650, 240, (214, 39, 40)), (760, 300, (255, 127, 14)),
                             (700, 400, (148, 103, 189))):
            draw.ellipse((x - 16, y - 16, x + 16, y + 16), outline=colour, width=5)
    image.save(path)
    return path


def test_markers_on_the_map_are_seen(tmp_path):
    smoke = load_smoke()
    size, colours, strong = smoke.marker_pixels(window_png(tmp_path / "a.png", markers=True))
    assert size == smoke.WINDOW_SIZE
    assert strong >= 200


def test_a_map_without_markers_is_told_apart(tmp_path):
    smoke = load_smoke()
    _size, _colours, strong = smoke.marker_pixels(window_png(tmp_path / "b.png", markers=False))
    assert strong == 0


def test_not_a_png_fails(tmp_path):
    smoke = load_smoke()
    path = tmp_path / "shot.png"
    Image.new("RGB", (1440, 900)).save(path, format="JPEG")
    with pytest.raises(smoke.SmokeFailed, match="not a PNG"):
        smoke.marker_pixels(path)


def test_the_smoke_check_fails_without_a_bundle(tmp_path, capsys):
    smoke = load_smoke()
    assert smoke.main(["smoke-bundle.py", str(tmp_path / "nothing")]) == 1
    assert "no lagesbild executable" in capsys.readouterr().err


def test_the_size_goal_is_in_decimal_megabytes(tmp_path):
    smoke = load_smoke()
    smoke.check_size(499_999_999, max_mb=500)
    with pytest.raises(smoke.SmokeFailed, match=r"500\.0 MB = 476\.8 MiB, over the goal of 500 MB"):
        smoke.check_size(500 * 10**6, max_mb=500)
    # 491 MiB, the bundle before the ICU data was trimmed, is over 500 MB.
    with pytest.raises(smoke.SmokeFailed):
        smoke.check_size(491 * 2**20, max_mb=500)


def test_the_size_is_told_in_both_units(tmp_path):
    smoke = load_smoke()
    (tmp_path / "a").write_bytes(b"x" * 1_500_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 600_000)
    size = smoke.bundle_size(tmp_path)
    assert size == 2_100_000
    assert smoke.describe_size(size) == "2.1 MB = 2.0 MiB"
