"""Every visible string of the window has its Swedish translation."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
import i18n  # noqa: E402


def test_the_swedish_translation_covers_every_string_in_the_sources(tmp_path):
    copy = tmp_path / "sv.ts"
    shutil.copyfile(i18n.TS, copy)
    sources = sorted(str(p) for p in i18n.SOURCES.rglob("*.py"))
    subprocess.run([i18n.tool("pyside6-lupdate"), *sources, "-ts", str(copy),
                    "-locations", "none", "-no-obsolete"], check=True, capture_output=True)
    missing = i18n.unfinished(ET.parse(copy))
    assert missing == [], f"untranslated (run `make translations`): {missing[:10]}"
