"""The catalogue of DOMAIN.md: categories, statuses, severities and the other fixed lists.

Each entry carries its Swedish and English label, so the core stays free of Qt; the UI
picks the label of the chosen language. Categories are seeded from here into the
database, where an installation may edit them (the catalogue is shared through sync).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    sv: str
    en: str

    def text(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv


@dataclass(frozen=True, slots=True)
class CategorySeed:
    code: str
    sv: str
    en: str
    colour: str
    parent: str | None = None
    icon: str = ""


def _group(
    code: str, sv: str, en: str, colour: str, *children: tuple[str, str, str]
) -> list[CategorySeed]:
    seeds = [CategorySeed(code, sv, en, colour)]
    seeds += [CategorySeed(c, s, e, colour, parent=code) for c, s, e in children]
    return seeds


# Colours come from a qualitative palette that stays apart on a map and in print.
CATEGORIES: tuple[CategorySeed, ...] = tuple(
    _group(
        "vandalism", "Skadegörelse", "Vandalism", "#d62728",
        ("graffiti", "Klotter", "Graffiti"),
        ("broken_glass", "Glaskross", "Broken glass"),
        ("arson", "Anlagd brand", "Arson"),
    )
    + _group("littering", "Nedskräpning/dumpning", "Littering/dumping", "#8c564b")
    + _group(
        "unsafe_place", "Otrygg plats", "Unsafe place", "#ff7f0e",
        ("poor_lighting", "Bristande belysning", "Poor lighting"),
        ("blocked_view", "Skymd sikt/vegetation", "Blocked view/vegetation"),
        ("deserted_place", "Ödslig plats", "Deserted place"),
    )
    + _group(
        "gathering", "Otrygghetsskapande samling", "Intimidating gathering", "#9467bd"
    )
    + _group("disorder", "Ordningsstörning/våld", "Disorder/violence", "#e377c2")
    + _group(
        "drugs", "Misstänkt narkotikahantering", "Suspected drug dealing", "#7f7f7f"
    )
    + _group("burglary_theft", "Inbrott/stöld", "Burglary/theft", "#1f77b4")
    + _group(
        "traffic", "Trafik", "Traffic", "#bcbd22",
        ("reckless_driving", "Buskörning", "Reckless driving"),
        ("epa_tractor", "A-traktor/EPA", "A-tractor/EPA"),
    )
    + _group("rough_sleeping", "Olovlig sovplats", "Rough sleeping", "#17becf")
    + _group("threat_staff", "Hot mot personal", "Threat against staff", "#a50f15")
    + _group("event", "Arrangemang", "Planned event", "#2ca02c")
    + _group("rumours", "Ryktesspridning/sociala medier", "Rumours/social media", "#c49c94")
    + _group("positive", "Positiv iakttagelse", "Positive observation", "#31a354")
    + _group("other", "Övrigt", "Other", "#525252")
)

CATEGORY_BY_CODE: dict[str, CategorySeed] = {c.code: c for c in CATEGORIES}


class ObservationStatus(StrEnum):
    NEW = "new"
    ASSESSING = "assessing"
    MEASURE_PLANNED = "measure_planned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED_NO_ACTION = "closed_no_action"
    HANDED_OVER = "handed_over"
    DUPLICATE = "duplicate"


OBSERVATION_STATUSES: tuple[Label, ...] = (
    Label(ObservationStatus.NEW, "Ny", "New"),
    Label(ObservationStatus.ASSESSING, "Under bedömning", "Being assessed"),
    Label(ObservationStatus.MEASURE_PLANNED, "Åtgärd planerad", "Measure planned"),
    Label(ObservationStatus.IN_PROGRESS, "Pågår", "In progress"),
    Label(ObservationStatus.RESOLVED, "Åtgärdad", "Resolved"),
    Label(ObservationStatus.CLOSED_NO_ACTION, "Avslutad utan åtgärd", "Closed without action"),
    Label(ObservationStatus.HANDED_OVER, "Överlämnad (ej vårt ansvar)", "Handed over"),
    Label(ObservationStatus.DUPLICATE, "Dubblett", "Duplicate"),
)

SEVERITIES: tuple[Label, ...] = (
    Label("1", "Låg", "Low"),
    Label("2", "Medel", "Medium"),
    Label("3", "Hög", "High"),
    Label("4", "Akut", "Acute"),
)
ACUTE_SEVERITY = 4
ACUTE_REMINDER_SV = "Akut fara för liv eller egendom? Ring 112."
ACUTE_REMINDER_EN = "Immediate danger to life or property? Call 112."

POLICE_REPORT: tuple[Label, ...] = (
    Label("yes", "Ja", "Yes"),
    Label("no", "Nej", "No"),
    Label("unknown", "Vet ej", "Don't know"),
)

PLACE_TYPES: tuple[Label, ...] = (
    Label("centre", "Centrum/torg", "Town centre/square"),
    Label("station", "Resecentrum/hållplats", "Station/bus stop"),
    Label("park", "Park/grönområde", "Park/green space"),
    Label("school", "Skola/förskola", "School"),
    Label("residential", "Bostadsområde", "Residential area"),
    Label("sports", "Idrottsplats", "Sports ground"),
    Label("shop", "Butik/köpcentrum", "Shop/shopping centre"),
    Label("parking", "Parkering", "Car park"),
    Label("street", "Gata/gång- och cykelväg", "Street/path"),
    Label("other", "Annan plats", "Other place"),
)


class MeasureStatus(StrEnum):
    PROPOSED = "proposed"
    DECIDED = "decided"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FOLLOWED_UP = "followed_up"
    CANCELLED = "cancelled"


MEASURE_STATUSES: tuple[Label, ...] = (
    Label(MeasureStatus.PROPOSED, "Föreslagen", "Proposed"),
    Label(MeasureStatus.DECIDED, "Beslutad", "Decided"),
    Label(MeasureStatus.IN_PROGRESS, "Pågår", "In progress"),
    Label(MeasureStatus.DONE, "Genomförd", "Done"),
    Label(MeasureStatus.FOLLOWED_UP, "Uppföljd", "Followed up"),
    Label(MeasureStatus.CANCELLED, "Avbruten", "Cancelled"),
)

# Which status a measure may move to from each status. A finished measure may be
# reopened (done -> in progress) when the follow-up shows it did not work.
MEASURE_TRANSITIONS: dict[str, frozenset[str]] = {
    MeasureStatus.PROPOSED: frozenset({MeasureStatus.DECIDED, MeasureStatus.CANCELLED}),
    MeasureStatus.DECIDED: frozenset({MeasureStatus.IN_PROGRESS, MeasureStatus.CANCELLED}),
    MeasureStatus.IN_PROGRESS: frozenset({MeasureStatus.DONE, MeasureStatus.CANCELLED}),
    MeasureStatus.DONE: frozenset({MeasureStatus.FOLLOWED_UP, MeasureStatus.IN_PROGRESS}),
    MeasureStatus.FOLLOWED_UP: frozenset(),
    MeasureStatus.CANCELLED: frozenset({MeasureStatus.PROPOSED}),
}

MEASURE_TYPES: tuple[Label, ...] = (
    Label("situational", "Situationell", "Situational"),
    Label("presence", "Närvaro", "Presence"),
    Label("social", "Social/dialog", "Social/dialogue"),
    Label("communication", "Kommunikation", "Communication"),
)

MEASURE_PRIORITIES: tuple[Label, ...] = (
    Label("acute", "Akut", "Acute"),
    Label("high", "Hög", "High"),
    Label("normal", "Normal", "Normal"),
    Label("long_term", "Långsiktig", "Long-term"),
)

MEASURE_EFFECTS: tuple[Label, ...] = (
    Label("improved", "Förbättrat", "Improved"),
    Label("unchanged", "Oförändrat", "Unchanged"),
    Label("worse", "Försämrat", "Worse"),
    Label("not_assessed", "Ej bedömt", "Not assessed"),
)

ORGANISATION_KINDS: tuple[Label, ...] = (
    Label("municipality", "Kommun", "Municipality"),
    Label("police", "Polis", "Police"),
    Label("housing", "Bostadsbolag", "Housing company"),
    Label("security", "Väktare", "Security company"),
    Label("rescue", "Räddningstjänst", "Rescue service"),
    Label("business", "Näringsliv", "Business"),
    Label("association", "Förening", "Association"),
    Label("public", "Allmänhet", "Public"),
)

WALK_LIGHT: tuple[Label, ...] = (
    Label("daylight", "Dagsljus", "Daylight"),
    Label("dusk", "Skymning", "Dusk"),
    Label("dark", "Mörker", "Dark"),
)

WALK_PHASES: tuple[Label, ...] = (
    Label("planned", "Planerad", "Planned"),
    Label("walked", "Genomförd", "Walked"),
    Label("minutes_done", "Protokoll klart", "Minutes done"),
    Label("feedback_given", "Återkoppling given", "Feedback given"),
    Label("followed_up", "Uppföljd", "Followed up"),
)

# Safetipin's nine audit parameters, each rated 0-3 at a walk stop.
WALK_RATINGS: tuple[Label, ...] = (
    Label("lighting", "Belysning", "Lighting"),
    Label("openness", "Öppenhet", "Openness"),
    Label("visibility", "Synlighet", "Visibility"),
    Label("people", "Människor", "People"),
    Label("security", "Bevakning", "Security"),
    Label("walk_path", "Gångväg", "Walk path"),
    Label("transport", "Kollektivtrafik", "Public transport"),
    Label("gender_usage", "Könsfördelning", "Gender usage"),
    Label("feeling", "Känsla", "Feeling"),
)

# The groups whose participants a walk counts.
WALK_PARTICIPANT_GROUPS: tuple[Label, ...] = (
    Label("residents", "Boende", "Residents"),
    Label("municipality", "Kommun", "Municipality"),
    Label("police", "Polis", "Police"),
    Label("housing", "Bostadsbolag", "Housing company"),
    Label("other", "Övriga", "Others"),
)

SHARING_LEVELS: tuple[Label, ...] = (
    Label("internal", "Intern (egen organisation)", "Internal (own organisation)"),
    Label("partners", "Delad med samverkansparter", "Shared with partners"),
)

ROLES: tuple[Label, ...] = (
    Label("reporter", "Rapportör", "Reporter"),
    Label("coordinator", "Samordnare", "Coordinator"),
    Label("police", "Polis", "Police"),
    Label("read_only", "Läsbehörighet", "Read-only"),
    Label("admin", "Administratör", "Administrator"),
)


def codes(labels: tuple[Label, ...]) -> frozenset[str]:
    return frozenset(label.code for label in labels)


def label_for(labels: tuple[Label, ...], code: str, language: str = "sv") -> str:
    for label in labels:
        if label.code == code:
            return label.text(language)
    return code


def can_move_measure(current: str, target: str) -> bool:
    return current == target or target in MEASURE_TRANSITIONS.get(current, frozenset())
