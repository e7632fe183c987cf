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


# --- key files ------------------------------------------------------------------------------------

def test_a_key_file_holds_one_key_a_line_the_first_current(tmp_path):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    path = tmp_path / "keys"
    path.write_text(f"# current first\n\n{first}\n  {second}  \n")
    assert crypto.read_key_file(path) == [first, second]


def test_a_bad_line_is_named_by_number_and_never_shown(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"{Fernet.generate_key().decode()}\nsecret-but-not-a-key\n")
    with pytest.raises(crypto.KeyFileError, match="line 2") as error:
        crypto.read_key_file(path)
    assert "secret-but-not-a-key" not in str(error.value)


def test_writing_a_key_file_replaces_it_whole_and_privately(tmp_path):
    import stat

    path = tmp_path / "keys"
    path.write_text("old contents")
    path.chmod(0o644)
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    crypto.write_key_file(path, keys)
    assert crypto.read_key_file(path) == keys
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]  # no temporary file left behind


def test_development_keeps_its_key_in_instance_encryption_key(tmp_path):
    import stat

    from supervision import create_app

    app = create_app({"DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    path = tmp_path / "encryption_key"
    assert app.config["ENCRYPTION_KEYS_FILE"] == str(path)
    assert app.config["ENCRYPTION_KEYS"] == crypto.read_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # An older development key file (one bare key, no newline) still reads.
    key = Fernet.generate_key().decode()
    path.write_text(key)
    again = create_app({"DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert again.config["ENCRYPTION_KEYS"] == [key]


def _file_app(databases, tmp_path):
    from .conftest import make_test_app

    return make_test_app(databases.new("keyfile"), str(tmp_path / "instance"),
                         ENCRYPTION_KEYS_FILE=str(tmp_path / "keys"))


def test_encryption_follows_a_key_file_that_another_process_changed(databases, tmp_path):
    app = _file_app(databases, tmp_path)
    [old] = crypto.read_key_file(tmp_path / "keys")
    new = Fernet.generate_key().decode()
    with app.app_context():
        crypto.write_key_file(tmp_path / "keys", [new, old])
        token = crypto.encrypt("written after the rotation")
    assert Fernet(new.encode()).decrypt(token.encode()) == b"written after the rotation"
    assert app.config["ENCRYPTION_KEYS"] == [new, old]


def test_decryption_reloads_the_key_file_once_when_a_key_is_unknown(databases, tmp_path):
    app = _file_app(databases, tmp_path)
    new = Fernet.generate_key().decode()
    token = Fernet(new.encode()).encrypt(b"from a process with the new key").decode()
    with app.app_context():
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)
        crypto.write_key_file(tmp_path / "keys", [new])
        assert crypto.decrypt(token) == "from a process with the new key"


def test_check_deploy_wants_the_key_file_present_and_private(tmp_path):
    from supervision.deploycheck import _encryption_problem

    path = tmp_path / "keys"
    key = Fernet.generate_key().decode()
    assert "does not exist" in _encryption_problem([], str(path))
    crypto.write_key_file(path, [key])
    assert _encryption_problem([key], str(path)) is None
    path.chmod(0o640)
    assert "chmod 600" in _encryption_problem([key], str(path))
