"""Stand-ins the UI tests put in place of message boxes and dialogs."""

from __future__ import annotations

from typing import Any


class Recorder:
    """Answers like a dialog would and remembers every call."""

    def __init__(self, answer: Any = True) -> None:
        self.answer = answer
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.answer
