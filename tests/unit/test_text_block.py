"""TextBlock: plain lines wrapped by the font's widths, split between lines across pages."""

from reportlab.pdfbase.pdfmetrics import stringWidth

from lagesbild_desktop.reports.lagesbild_report import BOLD, FONT, register_fonts
from lagesbild_desktop.reports.text_block import Run, TextBlock, wrap_runs

register_fonts()


def run(text: str, font: str = FONT, indent: float = 0.0) -> Run:
    return Run(text, font, 8, "#000000", 10, indent)


def test_words_wrap_within_the_width_and_nothing_is_lost():
    text = "Mörk gångväg längs ån, ödslig och utan insyn från husen. " * 20
    lines = wrap_runs([run(text, indent=8)], 200)
    assert len(lines) > 5
    assert all(stringWidth(line.text, FONT, 8) <= 192 for line in lines)
    assert " ".join(line.text for line in lines).split() == text.split()


def test_a_word_longer_than_a_line_is_cut_not_overflowing():
    lines = wrap_runs([run("x" * 10_000, BOLD)], 150)
    assert "".join(line.text for line in lines) == "x" * 10_000
    assert all(stringWidth(line.text, BOLD, 8) <= 150 for line in lines)


def test_split_between_lines_keeping_the_first_ones_together():
    block = TextBlock([run("rubrik"), run("fakta"), run("text " * 200)], keep=3)
    _, height = block.wrap(300, 10_000)
    assert height == 10 * len(wrap_runs(block._runs, 300))
    assert block.split(300, 25) == []  # two lines fit, three are kept together
    first, rest = block.split(300, 45)
    assert first.wrap(300, 45)[1] == 40
    assert rest.wrap(300, 10_000)[1] == height - 40
