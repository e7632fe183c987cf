"""What debrief rules raise: a translated message for the GOV.UK error summary."""
from __future__ import annotations

from flask_babel import LazyString


class DebriefError(Exception):
    def __init__(self, code: str, message: LazyString | str, *, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field


class AlreadyTaken(DebriefError):
    """Another supervisor accepted (or someone else settled) the request a moment ago."""
