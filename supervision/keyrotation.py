"""The `rotate-keys` procedure: a new encryption key, everything re-encrypted under it, old keys retired.

This is a command's work, not a service: it commits between its steps, because the key file must
never name fewer keys than the database needs. The order makes every moment safe to stop at:
1. the new key is written first in the key file, the older ones kept after it (all decrypt);
2. every encrypted value is re-encrypted under the new key, and committed;
3. with --retire-old: a second pass catches values that a process still on the old key wrote in
   the meantime, every value is checked to open with the new key alone, and only then is the
   file rewritten with the new key only.
Web workers and the scheduler notice the new file on their next encryption, and reload it when a
decryption fails, so none needs a restart (see crypto.py).
"""
from __future__ import annotations

import fcntl
import hashlib
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from .crypto import (
    DecryptionError,
    KeyFileError,
    encrypted_columns,
    generate_key,
    read_key_file,
    reencrypt_all,
    remember_key_file,
    tokens_not_under,
    write_key_file,
)
from .extensions import db


class RotationError(RuntimeError):
    pass


def fingerprint(key: str) -> str:
    """A short name for a key that reveals nothing of it, for logs and messages."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@contextmanager
def _exclusive(path: Path):
    """One rotation at a time: a second one would read the file while the first rewrites it."""
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RotationError(f"Another rotate-keys is running (it holds {lock_path}). Nothing was changed.")
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _use(keys: list[str]) -> None:
    app = current_app._get_current_object()
    app.config["ENCRYPTION_KEYS"] = list(keys)
    remember_key_file(app)


def _reencrypt(columns) -> int:
    try:
        count = reencrypt_all(columns)
    except DecryptionError as error:
        db.session.rollback()
        raise RotationError(f"Re-encryption stopped and was undone: {error}. Is a key missing from the file?")
    db.session.commit()
    return count


def rotate_key_file(path_text: str, *, retire_old: bool) -> list[str]:
    path = Path(path_text)
    columns = encrypted_columns()
    said = []
    with _exclusive(path):
        try:
            old = read_key_file(path) if path.exists() else []
        except KeyFileError as error:
            raise RotationError(f"{error} Nothing was changed.")
        new = generate_key()
        if not old:
            # A first key: nothing can be encrypted under a key that never existed, so there is
            # nothing to re-encrypt (and this works before the database has its tables).
            write_key_file(path, [new])
            _use([new])
            return [f"Created {path} with a new key ({fingerprint(new)}), readable by its owner only. "
                    "Back it up apart from the database."]
        write_key_file(path, [new, *old])
        _use([new, *old])
        said.append(f"Wrote a new key ({fingerprint(new)}) first in {path}; "
                    f"{len(old)} older key(s) kept after it for reading.")
        count = _reencrypt(columns)
        said.append(f"Re-encrypted {count} values in {len(columns)} columns under the new key.")
        if not retire_old:
            if old:
                said.append("The older keys are still in the file. Once you no longer need them, run "
                            "`flask --app supervision rotate-keys --retire-old` (keep a copy of them for as long "
                            "as you keep backups made before this rotation).")
            return said
        again = _reencrypt(columns)  # anything written meanwhile by a process that had the old key
        left = tokens_not_under(new, columns)
        if left:
            details = ", ".join(f"{name}: {count}" for name, count in left.items())
            raise RotationError(f"Some values still need an older key ({details}); the older keys were kept. "
                                "Run rotate-keys --retire-old again.")
        write_key_file(path, [new])
        _use([new])
        retired = ", ".join(fingerprint(key) for key in old) or "none"
        said.append(f"Checked every value opens with the new key alone ({again} re-checked); "
                    f"retired {len(old)} older key(s): {retired}.")
    return said


def rotate_configured_keys(*, retire_old: bool) -> list[str]:
    """Keys in ENCRYPTION_KEYS (settings or FLASK_ENCRYPTION_KEYS) cannot be written by Cwtch."""
    keys = list(current_app.config.get("ENCRYPTION_KEYS") or [])
    if not keys:
        raise RotationError("No encryption keys are configured: set ENCRYPTION_KEYS_FILE (rotate-keys then "
                            "makes the file) or ENCRYPTION_KEYS.")
    columns = encrypted_columns()
    said = [
        "The keys come from ENCRYPTION_KEYS, which rotate-keys cannot write, so it made no new key.",
    ]
    count = _reencrypt(columns)
    said.append(f"Re-encrypted {count} values in {len(columns)} columns under the first key in ENCRYPTION_KEYS "
                f"({fingerprint(keys[0])}).")
    if retire_old:
        left = tokens_not_under(keys[0], columns)
        if left:
            details = ", ".join(f"{name}: {count}" for name, count in left.items())
            raise RotationError(f"Some values still need another key ({details}). Keep every key.")
        said.append("Every value opens with the first key alone: you may now remove the other keys from "
                    "ENCRYPTION_KEYS and restart the web workers and the scheduler.")
    else:
        said += [
            "To rotate to a new key:",
            "  1. make one: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'",
            "  2. put it first in ENCRYPTION_KEYS, keeping the old keys after it, and restart the web workers "
            "and the scheduler;",
            "  3. run rotate-keys again to re-encrypt everything under it;",
            "  4. run rotate-keys --retire-old to check nothing needs the old keys, then remove them and restart.",
        ]
    return said
