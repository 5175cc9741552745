"""An in-process keyring backend for tests: this machine runs no keyring daemon."""

from __future__ import annotations


class MemoryKeyring:
    """A real keyring backend, in this process (the machine runs no keyring daemon)."""

    def __new__(cls):  # type: ignore[no-untyped-def]
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.entries: dict[tuple[str, str], str] = {}

            def get_password(self, service, username):  # type: ignore[no-untyped-def]
                return self.entries.get((service, username))

            def set_password(self, service, username, password):  # type: ignore[no-untyped-def]
                self.entries[(service, username)] = password

            def delete_password(self, service, username):  # type: ignore[no-untyped-def]
                from keyring.errors import PasswordDeleteError

                if self.entries.pop((service, username), None) is None:
                    raise PasswordDeleteError(username)

        return Backend()
