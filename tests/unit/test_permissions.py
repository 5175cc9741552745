"""The role matrix: every role against every action, and services that refuse."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.retention import RetentionPolicy
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import measures, observations, retention, walks
from lagesbild_desktop.services.permissions import (
    ACTIONS,
    MATRIX,
    REFUSED_SV,
    NotPermitted,
    allowed,
    may_change,
    require,
)

# The whole matrix written out once more, so a change to it is a deliberate change here.
YES = {
    "reporter": {"view", "create", "edit", "delete", "sync", "resolve_conflict",
                 "run_retention"},
    "coordinator": set(ACTIONS) - {"manage_users", "view_audit"},
    "police": set(ACTIONS) - {"manage_users", "manage_catalogue", "set_retention",
                              "view_audit", "set_privacy"},
    "read_only": {"view", "report", "sync"},
    "admin": set(ACTIONS),
}
WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize("role", sorted(YES))
@pytest.mark.parametrize("action", ACTIONS)
def test_the_matrix(role, action):
    actor = Actor("u", "org", "dev", role)
    assert allowed(role, action) is (action in YES[role])
    if action in YES[role]:
        require(actor, action)
    else:
        with pytest.raises(NotPermitted) as refused:
            require(actor, action)
        assert refused.value.message_sv == REFUSED_SV.get(
            action, "Din roll har inte behörighet till detta.")


def test_every_role_of_the_catalogue_is_in_the_matrix():
    from lagesbild_desktop.domain.catalogue import ROLES, codes

    assert set(MATRIX) == codes(ROLES)


def test_unknown_roles_may_do_nothing_and_unknown_actions_are_bugs():
    assert not allowed("visitor", "view")
    with pytest.raises(ValueError, match="unknown action"):
        allowed("admin", "fly")


@pytest.mark.parametrize(("role", "owner", "sharing", "ok"), [
    ("reporter", "mine", "internal", True),
    ("reporter", "theirs", "partners", False),
    ("coordinator", "theirs", "partners", True),
    ("police", "theirs", "partners", True),
    ("coordinator", "theirs", "internal", False),
    ("admin", "theirs", "internal", True),
])
def test_records_of_other_organisations(role, owner, sharing, ok):
    assert may_change(Actor("u", "mine", "dev", role), owner, sharing) is ok


def draft(**changes):
    values = dict(category="broken_glass", occurred_from=WHEN, latitude=59.3945,
                  longitude=15.8413, place_name="Stora torget", severity=2)
    values.update(changes)
    return ObservationInput(**values)


def test_services_refuse_a_read_only_user(db, actor):
    reader = replace(actor, role="read_only")
    view = observations.create_observation(db, actor, draft())
    walk = walks.create_walk(db, actor, WalkInput("Vandring", WHEN))
    calls = [
        lambda: observations.create_observation(db, reader, draft()),
        lambda: observations.update_observation(db, reader, view.id, view.as_input()),
        lambda: observations.delete_observation(db, reader, view.id),
        lambda: walks.create_walk(db, reader, WalkInput("Vandring", WHEN)),
        lambda: walks.delete_walk(db, reader, walk.id),
        lambda: measures.create_measure(db, reader, MeasureInput(
            title="Belysning", measure_type="lighting", description="")),
        lambda: retention.set_policy(db, reader, RetentionPolicy(12)),
        lambda: retention.run_retention(db, reader, db.path.parent, today=date(2026, 11, 26)),
    ]
    for call in calls:
        with pytest.raises(NotPermitted) as refused:
            call()
        assert refused.value.message_sv
    assert observations.get_observation(db, view.id).deleted_at is None


def test_a_reporter_changes_only_the_own_organisations_records(db, actor):
    from lagesbild_desktop.services.installation import add_organisation

    police = add_organisation(db, "Polisen Västra Mälardalen", "police")
    other = replace(actor, org_id=police, role="police")
    theirs = observations.create_observation(db, other, draft(sharing="partners"))
    reporter = replace(actor, role="reporter")
    mine = observations.create_observation(db, reporter, draft())
    observations.update_observation(db, reporter, mine.id, replace(mine.as_input(), severity=3))
    with pytest.raises(NotPermitted):
        observations.update_observation(db, reporter, theirs.id, theirs.as_input())
    with pytest.raises(NotPermitted):
        observations.delete_observation(db, reporter, theirs.id)
    # A coordinator of a partner may edit what is shared with partners.
    observations.update_observation(db, replace(actor, role="coordinator"), theirs.id,
                                    replace(theirs.as_input(), severity=4))


def test_export_needs_the_export_right(db, actor, tmp_path):
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.services.exchange import export_observations

    with pytest.raises(NotPermitted):
        export_observations(db, ObservationFilter(), "csv", tmp_path / "x.csv",
                            actor=replace(actor, role="reporter"))
    assert not (tmp_path / "x.csv").exists()
