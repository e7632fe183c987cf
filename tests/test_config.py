"""Configuration order, the secret key rules, and the console script."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supervision import create_app
from supervision.config import MissingSecretKey


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A throwaway instance folder, with FLASK_* variables cleared so the host cannot leak in."""
    for name in list(__import__("os").environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)
    return tmp_path


def _app(instance_path: Path, test_config=None):
    return create_app(test_config, instance_path=str(instance_path))


def test_production_refuses_to_start_without_a_secret_key(instance):
    with pytest.raises(MissingSecretKey) as error:
        _app(instance)
    assert "FLASK_SECRET_KEY" in str(error.value) and "instance/config.py" in str(error.value)


def test_production_refuses_to_start_without_a_pulse_respondent_key(instance):
    (instance / "config.py").write_text("SECRET_KEY = 'x' * 40\n")
    with pytest.raises(MissingSecretKey) as error:
        _app(instance)
    assert "FLASK_PULSE_RESPONDENT_KEY" in str(error.value) and "never change it" in str(error.value)


def test_development_generates_the_pulse_key_once(instance, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first = _app(instance).config["PULSE_RESPONDENT_KEY"]
    assert (instance / "pulse_key").read_text().strip() == first and len(first) >= 64
    assert _app(instance).config["PULSE_RESPONDENT_KEY"] == first
    assert first != _app(instance).config["SECRET_KEY"]
    assert (instance / "pulse_key").stat().st_mode & 0o077 == 0


def test_development_generates_the_key_once(instance, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first = _app(instance).config["SECRET_KEY"]
    assert (instance / "secret_key").read_text().strip() == first
    assert len(first) >= 64
    assert _app(instance).config["SECRET_KEY"] == first
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_config_order_defaults_instance_env_test(instance, monkeypatch):
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-instance'\nPULSE_RESPONDENT_KEY = 'p' * 40\nINVITATION_DAYS = 3\nPASSWORD_RESET_HOURS = 5\nMAIL_PORT = 2525\n"
    )
    monkeypatch.setenv("FLASK_PASSWORD_RESET_HOURS", "6")
    monkeypatch.setenv("FLASK_MAIL_PORT", "2526")
    app = _app(instance, {"MAIL_PORT": 2527})
    assert app.config["LOGIN_THROTTLE_LIMIT"] == 10  # default
    assert app.config["INVITATION_DAYS"] == 3  # instance/config.py
    assert app.config["PASSWORD_RESET_HOURS"] == 6  # FLASK_ environment beats the instance file
    assert app.config["MAIL_PORT"] == 2527  # test config beats everything
    assert app.config["SECRET_KEY"] == "from-instance"


def test_cookies_are_secure_outside_development(instance):
    (instance / "config.py").write_text("SECRET_KEY = 'x' * 40\nPULSE_RESPONDENT_KEY = 'p' * 40\n")
    assert _app(instance).config["SESSION_COOKIE_SECURE"] is True


def test_cookies_are_not_secure_in_development(instance, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert _app(instance).config["SESSION_COOKIE_SECURE"] is False


def test_importing_the_package_does_no_work():
    """No app, database or migration at import time: a fresh interpreter only imports."""
    code = (
        "import sys, supervision.models\n"
        "from supervision.extensions import db\n"
        "print(len(db._app_engines), 'supervision.cli' in sys.modules, 'supervision.demo' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "False", "False"]


def test_console_script_lists_our_commands():
    script = Path(sys.executable).parent / "supervision"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "FLASK_DEBUG": "1"}, cwd="/tmp", check=True)
    for command in ("create-org", "create-admin", "seed-demo", "backup", "db"):
        assert command in result.stdout
