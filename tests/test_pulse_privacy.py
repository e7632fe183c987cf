"""Privacy in the schema, checked against the real database: participation apart from answers, no
user id and no timestamp in the answers, random response ids, and a pseudonymous respondent key."""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import inspect, select

from supervision.accounts.models import Role
from supervision.extensions import db
from supervision.pulse.models import PulseResponse
from supervision.pulse.respondent import respondent_key

ANSWER_TABLES = ("pulse_response", "pulse_answer")


def test_answer_tables_have_no_user_id_and_no_time_finer_than_the_round(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ANSWER_TABLES:
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            assert not any("user" in name for name in columns), table
            assert not any(name.endswith(("_at", "_on", "date", "time")) for name in columns), table
            type_names = {type(c["type"]).__name__.upper() for c in columns.values()}
            assert not any("DATE" in t or "TIME" in t for t in type_names), (table, type_names)
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert "user_account" not in referred, table
        assert {fk["referred_table"] for fk in inspector.get_foreign_keys("pulse_response")} == {
            "pulse_round", "organisation"}


def test_participation_holds_no_answers(app):
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("pulse_invitation")}
    assert columns == {"id", "round_id", "user_id", "answered", "reminders_sent"}


def test_response_ids_are_random_so_their_order_says_nothing(make, app):
    org = make.organisation()
    round_id = make.pulse_round(org)
    people = [make.user(Role.link_worker, organisation=org) for _ in range(10)]
    written = [make.pulse_response(person, round_id, {"B1": 2}) for person in people]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in written)
    assert written != sorted(written)  # 1 chance in 10! of failing by luck
    with app.app_context():
        stored = db.session.scalars(select(PulseResponse.respondent_key)).all()
    assert set(stored) == {_expected_key(app, person.id) for person in people}
    assert not any(str(person.id) == key for person in people for key in stored)


def test_a_comment_is_stored_encrypted_without_the_time_it_was_written(app, make):
    import base64
    from datetime import timedelta

    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from supervision import crypto
    from supervision.db import utcnow
    from supervision.pulse import services

    org = make.organisation()
    person = make.user(Role.link_worker, organisation=org)
    round_id = make.pulse_round(org)
    make.pulse_invitation(person, round_id)
    comment = "Only for me: the Pritchard visit stayed with me all weekend."
    with app.app_context():
        from supervision.accounts.models import User

        me = db.session.get(User, person.id)
        services.save_answers(me, services.invitation_for(me, round_id), {"B1": 3}, comment=comment,
                              language="en", submit=True, now=utcnow() + timedelta(seconds=1))
        db.session.commit()
        token = db.session.scalar(text("SELECT comment FROM pulse_response"))
        assert comment not in token
        # A Fernet token is version (1 byte), time (8 bytes, in clear), IV, ciphertext, HMAC.
        assert base64.urlsafe_b64decode(token)[1:9] == bytes(8)
        assert db.session.scalar(select(PulseResponse.comment)) == comment
        # Rotating to a new key keeps the time at zero.
        saved = list(app.config["ENCRYPTION_KEYS"])
        try:
            app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *saved]
            assert base64.urlsafe_b64decode(crypto.rotate(token))[1:9] == bytes(8)
        finally:
            app.config["ENCRYPTION_KEYS"] = saved


def _expected_key(app, user_id: int) -> str:
    secret = app.config["PULSE_RESPONDENT_KEY"].encode()
    return hmac.new(secret, f"cwtch-pulse-respondent:{user_id}".encode(), hashlib.sha256).hexdigest()


def test_respondent_key_is_an_hmac_under_the_server_secret(app):
    with app.app_context():
        first, again, other = respondent_key(41), respondent_key(41), respondent_key(42)
        assert first == again != other and len(first) == 64
        assert first == _expected_key(app, 41)
        assert first != hashlib.sha256(b"41").hexdigest()
        saved = app.config["PULSE_RESPONDENT_KEY"]
        try:
            app.config["PULSE_RESPONDENT_KEY"] = "another-secret-" + "z" * 32
            assert respondent_key(41) != first
        finally:
            app.config["PULSE_RESPONDENT_KEY"] = saved
