"""What each role may do; checked in the services, not only by hiding buttons."""

from __future__ import annotations

from lagesbild_desktop.domain.actor import Actor

WRITE_ACTIONS = frozenset({"create", "edit", "delete"})
READ_ONLY = "read_only"


class NotPermitted(PermissionError):
    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"role {role} may not {action}")
        self.message_sv = "Din roll har inte behörighet till detta."


def require(actor: Actor, action: str) -> None:
    if actor.role == READ_ONLY and action in WRITE_ACTIONS:
        raise NotPermitted(actor.role, action)
