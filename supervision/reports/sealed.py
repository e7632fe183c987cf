"""Rule 5's keys, sealed: each opaque key (a user id, a respondent key, a response, request or
booking id) replaced by a keyed hash before stage 2 compares them, so that the keys an issued report
keeps for later comparisons (QuarterlyReport.comparison_keys) name nobody, even once the account
behind them is deleted. The same secret seals today's keys and those stored, so they still compare.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import fields, is_dataclass, replace
from typing import Any

from flask import current_app

from .figures import QuarterFigures

_DOMAIN = b"cwtch-report-comparison-key:"


def _sealer():
    secret = current_app.config["PULSE_RESPONDENT_KEY"].encode()
    sealed_already: dict[str, str] = {}  # a person's key recurs in every set they are behind

    def seal(value: object) -> str:
        text = str(value)
        if text not in sealed_already:
            # 16 bytes: no two of a report's few thousand keys will ever meet by chance.
            sealed_already[text] = hmac.new(secret, _DOMAIN + text.encode(), hashlib.sha256).hexdigest()[:32]
        return sealed_already[text]

    return seal


def fingerprint() -> str:
    """Names the secret keys are sealed with, so that keys stored under another one (the secret
    changed, a restore with another configuration) are known not to compare, rather than taken
    for different people."""
    secret = current_app.config["PULSE_RESPONDENT_KEY"].encode()
    return hmac.new(secret, b"cwtch-report-comparison-seal", hashlib.sha256).hexdigest()[:16]


def _sealed_keys(keys: frozenset, seal) -> frozenset:
    """A (person, what of theirs) key sealed part by part, so that the person stays comparable."""
    return frozenset((seal(key[0]), seal(key[1])) if isinstance(key, tuple) else seal(key) for key in keys)


def _sealed_part(part: Any, seal) -> Any:
    changes = {}
    for field in fields(part):
        value = getattr(part, field.name)
        if field.name.endswith("_keys"):
            changes[field.name] = ({name: _sealed_keys(keys, seal) for name, keys in value.items()}
                                   if isinstance(value, dict) else _sealed_keys(value, seal))
        elif is_dataclass(value) and not isinstance(value, type):
            changes[field.name] = _sealed_part(value, seal)
    return replace(part, **changes)


def sealed(figures: QuarterFigures) -> QuarterFigures:
    """The figures with every `*_keys` field sealed, wherever it sits."""
    return _sealed_part(figures, _sealer())
