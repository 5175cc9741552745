"""Who is acting: the user, their organisation and role, and this device."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str | None
    org_id: str
    device_id: str
    role: str = "coordinator"
