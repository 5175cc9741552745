"""Drafts survive a crash: atomic writes, corrupt files skipped, discard forgets."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lagesbild_desktop.services.drafts import Draft, DraftStore

VALUES = {"title": "Klotter på väggen", "description": "Röd färg, ÅÄÖ åäö",
          "occurred_from": "2026-11-03T18:30:00+01:00", "severity": 2,
          "photos": ["/tmp/foto 1.jpg"], "occurred_to": None}


def test_a_saved_draft_comes_back_with_its_values_and_time(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    moment = datetime(2026, 11, 3, 17, 31, tzinfo=UTC)
    store.save("0193a1b2-new", VALUES, now=moment)

    assert store.load_all() == [Draft("0193a1b2-new", VALUES, moment)]


def test_drafts_are_utf8_json_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("k1", VALUES)

    (path,) = tmp_path.glob("*.json")
    text = path.read_bytes().decode("utf-8")
    assert "ÅÄÖ åäö" in text  # not \u escapes: readable if someone opens it
    assert json.loads(text)["values"] == VALUES


def test_saving_again_replaces_the_draft_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("k1", {"title": "first"})
    store.save("k1", {"title": "second"})

    assert [d.values for d in store.load_all()] == [{"title": "second"}]
    assert [p.name for p in tmp_path.iterdir()] == ["k1.json"]


def test_a_failed_write_keeps_the_previous_draft(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = DraftStore(tmp_path)
    store.save("k1", {"title": "kept"})

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save("k1", {"title": "lost"})
    monkeypatch.undo()

    assert [d.values for d in store.load_all()] == [{"title": "kept"}]
    assert [p.name for p in tmp_path.iterdir()] == ["k1.json"]


def test_values_that_are_not_json_raise_and_leave_nothing_behind(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    with pytest.raises(TypeError):
        store.save("k1", {"when": datetime.now(UTC)})
    assert list(tmp_path.iterdir()) == []


def test_newest_draft_first(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("older", {}, now=datetime(2026, 1, 1, tzinfo=UTC))
    store.save("newer", {}, now=datetime(2026, 1, 2, tzinfo=UTC))
    assert [d.key for d in store.load_all()] == ["newer", "older"]


@pytest.mark.parametrize("content", [
    b"{not json", b"", b"\xff\xfe\x00garbage", b"[1, 2]", b'{"key": "x"}',
    b'{"key": 3, "values": {}, "saved_at": "2026-01-01T00:00:00+00:00"}',
    b'{"key": "x", "values": [], "saved_at": "2026-01-01T00:00:00+00:00"}',
    b'{"key": "x", "values": {}, "saved_at": "yesterday"}',
])
def test_a_corrupt_draft_is_skipped_and_logged(tmp_path: Path, content: bytes,
                                               caplog: pytest.LogCaptureFixture) -> None:
    store = DraftStore(tmp_path)
    store.save("good", {"title": "ok"})
    (tmp_path / "broken.json").write_bytes(content)

    with caplog.at_level(logging.WARNING, logger="lagesbild_desktop.services.drafts"):
        drafts = store.load_all()

    assert [d.key for d in drafts] == ["good"]
    assert "broken.json" in caplog.text


def test_discard_forgets_a_draft_and_tolerates_a_missing_one(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("k1", {"title": "a"})
    store.save("k2", {"title": "b"})
    store.discard("k1")
    store.discard("k1")
    store.discard("never-saved")
    assert [d.key for d in store.load_all()] == ["k2"]


def test_a_missing_folder_has_no_drafts(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / "not-yet").load_all() == []


def test_an_odd_key_cannot_escape_the_folder(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    store.save("../../etc/passwd", {"title": "x"})
    assert [p.parent for p in (tmp_path / "drafts").iterdir()] == [tmp_path / "drafts"]
    assert [d.key for d in store.load_all()] == ["../../etc/passwd"]
    store.discard("../../etc/passwd")
    assert store.load_all() == []


def test_an_empty_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="key"):
        DraftStore(tmp_path).save("", {})
