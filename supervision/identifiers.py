"""Spotting text that probably identifies a client, so the writer can take it out before saving
or sharing. Reflections and debrief requests can be disclosed in court.

It warns; it never blocks. The writer may confirm and save anyway.

The rules, chosen to catch what identifies a client without crying wolf on ordinary reflective
writing:
- NHS number: ten digits, together or grouped 3-3-4 by the same separator (a space or hyphen), that
  pass the modulus-11 check. Numbers of one repeated digit are placeholders, not NHS numbers.
- Postcode: a full postcode in the official format (outward code, optional space, inward code),
  any case, or GIR 0AA. An outward code alone ("AB12") is not enough. A lower-case inward code
  that reads as an ordinal ("B2 1st floor") is not a postcode.
- Date of birth: any real calendar date straight after a cue ("DOB", "D.O.B.", "date of birth",
  "born (on)", "dyddiad geni", "ganwyd (ar)"), in numeric, ISO or written-month formats, English
  or Welsh. Without a cue, only a full date with a four-digit year that is at least 16 years ago
  (and no earlier than 1900): dates of practice are recent, birth dates of adults are not.
- Phone number: UK numbers (01, 02, 03, 07 or 08 and nine more digits; 0800/0808 with six or
  seven more), with spaces, hyphens or a bracketed area code, and +44 / 0044 forms. The helplines
  the service itself shows (HELPLINE_NUMBERS) are never flagged.
- Email address: local part, @, a dotted domain ending in a letters-only label.

Where matches overlap, the one that starts first wins, then the longer one, then the kinds in
PRECEDENCE order. So a ten-digit number that passes the NHS check is an NHS number even if it
could be dialled; one that fails may still be a phone number.

Every pattern uses bounded repeats with no nesting that can backtrack, so the work is linear in
the length of the text.
"""
from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Mapping, NamedTuple

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


def find_identifiers(*texts: str | None, today: date | None = None,
                     helplines: frozenset[str] = frozenset()) -> list[Finding]:
    """Every likely identifier in these texts, in order of appearance, each distinct one once.

    `helplines` adds numbers (as digits) never to flag: the helplines organisations' admins keep
    (support.services.helpline_numbers), on top of the national HELPLINE_NUMBERS."""
    today = today or date.today()
    allowed = HELPLINE_NUMBERS | helplines
    findings: list[Finding] = []
    seen: set[Finding] = set()
    for text in texts:
        if not text:
            continue
        for finding in _findings_in(text, today, allowed):
            if finding not in seen:
                seen.add(finding)
                findings.append(finding)
    return findings


# The warning's "Save anyway": the form carries digests of what the warning showed (not the text,
# which the page already quotes once), so that anything new is shown before it is accepted.
def digests(findings: list[Finding]) -> set[str]:
    return {hashlib.sha256(f"{f.kind.value}:{f.text}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
            for f in findings}


def confirmed(findings: list[Finding], form: Mapping[str, str]) -> bool:
    """"Save anyway" counts only for what the warning showed: anything new is shown first."""
    if form.get("confirm_identifiers") != "1":
        return False
    return digests(findings) <= set((form.get("identifiers_seen") or "").split(","))


# Known national helplines, as digits in national form. The service shows these itself, and a
# reflection that mentions calling one says nothing about the client.
HELPLINE_NUMBERS = frozenset({
    "116123",  # Samaritans
    "111",  # NHS 111 / GIG 111 Cymru
    "0800132737",  # CALL, the Community Advice and Listening Line (Wales): 0800 132 737
    "08081640123",  # Samaritans Welsh language line
    "03001233393",  # Mind Infoline
    "0800585858",  # CALM
    "08000684141",  # Papyrus HOPELINE247
    "08088082234",  # DAN 24/7, the Wales drug and alcohol helpline
    "08088010800",  # Live Fear Free (Wales)
    "08082000247",  # National Domestic Abuse Helpline
    "08088005000",  # NSPCC
})

PRECEDENCE = (Kind.nhs_number, Kind.email, Kind.phone, Kind.date_of_birth, Kind.postcode)

_SPACE = r"[ \u00a0]"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"

_NHS = re.compile(r"(?<![0-9])[0-9]{3}([ \u00a0\-]?)[0-9]{3}\1[0-9]{4}(?![0-9])")

_POSTCODE = re.compile(
    r"(?<!\w)(?:GIR" + _SPACE + r"{0,2}0AA|(?:"
    r"[A-PR-UWYZ][0-9][0-9]?"  # A9, A99
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"  # AA9, AA99
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"  # A9A
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"  # AA9A
    r")" + _SPACE + r"{0,2}([0-9][ABD-HJLNP-UW-Z]{2}))(?!\w)",
    re.IGNORECASE,
)
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th", "af", "ed", "eg"})

_PHONE_SEP = r"[ \u00a0\-]?"
_PHONE_TAIL = "(?:" + _PHONE_SEP + "[0-9])"
_PHONE = re.compile(
    r"(?<![0-9+])(?:"
    r"(?:\+|00)44" + _PHONE_SEP + r"(?:\(0\)" + _PHONE_SEP + r")?[1-378]" + _PHONE_TAIL + r"{9}"
    r"|0[1-378]" + _PHONE_TAIL + r"{9}"
    r"|\(0[1-378][0-9]\)" + _PHONE_SEP + "[0-9]" + _PHONE_TAIL + r"{7}"
    r"|\(0[1-378][0-9]{2}\)" + _PHONE_SEP + "[0-9]" + _PHONE_TAIL + r"{6}"
    r"|\(0[1-378][0-9]{3}\)" + _PHONE_SEP + "[0-9]" + _PHONE_TAIL + r"{5}"
    r"|080[08]" + _PHONE_TAIL + r"{6}"
    r")(?![0-9])"
)

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){0,8}\.[^\W\d_]{2,63}(?![\w\-])"
)

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
    # Welsh, with the soft mutation that follows "o" ("12 o Fawrth").
    "ionawr": 1, "chwefror": 2, "mawrth": 3, "fawrth": 3, "ebrill": 4, "mai": 5, "fai": 5,
    "mehefin": 6, "fehefin": 6, "gorffennaf": 7, "awst": 8, "medi": 9, "fedi": 9, "hydref": 10,
    "tachwedd": 11, "dachwedd": 11, "rhagfyr": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")" + _NOT_LETTER_AFTER + r"\.?"
_DAY_SUFFIX = r"(?:st|nd|rd|th|af|ail|il|ydd|edd|fed|ed|eg|ain)?"
_NUMERIC_EDGE_BEFORE = r"(?<![0-9])(?<![0-9][/.\-])"
_NUMERIC_EDGE_AFTER = r"(?![0-9])(?![/.\-][0-9])"

_DMY = re.compile(
    _NUMERIC_EDGE_BEFORE + r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})"
    + _NUMERIC_EDGE_AFTER
)
_YMD = re.compile(
    _NUMERIC_EDGE_BEFORE + r"([0-9]{4})([/.\-])([0-9]{1,2})\2([0-9]{1,2})" + _NUMERIC_EDGE_AFTER
)
_D_MONTH_Y = re.compile(
    r"(?<![0-9])([0-9]{1,2})" + _DAY_SUFFIX + r"\.?(?:\s{1,3}(?:of|o|the))?[\s,]{1,3}" + _MONTH
    + r",?\s{1,3}([0-9]{4}|[0-9]{2})(?![0-9])",
    re.IGNORECASE,
)
_MONTH_D_Y = re.compile(
    _NOT_LETTER_BEFORE + _MONTH
    + r"\s{1,3}([0-9]{1,2})(?:st|nd|rd|th)?,?\s{1,3}([0-9]{4})(?![0-9])",
    re.IGNORECASE,
)
# Matched against the few characters just before a date, so it ends at the date.
_DOB_CUE = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b|date\s{1,3}of\s{1,3}birth|birth\s?date|born|dyddiad\s{1,3}geni|ganwyd)"
    r"\.?[\s:;,()\-\u2013\u2014]{0,6}"
    r"(?:(?:on|the|is|was|ar|yw|oedd|hi|ef|e|y|o)[\s:,]{1,3}){0,3}$",
    re.IGNORECASE,
)
_CUE_WINDOW = 48
_ADULT_YEARS = 16


class _Match(NamedTuple):
    start: int
    end: int
    kind: Kind


def _findings_in(text: str, today: date, allowed: frozenset[str] = HELPLINE_NUMBERS) -> list[Finding]:
    candidates = sorted(
        [*_nhs_numbers(text), *_emails(text), *_phones(text, allowed), *_dates_of_birth(text, today),
         *_postcodes(text)],
        key=lambda m: (m.start, m.start - m.end, PRECEDENCE.index(m.kind)),
    )
    findings: list[Finding] = []
    taken_until = 0
    for match in candidates:
        if match.start >= taken_until:
            findings.append(Finding(match.kind, text[match.start:match.end]))
            taken_until = match.end
    return findings


def _nhs_numbers(text: str) -> Iterator[_Match]:
    for m in _NHS.finditer(text):
        digits = re.sub(r"[^0-9]", "", m.group())
        if len(set(digits)) > 1 and _nhs_check_digit(digits[:9]) == int(digits[9]):
            yield _Match(m.start(), m.end(), Kind.nhs_number)


def _nhs_check_digit(first_nine: str) -> int | None:
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def _postcodes(text: str) -> Iterator[_Match]:
    for m in _POSTCODE.finditer(text):
        inward = m.group(1)
        if inward and inward[1:].islower() and inward[1:] in _ORDINAL_SUFFIXES:
            continue
        yield _Match(m.start(), m.end(), Kind.postcode)


def _phones(text: str, allowed: frozenset[str] = HELPLINE_NUMBERS) -> Iterator[_Match]:
    for m in _PHONE.finditer(text):
        if _national_digits(m.group()) not in allowed:
            yield _Match(m.start(), m.end(), Kind.phone)


def _national_digits(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number)
    if number.startswith(("+", "00")):
        digits = digits.removeprefix("00").removeprefix("44")
        return digits if digits.startswith("0") else "0" + digits
    return digits


def _emails(text: str) -> Iterator[_Match]:
    for m in _EMAIL.finditer(text):
        yield _Match(m.start(), m.end(), Kind.email)


def _dates_of_birth(text: str, today: date) -> Iterator[_Match]:
    for start, end, dates, long_year in _dates(text, today):
        if not dates:
            continue
        cued = _DOB_CUE.search(text, max(0, start - _CUE_WINDOW), start) is not None
        if cued or (long_year and any(_old_enough(day, today) for day in dates)):
            yield _Match(start, end, Kind.date_of_birth)


def _dates(text: str, today: date) -> Iterator[tuple[int, int, list[date], bool]]:
    """Every date-shaped span, with the real dates it could mean and whether its year is full."""
    for m in _DMY.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(3)), m.group(4)
        # The UK order first, then the US one.
        readings = [_date(year, month, day, today), _date(year, day, month, today)]
        yield m.start(), m.end(), [d for d in readings if d], len(year) == 4
    for m in _YMD.finditer(text):
        found = _date(m.group(1), int(m.group(3)), int(m.group(4)), today)
        yield m.start(), m.end(), [found] if found else [], True
    for m in _D_MONTH_Y.finditer(text):
        found = _date(m.group(3), _MONTHS[m.group(2).lower()], int(m.group(1)), today)
        yield m.start(), m.end(), [found] if found else [], len(m.group(3)) == 4
    for m in _MONTH_D_Y.finditer(text):
        found = _date(m.group(3), _MONTHS[m.group(1).lower()], int(m.group(2)), today)
        yield m.start(), m.end(), [found] if found else [], True


def _date(year: str, month: int, day: int, today: date) -> date | None:
    number = int(year)
    if len(year) == 2:  # a two-digit year is the latest one not in the future
        number += 2000 if 2000 + number <= today.year else 1900
    try:
        return date(number, month, day)
    except ValueError:
        return None


def _old_enough(day: date, today: date) -> bool:
    """Whether this date is at least _ADULT_YEARS before today, and so more likely a birth."""
    if day.year < 1900:
        return False
    try:
        cutoff = today.replace(year=today.year - _ADULT_YEARS)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - _ADULT_YEARS, day=28)
    return day <= cutoff
