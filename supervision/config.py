"""Configuration: defaults, then instance/config.py, then FLASK_* variables, then test config."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from flask import Flask


class MissingSecretKey(RuntimeError):
    pass


SECRET_KEY_HELP = (
    "Cwtch needs a SECRET_KEY outside development. Set it in instance/config.py "
    "(SECRET_KEY = '...') or in the FLASK_SECRET_KEY environment variable, for example "
    'FLASK_SECRET_KEY="$(python -c \'import secrets; print(secrets.token_hex(32))\')".'
)


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "cwtch.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions: 30 minutes idle, 12 hours at most, no remember-me.
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_MAX_HOURS": 12,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
        "SESSION_COOKIE_NAME": "cwtch_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # None means "decide from the environment": Secure everywhere but development and tests.
        "SESSION_COOKIE_SECURE": None,
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": 3600 * 12,
        "LOGIN_THROTTLE_LIMIT": 10,
        "LOGIN_THROTTLE_WINDOW_MINUTES": 5,
        "INVITATION_DAYS": 7,
        "PASSWORD_RESET_HOURS": 2,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "LANGUAGES": ["en", "cy"],
        "MAIL_FROM": "Cwtch <no-reply@cwtch.invalid>",
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_STARTTLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_OUTBOX_DIR": os.path.join(instance_path, "outbox"),
        "MAIL_TIMEOUT": 30,
        "MAIL_MAX_ATTEMPTS": 8,
        "SCHEDULER_LEASE_SECONDS": 60,
        "SCHEDULER_MISFIRE_GRACE_SECONDS": 60,
        # Per-job overrides of the interval in seconds, e.g. {"notifications.send_email": 5}.
        "SCHEDULER_INTERVALS": {},
        "SERVER_NAME_FOR_EMAIL": "http://127.0.0.1:5000",
        "DEMO_PASSWORD": "demo-bara-brith-2026",
        "HSTS_SECONDS": 31536000,
        # How many proxies in front of the app set X-Forwarded-For/-Proto. 0 trusts none.
        "PROXY_FIX_X_FOR": 0,
        # Rate limits ("N per minute|hour|day", several joined with ";"). memory:// counts in each
        # process; with several web workers use Redis, e.g. "redis://127.0.0.1:6379".
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_PASSWORD_RESET_PER_IP": "20 per hour",
        "RATELIMIT_PASSWORD_RESET_PER_EMAIL": "5 per hour",
        "RATELIMIT_INVITATIONS": "30 per hour; 100 per day",
        "RATELIMIT_DATA_EXPORTS": "5 per hour",
        "RATELIMIT_REPORT_DOWNLOADS": "30 per hour",
        "RATELIMIT_REFLECTION_PDFS": "30 per hour",
        "RATELIMIT_CALENDAR_FEED": "60 per hour",
        # A file of encryption keys, one per line, the current one first; the alternative to
        # ENCRYPTION_KEYS, and the one `rotate-keys` can rotate. Development: instance/encryption_key.
        "ENCRYPTION_KEYS_FILE": None,
        # How many web workers serve the app (gunicorn's WEB_CONCURRENCY counts too); check-deploy uses it.
        "WEB_WORKERS": 1,
    }


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FLASK")
    if test_config is not None:
        app.config.from_mapping(test_config)
    development = app.debug or app.config.get("DEBUG") or app.config.get("ENV") == "development"
    if app.config["SESSION_COOKIE_SECURE"] is None:
        # Plain http on 127.0.0.1 cannot carry Secure cookies.
        app.config["SESSION_COOKIE_SECURE"] = not (development or app.testing)
    app.config["DEVELOPMENT"] = bool(development)
    _ensure_secret_key(app, development=bool(development))
    _ensure_pulse_key(app, development=bool(development))
    _ensure_encryption_keys(app, development=bool(development))


def _ensure_secret_key(app: Flask, *, development: bool) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    if not development:
        raise MissingSecretKey(SECRET_KEY_HELP)
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


PULSE_KEY_HELP = (
    "Cwtch needs a PULSE_RESPONDENT_KEY outside development: the secret behind the pseudonymous keys "
    "on survey answers. Set it once and never change it (a new one cuts people off from their earlier "
    "answers), in instance/config.py or FLASK_PULSE_RESPONDENT_KEY, for example "
    'FLASK_PULSE_RESPONDENT_KEY="$(python -c \'import secrets; print(secrets.token_hex(32))\')".'
)


def _ensure_pulse_key(app: Flask, *, development: bool) -> None:
    if app.config.get("PULSE_RESPONDENT_KEY"):
        return
    if app.testing:
        app.config["PULSE_RESPONDENT_KEY"] = secrets.token_hex(32)
        return
    if not development:
        raise MissingSecretKey(PULSE_KEY_HELP)
    path = Path(app.instance_path) / "pulse_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["PULSE_RESPONDENT_KEY"] = path.read_text().strip()


class EncryptionKeysConflict(RuntimeError):
    pass


def _ensure_encryption_keys(app: Flask, *, development: bool) -> None:
    """Keys from ENCRYPTION_KEYS or from ENCRYPTION_KEYS_FILE, never both (which would win would be a guess).

    Development keeps them in instance/encryption_key; tests get one of their own unless they name a
    file; production must be given keys or a file (check-deploy says so).
    """
    from .crypto import generate_key, read_key_file, remember_key_file, write_key_file

    keys = app.config.get("ENCRYPTION_KEYS")
    if isinstance(keys, str):
        keys = [keys]
    path = app.config.get("ENCRYPTION_KEYS_FILE")
    if keys and path:
        raise EncryptionKeysConflict(
            "Both ENCRYPTION_KEYS and ENCRYPTION_KEYS_FILE are set. Use one: the file for keys that "
            "`flask --app supervision rotate-keys` can rotate, or the list for keys you manage yourself."
        )
    if keys:
        app.config["ENCRYPTION_KEYS"] = list(keys)
        app.config["ENCRYPTION_KEYS_FILE"] = None
        return
    if not path and app.testing:
        app.config["ENCRYPTION_KEYS"] = [generate_key()]
        return
    if not path and development:
        path = str(Path(app.instance_path) / "encryption_key")
    if not path:
        app.config["ENCRYPTION_KEYS"] = []
        return
    app.config["ENCRYPTION_KEYS_FILE"] = str(path)
    if not Path(path).exists() and (development or app.testing):
        write_key_file(path, [generate_key()])
    app.config["ENCRYPTION_KEYS"] = read_key_file(path) if Path(path).exists() else []
    remember_key_file(app)
