"""Every visible string of the window has its Swedish translation."""

import re
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


PLACEHOLDER = re.compile(r"%L?\d+|%n|\{[a-z_0-9]*\}")


def test_every_translation_keeps_the_placeholders_of_its_source():
    """A translation that drops or renames {file} or %1 shows the raw marker or fails."""
    wrong = []
    for context in ET.parse(i18n.TS).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            translation = message.find("translation")
            if translation is None or translation.get("type") == "unfinished":
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] \
                if message.get("numerus") == "yes" else [translation.text or ""]
            wanted = set(PLACEHOLDER.findall(source))
            if message.get("numerus") == "yes":
                wanted.discard("%n")  # Swedish singular may say "en" instead of %n
            for form in forms:
                if not wanted <= set(PLACEHOLDER.findall(form)):
                    wrong.append((name, source, form))
    assert wrong == []


def test_the_pseudo_language_is_built_from_the_sources(tmp_path):
    """What the clipping test loads: every message stretched, placeholders intact."""
    qm = i18n.pseudo_release(tmp_path / "pseudo.qm")
    assert qm.stat().st_size > 10_000
    stretched = i18n.pseudo(i18n.TS, tmp_path / "pseudo.ts")
    for message in ET.parse(stretched).getroot().iter("message"):
        source = message.findtext("source", "")
        texts = [f.text or "" for f in message.find("translation").iter("numerusform")] \
            or [message.findtext("translation", "")]
        for text in texts:
            if source.strip():
                assert text.startswith("["), (source, text)
                assert len(text) >= len(source.split("\t")[0]) * 1.3, (source, text)
                assert set(PLACEHOLDER.findall(source)) <= set(PLACEHOLDER.findall(text))


def test_no_plural_through_translate_which_lupdate_cannot_read():
    """lupdate skips QCoreApplication.translate(context, "… %n …", "", n): such a text
    would never reach the .ts and show in English; plurals go through self.tr()."""
    import re

    pattern = re.compile(r"translate\(\s*\"[^\"]*\",\s*\"[^\"]*%n", re.S)
    offenders = [str(p.relative_to(ROOT)) for p in sorted(i18n.SOURCES.rglob("*.py"))
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
