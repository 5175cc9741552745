"""What a measure (åtgärd) holds, its rules and its status transitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.observation import MAX_TITLE, Problem

FINISHED = frozenset({catalogue.MeasureStatus.DONE, catalogue.MeasureStatus.FOLLOWED_UP,
                      catalogue.MeasureStatus.CANCELLED})


@dataclass(slots=True)
class MeasureInput:
    title: str
    measure_type: str
    description: str = ""
    responsible_org_id: str | None = None
    responsible_contact: str = ""
    priority: str = "normal"
    deadline: date | None = None
    status: str = catalogue.MeasureStatus.PROPOSED
    follow_up_on: date | None = None
    effect: str | None = None
    effect_notes: str = ""
    focus_area_id: str | None = None
    commitment_id: str | None = None
    walk_id: str | None = None
    observation_ids: list[str] = field(default_factory=list)
    sharing: str = "partners"


def is_overdue(deadline: date | None, status: str, today: date) -> bool:
    return deadline is not None and deadline < today and status not in FINISHED


def validate_measure(data: MeasureInput) -> list[Problem]:
    problems: list[Problem] = []
    if not data.title.strip():
        problems.append(Problem("title", "Give the measure a title.", "Ge åtgärden en rubrik."))
    elif len(data.title) > MAX_TITLE:
        problems.append(Problem("title", f"The title is longer than {MAX_TITLE} characters.",
                                f"Rubriken är längre än {MAX_TITLE} tecken."))
    enums = [
        ("measure_type", data.measure_type, catalogue.MEASURE_TYPES, "åtgärdstyp"),
        ("priority", data.priority, catalogue.MEASURE_PRIORITIES, "prioritet"),
        ("status", data.status, catalogue.MEASURE_STATUSES, "status"),
        ("sharing", data.sharing, catalogue.SHARING_LEVELS, "delning"),
    ]
    if data.effect is not None:
        enums.append(("effect", data.effect, catalogue.MEASURE_EFFECTS, "effekt"))
    for name, value, labels, label_sv in enums:
        if value not in catalogue.codes(labels):
            problems.append(Problem(name, f"Unknown {name} '{value}'.",
                                    f"Okänt värde för {label_sv}: '{value}'."))
    return problems


def transition_problem(current: str, target: str) -> Problem | None:
    if catalogue.can_move_measure(current, target):
        return None
    sv = {label.code: label.sv for label in catalogue.MEASURE_STATUSES}
    return Problem(
        "status", f"A measure cannot move from {current} to {target}.",
        f"En åtgärd kan inte gå från {sv.get(current, current)} till "
        f"{sv.get(target, target)}.")
