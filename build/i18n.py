"""Translations the Qt way: update the .ts from the sources, fill it, build the .qm.

    python build/i18n.py update          # pyside6-lupdate over lagesbild_desktop/ui
    python build/i18n.py fill FILE.tsv   # lines: context<TAB>English<TAB>Swedish
                                         # (plurals, %n: "en ändring|%n ändringar")
    python build/i18n.py release         # pyside6-lrelease -> resources/i18n/*.qm
    python build/i18n.py check           # exit 1 if a string has no Swedish yet
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "release"
    if command == "update":
        update()
    elif command == "fill":
        for path in argv[1:]:
            print(f"{path}: {fill(Path(path))} translations")
    elif command == "release":
        release()
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
