"""A record made internal leaves the partners' devices: row, photos, links and all."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lagesbild_desktop.db.models import Observation, Outbox, measure_observation
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.services import measures
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.sync import apply, protocol
from lagesbild_desktop.sync.server.models import Record
from tests.sync.client_devices import Device, photo, stored
from tests.sync.conftest import observation


def shared_with_photo(police: Device, tmp_path: Path) -> tuple[str, str]:
    """A shared police observation with a photo, sent; its id and the photo's sha256."""
    made = police.observe(description="Langning vid busstationen", sharing="partners")
    attached = police.attach(made, photo(tmp_path, "bild.jpg", 3000, seed=7))
    assert police.sync().complete
    return made, attached.sha256


def test_a_record_made_internal_leaves_the_municipalitys_device(fleet, tmp_path):
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    made, sha = shared_with_photo(police, tmp_path)
    other = police.observe(description="Trasig belysning")  # stays shared
    own = kommun.observe(description="Klotter på skolan")
    fleet.sync_all(police, kommun)
    assert ("observation", made) in kommun.data()
    assert sha in stored(kommun)
    before = kommun.data()

    police.edit(made, sharing="internal")
    assert police.sync().complete
    cursor = kommun.cursor()
    report = kommun.sync()
    assert report.complete, report

    after = kommun.data()
    attachment_ids = {row_id for (table, row_id), row in before.items()
                      if table == "attachment" and row["observation_id"] == made}
    assert len(attachment_ids) == 1
    gone = {("observation", made)} | {("attachment", a) for a in attachment_ids}
    assert {k: v for k, v in before.items() if k not in gone} == after
    assert {("observation", other), ("observation", own)} <= set(after)
    assert sha not in stored(kommun)
    assert report.withdrawn == 2  # the observation and its photo
    assert kommun.cursor() > cursor
    assert kommun.outbox() == []
    # The police still have all of it.
    assert police.get(made).sharing == "internal"
    assert sha in stored(police)
    # The server no longer hands the photo to the municipality.
    anna = fleet.admin.api("anna")
    assert anna.http.get(f"/v1/blobs/{sha}", headers=anna.headers()).status_code == 404
    per = fleet.admin.api("polis")
    assert per.http.get(f"/v1/blobs/{sha}", headers=per.headers()).status_code == 200
    # A second sync has nothing more to do.
    again = kommun.sync()
    assert again.complete
    assert again.withdrawn == 0
    assert again.pulled == 0


def test_a_record_never_shared_is_never_announced(fleet, tmp_path):
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    secret = police.observe(description="Spaning", sharing="internal")
    made, sha = shared_with_photo(police, tmp_path)
    police.attach(secret, photo(tmp_path, "hemlig.jpg", 2000, seed=9))
    assert police.sync().complete
    kommun.sync()
    police.edit(made, sharing="internal")
    police.edit(secret, description="Spaning, dag 2")
    assert police.sync().complete

    changes, _ = fleet.admin.api("anna").pull_all()
    ids = {row_id for _, row_id in changes}
    assert secret not in ids
    secret_photos = {c["row_id"] for c in fleet.admin.api("polis").pull_all()[0].values()
                     if c["table"] == "attachment" and c["row"]["observation_id"] == secret}
    assert secret_photos
    assert not secret_photos & ids
    withdrawn = changes[("observation", made)]
    assert withdrawn["withdrawn"] is True
    assert withdrawn["row"] == {}
    assert "Langning" not in str(withdrawn)
    # Nor from the first page on, a page at a time.
    one_by_one, _ = fleet.admin.api("anna").pull_all(limit=1)
    assert set(one_by_one) == set(changes)


def test_an_unsent_edit_of_a_withdrawn_record_waits_for_the_user(fleet, tmp_path):
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    made, _ = shared_with_photo(police, tmp_path)
    assert kommun.sync().complete
    kommun.edit(made, status="in_progress", description="Vi har satt upp kamera")
    police.edit(made, sharing="internal")
    assert police.sync().complete

    report = kommun.sync()
    assert report.error is None
    assert report.rejected_after == 1
    [waiting] = sync_service.needs_attention(kommun.db)
    assert waiting.row_id == made
    assert waiting.fields["description"] == "Vi har satt upp kamera"
    assert waiting.message == f"{apply.WITHDRAWN_SV} / {apply.WITHDRAWN_EN}"
    assert ("observation", made) not in kommun.data()
    # Discarding it keeps the values in the audit log, as for any refused change.
    sync_service.discard_rejected(kommun.db, kommun.actor, waiting.op_id)
    assert kommun.outbox() == []


def test_an_edit_made_between_push_and_pull_is_kept_as_refused(fleet, tmp_path):
    """The pull may meet an op the push did not send yet: it is refused, not dropped."""
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    made, sha = shared_with_photo(police, tmp_path)
    assert kommun.sync().complete
    kommun.edit(made, title="Egen rubrik")
    with kommun.db.session() as session:
        rev = session.scalar(select(Observation.rev).where(Observation.id == made))
    withdrawal = protocol.Change(seq=(rev or 0) + 10, table="observation", row_id=made,
                                 rev=(rev or 0) + 10, deleted=True, owner_org_id="x",
                                 sharing="internal", row={}, withdrawn=True)
    with kommun.db.transaction() as session:
        outcome = apply.apply_changes(session, [withdrawal])
    assert outcome.withdrawn == 2
    assert outcome.unreferenced_blobs == {sha}
    [op] = kommun.outbox()
    assert (op.state, op.row_id, op.fields["title"]) == ("rejected", made, "Egen rubrik")
    assert apply.WITHDRAWN_SV in (op.last_error or "")


def test_measure_links_and_conflicts_go_with_the_record(fleet, tmp_path):
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    made, _ = shared_with_photo(police, tmp_path)
    kept = police.observe(description="Trasig belysning")
    assert police.sync().complete
    assert kommun.sync().complete
    measure = measures.create_measure(kommun.db, kommun.actor, MeasureInput(
        "Kamerabevakning", "situational", deadline=date(2026, 12, 31),
        observation_ids=[made, kept])).id
    assert kommun.sync().complete
    # Both change the title at once: the municipality's device keeps a conflict.
    police.edit(made, title="Polisens rubrik")
    assert police.sync().complete
    kommun.edit(made, title="Kommunens rubrik")
    assert kommun.sync().complete
    assert {c.row_id for c in kommun.conflicts()} == {made}

    police.edit(made, sharing="internal")
    assert police.sync().complete
    kommun.sync()
    with kommun.db.session() as session:
        links = set(session.execute(select(measure_observation)).all())
        refused = session.scalars(select(Outbox).where(Outbox.row_id == made)).all()
    assert links == {(measure, kept)}
    assert kommun.conflicts() == []
    assert refused == []
    assert ("measure", measure) in kommun.data()


def test_a_record_shared_again_comes_back_with_its_photo(fleet, tmp_path):
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    made, sha = shared_with_photo(police, tmp_path)
    assert kommun.sync().complete
    police.edit(made, sharing="internal")
    assert police.sync().complete
    assert kommun.sync().complete
    assert ("observation", made) not in kommun.data()

    police.edit(made, sharing="partners", description="Langning, nu delad igen")
    assert police.sync().complete
    report = kommun.sync()
    assert report.complete, report
    assert kommun.get(made).description == "Langning, nu delad igen"
    assert sha in stored(kommun)
    theirs, mine = police.data(), kommun.data()
    assert mine[("observation", made)] == theirs[("observation", made)]
    photos = {k for k, v in theirs.items() if k[0] == "attachment"
              and v["observation_id"] == made}
    assert photos
    assert all(mine[k] == theirs[k] for k in photos)


def test_a_walk_made_internal_leaves_its_findings_that_stay_shared(fleet):
    from lagesbild_desktop.services import walks

    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    walk = walks.create_walk(police.db, police.actor, walks_input())
    finding = police.observe(description="Mörk gångtunnel", walk_id=walk.id, stop_number=1)
    assert police.sync().complete
    assert kommun.sync().complete
    assert ("walk", walk.id) in kommun.data()
    walks.update_walk(police.db, police.actor, walk.id, walks_input(sharing="internal"))
    assert police.sync().complete
    assert kommun.sync().complete
    data = kommun.data()
    assert ("walk", walk.id) not in data
    assert data[("observation", finding)]["walk_id"] == walk.id


def walks_input(**changes):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from lagesbild_desktop.domain.walk import WalkInput

    values = dict(title="Trygghetsvandring Centrum", starts_at=datetime(
        2026, 11, 20, 18, 0, tzinfo=UTC))
    values.update(changes)
    return WalkInput(**values)


def test_a_former_owner_loses_a_record_handed_over_internal(sync_server):
    _, admin = sync_server
    kommun = admin.add_org("Köpings kommun", "municipality")
    polis = admin.add_org("Polisen Västra Mälardalen", "police")
    admin.add_user("anna", "Köpings kommun")
    admin.add_user("per", "Polisen Västra Mälardalen", "police")
    anna, per = admin.api("anna"), admin.api("per")
    row_id = str(uuid.uuid4())
    [made] = anna.push([anna.op("observation", row_id, observation(kommun, sharing="internal"))])
    _, cursor = anna.pull_all()
    [handed] = anna.push([anna.op("observation", row_id, {"owner_org_id": polis},
                                  base_rev=made["rev"])])
    assert handed["status"] == "applied"
    later, _ = anna.pull_all(cursor)
    assert later[("observation", row_id)]["withdrawn"] is True
    # The police never saw it while it was the municipality's, and see it now.
    theirs, _ = per.pull_all()
    assert theirs[("observation", row_id)].get("withdrawn", False) is False


def test_an_existing_server_database_learns_who_saw_what(sync_server):
    """The upgrade to 0002 fills in, from the revisions, who could see each row."""
    from alembic import command

    from lagesbild_desktop.sync.server.store import _alembic_config, upgrade_schema

    _, admin = sync_server
    admin.add_org("Köpings kommun", "municipality")
    polis = admin.add_org("Polisen Västra Mälardalen", "police")
    admin.add_user("anna", "Köpings kommun")
    admin.add_user("per", "Polisen Västra Mälardalen", "police")
    anna, per = admin.api("anna"), admin.api("per")
    shared, secret, photo_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    results = per.push([
        per.op("observation", shared, observation(polis)),
        per.op("observation", secret, observation(polis, sharing="internal")),
        per.op("attachment", photo_id, {
            "owner_org_id": polis, "sharing": "partners", "observation_id": shared,
            "sha256": "0" * 64, "file_name": "a.jpg", "mime": "image/jpeg", "size": 1,
            "taken_at": None, "exif_latitude": None, "exif_longitude": None,
            "deleted_at": None})])
    per.push([per.op("observation", shared, {"sharing": "internal"},
                     base_rev=results[0]["rev"])])
    engine = admin.store.engine.execution_options(lagesbild_write=True)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0001")
    upgrade_schema(admin.store)

    with admin.store.read() as session:
        found = {r.row_id: r for r in session.scalars(select(Record))}
    assert found[shared].ever_shared
    assert not found[secret].ever_shared
    assert found[photo_id].parent_id == shared
    changes, _ = anna.pull_all()
    assert changes[("observation", shared)]["withdrawn"] is True
    assert ("observation", secret) not in changes
