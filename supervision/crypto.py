"""Authenticated encryption for sensitive text at rest, with keys held outside the database.

Keys come from ENCRYPTION_KEYS (instance/config.py or FLASK_ENCRYPTION_KEYS as a JSON list of
Fernet keys). The first key encrypts; every key decrypts, so a new key can be put first and old
rows re-encrypted with `flask --app supervision reencrypt` before the old key is removed.
"""
from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, TypeDecorator


class EncryptionNotConfigured(RuntimeError):
    pass


def generate_key() -> str:
    return Fernet.generate_key().decode()


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(current_app.config.get("ENCRYPTION_KEYS") or ())
    if not keys:
        raise EncryptionNotConfigured(
            "Set ENCRYPTION_KEYS in instance/config.py or FLASK_ENCRYPTION_KEYS (a JSON list); "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    return _fernet(keys)


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ValueError("ciphertext cannot be decrypted with the configured keys") from error


def rotate(token: str) -> str:
    """Re-encrypt under the first (current) key."""
    return _current().rotate(token.encode("ascii")).decode("ascii")


class EncryptedText(TypeDecorator[str]):
    """A column whose text is stored encrypted and read back decrypted."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or isinstance(value, _RawText):
            return None if value is None else str(value)
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedJSON(EncryptedText):
    """JSON (a dict or list of text) stored as one encrypted value: one decryption per row,
    which keeps searching a person's own entries in Python fast."""

    cache_ok = True

    def process_bind_param(self, value, dialect) -> str | None:
        if value is None or isinstance(value, _RawText):
            return super().process_bind_param(value, dialect)
        return super().process_bind_param(json.dumps(value, ensure_ascii=False), dialect)

    def process_result_value(self, value: str | None, dialect):
        text = super().process_result_value(value, dialect)
        return None if text is None else json.loads(text)


def reencrypt_all(columns) -> int:
    """Rotate every stored value of these (table, column) pairs to the current key. Flushes only.

    Works below the ORM on the raw ciphertext, so no plaintext is held longer than needed.
    """
    from sqlalchemy import select, update

    from .extensions import db

    count = 0
    for table, column in columns:
        key = list(table.primary_key.columns)
        raw = column.type.impl  # read and write the ciphertext itself, not the decrypted text
        rows = db.session.execute(
            select(*key, column.cast(raw)).where(column.is_not(None))
        ).all()
        for *ids, token in rows:
            condition = [k == v for k, v in zip(key, ids)]
            db.session.execute(update(table).where(*condition).values({column.name: _RawText(rotate(token))}))
            count += 1
    db.session.flush()
    return count


class _RawText(str):
    """Marks a value that is already ciphertext, so EncryptedText stores it as it is."""
