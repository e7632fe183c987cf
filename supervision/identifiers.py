"""Spotting text that probably identifies a client, so the writer can take it out before saving
or sharing. Reflections and debrief requests can be disclosed in court.

It warns; it never blocks. The writer may confirm and save anyway.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class Kind(str, enum.Enum):
    nhs_number = "nhs_number"
    postcode = "postcode"
    date_of_birth = "date_of_birth"
    phone = "phone"
    email = "email"


KIND_LABELS: dict[Kind, LazyString] = {
    Kind.nhs_number: _l("an NHS number"),
    Kind.postcode: _l("a postcode"),
    Kind.date_of_birth: _l("a date of birth"),
    Kind.phone: _l("a phone number"),
    Kind.email: _l("an email address"),
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    text: str  # exactly as written, so the warning can quote it


def find_identifiers(*texts: str | None) -> list[Finding]:
    """Every likely identifier in these texts, in order of appearance, each distinct one once."""
    raise NotImplementedError  # written by the identifiers work
