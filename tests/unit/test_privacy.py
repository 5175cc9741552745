"""The privacy guard against a corpus: identity numbers, phone numbers, e-mail, plates."""

from __future__ import annotations

import calendar
import itertools
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild_desktop.domain.privacy import (
    EMAIL,
    KIND_SV,
    KINDS,
    LICENCE_PLATE,
    MASK_SV,
    PERSONNUMMER,
    PHONE,
    SAMORDNINGSNUMMER,
    Finding,
    mask,
    mask_all,
    scan,
)


def check_digit(nine: str) -> str:
    """Luhn, written out as Skatteverket describes it: weights 2,1,2,…, digits of the
    products summed, the check digit brings the sum up to a multiple of ten."""
    weights = [2, 1, 2, 1, 2, 1, 2, 1, 2]
    total = sum(sum(int(d) for d in str(int(c) * w)) for c, w in zip(nine, weights, strict=True))
    return str((10 - total % 10) % 10)


def make_number(day: date, serial: int = 123, coordination: bool = False) -> str:
    """A valid 12-digit number YYYYMMDDNNNN for someone born on `day`."""
    dd = day.day + (60 if coordination else 0)
    nine = f"{day:%y%m}{dd:02d}{serial:03d}"
    return f"{day:%Y}"[:2] + nine + check_digit(nine)


def wrong_check(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


# -- identity numbers ------------------------------------------------------------------------

RNG = random.Random(20261126)
BIRTHDAYS = [date(1930, 1, 1) + timedelta(days=RNG.randrange(0, 34_000)) for _ in range(200)]
VALID = [make_number(day, RNG.randrange(1000)) for day in BIRTHDAYS]


def spellings(twelve: str) -> list[str]:
    """The ways people write one number (the 10-digit forms with "-" for under 100)."""
    ten = twelve[2:]
    return [twelve, f"{twelve[:8]}-{twelve[8:]}", f"{twelve[:8]} {twelve[8:]}",
            ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}\u2013{ten[6:]}", f"{ten[:6]} - {ten[6:]}"]


def test_the_check_digit_helper_agrees_with_skatteverkets_test_number() -> None:
    assert check_digit("121212121") == "2"
    assert make_number(date(1912, 12, 12), 121) == "191212121212"


@pytest.mark.parametrize("text", ["19121212-1212", "191212121212", "121212-1212",
                                  "1212121212", "121212+1212"])
def test_skatteverkets_test_number_in_every_spelling(text: str) -> None:
    assert kinds(f"Anmälare {text}.") == [(PERSONNUMMER, text)]


@pytest.mark.parametrize("number", VALID)
def test_generated_numbers_are_found_in_every_spelling(number: str) -> None:
    for written in spellings(number):
        if written[-5] == " " and int(written[-4:-2]) < 24 and int(written[-2:]) < 60:
            continue  # read as a date and a clock time; see the test below
        found = scan(f"Pnr: {written}, se ovan")
        assert [(f.kind, f.text, f.start) for f in found] == [(PERSONNUMMER, written, 5)]


@pytest.mark.parametrize("number", VALID[:60])
def test_a_wrong_check_digit_is_not_a_number(number: str) -> None:
    for written in spellings(wrong_check(number)):
        assert [f for f in scan(written) if f.kind == PERSONNUMMER] == []


@pytest.mark.parametrize("day", BIRTHDAYS[:60])
def test_samordningsnummer_have_the_day_plus_sixty(day: date) -> None:
    number = make_number(day, 457, coordination=True)
    for written in (number, f"{number[2:8]}-{number[8:]}", f"{number[:8]}-{number[8:]}"):
        assert kinds(written) == [(SAMORDNINGSNUMMER, written)]
    assert scan(wrong_check(number)) == []


def test_the_plus_sign_marks_someone_a_hundred_or_older() -> None:
    number = make_number(date(1921, 3, 4), 234)
    assert kinds(f"född {number[2:8]}+{number[8:]}") == [(PERSONNUMMER,
                                                          f"{number[2:8]}+{number[8:]}")]
    # the plus sign belongs to the 10-digit form only
    assert scan(f"{number[:8]}+{number[8:]}") == []


def nine_digits_with_check(yymmdd: str, serial: str = "123") -> str:
    nine = yymmdd + serial
    return nine + check_digit(nine)


@pytest.mark.parametrize("yymmdd", ["990230", "990229", "010229", "991301", "990001",
                                    "990431", "990100", "999200"])
def test_impossible_dates_are_not_numbers(yymmdd: str) -> None:
    ten = nine_digits_with_check(yymmdd)
    assert scan(f"{ten[:6]}-{ten[6:]}") == []
    assert scan(f"19{ten}") == []


def test_leap_days_are_real_dates() -> None:
    for year in (1996, 2000, 2024):
        assert calendar.isleap(year)
        ten = nine_digits_with_check(f"{year % 100:02d}0229")
        assert kinds(f"{ten[:6]}-{ten[6:]}")[0][0] == PERSONNUMMER
    ten = nine_digits_with_check("230229")
    assert scan(f"{ten[:6]}-{ten[6:]}") == []
    assert scan(f"20{ten}") == []
    # 19000229 does not exist, 20000229 does: with "+" the year 1900 is meant
    ten = nine_digits_with_check("000229")
    assert scan(f"19{ten}") == []
    assert kinds(f"20{ten}")[0][0] == PERSONNUMMER
    assert scan(f"{ten[:6]}+{ten[6:]}") == []


@pytest.mark.parametrize("text", [
    "0198112189876", "1981121898761", "19811218-98761", "119811218-9876",
    "ärende 12.8112189876", "8112189876.5", "A8112189876", "8112189876kr",
    "811218-9876-2",
])
def test_numbers_inside_longer_runs_are_not_found(text: str) -> None:
    assert luhn_ok_10("8112189876")
    assert [f for f in scan(text) if f.kind == PERSONNUMMER] == []


def luhn_ok_10(ten: str) -> bool:
    return check_digit(ten[:9]) == ten[9]


def test_several_numbers_are_all_found_with_exact_positions() -> None:
    a, b, c = VALID[:3]
    text = f"{a[:8]}-{a[8:]} (mor), {b[2:8]}-{b[8:]}; {c}!\nOch igen: {a[:8]}-{a[8:]}."
    found = scan(text)
    assert [f.text for f in found] == [f"{a[:8]}-{a[8:]}", f"{b[2:8]}-{b[8:]}", c,
                                       f"{a[:8]}-{a[8:]}"]
    for f in found:
        assert text[f.start:f.end] == f.text
    assert found[0].start == 0
    assert found[-1].start == text.rindex(a[:8])


def test_organisation_numbers_are_not_personal() -> None:
    # Their third digit is 2 or more: never a month, so never a date of birth.
    for nine in ("212000201", "202100305", "556677889", "802002481"):
        number = nine + check_digit(nine)
        assert scan(f"Org.nr {number[:6]}-{number[6:]}, {number}") == []


def test_a_date_and_a_clock_time_written_like_a_number_are_not_found() -> None:
    # 202611201430: the check digit would fit with a dash or no separator at all.
    stamp = "2611201" + "43"
    fitting = stamp + check_digit(stamp)
    assert kinds(f"20{fitting[:6]}-{fitting[6:]}")[0][0] == PERSONNUMMER
    assert scan(f"Larmet kom 20{fitting[:6]} {fitting[6:]} till vakten") == []
    assert scan(f"{fitting[:6]} {fitting[6:]}") == []


# -- phone numbers ---------------------------------------------------------------------------

PHONES = [
    "070-123 45 67", "0701234567", "070-1234567", "070 123 45 67", "070 - 123 45 67",
    "073-987 65 43", "076-123 45 67", "079-123 45 67", "072-123 45 67",
    "+46 70 123 45 67", "+46701234567", "+46 (0)70-123 45 67", "+46-70-123 45 67",
    "0046 70 123 45 67", "0046701234567", "+46 8 123 456 78",
    "08-123 456 78", "08-123 45 67", "08 123 45 67", "081234567", "08-1234567",
    "021-12 34 56", "021-123 45", "0221-123 45", "0221-12 34 56", "031-123 45 67",
    "040-12 34 56", "0150-123 45", "090-12 34 56", "021–12 34 56", "(08) 123 45 67",
    "(021) 12 34 56", "(0150) 123 45",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_in_every_format(phone: str) -> None:
    text = f"Ring {phone}, eller skriv."
    assert kinds(text) == [(PHONE, phone)]
    assert scan(text)[0].start == 5


def test_a_number_ends_where_its_groups_end() -> None:
    assert kinds("ring 070-123 45 67 2 gånger") == [(PHONE, "070-123 45 67")]
    assert kinds("070-123 45 67 och 08-123 45 67") == [(PHONE, "070-123 45 67"),
                                                      (PHONE, "08-123 45 67")]
    assert kinds("tel:0701234567") == [(PHONE, "0701234567")]


@pytest.mark.parametrize("text", [
    "112", "ring 112 direkt", "114 14", "11414", "1177", "113 13", "90000",
    "0771-14 14 00", "020-123 456", "0200-12 34 56",  # service numbers, not people's
    "070-123 45 6", "07012345678", "070-12345678", "0701234567890", "070123456",
    "08-12 1430", "08-16", "kl 08-12 och 13-17", "08/12 2026", "07-12 2026",
    "01-02 2026", "0012345678", "0,5 liter", "070-123 45 67-12-31",
    "(0221)-123 45", "kl. (08) 12", "08) 123 45 67",
    "öppet 0800-1600", "kl. 0800–1700", "0930-1200", "0900 - 1730",
])
def test_what_is_not_a_phone_number(text: str) -> None:
    assert [f for f in scan(text) if f.kind == PHONE] == []


# -- e-mail ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "address"), [
    ("skriv till anna.andersson@kungsor.se.", "anna.andersson@kungsor.se"),
    ("(kontakt: a@b.se)", "a@b.se"),
    ("per-olof+tips@polisen.se, tack", "per-olof+tips@polisen.se"),
    ("åsa.öberg@arboga.se", "åsa.öberg@arboga.se"),
    ("info@räksmörgås.se?", "info@räksmörgås.se"),
    ("mailto:X_Y@sub.example.com;", "X_Y@sub.example.com"),
    ("<nils@köping.se>", "nils@köping.se"),
])
def test_email_addresses_without_trailing_punctuation(text: str, address: str) -> None:
    found = scan(text)
    assert [(f.kind, f.text) for f in found] == [(EMAIL, address)]
    assert text[found[0].start:found[0].end] == address


@pytest.mark.parametrize("text", ["@polisen", "a@b", "anna@", "x @ y.se", "a@b.c",
                                  "foo@-bar.se", "a@b..se", "pris 5 st @ 20 kr"])
def test_what_is_not_an_email_address(text: str) -> None:
    assert [f for f in scan(text) if f.kind == EMAIL] == []


def test_an_email_with_digits_is_one_email_not_a_number() -> None:
    number = VALID[0]
    text = f"{number}@exempel.se"
    assert kinds(text) == [(EMAIL, text)]


# -- licence plates --------------------------------------------------------------------------

@pytest.mark.parametrize("plate", ["ABC 123", "ABC123", "ABC 12A", "XYZ12B", "MLB-456",
                                   "WWW 999", "ABC\u00a0123"])
def test_licence_plates(plate: str) -> None:
    assert kinds(f"En bil med {plate} stod kvar.") == [(LICENCE_PLATE, plate)]


@pytest.mark.parametrize("text", [
    "abc 123", "Rum 123", "Bus 123", "ABI 123", "AQB 123", "AVB 123", "ÅBC 123",
    "ABC 12O", "ABCD 123", "AB 123", "ABC 1234", "ABC 12", "XABC 123", "ABC 123X",
    "ABC 12AB", "E18", "Vån 3", "ABC 123:45", "SOU 2026",
])
def test_what_is_not_a_licence_plate(text: str) -> None:
    assert [f for f in scan(text) if f.kind == LICENCE_PLATE] == []


# -- ordinary text -------------------------------------------------------------------------------

ORDINARY = [
    "2026-11-20", "2026-11-20 14:30", "20 november 2026 kl. 14.30", "20/11 kl 23:15",
    "20261120", "261120", "v. 48", "2026-V48", "K-123456-26", "5000-K123456-26",
    "Ärendenummer 5000-K1234567-26", "722 11 Västerås", "73230 Arboga", "59.5139, 15.9935",
    "59,5139 15,9935", "N 6600000 E 1500000", "6600000 1500000", "6599000, 552000",
    "12 500 kr", "1 250 000 kronor", "kostnad 12500:-", "order 4711-2026", "Busslinje 550",
    "Hus 12B, lgh 1102", "E18 avfart 134", "kl 08-12", "mellan 08-16 och 17-22",
    "3,5 m", "0,5 liter", "20261120 1430", "19990230-1234", "2026-11-20T14:30:00+01:00",
    "Storgatan 12, 731 30 Köping", "Mot 112, 114 14 och 1177", "Version 1.2.3",
    "Fastighet Kungsör 3:125", "IMG_20261120_143012.jpg", "PXL_20261120_143012345.jpg",
    "IMG_1234.JPG", "20261120_143012.jpg",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert scan(text) == []


# -- masking ---------------------------------------------------------------------------------

def test_masking_keeps_the_rest_exactly() -> None:
    text = ("Personen med 19121212-1212 ringde från 070-123 45 67\n"
            "och mejlade anna@kungsor.se om bilen ABC 123 – se ovan.")
    assert mask_all(text) == ("Personen med [personnummer] ringde från [telefonnummer]\n"
                              "och mejlade [e-postadress] om bilen [registreringsnummer] "
                              "– se ovan.")


def test_masking_only_what_was_chosen() -> None:
    text = "19121212-1212 och ABC 123"
    found = scan(text)
    assert mask(text, found[1:]) == "19121212-1212 och [registreringsnummer]"
    assert mask(text, []) == text


def test_a_finding_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        mask("ABC 123", [Finding(LICENCE_PLATE, 1, 8, "BC 123 ")])
    with pytest.raises(ValueError, match="does not fit"):
        mask("ABC 123", [Finding(LICENCE_PLATE, 0, 7, "ABC 123")] * 2)


def test_every_kind_has_a_swedish_label_and_mask() -> None:
    assert set(KIND_SV) == set(MASK_SV) == set(KINDS)
    assert all(scan(label) == [] for label in MASK_SV.values())


# -- properties ----------------------------------------------------------------------------------

PIECES = st.sampled_from([
    *VALID[:20], *(f"{n[2:8]}-{n[8:]}" for n in VALID[20:40]), *PHONES,
    "anna@kungsor.se", "ABC 123", "ABC 12A", *ORDINARY, " ", ", ", ".", "\n", "-", "+",
    "0", "46", "(", ")", "@",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=12))
def test_masking_then_scanning_finds_nothing(parts: list[str]) -> None:
    text = "".join(parts)
    found = scan(text)
    for f in found:
        assert text[f.start:f.end] == f.text
        assert f.kind in KINDS
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert scan(mask(text, found)) == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scan_never_raises_on_any_text(text: str) -> None:
    found = scan(text)
    assert found == sorted(found, key=lambda f: f.start)


def test_a_long_text_is_scanned_quickly() -> None:
    import time

    text = ("a" * 5000 + "@") * 4 + "070-123 45 67 " * 500 + "1" * 20_000 + "ABC" * 5000
    started = time.perf_counter()
    scan(text)
    assert time.perf_counter() - started < 2
