"""Reflections at rest: no plaintext in the database, tampering refused, and key rotation through
the real `rotate-keys` command that keeps every reflection readable, even for a running process."""
from __future__ import annotations

import fcntl
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from supervision import crypto
from supervision.accounts.models import Role
from supervision.config import EncryptionKeysConflict
from supervision.extensions import db
from supervision.reflections.models import Reflection, ShareComment

from .conftest import Factory, make_test_app, sign_in

TITLE = "Visiting the allotment project"
SECTION = "The group welcomed a new volunteer who was very quiet at first."
ACTIONS = "Ask the volunteer coordinator about a buddy scheme"
COMMENT = "A thoughtful piece of practice; bring it to supervision."
PLAINTEXTS = (TITLE, SECTION, ACTIONS, COMMENT, "allotment", "volunteer", "buddy", "thoughtful")


def _write_reflection(app, factory: Factory, *, author=None, supervisor=None) -> dict:
    org = factory.organisation()
    author = author or factory.user(Role.link_worker, organisation=org)
    supervisor = supervisor or factory.user(Role.supervisor, organisation=org)
    reflection_id = factory.reflection(author, structure="driscoll", title=TITLE,
                                       sections={"what": SECTION, "so_what": "Patience matters.",
                                                 "now_what": "Check in next week."},
                                       actions=ACTIONS, feeling=4, practice_date=date(2026, 11, 3))
    share_id = factory.share(reflection_id, supervisor)
    with app.app_context():
        db.session.add(ShareComment(share_id=share_id, body=COMMENT))
        db.session.commit()
    return dict(author=author, supervisor=supervisor, reflection_id=reflection_id, share_id=share_id)


def _raw(app, sql: str, **params) -> list:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(text(sql), params).all()]


def _stored_tokens(app) -> dict[str, str]:
    """Every encrypted value in the database, by "table.column:id"."""
    tokens = {}
    with app.app_context():
        for table, column in crypto.encrypted_columns():
            key = list(table.primary_key.columns)[0]
            rows = db.session.execute(text(f"SELECT {key.name}, {column.name} FROM {table.name} "
                                           f"WHERE {column.name} IS NOT NULL")).all()
            tokens.update({f"{table.name}.{column.name}:{ident}": value for ident, value in rows})
    return tokens


def _read_everything(app, reflection_id: int) -> tuple:
    with app.app_context():
        db.session.expire_all()
        reflection = db.session.get(Reflection, reflection_id)
        result = (reflection.title, dict(reflection.sections), reflection.actions,
                  [c.body for s in reflection.shares for c in s.comments])
        db.session.remove()
        return result


EXPECTED = (TITLE, {"what": SECTION, "so_what": "Patience matters.", "now_what": "Check in next week."}, ACTIONS,
            [COMMENT])


# --- at rest ----------------------------------------------------------------------------------------

def test_raw_rows_hold_no_plaintext(app, make):
    made = _write_reflection(app, make)
    rows = _raw(app, "SELECT title, sections, actions FROM reflection WHERE id = :id", id=made["reflection_id"])
    rows += _raw(app, "SELECT body FROM reflection_share_comment")
    values = [value for row in rows for value in row]
    assert len(values) == 4 and all(isinstance(v, str) and v.startswith("gAAAAA") for v in values), values
    for value in values:
        for plaintext in PLAINTEXTS:
            assert plaintext.lower() not in value.lower()
    # What the list filters on stays in clear, and nothing else.
    [(status, structure, practice_date, feeling)] = _raw(
        app, "SELECT status, structure, practice_date, feeling FROM reflection")
    assert (status, structure, str(practice_date), feeling) == ("complete", "driscoll", "2026-11-03", 4)
    assert _read_everything(app, made["reflection_id"]) == EXPECTED


def _tamper(app, reflection_id: int, column: str = "title") -> None:
    [(token,)] = _raw(app, f"SELECT {column} FROM reflection WHERE id = :id", id=reflection_id)
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    with app.app_context():
        db.session.execute(text(f"UPDATE reflection SET {column} = :t WHERE id = :id"),
                           {"t": flipped, "id": reflection_id})
        db.session.commit()


def test_a_tampered_ciphertext_is_refused_when_read(app, make):
    made = _write_reflection(app, make)
    _tamper(app, made["reflection_id"], "sections")
    with app.app_context():
        with pytest.raises(crypto.DecryptionError):
            db.session.scalars(select(Reflection.sections)).all()
        db.session.rollback()
        assert db.session.scalar(select(Reflection.title)) == TITLE  # the other columns still read


def test_a_tampered_reflection_shows_an_error_page_not_its_text(app, client, make):
    made = _write_reflection(app, make)
    _tamper(app, made["reflection_id"], "title")
    assert sign_in(client, made["author"].email).status_code == 302
    for path in ("/reflections/export.json", f"/reflections/{made['reflection_id']}/export.pdf"):
        response = client.get(path)
        assert response.status_code == 500, path
        page = response.get_data(as_text=True)
        assert "Sorry, there is a problem with the service" in page
        for plaintext in (SECTION, ACTIONS, COMMENT, "Traceback", "InvalidToken", "gAAAAA"):
            assert plaintext not in page, plaintext


# --- rotation with a key file -------------------------------------------------------------------------

@pytest.fixture
def key_file_apps(databases, tmp_path):
    """Two apps on one database and one key file: a web worker, and the process that runs the command."""
    url = databases.new("rotation")
    keys = tmp_path / "encryption_keys"
    worker = make_test_app(url, str(tmp_path / "worker"), ENCRYPTION_KEYS_FILE=str(keys))
    command = make_test_app(url, str(tmp_path / "command"), ENCRYPTION_KEYS_FILE=str(keys))
    with worker.app_context():
        db.create_all()
    return worker, command, keys


def _keys(path: Path) -> list[str]:
    return crypto.read_key_file(path)


def test_a_test_or_development_app_makes_its_key_file_private(key_file_apps):
    worker, command, keys = key_file_apps
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert len(_keys(keys)) == 1
    assert worker.config["ENCRYPTION_KEYS"] == command.config["ENCRYPTION_KEYS"] == _keys(keys)


def test_rotate_keys_reencrypts_everything_and_keeps_it_readable(key_file_apps):
    worker, command, keys = key_file_apps
    made = _write_reflection(worker, Factory(worker))  # the supervisor has a TOTP secret too
    [old] = _keys(keys)
    before = _stored_tokens(worker)
    assert {name.split(":")[0] for name in before} >= {
        "reflection.title", "reflection.sections", "reflection.actions", "reflection_share_comment.body",
        "totp_credential.secret"}

    result = command.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    new, kept = _keys(keys)
    assert kept == old and new != old
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert f"Re-encrypted {len(before)} values" in result.output
    assert old not in result.output and new not in result.output  # keys are named by fingerprint only

    after = _stored_tokens(worker)
    assert after.keys() == before.keys()
    for name, token in after.items():
        assert token != before[name], name
        Fernet(new.encode()).decrypt(token.encode())  # every value opens with the new key alone
    # The running worker never restarted, and reads everything.
    assert _read_everything(worker, made["reflection_id"]) == EXPECTED
    assert _read_everything(command, made["reflection_id"]) == EXPECTED


def test_retire_old_leaves_only_the_new_key_and_the_old_one_opens_nothing(key_file_apps):
    worker, command, keys = key_file_apps
    made = _write_reflection(worker, Factory(worker))
    [first] = _keys(keys)
    runner = command.test_cli_runner()
    assert runner.invoke(args=["rotate-keys"]).exit_code == 0
    [second, _] = _keys(keys)
    result = runner.invoke(args=["rotate-keys", "--retire-old"])
    assert result.exit_code == 0, result.output
    [third] = _keys(keys)
    assert third not in (first, second)
    assert "retired 2 older key(s)" in result.output
    for token in _stored_tokens(worker).values():
        for retired in (first, second):
            with pytest.raises(InvalidToken):
                Fernet(retired.encode()).decrypt(token.encode())
        Fernet(third.encode()).decrypt(token.encode())
    # The worker still holds the retired keys in memory; it picks the file up and reads on.
    assert _read_everything(worker, made["reflection_id"]) == EXPECTED


def test_a_running_worker_writes_under_the_new_key_after_a_rotation(key_file_apps):
    worker, command, keys = key_file_apps
    factory = Factory(worker)
    author = factory.user(Role.link_worker)
    factory.reflection(author, title="Before the rotation")
    assert command.test_cli_runner().invoke(args=["rotate-keys", "--retire-old"]).exit_code == 0
    [current] = _keys(keys)
    written = factory.reflection(author, title="After the rotation")
    [(token,)] = _raw(worker, "SELECT title FROM reflection WHERE id = :id", id=written)
    assert Fernet(current.encode()).decrypt(token.encode()) == b"After the rotation"


def test_a_value_no_key_opens_stops_the_rotation_and_changes_nothing(key_file_apps):
    worker, command, keys = key_file_apps
    made = _write_reflection(worker, Factory(worker))
    _tamper(worker, made["reflection_id"], "title")
    before = _stored_tokens(worker)
    [old] = _keys(keys)
    result = command.test_cli_runner().invoke(args=["rotate-keys", "--retire-old"])
    assert result.exit_code == 1
    assert "reflection.title" in result.output and "undone" in result.output
    assert _stored_tokens(worker) == before
    assert _keys(keys)[1:] == [old]  # the old key stays: everything it encrypted still opens
    with worker.app_context():
        assert db.session.scalar(select(Reflection.actions)) == ACTIONS


def test_only_one_rotation_at_a_time(key_file_apps):
    worker, command, keys = key_file_apps
    before = keys.read_text()
    with open(keys.with_name(keys.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = command.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 1 and "Another rotate-keys is running" in result.output
    assert keys.read_text() == before


def test_reencrypt_still_works_as_before(key_file_apps):
    worker, command, keys = key_file_apps
    made = _write_reflection(worker, Factory(worker))
    result = command.test_cli_runner().invoke(args=["reencrypt"])
    assert result.exit_code == 0 and "under the current key" in result.output
    assert _read_everything(worker, made["reflection_id"]) == EXPECTED


# --- keys from settings ---------------------------------------------------------------------------

def test_with_keys_in_settings_it_reencrypts_under_the_first_and_explains(databases, tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    url = databases.new("configured")
    before_app = make_test_app(url, str(tmp_path / "a"), ENCRYPTION_KEYS=[old])
    with before_app.app_context():
        db.create_all()
    made = _write_reflection(before_app, Factory(before_app))

    rotated_app = make_test_app(url, str(tmp_path / "b"), ENCRYPTION_KEYS=[new, old])
    result = rotated_app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "cannot write, so it made no new key" in result.output
    assert "put it first in ENCRYPTION_KEYS" in result.output
    assert rotated_app.config["ENCRYPTION_KEYS"] == [new, old]  # nothing invented
    for token in _stored_tokens(rotated_app).values():
        Fernet(new.encode()).decrypt(token.encode())

    retire = rotated_app.test_cli_runner().invoke(args=["rotate-keys", "--retire-old"])
    assert retire.exit_code == 0 and "you may now remove the other keys" in retire.output
    only_new = make_test_app(url, str(tmp_path / "c"), ENCRYPTION_KEYS=[new])
    assert _read_everything(only_new, made["reflection_id"]) == EXPECTED


def test_with_keys_in_settings_a_missing_key_is_refused_and_nothing_changes(databases, tmp_path):
    old = Fernet.generate_key().decode()
    url = databases.new("missingkey")
    first = make_test_app(url, str(tmp_path / "a"), ENCRYPTION_KEYS=[old])
    with first.app_context():
        db.create_all()
    _write_reflection(first, Factory(first))
    before = _stored_tokens(first)
    wrong = make_test_app(url, str(tmp_path / "b"), ENCRYPTION_KEYS=[Fernet.generate_key().decode()])
    result = wrong.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 1 and "Re-encryption stopped and was undone" in result.output
    assert _stored_tokens(first) == before


def test_keys_in_settings_and_a_key_file_together_are_refused(databases, tmp_path):
    with pytest.raises(EncryptionKeysConflict, match="Use one"):
        make_test_app(databases.new("both"), str(tmp_path), ENCRYPTION_KEYS=[Fernet.generate_key().decode()],
                      ENCRYPTION_KEYS_FILE=str(tmp_path / "keys"))


def test_the_json_export_of_a_rotated_database_is_whole(key_file_apps):
    worker, command, keys = key_file_apps
    made = _write_reflection(worker, Factory(worker))
    assert command.test_cli_runner().invoke(args=["rotate-keys", "--retire-old"]).exit_code == 0
    client = worker.test_client()
    assert sign_in(client, made["author"].email).status_code == 302
    [record] = json.loads(client.get("/reflections/export.json").data)["reflections"]
    assert record["title"] == TITLE and record["shares"][0]["comments"][0]["text"] == COMMENT


def test_rotate_keys_makes_a_missing_key_file_without_needing_the_database(databases, tmp_path):
    keys = tmp_path / "keys"
    app = make_test_app(databases.new("fresh"), str(tmp_path / "instance"), ENCRYPTION_KEYS_FILE=str(keys))
    keys.unlink()  # as on a new server, before `flask db upgrade` (no tables exist yet)
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "Created" in result.output
    [key] = _keys(keys)
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600 and key not in result.output
