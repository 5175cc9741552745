"""The sync client against the real server: sign-in, push, pull, the account made known."""

from lagesbild_desktop.db.models import AuditLog, Organisation, User
from lagesbild_desktop.sync.client import pending_counts
from tests.sync.client_devices import MUNICIPALITY


def test_a_new_observation_reaches_the_other_device(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe(description="Klotter på skolan", severity=3)
    assert pending_counts(a.db, a.store) == (1, 0)
    report = a.sync()
    assert report.complete, report
    assert (report.pushed, report.applied) == (1, 1)
    assert a.outbox() == []
    assert a.get(made).rev is not None
    report = b.sync()
    assert report.complete
    assert report.pulled >= 1
    got = b.get(made)
    assert (got.description, got.severity, got.rev) == ("Klotter på skolan", 3, a.get(made).rev)
    assert got.owner_org_id == fleet.org_ids[MUNICIPALITY]
    assert b.outbox() == []  # applying pulled rows writes no ops
    assert a.data() == b.data()


def test_the_account_is_made_known_locally_and_the_password_is_not_stored(fleet):
    a = fleet.device("a", "anna")
    with a.db.session() as session:
        user = session.query(User).filter_by(username="anna").one()
        assert user.org_id == fleet.org_ids[MUNICIPALITY]
        assert user.password_hash is None
        assert session.get(Organisation, fleet.org_ids[MUNICIPALITY]).name == MUNICIPALITY
    assert a.actor.org_id == fleet.org_ids[MUNICIPALITY]
    raw = a.db.path.read_bytes() + b"".join(
        p.read_bytes() for p in a.db.path.parent.glob(a.db.path.name + "-*"))
    assert a.password.encode() not in raw


def test_a_second_sync_signs_in_with_the_stored_refresh_token(fleet):
    a = fleet.device("a", "anna")
    a.password = ""  # no password at hand: the stored refresh token must do
    a.account.tokens.access = None
    a.observe()
    report = a.sync()
    assert report.complete, report.error


def test_a_wrong_password_is_a_clear_auth_problem_and_keeps_the_outbox(fleet):
    a = fleet.device("a", "anna", connect=False)
    a.password = "fel"
    report = a.sync()
    assert report.error is not None
    assert report.error.code == "bad_credentials"
    assert report.error.message_sv
    assert not report.finished


def test_a_pull_in_small_pages_gets_everything_and_audits_each_page(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = {a.observe(severity=i % 3 + 1) for i in range(25)}
    assert a.sync().complete
    with b.db.session() as session:
        audits_before = session.query(AuditLog).filter_by(action="sync_pull").count()
    report = b.sync(page_size=4)
    assert report.complete
    assert made <= {row_id for (table, row_id) in b.data() if table == "observation"}
    with b.db.session() as session:
        assert session.query(AuditLog).filter_by(action="sync_pull").count() >= \
            audits_before + 7
    assert b.cursor() == a.cursor()


def test_a_push_in_small_batches_keeps_the_order(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe(description="1")
    for text in ("2", "3", "4", "5"):
        a.edit(made, description=text)
    report = a.sync(push_batch=2)
    assert report.complete
    assert report.pushed == 5
    assert report.conflicts == 0  # one device's own successive edits never conflict
    b.sync()
    assert b.get(made).description == "5"


def test_a_device_id_of_another_account_gives_the_client_a_device_of_its_own(fleet):
    from lagesbild_desktop.db.models import Setting
    from lagesbild_desktop.sync.client import DEVICE_PREFIX

    police = fleet.device("police", "polis")
    assert police.sync().complete
    # Another installation presenting the police device's id (a copied database, or a
    # forged id) signs in: it gets a device of its own and uses it from then on.
    anna = fleet.device("anna", "anna", connect=False)
    anna.device_id = police.device_id
    report = anna.sync()
    assert report.complete, report.error
    with anna.db.session() as session:
        [given] = [s.value for s in session.query(Setting)
                   if s.key.startswith(DEVICE_PREFIX)]
    assert given != police.device_id
    police.observe()
    report = police.sync()
    assert report.complete, report.error
    assert report.applied == 1
    anna.account.tokens.access = None
    anna.observe()
    report = anna.sync()
    assert report.complete, report.error
    devices = {d.id: d.username for d in fleet.admin.list_devices()}
    assert devices[police.device_id] == "polis"
    assert devices[given] == "anna"
    assert sorted(devices.values()).count("anna") == 1
