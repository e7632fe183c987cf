"""`flask check-deploy`: each dangerous production setting is named, and a sound one passes."""
from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet

from supervision.deploycheck import config_problems, deployment_problems

from .conftest import make_test_app
from .smtp import SMTPServer, free_port


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_gunicorn_environment(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)


def production(databases, tmp_path, smtp_port: int, **overrides):
    """An app configured as production should be; each test spoils one thing."""
    settings = {
        "TESTING": False,
        "SECRET_KEY": secrets.token_hex(32),
        "PULSE_RESPONDENT_KEY": secrets.token_hex(32),
        "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "MAIL_FROM": "Cwtch <cwtch@example.org>",
    }
    settings.update(overrides)
    return make_test_app(databases.new("deploy"), str(tmp_path / "instance"), **settings)


def check(app):
    return app.test_cli_runner().invoke(args=["check-deploy"])


def test_a_production_like_config_passes(databases, tmp_path, smtp):
    app = production(databases, tmp_path, smtp.port)
    assert deployment_problems(app) == []
    result = check(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "All deployment checks passed"


@pytest.mark.parametrize("overrides,expected", [
    # Debug and testing also turn Secure cookies off by default; keep that one problem apart.
    ({"DEBUG": True, "SESSION_COOKIE_SECURE": True}, "Debug mode is on"),
    ({"TESTING": True, "SESSION_COOKIE_SECURE": True}, "TESTING is on"),
    ({"SECRET_KEY": "too-short-1234"}, "SECRET_KEY is too short"),
    ({"SECRET_KEY": "a" * 64}, "SECRET_KEY is too short or too simple"),
    ({"SECRET_KEY": "change-me-to-something-long-and-random-0123456789"}, "SECRET_KEY is a placeholder"),
    ({"SECRET_KEY": "a long random string"}, "SECRET_KEY is a placeholder"),
    ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
    ({"PULSE_RESPONDENT_KEY": "pulse-1234"}, "PULSE_RESPONDENT_KEY is too short"),
    ({"PULSE_RESPONDENT_KEY": "a long random string"}, "PULSE_RESPONDENT_KEY is a placeholder"),
    ({"ENCRYPTION_KEYS": []}, "ENCRYPTION_KEYS is empty"),
    ({"ENCRYPTION_KEYS": ["not-a-fernet-key"]}, "ENCRYPTION_KEYS entry 1 is not a valid Fernet key"),
    ({"MAIL_SERVER": None}, "MAIL_SERVER is not set"),
], ids=["debug", "testing", "short-secret", "simple-secret", "placeholder-secret", "example-secret",
        "insecure-cookie", "short-pulse-key", "example-pulse-key", "no-encryption-key", "bad-encryption-key", "no-smtp"])
def test_each_problem_is_reported_and_fails_the_check(databases, tmp_path, smtp, overrides, expected):
    app = production(databases, tmp_path, smtp.port, **overrides)
    problems = deployment_problems(app)
    assert len(problems) == 1 and expected in problems[0], problems
    result = check(app)
    assert result.exit_code == 1
    assert f"Problem: {expected}" in result.output
    assert "All deployment checks passed" not in result.output


def test_the_generated_development_secret_is_refused(databases, tmp_path, smtp):
    instance = tmp_path / "instance"
    instance.mkdir()
    development_key = secrets.token_hex(32)
    (instance / "secret_key").write_text(development_key + "\n")
    app = production(databases, tmp_path, smtp.port, SECRET_KEY=development_key)
    result = check(app)
    assert result.exit_code == 1
    assert "SECRET_KEY is the development key from instance/secret_key" in result.output


def test_the_generated_development_pulse_key_is_refused(databases, tmp_path, smtp):
    instance = tmp_path / "instance"
    instance.mkdir()
    development_key = secrets.token_hex(32)
    (instance / "pulse_key").write_text(development_key + "\n")
    result = check(production(databases, tmp_path, smtp.port, PULSE_RESPONDENT_KEY=development_key))
    assert result.exit_code == 1
    assert "PULSE_RESPONDENT_KEY is the development key from instance/pulse_key" in result.output


def test_an_unreachable_smtp_server_is_reported(databases, tmp_path):
    port = free_port()  # nothing listens here
    app = production(databases, tmp_path, port)
    result = check(app)
    assert result.exit_code == 1
    assert f"cannot reach SMTP server 127.0.0.1:{port}" in result.output


def test_sqlite_and_in_memory_rate_limits_with_several_workers(databases, tmp_path, smtp):
    app = production(databases, tmp_path, smtp.port, WEB_WORKERS=4)
    result = check(app)
    assert result.exit_code == 1
    assert ("Rate limits are counted in memory with 4 web workers" in result.output)
    sqlite = databases.backend == "sqlite"
    assert ("SQLite with 4 web workers" in result.output) is sqlite


def _clean_config(**overrides) -> dict:
    config = {
        "SECRET_KEY": secrets.token_hex(32),
        "PULSE_RESPONDENT_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cwtch@db.internal/cwtch",
        "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "WEB_WORKERS": 4,
        "MAIL_SERVER": "smtp.example.org",
    }
    config.update(overrides)
    return config


def test_postgresql_and_redis_with_several_workers_are_fine(tmp_path):
    assert config_problems(_clean_config(), instance_path=str(tmp_path), environ={}) == []


@pytest.mark.parametrize("overrides,environ,expected", [
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/cwtch/cwtch.sqlite"}, {}, ["SQLite with 4 web workers"]),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/cwtch/cwtch.sqlite", "WEB_WORKERS": 1},
     {"WEB_CONCURRENCY": "3"}, ["SQLite with 3 web workers"]),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, {}, ["Rate limits are counted in memory with 4 web workers"]),
    ({"WEB_WORKERS": 1, "RATELIMIT_STORAGE_URI": "memory://",
      "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/cwtch/cwtch.sqlite"}, {}, []),
    ({"SECRET_KEY": None}, {}, ["SECRET_KEY is not set"]),
    ({"SECRET_KEY": ""}, {}, ["SECRET_KEY is not set"]),
    ({"ENCRYPTION_KEYS": None}, {}, ["ENCRYPTION_KEYS is empty"]),
    ({"ENCRYPTION_KEYS": [Fernet.generate_key().decode(), "old"]}, {}, ["ENCRYPTION_KEYS entry 2"]),
    ({"SESSION_COOKIE_HTTPONLY": False}, {}, ["SESSION_COOKIE_HTTPONLY is off"]),
    ({"DEBUG": True, "SESSION_COOKIE_SECURE": False}, {}, ["Debug mode is on", "SESSION_COOKIE_SECURE is off"]),
], ids=["sqlite-workers", "sqlite-web-concurrency", "memory-limits", "one-worker-sqlite", "no-secret",
        "empty-secret", "no-encryption", "bad-old-key", "script-readable-cookie", "two-problems"])
def test_config_problems(tmp_path, overrides, environ, expected):
    problems = config_problems(_clean_config(**overrides), instance_path=str(tmp_path), environ=environ)
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problems


def test_a_random_secret_is_not_mistaken_for_a_placeholder(tmp_path):
    for _ in range(200):
        config = _clean_config(SECRET_KEY=secrets.token_urlsafe(48))
        assert config_problems(config, instance_path=str(tmp_path), environ={}) == []
