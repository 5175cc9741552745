"""The first-run service: checks, and a set-up that is all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lagesbild_desktop.db import keyfile
from lagesbild_desktop.services import accounts, first_run, installation
from lagesbild_desktop.services.first_run import SetupChoices, SetupProblem
from tests.mbtiles_files import solid_mbtiles

PASSWORD = "korrekt häst batteri"


def choices(**changes: object) -> SetupChoices:
    values: dict[str, object] = dict(organisation="Kungsörs kommun",
                                     organisation_kind="municipality", username="bo",
                                     display_name="Bo", password=PASSWORD, demo=False)
    values.update(changes)
    return SetupChoices(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "username", "password", "repeat", "code"), [
    ("municipality", "", PASSWORD, PASSWORD, "username"),
    ("municipality", "bo berg", PASSWORD, PASSWORD, "username_space"),
    ("municipality", "bo", PASSWORD, PASSWORD + "x", "password_mismatch"),
    ("municipality", "bo", "kort", "kort", "password_short"),
    ("spaceship", "bo", PASSWORD, PASSWORD, "kind"),
])
def test_account_checks(kind: str, username: str, password: str, repeat: str,
                        code: str) -> None:
    with pytest.raises(SetupProblem) as refused:
        first_run.check_account("Kungsörs kommun", kind, username, password, repeat)
    assert refused.value.code == code
    assert refused.value.message_sv


def test_server_addresses() -> None:
    assert first_run.check_server_url("") == ""
    assert first_run.check_server_url(" https://lagesbild.kungsor.se/ ") == \
        "https://lagesbild.kungsor.se"
    assert first_run.check_server_url("http://10.0.0.5:8000") == "http://10.0.0.5:8000"
    for bad in ("lagesbild.se", "ftp://lagesbild.se", "https://", "http://a b.se",
                "http://x.se:70000"):
        with pytest.raises(SetupProblem):
            first_run.check_server_url(bad)


def test_base_map_checks(tmp_path: Path) -> None:
    good = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))
    assert first_run.check_mbtiles(good) == "test"
    broken = tmp_path / "trasig.mbtiles"
    broken.write_bytes(b"\x00" * 100)
    with pytest.raises(SetupProblem) as refused:
        first_run.check_mbtiles(broken)
    assert refused.value.code == "mbtiles"
    with pytest.raises(SetupProblem):
        first_run.check_mbtiles(tmp_path / "finns-inte.mbtiles")
    with pytest.raises(SetupProblem) as refused:
        first_run.check_online_source("https://tiles.example.se/karta.png")
    assert refused.value.code == "online"


def test_the_organisations_offered_are_the_bundled_area_sets() -> None:
    offered = first_run.organisation_choices()
    assert offered[0].kind == "police"
    assert {o.name for o in offered if o.kind == "municipality"} == {
        "Arboga kommun", "Hallstahammars kommun", "Köpings kommun", "Kungsörs kommun"}


@pytest.mark.parametrize("stop_after", [1, 2, 3])
def test_a_cancelled_set_up_leaves_no_file(tmp_path: Path, own_data_folder: Path,
                                          stop_after: int) -> None:
    tiles = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))
    folder = tmp_path / "data"
    seen: list[str] = []
    with pytest.raises(first_run.SetupCancelled):
        first_run.create_installation(
            folder / "lagesbild.db", choices(mbtiles=tiles),
            progress=lambda _done, _total, step: seen.append(step),
            stop=lambda: len(seen) >= stop_after)
    assert list(folder.iterdir()) == []
    assert not (own_data_folder / first_run.MAPS_FOLDER / "karta.mbtiles").exists()


def test_a_failed_set_up_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    def broken(*_args: object, **_kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(installation, "load_areas", broken)
    folder = tmp_path / "data"
    with pytest.raises(OSError, match="disk full"):
        first_run.create_installation(folder / "lagesbild.db", choices())
    assert list(folder.iterdir()) == []


def test_an_existing_database_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.db"
    path.write_bytes(b"mine")
    with pytest.raises(SetupProblem) as refused:
        first_run.create_installation(path, choices())
    assert refused.value.code == "exists"
    assert path.read_bytes() == b"mine"


def test_an_empty_installation_is_encrypted_with_the_chosen_organisation(
        tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.db"
    made = first_run.create_installation(path, choices(server_url="https://s.se"))
    made.db.close()
    assert keyfile.is_encrypted(path)
    assert made.settings == {"ui/language": "sv", "sync/server_url": "https://s.se",
                             "sync/username": "bo"}
    assert b"SQLite format 3" not in path.read_bytes()[:16]
    db, signed = accounts.open_and_sign_in(path, "bo", PASSWORD)
    db.close()
    assert signed.actor.role == "admin"
    with pytest.raises(accounts.LoginFailed):
        accounts.open_and_sign_in(path, "bo", "fel lösenord")


def test_a_map_of_the_same_name_is_never_overwritten(tmp_path: Path,
                                                     own_data_folder: Path) -> None:
    tiles = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))
    maps = own_data_folder / first_run.MAPS_FOLDER
    maps.mkdir(parents=True)
    (maps / "karta.mbtiles").write_bytes(b"someone's own map")
    (maps / "karta-2.mbtiles").write_bytes(b"another")
    made = first_run.create_installation(tmp_path / "data" / "lagesbild.db",
                                         choices(mbtiles=tiles))
    made.db.close()
    copied = Path(made.settings["map/mbtiles"])
    assert copied == maps / "karta-3.mbtiles"
    assert copied.read_bytes() == tiles.read_bytes()
    assert (maps / "karta.mbtiles").read_bytes() == b"someone's own map"
    assert (maps / "karta-2.mbtiles").read_bytes() == b"another"


def test_a_stopped_set_up_keeps_the_map_that_was_there(
        tmp_path: Path, own_data_folder: Path) -> None:
    tiles = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))
    maps = own_data_folder / first_run.MAPS_FOLDER
    maps.mkdir(parents=True)
    (maps / "karta.mbtiles").write_bytes(b"someone's own map")
    seen: list[str] = []
    with pytest.raises(first_run.SetupCancelled):  # stopped after the map was copied
        first_run.create_installation(
            tmp_path / "data" / "lagesbild.db", choices(mbtiles=tiles),
            progress=lambda _done, _total, step: seen.append(step),
            stop=lambda: "base_map" in seen)
    assert sorted(p.name for p in maps.iterdir()) == ["karta.mbtiles"]
    assert (maps / "karta.mbtiles").read_bytes() == b"someone's own map"


def test_a_failed_copy_leaves_no_partial_file(tmp_path: Path, own_data_folder: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    tiles = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))

    def half_copy(_source: object, target: Path) -> None:
        Path(target).write_bytes(b"half")
        raise OSError("No space left on device")

    monkeypatch.setattr(first_run.shutil, "copyfile", half_copy)
    folder = tmp_path / "data"
    with pytest.raises(OSError, match="No space"):
        first_run.create_installation(folder / "lagesbild.db", choices(mbtiles=tiles))
    assert list(folder.iterdir()) == []
    assert list((own_data_folder / first_run.MAPS_FOLDER).iterdir()) == []


def test_a_map_already_in_the_maps_folder_is_used_in_place(own_data_folder: Path) -> None:
    maps = own_data_folder / first_run.MAPS_FOLDER
    maps.mkdir(parents=True)
    tiles = solid_mbtiles(maps / "karta.mbtiles", 1, (1, 2, 3))
    assert first_run.copy_base_map(tiles, own_data_folder) == tiles
    assert list(maps.iterdir()) == [tiles]


def test_discarding_a_finished_set_up_removes_its_map_too(
        tmp_path: Path, own_data_folder: Path) -> None:
    tiles = solid_mbtiles(tmp_path / "karta.mbtiles", 1, (1, 2, 3))
    folder = tmp_path / "data"
    made = first_run.create_installation(folder / "lagesbild.db", choices(mbtiles=tiles))
    first_run.discard_installation(made, tiles)
    assert list(folder.iterdir()) == []
    assert list((own_data_folder / first_run.MAPS_FOLDER).iterdir()) == []
    assert tiles.exists()  # the user's own file


def test_a_key_file_without_its_database_is_moved_aside(tmp_path: Path) -> None:
    """A crash between the two renames of create_installation: the key file is in
    place, the database still has its temporary name."""
    path = tmp_path / "lagesbild.db"
    made = first_run.create_installation(path, choices())
    made.db.close()
    os.replace(path, path.with_name(f".{path.name}.first-run"))
    aside = first_run.set_aside_orphan_key_file(path)
    assert aside is not None
    assert aside.name.startswith("lagesbild.db.keys.orphaned-")
    assert not keyfile.is_encrypted(path)
    assert [p.name for p in tmp_path.iterdir()] == [aside.name]
    # Now a set-up can be made again.
    first_run.create_installation(path, choices()).db.close()
    assert first_run.set_aside_orphan_key_file(path) is None  # a database: left alone


def test_a_key_file_of_an_unfinished_encryption_stays(tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.db"
    keyfile.key_path(path).write_text("{}", encoding="utf-8")
    path.with_name(f"{path.name}.before-encryption.bak").write_bytes(b"data")
    assert first_run.set_aside_orphan_key_file(path) is None
    assert keyfile.is_encrypted(path)
    assert first_run.set_aside_orphan_key_file(tmp_path / "none.db") is None
