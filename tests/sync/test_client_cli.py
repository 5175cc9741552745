"""`lagesbild sync` against the real server: exit status and Swedish messages."""

from pathlib import Path

import pytest

from lagesbild_desktop import cli
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import observations
from tests.sync.client_devices import POLICE, draft
from tests.sync.conftest import PASSWORD


def run(device, password_file: Path, *extra: str) -> int:
    return cli.main(["sync", "--db", str(device.db.path), "--server", device.account.url,
                     "--user", device.username, "--password-file", str(password_file),
                     *extra])


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "losenord.txt"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def test_everything_exchanged_is_exit_0(fleet, password_file, capsys):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo", connect=False)
    made = a.observe(description="via kommandoraden")
    assert run(a, password_file) == 0
    assert "Skickade 1 ändringar" in capsys.readouterr().out
    assert run(b, password_file) == 0
    assert b.get(made).description == "via kommandoraden"


def test_a_wrong_password_is_exit_3_with_a_swedish_message(fleet, tmp_path, capsys):
    a = fleet.device("a", "anna", connect=False)
    wrong = tmp_path / "fel.txt"
    wrong.write_text("fel lösenord\n", encoding="utf-8")
    assert run(a, wrong) == 3
    err = capsys.readouterr().err
    assert err.startswith("lagesbild: ")
    assert "lösenord" in err.lower() or "användarnamn" in err.lower()


def test_an_unreachable_server_is_exit_3(fleet, password_file, capsys):
    a = fleet.device("a", "anna")
    a.account.url = "http://127.0.0.1:9"  # discard port: nothing listens
    assert run(a, password_file) == 3
    assert "nätverket" in capsys.readouterr().err


def test_a_refused_change_is_exit_1_and_named(fleet, password_file, capsys):
    a = fleet.device("a", "anna")
    a.sync()
    stranger = Actor(a.actor.user_id, fleet.org_ids[POLICE], a.device_id, "coordinator")
    observations.create_observation(a.db, stranger, draft())
    assert run(a, password_file) == 1
    assert "1 ändringar avvisades" in capsys.readouterr().err


def test_an_unreadable_password_file_is_refused_before_any_network(fleet, tmp_path, capsys):
    a = fleet.device("a", "anna", connect=False)
    assert run(a, tmp_path / "finns-inte.txt") == 2
    assert "lösenordsfilen" in capsys.readouterr().err
