"""The data key goes only into an OS keyring, never into a plaintext or fallback backend."""

from __future__ import annotations

from typing import Any

import pytest

from lagesbild_desktop.db import keystore
from tests.memory_keyring import MemoryKeyring

KEY = bytes(range(32))


@pytest.fixture
def use_backend() -> Any:
    import keyring

    before = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(before)


def backend_class(priority: float, module: str = __name__, name: str = "Backend") -> Any:
    """A backend that would store what it is given, with the given priority and name."""
    from keyring.backend import KeyringBackend

    def set_password(self: Any, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def get_password(self: Any, service: str, username: str) -> str | None:
        return self.entries.get((service, username))  # type: ignore[no-any-return]

    def delete_password(self: Any, service: str, username: str) -> None:
        self.entries.pop((service, username), None)

    def init(self: Any) -> None:
        self.entries = {}

    return type(name, (KeyringBackend,), {
        "__module__": module, "__qualname__": name, "priority": priority, "__init__": init,
        "set_password": set_password, "get_password": get_password,
        "delete_password": delete_password})


def test_the_memory_keyring_of_the_tests_counts_as_an_os_keyring(use_backend: Any) -> None:
    backend = MemoryKeyring()
    assert backend.priority >= 1
    use_backend(backend)
    assert keystore.available()
    keystore.put("db-1", KEY)
    assert keystore.get("db-1") == KEY


@pytest.mark.parametrize("backend", [
    pytest.param(lambda: backend_class(0.5)(), id="low priority"),
    pytest.param(lambda: backend_class(1, "keyrings.alt.file", "PlaintextKeyring")(),
                 id="keyrings.alt plaintext file"),
    pytest.param(lambda: backend_class(5, "somewhere", "PlaintextKeyring")(),
                 id="any plaintext backend"),
])
def test_a_plaintext_or_fallback_backend_is_refused(use_backend: Any, backend: Any,
                                                     caplog: Any) -> None:
    chosen = backend()
    use_backend(chosen)
    assert not keystore.available()
    with pytest.raises(keystore.KeyringUnavailable) as refused:
        keystore.put("db-1", KEY)
    assert "nyckelring" in refused.value.message_sv  # the sign-in dialog's Swedish text
    assert chosen.entries == {}  # nothing was written
    with pytest.raises(keystore.KeyringUnavailable):
        keystore.get("db-1")


def test_the_null_backend_and_a_chain_with_a_plaintext_link_are_refused(
        use_backend: Any, monkeypatch: Any) -> None:
    from keyring.backends import chainer, null

    use_backend(null.Keyring())
    with pytest.raises(keystore.KeyringUnavailable) as refused:
        keystore.require_available()
    assert "priority" in str(refused.value)

    good = MemoryKeyring()
    plain = backend_class(0.5, "keyrings.alt.file", "PlaintextKeyring")()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [good, plain])
    use_backend(chainer.ChainerBackend())
    with pytest.raises(keystore.KeyringUnavailable) as refused:
        keystore.put("db-1", KEY)
    assert "clear text" in str(refused.value)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [good, MemoryKeyring()])
    keystore.put("db-1", KEY)  # a chain of OS keyrings is fine
    assert keystore.get("db-1") == KEY
