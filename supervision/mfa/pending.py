"""What the session holds between steps: a half-finished sign-in, a secret being set up, and
recovery codes waiting to be shown once.

Flask's session cookie is signed but readable by whoever holds it, so a secret or recovery codes
kept there are encrypted with the app's keys first, and the half-finished sign-in names the
person's session token only by a fingerprint.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask import session

from ..accounts.models import User
from ..accounts.tokens import fingerprint
from ..crypto import decrypt, encrypt
from ..extensions import db

SIGN_IN_KEY = "mfa_pending"
SETUP_KEY = "mfa_setup_secret"
CODES_KEY = "mfa_new_codes"
PENDING_SECONDS = 5 * 60


@dataclass
class PendingSignIn:
    user: User
    next_path: str | None


def begin_sign_in(user: User, *, next_path: str | None, now: datetime) -> None:
    """The password was right; nobody is signed in until the code is right too."""
    session.pop(SETUP_KEY, None)
    session[SIGN_IN_KEY] = {
        "u": user.id,
        # Bound to the session token: a password reset or "sign out everywhere" ends it.
        "f": fingerprint(user.session_token),
        "at": now.timestamp(),
        "next": next_path,
    }


def has_sign_in() -> bool:
    return SIGN_IN_KEY in session


def pending_sign_in(*, now: datetime) -> PendingSignIn | None:
    """The person half-way through signing in, unless it has expired or been revoked."""
    data = session.get(SIGN_IN_KEY)
    if not isinstance(data, dict):
        return None
    age = now.timestamp() - float(data.get("at") or 0)
    user = db.session.get(User, data.get("u")) if 0 <= age <= PENDING_SECONDS else None
    if user is None or not user.active or fingerprint(user.session_token) != data.get("f"):
        end_sign_in()
        return None
    return PendingSignIn(user=user, next_path=data.get("next"))


def end_sign_in() -> None:
    session.pop(SIGN_IN_KEY, None)


def setup_secret(make_new) -> str:
    """The secret being set up: the same one until it is confirmed, so a reload shows it again."""
    stored = session.get(SETUP_KEY)
    if isinstance(stored, str):
        try:
            return decrypt(stored)
        except ValueError:  # the keys were rotated since
            pass
    secret = make_new()
    session[SETUP_KEY] = encrypt(secret)
    return secret


def end_setup() -> None:
    session.pop(SETUP_KEY, None)


def keep_codes_to_show(codes: list[str]) -> None:
    session[CODES_KEY] = encrypt(json.dumps(codes))


def take_codes_to_show() -> list[str]:
    """The new recovery codes, once: taking them removes them from the session."""
    stored = session.pop(CODES_KEY, None)
    if not isinstance(stored, str):
        return []
    try:
        return list(json.loads(decrypt(stored)))
    except ValueError:
        return []
