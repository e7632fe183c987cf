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


def test_reencrypt_command_moves_every_secret_to_the_new_key(app, make):
    from sqlalchemy import text

    from supervision.extensions import db
    from supervision.mfa.models import TotpCredential
    from supervision.accounts.models import Role

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    saved = app.config["ENCRYPTION_KEYS"]
    try:
        app.config["ENCRYPTION_KEYS"] = [old_key]
        person = make.user(Role.supervisor)  # enrolled with a TOTP secret by the factory
        with app.app_context():
            before = db.session.scalar(select_secret(person.id))
        app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
        result = app.test_cli_runner().invoke(args=["reencrypt"])
        assert result.exit_code == 0 and "Re-encrypted 1 values" in result.output
        app.config["ENCRYPTION_KEYS"] = [new_key]
        with app.app_context():
            raw = db.session.execute(text("SELECT secret FROM totp_credential")).scalar()
            assert raw != before
            assert db.session.query(TotpCredential).one().secret == crypto_decrypt_with(new_key, raw)
    finally:
        app.config["ENCRYPTION_KEYS"] = saved


def select_secret(user_id):
    from sqlalchemy import text

    return text("SELECT secret FROM totp_credential WHERE user_id = :u").bindparams(u=user_id)


def crypto_decrypt_with(key: str, token: str) -> str:
    return Fernet(key.encode()).decrypt(token.encode()).decode()
