"""Record ids (UUIDv7: made on the device, sortable by creation time) and the device clock."""

from __future__ import annotations

import time

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())


class HybridClock:
    """A hybrid logical clock: wall time in ms plus a counter, never going backwards.

    Sync orders concurrent edits by it even when a laptop's clock jumps back.
    """

    def __init__(self, last: str | None = None) -> None:
        self.millis, self.counter = (0, 0) if not last else parse_hlc(last)

    def tick(self, now_ms: int | None = None) -> str:
        wall = int(time.time() * 1000) if now_ms is None else now_ms
        if wall > self.millis:
            self.millis, self.counter = wall, 0
        else:
            self.counter += 1
        return format_hlc(self.millis, self.counter)

    def observe(self, remote: str) -> None:
        millis, counter = parse_hlc(remote)
        if (millis, counter) > (self.millis, self.counter):
            self.millis, self.counter = millis, counter


def format_hlc(millis: int, counter: int) -> str:
    return f"{millis:015d}-{counter:06d}"


def parse_hlc(text: str) -> tuple[int, int]:
    millis, counter = text.split("-")[:2]
    return int(millis), int(counter)
