"""The pseudonymous respondent key: an HMAC of the user's id under a server secret.

Answers carry this key instead of a user id, so a person can see their own trend while the
answers table holds nothing that names them. The secret (PULSE_RESPONDENT_KEY) must never change:
a new secret would cut every person off from their earlier answers.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def respondent_key(user_id: int) -> str:
    secret = current_app.config["PULSE_RESPONDENT_KEY"].encode()
    return hmac.new(secret, f"cwtch-pulse-respondent:{user_id}".encode(), hashlib.sha256).hexdigest()
