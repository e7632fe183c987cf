"""Authenticated encryption for sensitive text at rest, with keys held outside the database.

Keys are Fernet keys. The first one encrypts; every one decrypts (MultiFernet), so a key can be
rotated without downtime. They come from one of two places (config.py decides which):
- ENCRYPTION_KEYS: instance/config.py, or FLASK_ENCRYPTION_KEYS as a JSON list;
- ENCRYPTION_KEYS_FILE: a file with one key per line, the current one first (instance/encryption_key
  in development). `flask --app supervision rotate-keys` writes a new key into it and re-encrypts.

A key file can change under a running process when another process rotates. So each encryption
first checks whether the file changed (one stat), and a decryption that fails reloads the file
and tries once more: web workers keep working through a rotation without a restart.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, TypeDecorator


class EncryptionNotConfigured(RuntimeError):
    pass


class DecryptionError(ValueError):
    """Stored ciphertext that none of the keys opens: tampered with, or encrypted under a lost key."""


class KeyFileError(RuntimeError):
    pass


def generate_key() -> str:
    return Fernet.generate_key().decode()


# --- key files ----------------------------------------------------------------------------------

def read_key_file(path: str | os.PathLike) -> list[str]:
    """The keys in a key file: one per line, first is current; blank lines and # comments skipped.

    A line that is not a Fernet key is refused by its line number, never by showing it.
    """
    keys = []
    text = Path(path).read_text(encoding="ascii")
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            Fernet(line.encode())
        except (ValueError, TypeError):
            raise KeyFileError(f"{path}, line {number}: not a Fernet key (32 url-safe base64-encoded bytes).")
        keys.append(line)
    return keys


def write_key_file(path: str | os.PathLike, keys: list[str]) -> None:
    """Replace the file's keys in one step: a reader sees the old file or the new one, never half.

    The new file is made readable by its owner only (0600) before any key is written into it.
    """
    path = Path(path)
    header = ("# Cwtch encryption keys, one per line. The first encrypts; all of them decrypt.\n"
              "# Managed by `flask --app supervision rotate-keys`. Back this file up apart from the database.\n")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(header + "".join(f"{key}\n" for key in keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


@dataclass(frozen=True)
class _FileState:
    signature: tuple[int, int, int]  # inode, size, modification time: any rewrite changes one
    keys: tuple[str, ...]


_file_lock = threading.Lock()
_EXTENSION = "cwtch_key_file"


def _signature(path: str) -> tuple[int, int, int]:
    status = os.stat(path)
    return (status.st_ino, status.st_size, status.st_mtime_ns)


def remember_key_file(app) -> None:
    """Note which version of the key file the app's keys came from (config.py calls this)."""
    path = app.config.get("ENCRYPTION_KEYS_FILE")
    try:
        app.extensions[_EXTENSION] = _FileState(_signature(path), tuple(app.config["ENCRYPTION_KEYS"]))
    except (OSError, TypeError):
        app.extensions.pop(_EXTENSION, None)


def reload_key_file(*, force: bool = False) -> bool:
    """Re-read ENCRYPTION_KEYS_FILE if it changed (or always, with force). True if the keys changed."""
    app = current_app._get_current_object()
    path = app.config.get("ENCRYPTION_KEYS_FILE")
    if not path:
        return False
    with _file_lock:
        state: _FileState | None = app.extensions.get(_EXTENSION)
        try:
            signature = _signature(path)
        except OSError:
            return False  # keep the keys we have: a missing file must not stop a running app
        if not force and state is not None and state.signature == signature:
            return False
        keys = tuple(read_key_file(path))
        app.extensions[_EXTENSION] = _FileState(signature, keys)
        if not keys or list(keys) == list(app.config.get("ENCRYPTION_KEYS") or ()):
            return False
        app.config["ENCRYPTION_KEYS"] = list(keys)
        return True


# --- encrypting and decrypting ------------------------------------------------------------------

@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(current_app.config.get("ENCRYPTION_KEYS") or ())
    if not keys:
        raise EncryptionNotConfigured(
            "Set ENCRYPTION_KEYS in instance/config.py or FLASK_ENCRYPTION_KEYS (a JSON list), or point "
            "ENCRYPTION_KEYS_FILE at a key file; make one with `flask --app supervision rotate-keys`."
        )
    return _fernet(keys)


def encrypt(plaintext: str, *, undated: bool = False) -> str:
    reload_key_file()  # never encrypt under a key another process has already retired
    if undated:
        # A Fernet token carries the time it was made, in clear. Survey comments must not: the
        # answers table keeps no time finer than its round (see pulse/models.py).
        return _current().encrypt_at_time(plaintext.encode("utf-8"), 0).decode("ascii")
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        pass
    if reload_key_file(force=True):  # another process may have rotated the keys: try once more
        try:
            return _current().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            pass
    raise DecryptionError("ciphertext cannot be decrypted with the configured keys")


def rotate(token: str) -> str:
    """Re-encrypt under the first (current) key."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise DecryptionError("ciphertext cannot be decrypted with the configured keys") from error


def opens_with(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


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


class UndatedEncryptedText(EncryptedText):
    """Encrypted text whose token does not record when it was written (its Fernet time is 0).
    Key rotation keeps that time, so it stays 0."""

    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or isinstance(value, _RawText):
            return super().process_bind_param(value, dialect)
        return encrypt(value, undated=True)


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


# --- re-encryption ------------------------------------------------------------------------------

def encrypted_columns() -> list:
    """Every (table, column) stored with EncryptedText or EncryptedJSON, in every model."""
    from . import models  # noqa: F401  (every model, so the metadata is complete)
    from .extensions import db

    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def _stored_tokens(table, column):
    from sqlalchemy import select

    from .extensions import db

    key = list(table.primary_key.columns)
    raw = column.type.impl  # read the ciphertext itself, not the decrypted text
    return key, db.session.execute(select(*key, column.cast(raw)).where(column.is_not(None))).all()


def reencrypt_all(columns) -> int:
    """Rotate every stored value of these (table, column) pairs to the current key. Flushes only.

    Works below the ORM on the raw ciphertext, so no plaintext is held longer than needed. A value
    that no key opens stops it with DecryptionError naming the table, column and row.
    """
    from sqlalchemy import update

    from .extensions import db

    count = 0
    for table, column in columns:
        key, rows = _stored_tokens(table, column)
        for *ids, token in rows:
            try:
                rotated = rotate(token)
            except DecryptionError as error:
                raise DecryptionError(f"{table.name}.{column.name} in row {ids}: {error}") from error
            condition = [k == v for k, v in zip(key, ids)]
            db.session.execute(update(table).where(*condition).values({column.name: _RawText(rotated)}))
            count += 1
    db.session.flush()
    return count


def tokens_not_under(key: str, columns) -> dict[str, int]:
    """How many stored values, per "table.column", the given key alone cannot open."""
    missing: dict[str, int] = {}
    for table, column in columns:
        _, rows = _stored_tokens(table, column)
        count = sum(1 for *_, token in rows if not opens_with(key, token))
        if count:
            missing[f"{table.name}.{column.name}"] = count
    return missing


class _RawText(str):
    """Marks a value that is already ciphertext, so EncryptedText stores it as it is."""
