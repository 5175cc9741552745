"""Translations the Qt way: update the .ts from the sources, fill it, build the .qm.

    python build/i18n.py update          # pyside6-lupdate over lagesbild_desktop/ui
    python build/i18n.py fill FILE.tsv   # lines: context<TAB>English<TAB>Swedish
                                         # (plurals, %n: "en ändring|%n ändringar")
    python build/i18n.py release         # pyside6-lrelease -> resources/i18n/*.qm
    python build/i18n.py check           # exit 1 if a string has no Swedish yet
    python build/i18n.py pseudo OUT.qm   # a stretched, accented pseudo-language for
                                         # finding clipped labels ("[Ŝåvé ~~~~]")
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "lagesbild_sv.ts"
SOURCES = ROOT / "lagesbild_desktop" / "ui"


def tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else name


def update() -> None:
    sources = sorted(str(p) for p in SOURCES.rglob("*.py"))
    subprocess.run([tool("pyside6-lupdate"), *sources, "-ts", str(TS), "-locations", "none",
                    "-no-obsolete", "-source-language", "en", "-target-language", "sv_SE"],
                   check=True)


def unfinished(tree: ET.ElementTree) -> list[tuple[str, str]]:
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            texts = [translation.text or ""] if translation is not None else [""]
            if translation is not None and message.get("numerus") == "yes":
                texts = [form.text or "" for form in translation.iter("numerusform")] or [""]
            if translation is None or translation.get("type") == "unfinished" \
                    or not all(text.strip() for text in texts):
                missing.append((name, message.findtext("source", "")))
    return missing


def fill(tsv: Path) -> int:
    wanted: dict[tuple[str, str], str] = {}
    for line in tsv.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            context, source, swedish = line.split("\t")
            wanted[(context, source.replace("\\n", "\n"))] = swedish.replace("\\n", "\n")
    tree = ET.parse(TS)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            key = (name, message.findtext("source", ""))
            if key in wanted:
                translation = message.find("translation")
                if translation is None:
                    translation = ET.SubElement(message, "translation")
                if message.get("numerus") == "yes":  # Swedish: singular|plural
                    for form in list(translation):
                        translation.remove(form)
                    for text in wanted[key].split("|"):
                        ET.SubElement(translation, "numerusform").text = text
                else:
                    translation.text = wanted[key]
                translation.attrib.pop("type", None)
                filled += 1
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    return filled


def release() -> None:
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))],
                   check=True, capture_output=True)


ACCENTS = str.maketrans("AaCcEeIiNnOoSsUuYyZz", "ÅåÇçÉéÎîÑñÖöŜŝÛûÝýŽž")
# What must pass through unchanged: placeholders (%1, %n, %L1, {name}), mnemonics'
# escapes, HTML tags and entities.
KEEP = re.compile(r"%L?\d+|%n|\{[^{}]*\}|<[^<>]*>|&[a-zA-Z]+;|&&")
STRETCH = 0.4


def pseudo_text(text: str) -> str:
    """`text` accented and about 40 % longer, in brackets: "Save" -> "[Ŝåvé ~~]".

    Placeholders, tags and entities are kept so the program can still fill them in; a
    text with a tab (a menu entry's shortcut) is stretched before the tab only.
    """
    if not text.strip():
        return text
    head, tab, tail = text.partition("\t")
    pieces, last = [], 0
    for match in KEEP.finditer(head):
        pieces.append(head[last:match.start()].translate(ACCENTS))
        pieces.append(match.group())
        last = match.end()
    pieces.append(head[last:].translate(ACCENTS))
    padding = "~" * max(1, round(len(head) * STRETCH) - 2)
    return f"[{''.join(pieces)} {padding}]" + tab + tail


def pseudo(source: Path, ts_out: Path) -> Path:
    """A copy of the .ts whose every translation is the pseudo text of its source."""
    tree = ET.parse(source)
    root = tree.getroot()
    root.set("language", "sv_SE")
    for message in root.iter("message"):
        text = message.findtext("source", "")
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        translation.attrib.pop("type", None)
        for form in list(translation):
            translation.remove(form)
        if message.get("numerus") == "yes":
            translation.text = None
            for _ in range(2):
                ET.SubElement(translation, "numerusform").text = pseudo_text(text)
        else:
            translation.text = pseudo_text(text)
    tree.write(ts_out, encoding="utf-8", xml_declaration=True)
    return ts_out


def pseudo_release(qm_out: Path, sources: list[Path] | None = None) -> Path:
    """The pseudo-language as a .qm: the .ts brought up to date with the sources first
    (into a copy; the real .ts is not touched), then stretched and released."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "current.ts"
        shutil.copyfile(TS, copy)
        files = sorted(str(p) for p in (sources or list(SOURCES.rglob("*.py"))))
        subprocess.run([tool("pyside6-lupdate"), *files, "-ts", str(copy), "-locations",
                        "none", "-no-obsolete"], check=True, capture_output=True)
        stretched = pseudo(copy, Path(folder) / "pseudo.ts")
        subprocess.run([tool("pyside6-lrelease"), str(stretched), "-qm", str(qm_out)],
                       check=True, capture_output=True)
    return qm_out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "release"
    if command == "update":
        update()
    elif command == "fill":
        for path in argv[1:]:
            print(f"{path}: {fill(Path(path))} translations")
    elif command == "release":
        release()
    elif command == "pseudo":
        out = Path(argv[1]) if len(argv) > 1 else TS.with_name("lagesbild_pseudo.qm")
        print(pseudo_release(out))
    elif command == "check":
        missing = unfinished(ET.parse(TS))
        for context, source in missing:
            print(f"untranslated: {context}: {source!r}")
        return 1 if missing else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
