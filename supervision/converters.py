"""URL converters shared by every blueprint."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id either database stores in an INTEGER column.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` for ids: a number too big to be an id matches no route and answers 404, where it
    would otherwise overflow SQLite's driver or PostgreSQL's integer and answer 500."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
