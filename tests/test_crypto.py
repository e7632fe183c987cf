"""Encryption at rest: authenticated, keys outside the database, and rotation."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from supervision import crypto


def test_round_trip_and_tamper_detection(app):
    with app.app_context():
        token = crypto.encrypt("Roedd hi’n anodd heddiw")
        assert "anodd" not in token
        assert crypto.decrypt(token) == "Roedd hi’n anodd heddiw"
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        with pytest.raises(ValueError):
            crypto.decrypt(tampered)


def test_rotation_keeps_old_rows_readable_and_moves_them_to_the_new_key(app):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    saved = app.config["ENCRYPTION_KEYS"]
    try:
        app.config["ENCRYPTION_KEYS"] = [old_key]
        with app.app_context():
            token = crypto.encrypt("secret")
        app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
        with app.app_context():
            assert crypto.decrypt(token) == "secret"
            rotated = crypto.rotate(token)
        app.config["ENCRYPTION_KEYS"] = [new_key]
        with app.app_context():
            assert crypto.decrypt(rotated) == "secret"
            with pytest.raises(ValueError):
                crypto.decrypt(token)
    finally:
        app.config["ENCRYPTION_KEYS"] = saved


def test_missing_keys_are_refused_with_instructions(app):
    saved = app.config["ENCRYPTION_KEYS"]
    app.config["ENCRYPTION_KEYS"] = []
    try:
        with app.app_context(), pytest.raises(crypto.EncryptionNotConfigured, match="ENCRYPTION_KEYS"):
            crypto.encrypt("x")
    finally:
        app.config["ENCRYPTION_KEYS"] = saved
