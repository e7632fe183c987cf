"""Signed, expiring tokens for invitations and password resets."""
from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(salt: str, payload: Any) -> str:
    return _serializer(salt).dumps(payload)


def read_token(salt: str, token: str, *, max_age_seconds: int) -> Any:
    try:
        return _serializer(salt).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc


def fingerprint(value: str) -> str:
    """A short digest, so that a token can be tied to state without carrying it."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]
