"""Password policy (NCSC guidance) and hashing with argon2id."""
from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# We accept at least 64 characters and never truncate; the ceiling only stops abuse.
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against when an account does not exist, so timing does not reveal it.
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return _hasher.hash("not a real password, only for constant time")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """About 20,000 common passwords (the list Django ships, from Royce Williams' research)."""
    data = resources.files("supervision.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode().splitlines() if line.strip())


SERVICE_WORDS = ("cwtch", "supervision", "link worker", "linkworker")


def _normalise(text: str) -> str:
    # Fold accents first, so that "Tŷ Hapus" and "Ty Hapus" are the same word.
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text.lower()))


def password_problem(password: str, *, context: list[str] | tuple[str, ...] = ()) -> str | None:
    """Return a reason code if the password is unacceptable, or None.

    Codes: too_short, too_long, common, context.
    """
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return "common"
    squashed = _normalise(password)
    words: list[str] = list(SERVICE_WORDS)
    for item in context:
        if not item:
            continue
        words.append(item)
        if "@" in item:
            local, _, domain = item.partition("@")
            words.extend([local, domain.split(".")[0]])
    for word in words:
        w = _normalise(word)
        # A password that is mostly the context word (e.g. "cwtch2026cwtch"), or the context word
        # with a common password (e.g. "Cwtch-password"), is guessable.
        rest = squashed.replace(w, "")
        if len(w) >= 4 and w in squashed and (len(rest) < 8 or rest in common_passwords()):
            return "context"
    # A common password padded with digits or repeated still counts as common.
    stripped = re.sub(r"[0-9!._-]+$", "", lowered)
    if stripped and stripped != lowered and stripped in common_passwords() and len(stripped) >= 6:
        return "common"
    return None
