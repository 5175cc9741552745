"""A believable demo database of lokalpolisområde Västra Mälardalen, built in one go.

Everything here is invented: the organisations marked "(demo)", every observation, walk
and measure. The places are real place names with approximate positions, the users are
functions (never people), and the texts describe places and situations, not persons.
The same seed and `today` give the same database.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from lagesbild_desktop.config import resource
from lagesbild_desktop.db import audit
from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.db.models import (
    Commitment,
    FocusArea,
    Measure,
    Observation,
    Walk,
    measure_observation,
)
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.periods import LOCAL, local_midnight
from lagesbild_desktop.services import areas, installation

PLACES = ("areas", "places_vastra_malardalen.json")
DAYS = 730  # two years of observations, ending at the start of `today`
CHUNK = 20_000  # observations per INSERT batch and per commit
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# --- Who takes part ---------------------------------------------------------------------

MUNICIPALITIES = {  # name in the area file -> (organisation, inhabitants, genitive)
    "Köping": ("Köpings kommun", 26_500, "Köpings"),
    "Hallstahammar": ("Hallstahammars kommun", 16_500, "Hallstahammars"),
    "Arboga": ("Arboga kommun", 14_300, "Arboga"),
    "Kungsör": ("Kungsörs kommun", 8_900, "Kungsörs"),
}
POLICE = "Polisen – lokalpolisområde Västra Mälardalen"
HOUSING = "Mälarbo Bostäder AB (demo)"
SECURITY = "Trygg Vakt Mälardalen (demo)"

# username, display name (a function, never a person), organisation, role
USERS: tuple[tuple[str, str, str, str], ...] = (
    ("kommunpolis.vm", "Kommunpolis, LPO Västra Mälardalen", POLICE, "police"),
    ("omradespolis.vm", "Områdespolis, LPO Västra Mälardalen", POLICE, "police"),
    ("samordnare.koping", "Säkerhetssamordnare, Köpings kommun", "Köpings kommun", "coordinator"),
    ("samordnare.hallstahammar", "Säkerhetssamordnare, Hallstahammars kommun",
     "Hallstahammars kommun", "coordinator"),
    ("samordnare.arboga", "Säkerhetssamordnare, Arboga kommun", "Arboga kommun", "coordinator"),
    ("samordnare.kungsor", "Säkerhetssamordnare, Kungsörs kommun", "Kungsörs kommun",
     "coordinator"),
    ("rapportor.malarbo", "Rapportör, Mälarbo Bostäder (demo)", HOUSING, "reporter"),
    ("rapportor.tryggvakt", "Rapportör, Trygg Vakt Mälardalen (demo)", SECURITY, "reporter"),
    ("lasare.koping", "Läsbehörighet, kommunledningen Köping", "Köpings kommun", "read_only"),
    ("admin.demo", "Administratör (demo)", "Köpings kommun", "admin"),
)
OWNER_KINDS = ("police", "municipality", "housing", "security")

# --- What happens, when ---------------------------------------------------------------------

# Reports by clock hour. Night-profile observations (disorder, gatherings, vandalism) peak
# 18-02; day-profile ones are found and reported during working hours (littering, lighting
# faults seen on a morning round, burglaries discovered in the morning).
NIGHT_HOURS = np.array([
    8.5, 6.5, 4.0, 2.2, 1.2, 0.8, 0.8, 1.0, 1.2, 1.3, 1.5, 1.7,       # 00-11
    2.0, 2.1, 2.4, 3.0, 4.0, 5.2, 7.0, 8.6, 10.2, 11.0, 10.8, 9.8,    # 12-23
])
DAY_HOURS = np.array([
    0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1.5, 3.5, 6.5, 8.0, 8.0, 7.0,
    6.0, 7.0, 7.0, 6.0, 4.5, 3.0, 2.0, 1.5, 1.2, 0.9, 0.6, 0.4,
])
# By the weekday of the evening (Monday 0): Friday and Saturday nights are the heavy ones.
NIGHT_WEEKDAYS = np.array([0.75, 0.75, 0.85, 0.95, 1.55, 1.7, 0.9])
DAY_WEEKDAYS = np.array([1.2, 1.1, 1.1, 1.05, 1.0, 0.55, 0.5])


@dataclass(frozen=True, slots=True)
class CategoryMix:
    weight: float  # share of all observations, relative
    night: float  # share that follows the night profile
    season: float  # amplitude of the yearly cycle (0 = none)
    peak_day: int  # day of the year the cycle peaks
    owners: tuple[float, float, float, float]  # police, municipality, housing, security
    places: dict[str, float]  # place type -> affinity (missing: 1)
    severity: tuple[float, float, float, float]
    police_report: tuple[float, float, float]  # yes, no, unknown
    span: tuple[float, float, float] = (0.1, 0.25, 2.0)  # share with an end time, hours


LOW = (0.60, 0.32, 0.07, 0.01)
MID = (0.35, 0.45, 0.17, 0.03)
HIGH = (0.15, 0.40, 0.35, 0.10)

MIX: dict[str, CategoryMix] = {
    "graffiti": CategoryMix(16, 0.65, 0.1, 200, (0.10, 0.40, 0.25, 0.25),
                            {"station": 3, "centre": 2, "school": 2, "park": 1.5, "street": 1.5,
                             "other": 0.7}, LOW, (0.25, 0.45, 0.30)),
    "broken_glass": CategoryMix(5, 0.75, 0.2, 190, (0.15, 0.35, 0.25, 0.25),
                                {"station": 2.5, "school": 2, "centre": 1.5, "shop": 1.5},
                                MID, (0.30, 0.40, 0.30)),
    "arson": CategoryMix(1.2, 0.9, 0.3, 120, (0.45, 0.25, 0.15, 0.15),
                         {"school": 2, "residential": 2, "park": 1.5, "shop": 0.5},
                         HIGH, (0.75, 0.05, 0.20)),
    "vandalism": CategoryMix(4, 0.8, 0.2, 200, (0.25, 0.30, 0.25, 0.20),
                             {"park": 2, "station": 2, "school": 1.5, "sports": 1.5}, MID,
                             (0.35, 0.35, 0.30)),
    "littering": CategoryMix(14, 0.4, 0.6, 195, (0.05, 0.60, 0.20, 0.15),
                             {"park": 3, "centre": 2, "shop": 1.5, "station": 1.5,
                              "residential": 1.5, "other": 1.5}, LOW, (0.02, 0.78, 0.20)),
    "poor_lighting": CategoryMix(6, 0.7, 0.9, 355, (0.10, 0.65, 0.15, 0.10),
                                 {"park": 3, "street": 3, "parking": 2, "station": 1.5,
                                  "residential": 1.5, "shop": 0.5}, LOW, (0.0, 0.9, 0.1)),
    "blocked_view": CategoryMix(3, 0.3, 0.5, 200, (0.10, 0.70, 0.15, 0.05),
                                {"park": 3, "street": 2, "residential": 1.5, "shop": 0.3},
                                LOW, (0.0, 0.9, 0.1)),
    "deserted_place": CategoryMix(2.5, 0.6, 0.4, 350, (0.20, 0.55, 0.10, 0.15),
                                  {"parking": 2.5, "park": 2, "other": 2, "station": 1.5,
                                   "shop": 0.5}, LOW, (0.0, 0.85, 0.15)),
    "unsafe_place": CategoryMix(2, 0.7, 0.2, 340, (0.25, 0.45, 0.15, 0.15),
                                {"station": 2, "park": 2, "parking": 1.5}, LOW, (0.05, 0.75, 0.20)),
    "gathering": CategoryMix(9, 0.9, 0.6, 190, (0.45, 0.25, 0.10, 0.20),
                             {"centre": 3, "station": 2.5, "school": 2, "park": 2, "shop": 1.5,
                              "residential": 0.7}, MID, (0.10, 0.50, 0.40), (0.5, 0.5, 3.0)),
    "disorder": CategoryMix(7, 0.9, 0.3, 190, (0.60, 0.10, 0.10, 0.20),
                            {"centre": 3, "station": 2, "shop": 1.5, "residential": 0.8},
                            HIGH, (0.45, 0.20, 0.35), (0.3, 0.2, 1.0)),
    "drugs": CategoryMix(4, 0.85, 0.1, 200, (0.75, 0.10, 0.05, 0.10),
                         {"park": 2.5, "station": 2, "centre": 1.5, "parking": 1.5},
                         HIGH, (0.30, 0.20, 0.50)),
    "burglary_theft": CategoryMix(6, 0.3, 0.45, 340, (0.45, 0.10, 0.30, 0.15),
                                  {"residential": 3, "shop": 2.5, "parking": 2, "school": 1.5,
                                   "park": 0.3}, MID, (0.75, 0.05, 0.20), (0.7, 2.0, 12.0)),
    "reckless_driving": CategoryMix(4, 0.85, 0.7, 185, (0.70, 0.25, 0.0, 0.05),
                                    {"parking": 3, "street": 2.5, "shop": 2, "centre": 1.5,
                                     "school": 0.5}, MID, (0.25, 0.35, 0.40), (0.4, 0.5, 2.0)),
    "epa_tractor": CategoryMix(3.5, 0.9, 0.5, 170, (0.65, 0.30, 0.0, 0.05),
                               {"centre": 2.5, "parking": 3, "street": 2, "shop": 2,
                                "park": 0.3}, MID, (0.20, 0.40, 0.40), (0.4, 0.5, 2.0)),
    "rough_sleeping": CategoryMix(1.2, 0.7, 0.5, 15, (0.20, 0.30, 0.30, 0.20),
                                  {"station": 3, "park": 2, "residential": 1.5, "school": 0.3},
                                  LOW, (0.02, 0.70, 0.28)),
    "threat_staff": CategoryMix(0.6, 0.4, 0.0, 1, (0.35, 0.35, 0.10, 0.20),
                                {"shop": 3, "station": 2, "school": 2, "park": 0.3},
                                HIGH, (0.65, 0.15, 0.20)),
    "event": CategoryMix(1.2, 0.6, 0.8, 180, (0.55, 0.40, 0.0, 0.05),
                         {"sports": 3, "centre": 3, "park": 2, "other": 2, "school": 0.3,
                          "residential": 0.1}, LOW, (0.0, 0.9, 0.1), (0.9, 2.0, 5.0)),
    "rumours": CategoryMix(1.3, 0.5, 0.0, 1, (0.55, 0.40, 0.05, 0.0),
                           {"school": 3, "centre": 2}, LOW, (0.05, 0.60, 0.35)),
    "positive": CategoryMix(1.5, 0.4, 0.3, 170, (0.25, 0.55, 0.10, 0.10),
                            {"park": 2, "centre": 2, "station": 1.5}, (1, 0, 0, 0),
                            (0.0, 1.0, 0.0)),
    "other": CategoryMix(2.5, 0.5, 0.0, 1, (0.25, 0.40, 0.20, 0.15), {}, LOW,
                         (0.10, 0.60, 0.30)),
}
CODES = tuple(MIX)

PLACE_TYPE_WEIGHT = {"centre": 3.0, "station": 2.5, "park": 2.0, "residential": 2.0,
                     "school": 1.5, "shop": 1.5, "street": 1.5, "parking": 1.2,
                     "sports": 1.0, "other": 0.8}
# How an owner's share changes with the kind of place (housing companies own homes,
# security companies guard shops and stations).
OWNER_BY_PLACE = {
    "residential": (1.0, 1.0, 5.0, 0.4), "shop": (1.0, 1.0, 0.4, 1.3),
    "station": (1.0, 1.0, 0.4, 1.2), "parking": (1.0, 1.0, 0.8, 1.2),
    "centre": (1.0, 1.0, 0.6, 1.0), "park": (1.0, 1.2, 0.5, 0.5),
    "school": (1.0, 1.3, 0.3, 0.6), "street": (1.0, 1.2, 0.6, 0.5),
    "sports": (1.0, 1.2, 0.3, 0.8), "other": (1.0, 1.0, 0.6, 0.8),
}
# Special nights (month, day): New Year's Eve, Valborg, the last school day in June.
SPECIAL_NIGHTS = {(12, 31): 4.0, (4, 30): 3.0, (6, 12): 2.5}
SPECIAL_CODES = frozenset({"disorder", "gathering", "arson", "vandalism", "littering",
                           "broken_glass"})


@dataclass(frozen=True, slots=True)
class Episode:
    """A hotspot that appears and fades: where, what, and its intensity over time."""

    key: str
    place: str
    categories: dict[str, float]
    share: float  # of all observations
    jitter_m: float  # median distance from the place
    intensity: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (day index, day of year)


def _ramp_then_fade(start: float, peak: float, half_life: float) -> Callable[..., np.ndarray]:
    """Grows linearly from `start` to `peak` (fractions of the two years), then halves every
    `half_life` days: the measure decided at the peak works."""
    def curve(day: np.ndarray, _doy: np.ndarray) -> np.ndarray:
        s, p = start * DAYS, peak * DAYS
        rising = np.clip((day - s) / max(p - s, 1.0), 0.0, 1.0) * (day >= s)
        return np.where(day <= p, 0.1 + rising, np.exp2(-(day - p) / half_life))
    return curve


def _summers(first_year_scale: float) -> Callable[..., np.ndarray]:
    def curve(day: np.ndarray, doy: np.ndarray) -> np.ndarray:
        summer = np.exp(-(((doy - 195.0) / 30.0) ** 2))
        return summer * np.where(day < DAYS - 365, first_year_scale, 1.0)
    return curve


def _growing(start: float) -> Callable[..., np.ndarray]:
    def curve(day: np.ndarray, _doy: np.ndarray) -> np.ndarray:
        return np.clip((day - start * DAYS) / ((1 - start) * DAYS), 0.0, 1.0) ** 1.5
    return curve


EPISODES: tuple[Episode, ...] = (
    Episode("drugs_arboga", "Nämndemansparken",
            {"drugs": 6, "gathering": 3, "disorder": 1, "littering": 1}, 0.025, 45,
            _ramp_then_fade(0.25, 0.58, 18)),
    Episode("graffiti_koping", "Köping resecentrum",
            {"graffiti": 8, "vandalism": 1, "broken_glass": 1}, 0.02, 60,
            _ramp_then_fade(0.62, 0.80, 12)),
    Episode("epa_kungsor", "Kungsörs hamn",
            {"epa_tractor": 5, "reckless_driving": 4, "gathering": 1}, 0.01, 90,
            _summers(0.6)),
    Episode("burglary_eriksberg", "Eriksberg, Hallstahammar",
            {"burglary_theft": 8, "vandalism": 1}, 0.010, 70, _ramp_then_fade(0.05, 0.22, 15)),
    Episode("centre_hallsta", "Hallsta centrum",
            {"gathering": 5, "disorder": 3, "threat_staff": 1, "drugs": 1}, 0.008, 55,
            _growing(0.82)),
    Episode("littering_strandangen", "Strandängen",
            {"littering": 6, "gathering": 2, "broken_glass": 1}, 0.010, 80, _summers(0.4)),
)

# --- Texts (places and situations, never persons) -------------------------------------------

THINGS = {
    "station": ("väntkuren", "perrongen", "cykelgaraget", "gångtunneln under spåren",
                "biljettautomaten", "busshållplatsen"),
    "centre": ("torget", "bänkarna på torget", "fasaden mot gågatan", "papperskorgarna",
               "entrén till gallerian", "parkeringsautomaten"),
    "park": ("lekplatsen", "parkbänkarna", "gångvägen genom parken", "grillplatsen",
             "papperskorgarna", "buskagen längs gångvägen"),
    "school": ("skolgården", "cykelstället", "fasaden vid idrottshallen", "förrådet på skolgården",
               "huvudentrén", "fotbollsplanen"),
    "residential": ("tvättstugan", "källarförråden", "innergården", "miljöhuset", "trapphuset",
                    "garagelängan"),
    "sports": ("läktaren", "klubbstugan", "omklädningsrummen", "parkeringen",
               "konstgräsplanen", "entrén"),
    "shop": ("lastkajen", "parkeringen utanför butikerna", "entrén", "kundvagnsgaraget",
             "återvinningsstationen", "varumottagningen"),
    "parking": ("parkeringsplatsen", "cykelstället", "laddstolparna", "belysningsstolparna",
                "parkeringsautomaten", "infarten"),
    "street": ("gång- och cykelvägen", "gatubelysningen", "elskåpet", "busskuren",
               "trottoaren", "övergångsstället"),
    "other": ("området", "kajen", "grusplanen", "stigen längs vattnet", "parkeringen",
              "entrén"),
}

# category -> (titles, openings, details); {thing}, {place} and {n} are filled in.
TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "graffiti": (
        ("Klotter på {thing}", "Nytt klotter vid {place}", "Taggar på {thing}",
         "Omfattande klotter på {thing}", "Klotter återkommer vid {place}"),
        ("Nya taggar i svart sprayfärg på {thing}.",
         "Klotter på cirka {n} kvadratmeter på {thing}.",
         "Samma tagg som tidigare veckor har dykt upp igen på {thing}.",
         "Klotter med silverfärg och tusch på {thing}.",
         "Upptäckt vid kvällsronden: färskt klotter på {thing}."),
        ("Ytan behöver saneras.", "Klottret syns tydligt från gångvägen.",
         "Det finns även klistermärken på skyltarna.", "Fastighetsägaren är informerad.",
         "Delar av klottret har stötande innehåll och bör tas bort snabbt.",
         "Sanerades förra månaden, nu tillbaka."),
    ),
    "broken_glass": (
        ("Krossad ruta vid {place}", "Glaskross vid {thing}", "Sönderslagen glasruta vid {place}"),
        ("En glasruta vid {thing} är krossad.", "Glassplitter på marken vid {thing}.",
         "{n} rutor sönderslagna under natten vid {thing}."),
        ("Glaset är uppsopat men rutan behöver bytas.", "Risk för skärskador, särskilt för barn.",
         "Platsen är avspärrad provisoriskt.", "Liknande händelse för några veckor sedan."),
    ),
    "arson": (
        ("Anlagd brand vid {place}", "Brand i papperskorg vid {thing}",
         "Brandskador på {thing}"),
        ("Brand anlagd i en papperskorg vid {thing}, släckt av räddningstjänsten.",
         "Sotskador på {thing} efter en mindre brand under natten.",
         "Eldat skräp mot {thing}; branden självslocknade."),
        ("Räddningstjänsten var på plats.", "Ingen person skadad.",
         "Brandrester behöver tas bort.", "Tredje branden i området på kort tid."),
    ),
    "vandalism": (
        ("Skadegörelse på {thing}", "Förstörd utrustning vid {place}",
         "Sönderslagen utrustning vid {thing}"),
        ("{thing} har fått omfattande skador.", "Skyltar och belysning vid {thing} är sönder.",
         "Bänkar vid {thing} har slitits loss från sina fästen."),
        ("Behöver lagas eller bytas.", "Skadorna fotograferade.",
         "Återkommande problem under helgnätter."),
    ),
    "littering": (
        ("Nedskräpning vid {place}", "Skräp och fimpar vid {thing}",
         "Dumpat avfall vid {thing}", "Fulla papperskorgar vid {place}"),
        ("Mycket skräp vid {thing} efter helgen.",
         "Någon har dumpat grovsopor och kartonger vid {thing}.",
         "Papperskorgarna vid {thing} är överfulla och skräpet sprids av vinden.",
         "Engångsgrillar, burkar och flaskor lämnade vid {thing}."),
        ("Behöver städas före morgonen.", "Skräpet drar till sig fåglar och råttor.",
         "Cirka {n} säckar skräp.", "Nedskräpat igen trots städning i veckan."),
    ),
    "poor_lighting": (
        ("Mörkt vid {thing}", "Trasig belysning vid {place}", "Släckta lampor längs {thing}",
         "Bristande belysning vid {thing}"),
        ("{n} lampor är släckta längs {thing} och det är mörkt efter klockan 16.",
         "Belysningen vid {thing} fungerar inte; platsen känns mörk och otrygg.",
         "Mörkt parti vid {thing} där gångvägen svänger.",
         "Armaturen vid {thing} blinkar och slocknar."),
        ("Många går här till och från bussen.", "Felanmält till gatubelysningen.",
         "Mörkret gör att man undviker platsen.", "Samma fel som i fjol."),
    ),
    "blocked_view": (
        ("Skymd sikt vid {thing}", "Igenvuxna buskar vid {place}", "Buskage skymmer {thing}"),
        ("Buskarna vid {thing} har vuxit igen och skymmer sikten.",
         "Höga häckar gör att {thing} inte syns från gatan.",
         "Vegetationen vid {thing} skapar dolda hörn."),
        ("Behöver beskäras.", "Svårt att se om någon står bakom buskagen.",
         "Skymmer även en lampa."),
    ),
    "deserted_place": (
        ("Öde och otrygg plats vid {place}", "Ödsligt vid {thing} kvällstid"),
        ("Kvällstid är det helt öde vid {thing}.",
         "Ingen rör sig vid {thing} efter stängning; platsen upplevs otrygg."),
        ("Saknar naturlig övervakning.", "Långt till närmaste upplysta gångväg."),
    ),
    "unsafe_place": (
        ("Otrygg plats vid {place}", "Otrygg miljö vid {thing}"),
        ("Flera har hört av sig om att {thing} känns otrygg kvällstid.",
         "Platsen vid {thing} upplevs otrygg: dålig sikt och lite folk."),
        ("Tas upp på nästa lägesbildsmöte.", "Föreslås som punkt på trygghetsvandringen."),
    ),
    "gathering": (
        ("Större samling ungdomar vid {place}", "Otrygghetsskapande samling vid {thing}",
         "Grupp som samlas vid {thing} kvällstid"),
        ("En grupp på cirka {n} ungdomar samlas vid {thing} sena kvällar.",
         "Samling vid {thing} med hög musik och mopeder.",
         "Förbipasserande väljer att gå en annan väg förbi {thing}."),
        ("Gruppen lämnade platsen när polisen kom.", "Fältassistenterna är informerade.",
         "Återkommande fredagar och lördagar.", "Skräp kvar efteråt."),
    ),
    "disorder": (
        ("Ordningsstörning vid {place}", "Bråk vid {thing}", "Stökigt vid {place} under natten"),
        ("Högljutt bråk mellan flera personer vid {thing}.",
         "Slagsmål vid {thing} strax efter stängningsdags.",
         "Flaskor kastades mot {thing}."),
        ("Polisen var på plats.", "Vittnen hörde av sig till vaktbolaget.",
         "Ingen allvarligt skadad.", "Området var lugnt efter en timme."),
    ),
    "drugs": (
        ("Misstänkt narkotikaförsäljning vid {place}", "Misstänkt langning vid {thing}",
         "Fynd av narkotikarelaterat skräp vid {thing}"),
        ("Korta möten och överlämningar vid {thing} kvällstid.",
         "Tips om misstänkt försäljning vid {thing}.",
         "Små plastpåsar och folie hittade vid {thing}."),
        ("Lämnat vidare till kommunpolisen.", "Bilar stannar kort och åker vidare.",
         "Sker främst helgkvällar.", "Platsen är skymd från gatan."),
    ),
    "burglary_theft": (
        ("Inbrott vid {place}", "Stöld vid {place}", "Försök till inbrott vid {thing}",
         "Uppbrutna dörrar vid {thing}", "Inbrott i förråd vid {place}"),
        ("Inbrott i {n} förråd vid {thing} under natten.",
         "En dörr vid {thing} är uppbruten.",
         "Cyklar stulna från {thing}.", "Stöld av verktyg och material från {thing}."),
        ("Polisanmält.", "Låset behöver bytas.",
         "Fler försök i samma område den senaste tiden.", "Upptäckt på morgonen."),
    ),
    "reckless_driving": (
        ("Buskörning vid {place}", "Buskörning med bil på {thing}",
         "Motorcross på {thing}"),
        ("Bilar kör i hög fart och gör sladdar på {thing}.",
         "Motorcrosscyklar kör på {thing} och gångvägarna.",
         "Fartdårar på {thing} sena kvällar."),
        ("Fara för gående och cyklister.", "Spår efter sladdar i gruset.",
         "Pågår flera kvällar i veckan."),
    ),
    "epa_tractor": (
        ("A-traktorer samlas vid {place}", "EPA-körning vid {thing}",
         "Störande A-traktorer vid {place}"),
        ("Ett tiotal A-traktorer kör runt vid {thing} med hög musik.",
         "A-traktorer står på tomgång och spelar musik vid {thing}.",
         "EPA-bilar kör i hög fart förbi {thing}."),
        ("Boende klagar på ljudet.", "Trafikkontroll efterfrågas.",
         "Mest fredagar och lördagar."),
    ),
    "rough_sleeping": (
        ("Olovlig sovplats vid {thing}", "Tecken på övernattning i {thing}"),
        ("Madrass och filtar i {thing}.", "Spår av övernattning vid {thing}."),
        ("Socialtjänsten informerad.", "Återkommer under kalla nätter."),
    ),
    "threat_staff": (
        ("Hot mot personal vid {place}", "Personal hotad vid {thing}"),
        ("Personal vid {thing} hotades i samband med tillsägelse.",
         "Hotfull situation mot personal vid {thing}."),
        ("Polisanmält.", "Personalen vill ha stöd vid stängning."),
    ),
    "event": (
        ("Arrangemang vid {place}", "Planerat evenemang vid {thing}"),
        ("Planerat arrangemang med cirka {n}00 besökare vid {thing}.",
         "Marknad och underhållning vid {thing}."),
        ("Ordningsvakter bokade.", "Extra städning efteråt.",
         "Lugnt under hela kvällen."),
    ),
    "rumours": (
        ("Rykten i sociala medier om {place}", "Oro efter inlägg i sociala medier"),
        ("Inlägg i sociala medier om ett planerat bråk vid {thing}.",
         "Rykten om ökad otrygghet vid {thing} sprids i lokala grupper."),
        ("Inga händelser bekräftade.", "Kommunikationsenheten bevakar."),
    ),
    "positive": (
        ("Positivt vid {place}", "Ny belysning fungerar bra vid {thing}",
         "Trygg och välbesökt plats vid {thing}"),
        ("Ny belysning vid {thing} gör stor skillnad.",
         "Många rör sig vid {thing} under kvällen och det känns tryggt.",
         "Städat och fint vid {thing} efter insatsen."),
        ("Boende uttrycker att det känns tryggare.", "Bra exempel för andra platser."),
    ),
    "other": (
        ("Övrigt vid {place}", "Iakttagelse vid {thing}"),
        ("Övergiven cykel vid {thing}.", "Trasigt staket vid {thing}.",
         "Löst hängande skylt vid {thing}."),
        ("Anmält till fastighetsägaren.", "Ingen akut fara."),
    ),
}

PROPOSALS = {
    "poor_lighting": ("Byt trasiga armaturer och komplettera med fler ljuspunkter.",
                      "Sätt upp belysning längs hela gångvägen.",
                      "Se över belysningen så att ansikten syns på tio meters avstånd."),
    "blocked_view": ("Beskär buskaget så att sikten blir fri från gatan.",
                     "Ta bort den höga häcken och ersätt med låg plantering."),
    "deserted_place": ("Flytta gångvägen närmare bostäderna eller förbättra skyltningen.",
                       "Skapa anledningar att vistas här, t.ex. sittplatser och aktiviteter."),
    "littering": ("Fler och större papperskorgar samt tätare tömning.",),
    "graffiti": ("Sanera klottret inom 24 timmar.", "Klotterskydd på fasaden."),
    "unsafe_place": ("Ta upp platsen i lägesbilden och följ upp med riktad närvaro.",),
    "positive": ("Behåll nuvarande skötsel.", "Använd som förebild för andra platser."),
}
FINDING_CATEGORIES = {"poor_lighting": 30, "blocked_view": 20, "deserted_place": 10,
                      "littering": 10, "graffiti": 10, "positive": 15, "unsafe_place": 5}
WEATHER = ("mulet, +3 °C", "klart och kallt, −2 °C", "lätt regn, +6 °C", "snöblandat regn, +1 °C",
           "uppehåll, +8 °C", "blåsigt, +4 °C")
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december")


# --- The result ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DemoSummary:
    path: Path
    organisations: int
    users: int
    areas: int
    observations: int
    walks: int
    walk_findings: int
    measures: int
    focus_areas: int
    commitments: int
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"Demodatabas skapad: {self.path} — {self.observations} iakttagelser, "
                f"{self.walks} trygghetsvandringar, {self.measures} åtgärder")


def build_demo(
    path: Path | str, *, observations: int = 5000, seed: int = 1, replace: bool = False,
    today: date | None = None,
) -> DemoSummary:
    """Build a demo database at `path` (the whole of it or nothing).

    The database is built in a temporary file beside `path` and renamed over it at the
    end, so a failure never leaves half a demo; an existing file is replaced only with
    `replace`.
    """
    path = Path(path)
    if observations < 0:
        raise ValueError("observations must be 0 or more")
    if path.exists() and not replace:
        raise FileExistsError(f"{path} exists; pass replace=True to replace it")
    today = today or date.today()
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.demo-tmp")
    _remove_database_files(temporary)
    try:
        db = open_database(temporary)
        try:
            counts = _Builder(db, observations, seed, today).build()
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        if path.exists() and not replace:
            raise FileExistsError(f"{path} appeared while the demo was built")
        # A stale -wal beside the new file would be replayed into it: remove it first.
        for sidecar in _sidecars(path):
            sidecar.unlink(missing_ok=True)
        os.replace(temporary, path)
    except BaseException:
        _remove_database_files(temporary)
        raise
    return DemoSummary(path=path, seconds=time.perf_counter() - started, **counts)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _remove_database_files(path: Path) -> None:
    for file in [path, *_sidecars(path)]:
        file.unlink(missing_ok=True)


# --- The builder -----------------------------------------------------------------------------

@dataclass
class _Rows:
    """Generated observations as parallel arrays (one entry per observation)."""

    code: np.ndarray
    place: np.ndarray
    local_seconds: np.ndarray  # local wall-clock time as seconds since 1970 (no zone)
    jitter_m: np.ndarray
    episode: np.ndarray  # index into EPISODES, -1 for the background
    extra: dict[str, Any] = field(default_factory=dict)


class _Builder:
    def __init__(self, db: Database, observations: int, seed: int, today: date) -> None:
        self.db = db
        self.n = observations
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.today = today
        self.end = local_midnight(today)  # observations happen before today
        self.first_day = today - timedelta(days=DAYS)
        self.end_ts = int(self.end.timestamp())

    # -- set-up through the installation services --

    def build(self) -> dict[str, int]:
        db = self.db
        self.orgs = {name: installation.add_organisation(db, name, "municipality")
                     for name, *_ in MUNICIPALITIES.values()}
        self.orgs[POLICE] = installation.add_organisation(db, POLICE, "police")
        self.orgs[HOUSING] = installation.add_organisation(db, HOUSING, "housing")
        self.orgs[SECURITY] = installation.add_organisation(db, SECURITY, "security")
        self.users = {username: installation.add_user(db, username, shown, self.orgs[org], role)
                      for username, shown, org, role in USERS}
        police = self.orgs[POLICE]
        installation.seed_catalogue(db, police)
        installation.load_areas(db, police)
        installation.device_id(db)
        with db.session() as session:
            self.index = areas.area_index(session)
        self._load_places()

        walks, findings = self._walks()
        rows = self._observations(max(0, self.n - len(findings)))
        measures, focus_areas, commitments, links = self._measures(rows, walks, findings)
        self._store(rows, walks, findings, measures, focus_areas, commitments, links)
        total = len(rows.code) + len(findings)
        with db.transaction() as session:
            audit.append(session, self.users["admin.demo"], [audit.AuditEvent(
                "demo", None, None, {
                    "observations": total, "walks": len(walks), "walk_findings": len(findings),
                    "measures": len(measures), "focus_areas": len(focus_areas),
                    "commitments": len(commitments), "seed": self.seed,
                    "today": self.today.isoformat(),
                    "note": "Genererade demodata för LPO Västra Mälardalen; påhittade "
                            "händelser, ingen verklig information."})])
        return dict(organisations=len(self.orgs), users=len(self.users),
                    areas=len(self.index), observations=total, walks=len(walks),
                    walk_findings=len(findings), measures=len(measures),
                    focus_areas=len(focus_areas), commitments=len(commitments))

    def _load_places(self) -> None:
        places = json.loads(resource(*PLACES).read_text(encoding="utf-8"))
        self.place_names = [p["name"] for p in places]
        self.place_by_name = {p["name"]: i for i, p in enumerate(places)}
        self.place_lat = np.array([p["lat"] for p in places])
        self.place_lon = np.array([p["lon"] for p in places])
        self.place_type = [p["place_type"] for p in places]
        self.place_municipality = [p["municipality"] for p in places]
        kommun = {a.name: a.id for a in self.index.areas if a.kind == "kommun"}
        self.kommun_of_place = np.array([kommun[m] for m in self.place_municipality])
        self.kommun_of_area: dict[str | None, str | None] = {None: None}
        for area in self.index.areas:
            top = area
            while top.parent_id is not None and self.index.get(top.parent_id) is not None:
                top = self.index.get(top.parent_id)  # type: ignore[assignment]
            self.kommun_of_area[area.id] = top.id
        self.org_of_municipality = {m: self.orgs[org] for m, (org, *_) in MUNICIPALITIES.items()}

    # -- observations --

    def _day_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        days = [self.first_day + timedelta(days=d) for d in range(DAYS)]
        index = np.arange(DAYS, dtype=float)
        doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)
        weekday = np.array([d.weekday() for d in days])
        special = np.array([SPECIAL_NIGHTS.get((d.month, d.day), 1.0) for d in days])
        return index, doy, weekday, special

    def _observations(self, n: int) -> _Rows:
        rng = self.rng
        day, doy, weekday, special = self._day_arrays()
        trend = 0.85 + 0.3 * day / DAYS  # more reports as the method takes hold
        episode_counts = [int(round(n * e.share)) for e in EPISODES]
        background = max(0, n - sum(episode_counts))

        # Background: a joint draw of (profile, category, day).
        weights = np.empty((2, len(CODES), DAYS))
        for c, code in enumerate(CODES):
            mix = MIX[code]
            season = 1 + mix.season * np.cos(2 * np.pi * (doy - mix.peak_day) / 365.25)
            party = special if code in SPECIAL_CODES else 1.0
            base = mix.weight * season * trend
            weights[0, c] = base * mix.night * NIGHT_WEEKDAYS[weekday] * party
            weights[1, c] = base * (1 - mix.night) * DAY_WEEKDAYS[weekday]
        flat = weights.ravel() / weights.sum()
        drawn = rng.choice(flat.size, size=background, p=flat)
        profile, code_index, day_index = np.unravel_index(drawn, weights.shape)
        place = self._places_for(code_index)
        jitter = np.full(background, 90.0)
        episode = np.full(background, -1)

        parts = [(profile, code_index, day_index, place, jitter, episode)]
        for e, (ep, count) in enumerate(zip(EPISODES, episode_counts, strict=True)):
            if count == 0:
                continue
            intensity = ep.intensity(day, doy) * NIGHT_WEEKDAYS[weekday]
            e_days = rng.choice(DAYS, size=count, p=intensity / intensity.sum())
            codes = list(ep.categories)
            p = np.array([ep.categories[c] for c in codes], dtype=float)
            e_codes = np.array([CODES.index(c) for c in codes])[
                rng.choice(len(codes), size=count, p=p / p.sum())]
            parts.append((np.zeros(count, dtype=np.intp), e_codes, e_days,
                          np.full(count, self.place_by_name[ep.place]),
                          np.full(count, ep.jitter_m), np.full(count, e)))
        profile, code_index, day_index, place, jitter, episode = (
            np.concatenate(column) for column in zip(*parts, strict=True))

        # The clock time: night-profile hours count from noon of the evening's day.
        count = len(code_index)
        night_offsets = (np.roll(NIGHT_HOURS, -12) / NIGHT_HOURS.sum())
        hour = np.where(
            profile == 0,
            12 + rng.choice(24, size=count, p=night_offsets),
            rng.choice(24, size=count, p=DAY_HOURS / DAY_HOURS.sum()))
        first = (self.first_day - date(1970, 1, 1)).days
        local = (first + day_index) * 86_400 + hour * 3600 + rng.integers(0, 3600, size=count)
        end_local = (self.today - date(1970, 1, 1)).days * 86_400
        local = np.where(local >= end_local, local - 86_400, local)
        order = np.argsort(local, kind="stable")
        return _Rows(code_index[order], place[order], local[order], jitter[order], episode[order])

    def _places_for(self, code_index: np.ndarray) -> np.ndarray:
        """Places by category: population of the municipality x kind of place x affinity."""
        rng = self.rng
        places = np.empty(len(code_index), dtype=np.intp)
        per_municipality: dict[str, float] = {}
        for m, kind in zip(self.place_municipality, self.place_type, strict=True):
            per_municipality[m] = per_municipality.get(m, 0.0) + PLACE_TYPE_WEIGHT[kind]
        base = np.array([MUNICIPALITIES[m][1] * PLACE_TYPE_WEIGHT[k] / per_municipality[m]
                         for m, k in zip(self.place_municipality, self.place_type, strict=True)])
        for c, code in enumerate(CODES):
            chosen = np.flatnonzero(code_index == c)
            if not len(chosen):
                continue
            affinity = np.array([MIX[code].places.get(k, 1.0) for k in self.place_type])
            p = base * affinity
            places[chosen] = rng.choice(len(p), size=len(chosen), p=p / p.sum())
        return places

    def _positions(self, place: np.ndarray, jitter_m: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
        """Points scattered around their places (tens to a few hundred metres), each inside
        its place's municipality."""
        rng = self.rng
        lat = self.place_lat[place].copy()
        lon = self.place_lon[place].copy()
        todo = np.arange(len(place))
        area_ids: list[str | None] = [None] * len(place)
        scale = 1.0
        for attempt in range(6):
            if not len(todo):
                break
            distance = np.minimum(jitter_m[todo] * scale * rng.lognormal(0.0, 0.7, len(todo)),
                                  600.0) if attempt < 5 else np.zeros(len(todo))
            angle = rng.uniform(0, 2 * np.pi, len(todo))
            base_lat = self.place_lat[place[todo]]
            lat[todo] = base_lat + distance * np.sin(angle) / 111_320
            lon[todo] = self.place_lon[place[todo]] + distance * np.cos(angle) / (
                111_320 * np.cos(np.radians(base_lat)))
            found = self.index.locate_many(lat[todo], lon[todo])
            wanted = self.kommun_of_place[place[todo]]
            retry = []
            for j, (i, area_id) in enumerate(zip(todo.tolist(), found, strict=True)):
                if self.kommun_of_area.get(area_id) == wanted[j]:
                    area_ids[i] = area_id
                else:
                    retry.append(i)
            todo = np.array(retry, dtype=np.intp)
            scale /= 2
        return np.round(lat, 6), np.round(lon, 6), area_ids

    # -- walks (trygghetsvandringar) --

    def _walk_days(self) -> list[date]:
        """Walk dates: autumn, winter or spring evenings (dusk or dark), Tuesday-Thursday."""
        days = []
        for offset in (-690, -560, -430, -330, -150, -45, -10, 25):
            day = self.today + timedelta(days=offset)
            if 5 <= day.month <= 8:  # summer evenings are light: walk in April or September
                day = date(day.year, 4, 24) if offset < 0 else date(day.year, 9, 8)
            if (day.month, day.day) >= (12, 18) or (day.month, day.day) <= (1, 8):
                day = date(day.year + (day.month == 12), 1, 13)  # not over the holidays
            while day.weekday() not in (1, 2, 3):
                day += timedelta(days=1)
            days.append(day)
        return days

    def _walks(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        order = ("Köping", "Arboga", "Hallstahammar", "Kungsör") * 2
        walks: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        for number, (municipality, day) in enumerate(zip(order, self._walk_days(), strict=True)):
            # Start when it gets dark: after sunset in Västmanland, month by month.
            light, hour, minute = {1: ("dark", 18, 0), 2: ("dark", 18, 0), 3: ("dusk", 18, 30),
                                   4: ("dusk", 20, 0), 9: ("dusk", 19, 0), 10: ("dusk", 18, 0),
                                   11: ("dark", 18, 0), 12: ("dark", 18, 0)}[day.month]
            starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)
            age = (self.today - day).days
            phase = ("planned" if age < 0 else "walked" if age <= 14
                     else "minutes_done" if age <= 60 else "feedback_given" if age <= 180
                     else "followed_up")
            if number == 3 and phase == "followed_up":
                phase = "feedback_given"  # feedback can lag for a long time
            stops = self._route(municipality, int(rng.integers(5, 11)))
            centre = stops[0][0]
            area_id = self.index.locate(self.place_lat[centre], self.place_lon[centre])
            area_name = self.index.get(area_id).name if area_id else municipality  # type: ignore[union-attr]
            org = self.org_of_municipality[municipality]
            walk_id = self._id(starts - timedelta(days=30))
            coordinates = [[lon, lat] for _, lat, lon, _ in stops]
            walk = dict(
                id=walk_id, title=f"Trygghetsvandring {area_name}, "
                                  f"{MONTHS_SV[day.month - 1]} {day.year}",
                starts_at=starts, light=light, area_id=area_id,
                route={"type": "LineString", "coordinates": coordinates},
                participants={"residents": int(rng.integers(5, 23)),
                              "municipality": int(rng.integers(2, 6)),
                              "police": int(rng.integers(1, 3)),
                              "housing": int(rng.integers(1, 3)),
                              "other": int(rng.integers(0, 5))},
                organiser=f"Säkerhetssamordnare, {MUNICIPALITIES[municipality][0]}",
                phase=phase,
                notes=(f"Vandringen startar vid {self.place_names[centre]} och går genom "
                       f"{len(stops)} punkter i {area_name}. Bostadsbolaget, polisen och "
                       "boende deltar." + ("" if phase == "planned" else
                                           f" Väder: {WEATHER[int(rng.integers(len(WEATHER)))]}.")),
                **self._synced(org, self._coordinator(municipality),
                               starts - timedelta(days=30)),
            )
            walks.append(walk)
            if phase != "planned":
                findings += self._findings(walk, municipality, stops, phase)
        return walks, findings

    def _route(self, municipality: str, stops: int) -> list[tuple[int, float, float, str]]:
        """Stops near the town centre, in walking order: (place, lat, lon, name)."""
        rng = self.rng
        own = [i for i, m in enumerate(self.place_municipality) if m == municipality]
        centre = next(i for i in own if self.place_type[i] == "centre")
        near = sorted(own, key=lambda i: self._metres(centre, i))
        near = [i for i in near if self._metres(centre, i) < 1800][:stops]
        route: list[tuple[int, float, float, str]] = []
        todo, current = near[1:], centre
        route.append((centre, self.place_lat[centre], self.place_lon[centre],
                      self.place_names[centre]))
        while todo:
            current = min(todo, key=lambda i: self._metres(current, i))
            todo.remove(current)
            route.append((current, self.place_lat[current], self.place_lon[current],
                          self.place_names[current]))
        while len(route) < stops:  # small towns: add points between the places
            a, b = route[len(route) - 2], route[-1]
            share = float(rng.uniform(0.35, 0.65))
            lat = a[1] + (b[1] - a[1]) * share + float(rng.normal(0, 0.0006))
            lon = a[2] + (b[2] - a[2]) * share + float(rng.normal(0, 0.0010))
            route.insert(len(route) - 1, (a[0], lat, lon, f"Gångväg mellan {a[3]} och {b[3]}"))
        return [(p, round(float(la), 6), round(float(lo), 6), name) for p, la, lo, name in route]

    def _metres(self, a: int, b: int) -> float:
        dy = (self.place_lat[a] - self.place_lat[b]) * 111_320
        dx = (self.place_lon[a] - self.place_lon[b]) * 111_320 * math.cos(
            math.radians(self.place_lat[a]))
        return math.hypot(dx, dy)

    def _findings(self, walk: dict[str, Any], municipality: str,
                  stops: Sequence[tuple[int, float, float, str]], phase: str
                  ) -> list[dict[str, Any]]:
        rng = self.rng
        codes = list(FINDING_CATEGORIES)
        p = np.array([FINDING_CATEGORIES[c] for c in codes], dtype=float)
        org = self.org_of_municipality[municipality]
        user = self._coordinator(municipality)
        statuses = {"walked": ("new", "assessing"),
                    "minutes_done": ("assessing", "measure_planned"),
                    "feedback_given": ("measure_planned", "in_progress", "resolved"),
                    "followed_up": ("resolved", "resolved", "closed_no_action")}[phase]
        found = []
        for number, (place, lat, lon, name) in enumerate(stops, start=1):
            code = codes[int(rng.choice(len(codes), p=p / p.sum()))]
            kind = self.place_type[place]
            thing = THINGS[kind][int(rng.integers(len(THINGS[kind])))]
            title, description = self._text(code, name, thing, int(rng.integers(1 << 30)))
            at = walk["starts_at"] + timedelta(minutes=8 * number + int(rng.integers(0, 5)))
            status = ("closed_no_action" if code == "positive" and phase != "walked"
                      else statuses[int(rng.integers(len(statuses)))])
            lat_j = lat + float(rng.normal(0, 0.00015))
            lon_j = lon + float(rng.normal(0, 0.00025))
            area_id = self.index.locate(lat_j, lon_j)
            if self.kommun_of_area.get(area_id) != self.kommun_of_place[place]:
                lat_j, lon_j, area_id = lat, lon, self.index.locate(lat, lon)
            proposals = PROPOSALS.get(code, PROPOSALS["unsafe_place"])
            found.append(dict(
                id=self._id(at + timedelta(hours=2)), category_code=code,
                title=f"Punkt {number}: {title}", description=description,
                occurred_from=at, occurred_to=None, latitude=round(lat_j, 6),
                longitude=round(lon_j, 6), place_name=name, area_id=area_id, place_type=kind,
                severity=1 if code == "positive" else int(rng.choice(3, p=[.45, .45, .10])) + 1,
                status=status, police_report="no", walk_id=walk["id"], stop_number=number,
                ratings=self._ratings(code, kind), tags=["trygghetsvandring"],
                proposed_measure=proposals[int(rng.integers(len(proposals)))],
                **self._synced(org, user, at + timedelta(hours=2)),
            ))
        return found

    def _ratings(self, code: str, kind: str) -> dict[str, int]:
        rng = self.rng
        ratings = {label.code: int(rng.choice(4, p=[.05, .25, .45, .25]))
                   for label in catalogue.WALK_RATINGS}
        low = {"poor_lighting": ("lighting", "feeling"), "blocked_view": ("visibility", "openness"),
               "deserted_place": ("people", "security"), "littering": ("feeling",),
               "graffiti": ("feeling",), "unsafe_place": ("feeling", "security")}.get(code, ())
        for name in low:
            ratings[name] = int(rng.integers(0, 2))
        if code == "positive":
            ratings = {k: max(v, 2) for k, v in ratings.items()}
        ratings["transport"] = int(rng.integers(2, 4)) if kind == "station" else min(
            ratings["transport"], 2)
        return ratings

    # -- measures, focus areas and public commitments --

    def _measures(self, rows: _Rows, walks: list[dict[str, Any]],
                  findings: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], ...]:
        rng = self.rng
        year = self.today.year
        police = self.orgs[POLICE]
        focus_specs = (
            ("drugs", "Narkotika i offentlig miljö",
             "Minska öppen narkotikahandel i parker och vid resecentrum.", police, -560, 120),
            ("graffiti", "Skadegörelse och klotter",
             "Snabb sanering och färre klotterytor i centrala lägen.",
             self.orgs["Köpings kommun"], -300, 200),
            ("traffic", "Trafiksäkerhet – buskörning och A-traktorer",
             "Färre störande körningar i hamnar och centrum sommartid.",
             self.orgs["Kungsörs kommun"], -500, 240),
            ("centre", "Trygga centrummiljöer kvällstid",
             "Närvaro och belysning där många rör sig på helgkvällar.",
             self.orgs["Hallstahammars kommun"], -120, 365),
        )
        focus_areas = []
        focus_id = {}
        for key, name, description, org, start, length in focus_specs:
            starts = self.today + timedelta(days=start)
            created = local_midnight(starts) + timedelta(hours=9)
            focus_id[key] = self._id(created)
            focus_areas.append(dict(id=focus_id[key], name=name, description=description,
                                    starts_on=starts, ends_on=starts + timedelta(days=length),
                                    **self._synced(org, None, created)))
        commitment_specs = (  # (year, theme, municipality, title, description)
            (year - 1, "drugs", "Arboga", "Tryggare Nämndemansparken",
             "Polisen och Arboga kommun lovar ökad närvaro och bättre belysning i parken."),
            (year - 1, "traffic", "Kungsör", "Färre buskörningar vid Kungsörs hamn",
             "Trafikkontroller sommarkvällar och fysiska hinder vid hamnplanen."),
            (year, "graffiti", "Köping", "Klotterfritt kring Köping resecentrum",
             "Klotter saneras inom ett dygn och anmäls alltid."),
            (year, "centre", "Hallstahammar", "Trygg kvällsmiljö i Hallsta centrum",
             "Vuxennärvaro och polis på helgkvällar, tätare dialog med näringsidkare."),
        )
        kommun = {a.name: a.id for a in self.index.areas if a.kind == "kommun"}
        commitments = []
        commitment_by_theme: dict[str, list[tuple[int, str]]] = {}
        for c_year, theme, municipality, title, description in commitment_specs:
            created = datetime(c_year, 2, 15, 10, tzinfo=LOCAL)
            cid = self._id(created)
            commitment_by_theme.setdefault(theme, []).append((c_year, cid))
            commitments.append(dict(
                id=cid, title=f"Medborgarlöfte {municipality} {c_year}: {title}",
                description=description, year=c_year, area_id=kommun[municipality],
                **self._synced(police, self.users["kommunpolis.vm"], created)))

        def ep_day(at: float) -> int:  # a fraction of the two years, as days from today
            return int(at * DAYS) - DAYS
        municipal = {m: self.orgs[org] for m, (org, *_) in MUNICIPALITIES.items()}
        # (theme, episode key or None, place, categories, title, type, org, contact, priority,
        #  status, created day rel. today, days to deadline, effect)
        specs: list[tuple[Any, ...]] = [
            ("drugs", "drugs_arboga", None, None,
             "Ökad polisnärvaro i Nämndemansparken kvällstid", "presence", police,
             "Områdespolisgruppen", "high", "followed_up", ep_day(0.55), 60, "improved"),
            ("drugs", "drugs_arboga", None, None,
             "Röjning av buskage och ny belysning i Nämndemansparken", "situational",
             municipal["Arboga"], "Park- och naturenheten", "high", "followed_up",
             ep_day(0.56), 75, "improved"),
            ("drugs", "drugs_arboga", None, None,
             "Fältassistenter och föräldravandringar i centrala Arboga", "social",
             municipal["Arboga"], "Fältassistenterna", "normal", "done", ep_day(0.57),
             90, "not_assessed"),
            ("graffiti", "graffiti_koping", None, None,
             "Klottersanering inom 24 timmar vid Köping resecentrum", "situational",
             municipal["Köping"], "Gatuenheten", "high", "followed_up", ep_day(0.78), 30,
             "improved"),
            ("graffiti", "graffiti_koping", None, None,
             "Utreda kamerabevakning vid Köping resecentrum", "situational",
             municipal["Köping"], "Säkerhetsfunktionen", "long_term", "cancelled",
             ep_day(0.79), 180, None),
            ("graffiti", "graffiti_koping", None, None,
             "Väktarrond nattetid vid resecentrum", "presence", self.orgs[SECURITY],
             "Uppdragsansvarig väktartjänst", "normal", "done", ep_day(0.78), 45,
             "not_assessed"),
            ("traffic", "epa_kungsor", None, None,
             "Trafikkontroller av A-traktorer i hamnområdet", "presence", police,
             "Trafikpolisen", "normal", "followed_up", -480, 60, "unchanged"),
            ("traffic", "epa_kungsor", None, None,
             "Farthinder och bommar vid Kungsörs hamn", "situational", municipal["Kungsör"],
             "Gatuenheten", "normal", "in_progress", -400, 180, None),
            ("traffic", "epa_kungsor", None, None,
             "Dialogträff med EPA-förare och vårdnadshavare", "social", municipal["Kungsör"],
             "Fritidsgården", "normal", "followed_up", -300, 60, "worse"),
            (None, "burglary_eriksberg", None, None,
             "Säkrare lås på källarförråden i Eriksberg", "situational", self.orgs[HOUSING],
             "Förvaltningen", "high", "followed_up", ep_day(0.21), 45, "improved"),
            (None, "burglary_eriksberg", None, None,
             "Informationsblad om grannsamverkan till boende i Eriksberg", "communication",
             police, "Kommunpolisen", "normal", "followed_up", ep_day(0.21), 30,
             "improved"),
            ("centre", "centre_hallsta", None, None,
             "Fältassistenter fredag och lördag kväll vid Hallsta centrum", "social",
             municipal["Hallstahammar"], "Fältassistenterna", "acute", "decided", -12, 21,
             None),
            ("centre", "centre_hallsta", None, None,
             "Riktad polisnärvaro vid Hallsta centrum helgkvällar", "presence", police,
             "Områdespolisgruppen", "acute", "in_progress", -20, 40, None),
            ("centre", "centre_hallsta", None, None,
             "Utreda ordningsvakter vid Hallsta centrum", "presence",
             municipal["Hallstahammar"], "Säkerhetssamordnaren", "high", "proposed", -5, 60,
             None),
            ("centre", "centre_hallsta", None, None,
             "Informera näringsidkare om läget vid Hallsta centrum", "communication",
             municipal["Hallstahammar"], "Kommunikationsenheten", "normal", "proposed", -3,
             30, None),
            (None, "littering_strandangen", None, None,
             "Fler och större papperskorgar på Strandängen", "situational",
             municipal["Köping"], "Park- och naturenheten", "normal", "done", -140, 30,
             "not_assessed"),
            (None, "littering_strandangen", None, None,
             "Extra tömning av papperskorgar helger sommartid", "situational",
             municipal["Köping"], "Park- och naturenheten", "normal", "followed_up", -400, 30,
             "improved"),
            ("centre", None, "Pendlarparkering Arboga station", ("poor_lighting",),
             "Se över belysningen på pendlarparkeringen vid Arboga station", "situational",
             municipal["Arboga"], "Gatuenheten", "normal", "decided", -75, 45, None),
            (None, None, "Köpings stadspark", ("gathering", "littering"),
             "Kvällsaktiviteter för unga i Köpings stadspark", "social", municipal["Köping"],
             "Fritidsenheten", "long_term", "in_progress", -200, 150, None),
            (None, None, "Kolsva centrum", ("epa_tractor", "reckless_driving"),
             "Dialog med skolan om A-traktorkörning i Kolsva", "communication",
             municipal["Köping"], "Skolans trygghetsteam", "normal", "cancelled", -260, 60,
             None),
            ("centre", None, "Kungsörs torg", ("gathering", "disorder"),
             "Nattvandring på Kungsörs torg fredagskvällar", "presence", municipal["Kungsör"],
             "Föreningssamordnaren", "normal", "followed_up", -330, 60, "improved"),
            ("graffiti", None, "Arboga resecentrum", ("graffiti", "vandalism"),
             "Klotterskydd på väntkurerna vid Arboga resecentrum", "situational",
             municipal["Arboga"], "Gatuenheten", "long_term", "done", -160, 90,
             "not_assessed"),
            (None, None, "Gäddgården", ("burglary_theft",),
             "Trygghetsbesiktning av cykelrum i Gäddgården", "situational",
             self.orgs[HOUSING], "Förvaltningen", "normal", "in_progress", -110, 50, None),
            (None, None, "Köpings handelsområde", ("burglary_theft", "threat_staff"),
             "Samordnad väktarrond i handelsområdet nattetid", "presence",
             self.orgs[SECURITY], "Uppdragsansvarig väktartjänst", "high", "followed_up", -420,
             30, "unchanged"),
        ]
        # Two measures from every walk that has minutes; their status follows the walk.
        walk_status = {"minutes_done": ("proposed", "decided"),
                       "feedback_given": ("in_progress", "done"),
                       "followed_up": ("followed_up", "followed_up")}
        walk_measures = []
        for walk in walks:
            if walk["phase"] not in walk_status:
                continue
            own = [f for f in findings if f["walk_id"] == walk["id"]
                   and f["category_code"] != "positive"]
            if not own:
                continue
            walked = (local_midnight(self.today) - walk["starts_at"]).days
            for k, status in enumerate(walk_status[walk["phase"]]):
                f = own[k % len(own)]
                walk_measures.append((walk, f, status, walked))

        measures: list[dict[str, Any]] = []
        links: list[dict[str, str]] = []
        status_of_linked: dict[str, str] = {}
        follow_status = {"proposed": "measure_planned", "decided": "measure_planned",
                         "in_progress": "in_progress", "done": "resolved",
                         "followed_up": "resolved", "cancelled": "closed_no_action"}
        contact_user = {police: self.users["kommunpolis.vm"]}
        for m, (org, *_r) in MUNICIPALITIES.items():
            contact_user[self.orgs[org]] = self._coordinator(m)

        def add(theme: str | None, title: str, kind: str, org: str, contact: str,
                priority: str, status: str, created_day: int, deadline_days: int,
                effect: str | None, linked: list[str], walk_id: str | None = None,
                description: str = "") -> None:
            created = local_midnight(self.today + timedelta(days=created_day)) + timedelta(
                hours=10)
            deadline = self.today + timedelta(days=created_day + deadline_days)
            follow_up = None
            notes = ""
            if status in ("done", "followed_up"):
                done_day = min(created_day + deadline_days, -1)
                follow_up = self.today + timedelta(days=done_day + 90) if status == "done" \
                    else self.today + timedelta(days=min(done_day + 60, -1))
                effect = effect or ("not_assessed" if status == "done" else "improved")
                notes = {"improved": "Färre iakttagelser på platsen sedan åtgärden.",
                         "unchanged": "Ingen tydlig förändring i lägesbilden.",
                         "worse": "Problemen har flyttat till närliggande platser.",
                         "not_assessed": "Uppföljning planerad."}[effect]
            else:
                effect = None
            commitment = None
            if theme is not None:
                candidates = commitment_by_theme.get(theme, [])
                if candidates:
                    commitment = min(candidates, key=lambda c: abs(c[0] - created.year))[1]
            mid = self._id(created)
            updated = min(created + timedelta(days=max(deadline_days // 2, 1)), self.end)
            owner = org if org in contact_user else police
            measures.append(dict(
                id=mid, title=title, measure_type=kind,
                description=description or f"{title}. Beslutat på lägesbildsmötet.",
                responsible_org_id=org, responsible_contact=contact, priority=priority,
                deadline=deadline, status=status, follow_up_on=follow_up, effect=effect,
                effect_notes=notes, focus_area_id=focus_id.get(theme or ""),
                commitment_id=commitment, walk_id=walk_id,
                **self._synced(owner, contact_user.get(owner), created, updated)))
            for oid in dict.fromkeys(linked):
                links.append({"measure_id": mid, "observation_id": oid})
                status_of_linked[oid] = follow_status[status]

        ids = self._times_and_ids(rows)
        for (theme, episode, place, categories, title, kind, org, contact, priority, status,
             created_day, deadline_days, effect) in specs:
            linked = self._pick_linked(rows, ids, episode, place, categories, created_day)
            add(theme, title, kind, org, contact, priority, status, created_day, deadline_days,
                effect, linked)
        light_work = ("Byte av armaturer och fler ljuspunkter", "Gallring av buskage",
                      "Sanering och klotterskydd", "Fler papperskorgar och tätare tömning",
                      "Ny skyltning och tydligare gångstråk")
        for walk, finding, status, walked in walk_measures:
            work = light_work[int(rng.integers(len(light_work)))]
            overdue = status in ("decided", "in_progress")
            add(None, f"{work} vid {finding['place_name']}", "situational",
                finding["owner_org_id"], "Gatuenheten" if "armatur" in work else
                "Park- och naturenheten", "normal", status, -walked + 7,
                max(walked - 30, 14) if overdue else 60, None, [finding["id"]],
                walk_id=walk["id"],
                description=f"Från trygghetsvandringen: {finding['proposed_measure']}")
        for f in findings:
            if f["id"] in status_of_linked:
                f["status"] = status_of_linked[f["id"]]
        rows.extra["status_override"] = status_of_linked
        rows.extra["ids"] = ids
        return measures, focus_areas, commitments, links

    def _pick_linked(self, rows: _Rows, ids: list[str], episode: str | None,
                     place: str | None, categories: Sequence[str] | None,
                     created_day: int) -> list[str]:
        """Up to eight observations from before the measure that it answers."""
        before = self.end_ts + (created_day - 1) * 86_400
        if episode is not None:
            e = next(i for i, ep in enumerate(EPISODES) if ep.key == episode)
            mask = rows.episode == e
        else:
            codes = [CODES.index(c) for c in categories or ()]
            mask = (rows.place == self.place_by_name[place]) & np.isin(rows.code, codes)
        # local_seconds is close enough to UTC for choosing "before the decision".
        candidates = np.flatnonzero(mask & (rows.local_seconds < before))
        return [ids[i] for i in candidates[-8:].tolist()]

    # -- ids, users, bookkeeping --

    def _id(self, moment: datetime) -> str:
        """A UUIDv7 from `moment` with random bits from the seeded generator."""
        millis = int(moment.timestamp() * 1000) + int(self.rng.integers(0, 1000))
        return _uuid7(millis, int(self.rng.integers(0, 1 << 12)),
                      int(self.rng.integers(0, 1 << 62, dtype=np.uint64)))

    def _times_and_ids(self, rows: _Rows) -> list[str]:
        n = len(rows.code)
        utc = self._utc_seconds(rows.local_seconds)
        delay = np.minimum(self.rng.lognormal(np.log(3 * 3600), 1.0, n), 5 * 86_400)
        created = np.minimum(utc + delay, self.end_ts - 1).astype(np.int64)
        rows.extra["utc"] = utc
        rows.extra["created"] = created
        millis = created * 1000 + self.rng.integers(0, 1000, n)
        rand_a = self.rng.integers(0, 1 << 12, n)
        rand_b = self.rng.integers(0, 1 << 62, n, dtype=np.uint64)
        return [_uuid7(m, a, b) for m, a, b in zip(
            millis.tolist(), rand_a.tolist(), rand_b.tolist(), strict=True)]

    def _utc_seconds(self, local_seconds: np.ndarray) -> np.ndarray:
        """Local wall-clock seconds to UTC seconds, by the offset of each local hour."""
        start = (self.first_day - date(1970, 1, 1)).days * 24 - 24
        hours = (DAYS + 3) * 24
        offsets = np.empty(hours, dtype=np.int64)
        naive = datetime(self.first_day.year, self.first_day.month, self.first_day.day) \
            - timedelta(days=1)
        for h in range(hours):
            offset = (naive + timedelta(hours=h)).replace(tzinfo=LOCAL).utcoffset()
            offsets[h] = int(offset.total_seconds()) if offset else 0
        bucket = np.clip(local_seconds // 3600 - start, 0, hours - 1)
        utc: np.ndarray = local_seconds - offsets[bucket]
        return utc

    def _coordinator(self, municipality: str) -> str:
        return self.users[{"Köping": "samordnare.koping", "Arboga": "samordnare.arboga",
                           "Hallstahammar": "samordnare.hallstahammar",
                           "Kungsör": "samordnare.kungsor"}[municipality]]

    @staticmethod
    def _synced(org: str, user: str | None, created: datetime,
                updated: datetime | None = None) -> dict[str, Any]:
        return dict(owner_org_id=org, sharing="partners", created_at=created,
                    created_by=user, updated_at=updated or created, updated_by=user, rev=None,
                    deleted_at=None)

    def _text(self, code: str, place: str, thing: str, pick: int) -> tuple[str, str]:
        titles, openings, details = TEXTS[code]
        values = {"place": place, "thing": thing, "n": 2 + pick % 7}
        title = titles[pick % len(titles)].format(**values)
        text = openings[(pick >> 4) % len(openings)].format(**values)
        if (pick >> 8) % 3:
            text += " " + details[(pick >> 10) % len(details)].format(**values)
        second = (pick >> 16) % len(details)
        if (pick >> 14) % 4 == 0 and second != (pick >> 10) % len(details):
            text += " " + details[second].format(**values)
        return title[0].upper() + title[1:], text[0].upper() + text[1:]

    # -- writing --

    def _store(self, rows: _Rows, walks: list[dict[str, Any]], findings: list[dict[str, Any]],
               measures: list[dict[str, Any]], focus_areas: list[dict[str, Any]],
               commitments: list[dict[str, Any]], links: list[dict[str, str]]) -> None:
        with self.db.engine.connect() as connection:
            # The file is a temporary one renamed into place at the end; a crash throws it
            # away, so per-commit durability buys nothing here.
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-131072")
            connection.commit()
            with connection.begin():
                for table, values in ((FocusArea, focus_areas), (Commitment, commitments),
                                      (Walk, walks), (Observation, findings)):
                    if values:
                        connection.execute(insert(table), values)
            for chunk in self._observation_rows(rows):
                with connection.begin():
                    connection.execute(insert(Observation), chunk)
            with connection.begin():
                if measures:
                    connection.execute(insert(Measure), measures)
                if links:
                    connection.execute(measure_observation.insert(), links)
            # Statistics let the planner choose between the time index and the filter
            # indexes (e.g. scan by time for a whole municipality); a real database gets
            # them from ANALYZE/PRAGMA optimize as it grows.
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("PRAGMA synchronous=FULL")
            connection.commit()

    def _observation_rows(self, rows: _Rows) -> Iterator[list[dict[str, Any]]]:
        rng = self.rng
        n = len(rows.code)
        if n == 0:
            return
        ids: list[str] = rows.extra["ids"]
        override: dict[str, str] = rows.extra["status_override"]
        utc: np.ndarray = rows.extra["utc"]
        created: np.ndarray = rows.extra["created"]
        lat, lon, area_ids = self._positions(rows.place, rows.jitter_m)

        codes = [CODES[c] for c in rows.code.tolist()]
        kinds = [self.place_type[p] for p in rows.place.tolist()]
        draws = rng.random((n, 6))
        picks = rng.integers(0, 1 << 30, size=(n, 2))
        age_days = (self.end_ts - utc) / 86_400
        status_lag = np.minimum(rng.lognormal(np.log(5 * 86_400), 0.8, n), 60 * 86_400)
        updated = np.minimum(created + status_lag, self.end_ts - 1).astype(np.int64)

        owners_cache: dict[tuple[str, str], np.ndarray] = {}
        utc_list, created_list, updated_list = utc.tolist(), created.tolist(), updated.tolist()
        place_list = rows.place.tolist()
        episode_list = rows.episode.tolist()
        chunk: list[dict[str, Any]] = []
        for i in range(n):
            code, kind, place = codes[i], kinds[i], place_list[i]
            mix = MIX[code]
            d = draws[i]
            key = (code, kind)
            cumulative = owners_cache.get(key)
            if cumulative is None:
                w = np.array(mix.owners) * np.array(OWNER_BY_PLACE[kind])
                cumulative = owners_cache[key] = np.cumsum(w / w.sum())
            owner_kind = OWNER_KINDS[min(int(np.searchsorted(cumulative, d[0])), 3)]
            municipality = self.place_municipality[place]
            if owner_kind == "police":
                org, user = self.orgs[POLICE], self.users[
                    "kommunpolis.vm" if d[1] < 0.6 else "omradespolis.vm"]
                sharing = "internal" if d[1] < (0.5 if code == "drugs" else 0.15) else "partners"
            elif owner_kind == "municipality":
                org, user = self.org_of_municipality[municipality], self._coordinator(
                    municipality)
                sharing = "internal" if d[1] < 0.03 else "partners"
            elif owner_kind == "housing":
                org, user = self.orgs[HOUSING], self.users["rapportor.malarbo"]
                sharing = "internal" if d[1] < 0.05 else "partners"
            else:
                org, user = self.orgs[SECURITY], self.users["rapportor.tryggvakt"]
                sharing = "internal" if d[1] < 0.05 else "partners"
            severity = _pick(mix.severity, d[2]) + 1
            police_report = ("yes", "no", "unknown")[_pick(mix.police_report, d[3])]
            age = age_days[i]
            oid = ids[i]
            status = override.get(oid)
            if status is None:
                names, weights = STATUS_BY_AGE[
                    "positive" if code == "positive" else
                    "recent" if age < 14 else "month" if age < 90 else "old"]
                status = names[_pick(weights, d[4])]
            thing_list = THINGS[kind]
            pick = int(picks[i, 0])
            title, description = self._text(code, self.place_names[place],
                                             thing_list[int(picks[i, 1]) % len(thing_list)],
                                             pick)
            start = EPOCH + timedelta(seconds=utc_list[i])
            share, low, high = mix.span
            end = None
            if d[5] < share:
                hours = low + (high - low) * ((d[5] / share) ** 2)
                end = min(start + timedelta(hours=hours), self.end - timedelta(seconds=1))
            made = EPOCH + timedelta(seconds=created_list[i])
            if end is not None and made < end:  # reported once it was over
                made = min(end + timedelta(minutes=20), self.end - timedelta(seconds=1))
            changed = made if status == "new" else max(
                made, EPOCH + timedelta(seconds=updated_list[i]))
            tags = ["återkommande"] if episode_list[i] >= 0 and d[5] < 0.3 else []
            chunk.append(dict(
                id=oid, category_code=code, title=title, description=description,
                occurred_from=start, occurred_to=end, latitude=lat[i], longitude=lon[i],
                place_name=self.place_names[place], area_id=area_ids[i], place_type=kind,
                severity=severity, status=status, police_report=police_report, walk_id=None,
                stop_number=None, ratings=None, proposed_measure="", tags=tags,
                owner_org_id=org, sharing=sharing, created_at=made, created_by=user,
                updated_at=changed, updated_by=user, rev=None, deleted_at=None))
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _pick(weights: Sequence[float], u: float) -> int:
    total = sum(weights)
    running = 0.0
    for i, w in enumerate(weights):
        running += w / total
        if u < running:
            return i
    return len(weights) - 1


STATUS_BY_AGE: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    # Recent observations are new or being assessed, old ones mostly closed.
    "recent": (("new", "assessing", "measure_planned", "in_progress", "duplicate",
                "handed_over"), (55, 30, 7, 5, 2, 1)),
    "month": (("new", "assessing", "measure_planned", "in_progress", "resolved",
               "closed_no_action", "handed_over", "duplicate"), (8, 20, 15, 15, 20, 14, 5, 3)),
    "old": (("new", "assessing", "measure_planned", "in_progress", "resolved",
             "closed_no_action", "handed_over", "duplicate"), (1, 2, 2, 3, 45, 35, 8, 4)),
    "positive": (("new", "closed_no_action"), (10, 90)),
}


def _uuid7(millis: int, rand_a: int, rand_b: int) -> str:
    value = ((millis & ((1 << 48) - 1)) << 80) | (0x7 << 76) | ((rand_a & 0xFFF) << 64) \
        | (0b10 << 62) | (rand_b & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


__all__ = ["DemoSummary", "build_demo"]
