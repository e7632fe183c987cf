"""The one exception that booking rules raise, carrying a message for the person who broke them."""
from __future__ import annotations

from flask_babel import LazyString


class BookingError(Exception):
    """A booking rule said no. `code` names the rule, for tests and logs; `message` is translated
    (a lazy string) and goes in the GOV.UK error summary; `field` is the form field it belongs to."""

    def __init__(self, code: str, message: LazyString | str, *, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field


class SlotTaken(BookingError):
    """Someone else took this time (or the last place) a moment ago: the friendly "just taken" page."""
