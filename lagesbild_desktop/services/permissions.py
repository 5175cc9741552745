"""What each role may do; checked in the services, not only by hiding buttons.

The one role matrix of the app (docs/decisions.md, "Login and encryption"). The sync
server applies the same ownership rule to what arrives from devices.
"""

from __future__ import annotations

from lagesbild_desktop.domain.actor import Actor

ACTIONS = (
    "view", "create", "edit", "delete", "export", "report", "sync", "resolve_conflict",
    "manage_catalogue", "manage_users", "set_retention", "run_retention", "view_audit",
    "set_privacy",
)
_EVERYTHING = frozenset(ACTIONS)
MATRIX: dict[str, frozenset[str]] = {
    # Records what they see: creates, and edits or withdraws their own organisation's.
    "reporter": frozenset({"view", "create", "edit", "delete", "sync", "resolve_conflict",
                          "run_retention"}),
    # Runs the lägesbild: edits shared records too, exports, reports, keeps the catalogue.
    "coordinator": _EVERYTHING - {"manage_users", "view_audit"},
    "police": _EVERYTHING - {"manage_users", "manage_catalogue", "set_retention",
                             "view_audit", "set_privacy"},
    # Sees everything its organisation may see and changes nothing (sync only fetches).
    "read_only": frozenset({"view", "report", "sync"}),
    # Manages accounts and alone reads the audit log (who looked at what).
    "admin": _EVERYTHING,
}
# Roles that may change a record another organisation shares with partners (as the server).
PARTNER_EDIT_ROLES = frozenset({"coordinator", "police", "admin"})
READ_ONLY = "read_only"
WRITE_ACTIONS = frozenset({"create", "edit", "delete"})


# What the user is told when the role lacks an action that has its own words.
REFUSED_SV = {
    "export": "Din roll har inte behörighet att exportera iakttagelser.",
    "report": "Din roll har inte behörighet att skriva ut rapporter och protokoll (PDF).",
    "set_privacy": "Din roll har inte behörighet att ändra vad foton behåller.",
}


class NotPermitted(PermissionError):
    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"role {role} may not {action}")
        self.role = role
        self.action = action
        self.message_sv = REFUSED_SV.get(action, "Din roll har inte behörighet till detta.")


def allowed(role: str, action: str) -> bool:
    if action not in _EVERYTHING:
        raise ValueError(f"unknown action {action!r}")
    return action in MATRIX.get(role, frozenset())


def require(actor: Actor, action: str) -> None:
    """Raise NotPermitted unless the actor's role may do `action` at all."""
    if not allowed(actor.role, action):
        raise NotPermitted(actor.role, action)


def may_change(actor: Actor, owner_org_id: str | None, sharing: str | None) -> bool:
    """Whether the actor may edit or delete a record of `owner_org_id`."""
    # An administrator may correct anything the device holds; the server still decides
    # for records of other organisations when the change syncs.
    if owner_org_id is None or owner_org_id == actor.org_id or actor.role == "admin":
        return True
    return sharing == "partners" and actor.role in PARTNER_EDIT_ROLES


def require_record(actor: Actor, action: str, record: object) -> None:
    """`require`, and that the record is the actor's organisation's or shared for editing."""
    require(actor, action)
    owner = getattr(record, "owner_org_id", None)
    if not may_change(actor, owner, getattr(record, "sharing", None)):
        raise NotPermitted(actor.role, f"{action} a record of organisation {owner}")
