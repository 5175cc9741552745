"""Sharing: a shared change with personal data waits in "Behöver åtgärd" until the user
masks it or sends it anyway; internal records are not held."""

import pytest

from lagesbild_desktop.services import sync as sync_service

PNR = "19811218-9876"
SECRET = f"Anmälaren {PNR} nås på 070-123 45 67."


def held(device):
    return [r for r in sync_service.needs_attention(device.db) if r.personal_data]


def test_a_shared_record_with_personal_data_is_held_until_masked(fleet):
    anna, polis = fleet.device("a", "anna"), fleet.device("p", "polis")
    made = anna.observe(description=SECRET, sharing="partners")
    anna.edit(made, severity=3)  # a later change of the same record waits with it
    clean = anna.observe(description="Klotter på garaget.", sharing="partners")
    report = anna.sync()
    assert report.held == 2
    assert not report.complete
    [first, second] = held(anna)
    assert "personnummer ×1, telefonnummer ×1" in first.message
    assert "Väntar på en tidigare ändring" in second.message
    polis.sync()
    assert polis.get(clean).description == "Klotter på garaget."
    with pytest.raises(LookupError):
        polis.get(made)
    # Held again at the next sync while nothing was chosen.
    assert anna.sync().held == 0
    assert len(held(anna)) == 2
    assert sync_service.mask_and_share(anna.db, anna.actor, first.op_id) == ["description"]
    masked = "Anmälaren [personnummer] nås på [telefonnummer]."
    assert anna.get(made).description == masked
    assert anna.sync().complete
    polis.sync()
    assert polis.get(made).description == masked
    assert polis.get(made).severity == 3


def test_send_anyway_shares_the_text_unchanged(fleet):
    anna, polis = fleet.device("a", "anna"), fleet.device("p", "polis")
    made = anna.observe(description=SECRET, sharing="partners")
    anna.sync()
    [op] = held(anna)
    sync_service.share_with_personal_data(anna.db, anna.actor, op.op_id)
    assert anna.sync().complete
    polis.sync()
    assert polis.get(made).description == SECRET


def test_internal_records_are_not_held_but_sharing_them_later_is(fleet):
    anna, bo, polis = (fleet.device("a", "anna"), fleet.device("b", "bo"),
                       fleet.device("p", "polis"))
    made = anna.observe(description=SECRET, sharing="internal")
    assert anna.sync().complete
    bo.sync()
    assert bo.get(made).description == SECRET  # the own organisation sees it as it is
    anna.edit(made, sharing="partners")
    assert anna.sync().held == 1
    [op] = held(anna)
    assert "personnummer ×1" in op.message
    polis.sync()
    with pytest.raises(LookupError):
        polis.get(made)
    sync_service.mask_and_share(anna.db, anna.actor, op.op_id)
    assert anna.sync().complete
    polis.sync()
    assert polis.get(made).description == "Anmälaren [personnummer] nås på [telefonnummer]."


def test_the_sync_command_names_held_changes_apart_from_refused_ones(fleet, tmp_path, capsys):
    from lagesbild_desktop import cli
    from tests.sync.conftest import PASSWORD

    anna = fleet.device("a", "anna")
    anna.observe(description=SECRET, sharing="partners")
    password = tmp_path / "lösen.txt"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    assert cli.main(["sync", "--db", str(anna.db.path), "--server", anna.account.url,
                     "--user", anna.username, "--password-file", str(password)]) == 1
    err = capsys.readouterr().err
    assert "1 delade ändringar innehåller personuppgifter" in err
    assert "avvisades" not in err


def test_a_measures_contact_is_shared_without_asking(fleet):
    from lagesbild_desktop.domain.measure import MeasureInput
    from lagesbild_desktop.services import measures

    anna = fleet.device("a", "anna")
    measures.create_measure(anna.db, anna.actor, MeasureInput(
        "Byt lampor", "situational", responsible_contact="Örjan Ståhl, 070-123 45 67"))
    held_one = measures.create_measure(anna.db, anna.actor, MeasureInput(
        "Byt lampor", "situational", description=f"Boende {PNR} klagade"))
    report = anna.sync()
    assert report.held == 1
    assert [r.row_id for r in held(anna)] == [held_one.id]


def test_a_change_saved_after_the_scan_is_not_pushed_unscanned(fleet, monkeypatch):
    from lagesbild_desktop.sync import privacy_hold

    anna, polis = fleet.device("a", "anna"), fleet.device("p", "polis")
    clean = anna.observe(description="Klotter på garaget.", sharing="partners")
    real_hold, late = privacy_hold.hold_personal_data, []

    def hold_then_a_save(session):
        found = real_hold(session)
        if not late:  # saved on the write queue while the sync runs on the pool
            late.append(anna.observe(description=SECRET, sharing="partners"))
        return found

    monkeypatch.setattr(privacy_hold, "hold_personal_data", hold_then_a_save)
    report = anna.sync()
    assert report.held == 0
    assert report.pending_ops_after == 1  # it goes with the next sync, scanned first
    polis.sync()
    assert polis.get(clean).description == "Klotter på garaget."
    with pytest.raises(LookupError):
        polis.get(late[0])
    assert anna.sync().held == 1
    polis.sync()
    with pytest.raises(LookupError):
        polis.get(late[0])


def test_giving_up_a_held_change_lets_the_records_later_changes_go(fleet):
    from sqlalchemy import select

    from lagesbild_desktop.db.models import AuditLog

    anna, polis = fleet.device("a", "anna"), fleet.device("p", "polis")
    made = anna.observe(description="Klotter på garaget.", sharing="partners")
    assert anna.sync().complete
    anna.edit(made, description=SECRET)
    anna.edit(made, severity=3)  # waits behind the held change
    assert anna.sync().held == 2
    [first, second] = held(anna)
    assert "Väntar på en tidigare ändring" in second.message
    sync_service.discard_rejected(anna.db, anna.actor, first.op_id)
    assert held(anna) == []
    assert anna.sync().complete
    polis.sync()
    assert polis.get(made).severity == 3
    assert polis.get(made).description == "Klotter på garaget."
    with anna.db.session() as session:
        [given_up] = session.scalars(select(AuditLog).where(
            AuditLog.action == "discard_change")).all()
        reason = given_up.details["reason"]
    assert "personnummer ×1" in reason
    assert PNR not in reason
    assert "070-123" not in reason


def test_a_held_change_keeps_kinds_and_counts_not_the_personal_data(fleet):
    anna = fleet.device("a", "anna")
    anna.observe(description=f"{SECRET} Även {PNR} och 19811218-9876.", sharing="partners")
    anna.sync()
    [op] = held(anna)
    assert "personnummer ×3, telefonnummer ×1" in op.message
    assert PNR not in op.message
    assert "070-123" not in op.message
