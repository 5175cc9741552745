"""The observation form's offer of possible duplicates, and its safety-walk section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import observations, walks
from lagesbild_desktop.services.drafts import DraftStore
from lagesbild_desktop.services.walks import WalkView
from lagesbild_desktop.ui.observation_form import ObservationForm

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

HERE = (59.5140, 15.9930)
METRE = 1 / 111_195  # degrees of latitude (the haversine's mean radius)
# A whole minute, so the form's time (minutes) is exactly this.
WHEN = (datetime.now(LOCAL) - timedelta(days=1)).replace(second=0, microsecond=0)
LEFT = Qt.MouseButton.LeftButton


def stored(db: Database, actor: Actor, **changes: Any) -> Any:
    values: dict[str, Any] = dict(
        category="graffiti", occurred_from=WHEN - timedelta(hours=3),
        latitude=HERE[0] + 20 * METRE, longitude=HERE[1], title="Tagg på gaveln",
        place_name="Stora torget")
    values.update(changes)
    return observations.create_observation(db, actor, ObservationInput(**values))


def fill(form: ObservationForm, qtbot: Any, category: str = "Klotter (Skadegörelse)",
         position: tuple[float, float] = HERE) -> list[Any]:
    """Type category, time and position; the offered candidates once the form has looked."""
    with qtbot.waitSignal(form.duplicates_checked, timeout=5_000) as checked:
        form.category.setEditText(category)
        form.time_from.set_moment(WHEN)
        form.position.setText(f"{position[0]:.6f}, {position[1]:.6f}")
    result: list[Any] = checked.args[0]
    return result


# -- possible duplicates -----------------------------------------------------------------

def test_a_same_category_observation_20_m_and_3_h_away_is_offered(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    original = stored(db, actor)
    form = make_form()
    (candidate,) = fill(form, qtbot)

    assert candidate.observation.id == original.id
    offer = form.duplicate_offer
    assert offer.isVisible()
    text = offer.text.text()
    # English until the Swedish is in the .qm file.
    assert text.startswith(("Det finns 1 liknande iakttagelse inom 50 m och 48 timmar: ",
                            "There is 1 similar observation within 50 m and 48 hours: "))
    local = original.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert f"Klotter, Stora torget, {local} (20 m" in text
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(form.duplicate_shown) as shown:
        qtbot.mouseClick(offer.show_button, LEFT)
    assert shown.args == [original.id]
    assert "Tagg på gaveln" in offer.details.text()


@pytest.mark.parametrize("changes", [
    pytest.param({"latitude": HERE[0] + 80 * METRE}, id="80 m away"),
    pytest.param({"category": "broken_glass"}, id="another category"),
    pytest.param({"occurred_from": WHEN - timedelta(hours=60)}, id="60 h earlier"),
])
def test_nothing_is_offered_farther_away_or_for_another_category(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database, actor: Actor,
        changes: dict[str, Any]) -> None:
    stored(db, actor, **changes)
    form = make_form()
    assert fill(form, qtbot) == []
    assert not form.duplicate_offer.isVisible()


def test_link_as_duplicate_stores_the_new_observation_as_a_duplicate(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    original = stored(db, actor)
    form = make_form()
    fill(form, qtbot)
    form.title.setText("Nytt klotter på gaveln")

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.mouseClick(form.duplicate_offer.link_button, LEFT)
    view = saved.args[0]
    assert view.id != original.id
    assert view.status == "duplicate"
    assert view.tags == [f"dubblett-av:{original.id}"]
    assert view.title == "Nytt klotter på gaveln"  # what was typed is kept
    qtbot.waitUntil(lambda: not form.isVisible())
    assert observations.get_observation(db, original.id).status == "new"


def test_an_edited_observation_is_linked_and_never_offered_itself(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    original = stored(db, actor)
    later = stored(db, actor, occurred_from=WHEN, latitude=HERE[0], title="Samma tagg")
    form = make_form(existing=later)
    qtbot.waitUntil(form.duplicate_offer.isVisible, timeout=5_000)
    assert [c.observation.id for c in form.duplicate_offer.candidates] == [original.id]

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.mouseClick(form.duplicate_offer.link_button, LEFT)
    assert saved.args[0].id == later.id
    assert saved.args[0].status == "duplicate"
    assert saved.args[0].tags == [f"dubblett-av:{original.id}"]


def test_not_a_duplicate_hides_the_offer_and_a_normal_save_stores_a_normal_observation(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database,
        actor: Actor) -> None:
    stored(db, actor)
    form = make_form()
    fill(form, qtbot)
    form.title.setText("Något annat")
    before = form._values()

    qtbot.mouseClick(form.duplicate_offer.dismiss_button, LEFT)
    assert not form.duplicate_offer.isVisible()
    assert form._values() == before
    # Moving a little looks again, but what the user turned down is not offered again.
    with qtbot.waitSignal(form.duplicates_checked, timeout=5_000) as checked:
        form.position.setText(f"{HERE[0] + 2 * METRE:.6f}, {HERE[1]:.6f}")
    assert checked.args[0] == []
    assert not form.duplicate_offer.isVisible()

    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    view = saved.args[0]
    assert (view.status, view.tags, view.title) == ("new", [], "Något annat")
    assert observations.find_observations(db, ObservationFilter()).total == 2


def test_moving_away_withdraws_the_offer(make_form: Callable[..., ObservationForm], qtbot: Any,
                                   db: Database, actor: Actor) -> None:
    stored(db, actor)
    form = make_form()
    fill(form, qtbot)
    assert form.duplicate_offer.isVisible()
    # Moved 80 m: the next answer takes the offer away.
    with qtbot.waitSignal(form.duplicates_checked, timeout=5_000) as checked:
        form.position.setText(f"{HERE[0] - 80 * METRE:.6f}, {HERE[1]:.6f}")
    assert checked.args[0] == []
    assert not form.duplicate_offer.isVisible()


# -- safety-walk findings ----------------------------------------------------------------

@pytest.fixture
def walk(db: Database, actor: Actor) -> WalkView:
    return walks.create_walk(db, actor, WalkInput("Kvällsvandring centrum", WHEN))


def walks_listed(form: ObservationForm) -> bool:
    return form.walk_finding.walk.count() > 1


def test_a_walk_finding_is_saved_and_shown_again_when_edited(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database, actor: Actor,
        walk: WalkView) -> None:
    stored(db, actor, walk_id=walk.id, stop_number=1, category="poor_lighting",
           latitude=59.52)
    form = make_form(walk_id=walk.id)
    section = form.walk_finding
    qtbot.waitUntil(lambda: section.stop_number.value() == 2)  # the walk's next stop
    assert section.walk.currentData() == walk.id
    assert not form.has_input()  # a preset is not input: Esc closes at once

    form.category.setEditText("Bristande belysning (Otrygg plats)")
    form.position.setText("59.514000, 15.993000")
    section.set_expanded(True)
    section.ratings["lighting"].setCurrentIndex(section.ratings["lighting"].findData(0))
    section.ratings["feeling"].setCurrentIndex(section.ratings["feeling"].findData(2))
    section.proposed_measure.setPlainText("Byt armaturerna i gångtunneln.")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    view = saved.args[0]
    assert (view.walk_id, view.stop_number) == (walk.id, 2)
    assert view.ratings == {"lighting": 0, "feeling": 2}
    assert view.proposed_measure == "Byt armaturerna i gångtunneln."

    edit = make_form(existing=view)
    shown = edit.walk_finding
    qtbot.waitUntil(lambda: walks_listed(edit))
    assert shown.is_expanded()
    assert shown.walk.currentData() == walk.id
    assert shown.stop_number.value() == 2
    assert shown.rated() == {"lighting": 0, "feeling": 2}
    assert shown.ratings["openness"].currentData() is None  # "not rated"
    assert shown.proposed_measure.toPlainText() == "Byt armaturerna i gångtunneln."
    assert not edit.has_input()

    shown.ratings["lighting"].setCurrentIndex(shown.ratings["lighting"].findData(1))
    shown.ratings["feeling"].setCurrentIndex(0)  # back to "not rated"
    with qtbot.waitSignal(edit.saved, timeout=10_000) as again:
        edit.save()
    assert again.args[0].ratings == {"lighting": 1}
    assert again.args[0].walk_id == walk.id


def test_no_walk_means_no_finding_fields(make_form: Callable[..., ObservationForm],
                                         qtbot: Any, walk: WalkView) -> None:
    form = make_form()
    qtbot.waitUntil(lambda: walks_listed(form))
    assert not form.walk_finding.is_expanded()
    assert form.walk_finding.walk.currentData() is None
    form.category.setEditText("Övrigt")
    form.position.setText("59.514000, 15.993000")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    view = saved.args[0]
    assert (view.walk_id, view.stop_number, view.ratings, view.proposed_measure) == (
        None, None, None, "")


def test_a_draft_keeps_the_finding_fields(make_form: Callable[..., ObservationForm],
                                          qtbot: Any, drafts: DraftStore,
                                          walk: WalkView) -> None:
    form = make_form()
    section = form.walk_finding
    qtbot.waitUntil(lambda: walks_listed(form))
    section.walk.setCurrentIndex(section.walk.findData(walk.id))
    section.stop_number.setValue(4)
    section.ratings["visibility"].setCurrentIndex(section.ratings["visibility"].findData(3))
    section.proposed_measure.setPlainText("Röj buskarna\nvid gångvägen")

    def written() -> bool:
        saved = drafts.load_all()
        return bool(saved) and saved[0].values.get("proposed_measure") == (
            "Röj buskarna\nvid gångvägen")
    qtbot.waitUntil(written, timeout=5_000)
    (draft,) = drafts.load_all()
    assert draft.values["walk_id"] == walk.id
    assert draft.values["stop_number"] == 4
    assert draft.values["ratings"] == {"visibility": 3}

    restored = make_form(draft=draft.values)
    assert restored.walk_finding.walk_id() == walk.id  # kept before the walks arrive
    qtbot.waitUntil(lambda: walks_listed(restored))
    assert restored._values() == form._values()
    assert restored.walk_finding.walk.currentData() == walk.id
    assert restored.walk_finding.is_expanded()
    assert restored.has_input()
