"""The deployment self-check: settings that are fine on a laptop and dangerous in production."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.engine import make_url

MIN_SECRET_LENGTH = 32
# Values copied from examples and tutorials, compared without case.
PLACEHOLDER_SECRETS = {
    "a long random string", "...", "secret", "secret-key", "secret_key", "secretkey", "dev",
    "development", "changeme", "change-me", "change_me", "replace-me", "replace_me",
    "your-secret-key", "your_secret_key", "please-change-me", "not-a-secret", "insecure",
}
PLACEHOLDER_WORDS = re.compile(r"change.?me|replace.?me|your.?secret|example|placeholder|not.?secret|insecure"
                               r"|test.?secret|dev(elopment)?.?(secret|key)", re.IGNORECASE)


def workers(config: Mapping, environ: Mapping[str, str]) -> int:
    """The most web workers any setting asks for: WEB_WORKERS, or gunicorn's WEB_CONCURRENCY."""
    counts = [config.get("WEB_WORKERS") or 1]
    if environ.get("WEB_CONCURRENCY"):
        counts.append(environ["WEB_CONCURRENCY"])
    try:
        return max(int(count) for count in counts)
    except ValueError:
        return 2  # unreadable: assume the worst


def _secret_problem(secret: object, instance_path: str, name: str = "SECRET_KEY",
                    development_file: str = "secret_key") -> str | None:
    fix = "Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'."
    if not isinstance(secret, (str, bytes)) or not secret:
        return f"{name} is not set. {fix}"
    text = secret.decode(errors="replace") if isinstance(secret, bytes) else secret
    development_key = Path(instance_path) / development_file
    if development_key.is_file() and development_key.read_text().strip() == text.strip():
        return f"{name} is the development key from instance/{development_file}. {fix}"
    if text.strip().lower() in PLACEHOLDER_SECRETS or PLACEHOLDER_WORDS.search(text):
        return f"{name} is a placeholder, not a secret. {fix}"
    if len(text) < MIN_SECRET_LENGTH or len(set(text)) < 10:
        return f"{name} is too short or too simple (use at least {MIN_SECRET_LENGTH} random characters). {fix}"
    return None


def _encryption_problem(keys: object, key_file: object = None) -> str | None:
    if isinstance(keys, str):
        keys = [keys]
    if key_file:
        path = Path(str(key_file))
        if not path.is_file():
            return (f"ENCRYPTION_KEYS_FILE {path} does not exist. Make it with "
                    "`flask --app supervision rotate-keys`, and back it up apart from the database.")
        if path.stat().st_mode & 0o077:
            return f"ENCRYPTION_KEYS_FILE {path} can be read by other users of this machine: chmod 600 it."
    if not keys:
        return ("ENCRYPTION_KEYS is empty, so sensitive text cannot be stored. Set FLASK_ENCRYPTION_KEYS "
                "to a JSON list of Fernet keys, or FLASK_ENCRYPTION_KEYS_FILE to a key file, and back them "
                "up apart from the database.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return f"ENCRYPTION_KEYS entry {position} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
    return None


def config_problems(config: Mapping, *, instance_path: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem visible in the settings alone, as a sentence that says what to fix."""
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    if config.get("DEBUG") or config.get("DEVELOPMENT"):
        problems.append("Debug mode is on: it shows code and data to anyone who triggers an error. "
                        "Unset FLASK_DEBUG.")
    if config.get("TESTING"):
        problems.append("TESTING is on: errors are not handled and secrets may be generated per process. "
                        "Remove it.")
    secret = _secret_problem(config.get("SECRET_KEY"), instance_path)
    if secret:
        problems.append(secret)
    # A guessable respondent key would let anyone holding the database link survey answers to people.
    pulse_key = _secret_problem(config.get("PULSE_RESPONDENT_KEY"), instance_path, "PULSE_RESPONDENT_KEY",
                                "pulse_key")
    if pulse_key:
        problems.append(pulse_key)
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off: the session cookie would travel over plain HTTP. "
                        "Serve over HTTPS and turn it on.")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY is off: scripts in the page could read the session cookie.")
    count = workers(config, environ)
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if count > 1 and make_url(database).get_backend_name() == "sqlite":
        problems.append(f"SQLite with {count} web workers: SQLite allows one writer at a time. "
                        "Use PostgreSQL, or run one worker.")
    encryption = _encryption_problem(config.get("ENCRYPTION_KEYS"), config.get("ENCRYPTION_KEYS_FILE"))
    if encryption:
        problems.append(encryption)
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if count > 1 and storage.startswith("memory://"):
        problems.append(f"Rate limits are counted in memory with {count} web workers, so each worker "
                        "counts alone. Set RATELIMIT_STORAGE_URI to Redis, e.g. redis://127.0.0.1:6379.")
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is not set: emails would only be written to files in "
                        f"{config.get('MAIL_OUTBOX_DIR') or 'instance/outbox'}, never delivered.")
    return problems


def deployment_problems(app: Flask, environ: Mapping[str, str] | None = None) -> list[str]:
    """The settings' problems, then whether the SMTP server answers."""
    from .scheduler.runner import check_mail

    problems = config_problems(app.config, instance_path=app.instance_path, environ=environ)
    if app.config.get("MAIL_SERVER"):
        problems += [f"Mail: {problem}" for problem in check_mail(app)]
    return problems
