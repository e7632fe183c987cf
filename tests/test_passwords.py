"""The password policy (NCSC guidance: length, a deny-list, no composition rules) and argon2id."""
from __future__ import annotations

import re

import pytest

from supervision.accounts import passwords
from supervision.accounts.messages import MESSAGES
from supervision.accounts.models import Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from tests.conftest import PASSWORD, post, sign_in

CONTEXT = ["owen.pricejones@example.org", "Bridgend Community Hub"]


def problem(password: str, context=CONTEXT) -> str | None:
    return passwords.password_problem(password, context=context)


# --- length ----------------------------------------------------------------------------------

def test_eleven_characters_is_too_short():
    assert problem("bread kettl") == "too_short"
    assert problem("") == "too_short"


def test_twelve_characters_is_enough():
    assert len("bread kettle") == 12
    assert problem("bread kettle") is None


@pytest.mark.parametrize("length", [64, 65, 200, passwords.MAX_LENGTH])
def test_long_passwords_are_accepted(length):
    password = ("slate otter violin meadow " * 20)[:length]
    assert len(password) == length
    assert problem(password) is None


def test_over_the_ceiling_is_refused():
    assert problem("x" * (passwords.MAX_LENGTH + 1)) == "too_long"


@pytest.mark.parametrize("length", [64, 200])
def test_long_passwords_are_not_truncated(length):
    password = ("slate otter violin meadow " * 20)[:length]
    stored = passwords.hash_password(password)
    assert passwords.verify_password(stored, password)
    last_changed = password[:-1] + ("Q" if password[-1] != "Q" else "R")
    assert not passwords.verify_password(stored, last_changed)
    assert not passwords.verify_password(stored, password + "x")
    assert not passwords.verify_password(stored, password[:-1])


# --- the deny-list -------------------------------------------------------------------------

def test_the_deny_list_is_substantial():
    common = passwords.common_passwords()
    assert len(common) >= 3000
    assert {"password1234", "qwertyuiop123", "qwerty123456", "1q2w3e4r5t6y"} <= common


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwertyuiop123",
        "qwerty123456",
        "PASSWORD1234",       # case does not help
        "QwErTy123456",
        "iloveyou2024!",      # a common word padded with digits and symbols
        "sunshine123456",
        "football!!!!!!",
    ],
)
def test_common_passwords_are_refused(password):
    assert problem(password) == "common"


# --- context ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "password",
    [
        "cwtchcwtchcwtch",
        "Cwtch2026Cwtch",          # mostly the service's name
        "CWTCH-password!",
        "supervision2026",
        "Bridgend Community Hub",  # the organisation's name
        "bridgendcommunityhub1",
        "owen.pricejones",         # the email's local part
        "OwenPriceJones2024",
        "owen.pricejones@example.org",
    ],
)
def test_context_words_are_refused(password):
    assert problem(password) == "context"


@pytest.mark.parametrize("password", ["Ty Hapus Surgery", "tŷhapussurgery!", "TY-HAPUS-SURGERY-1"])
def test_welsh_accents_do_not_hide_a_context_word(password):
    assert problem(password, context=["Tŷ Hapus Surgery"]) == "context"


def test_context_is_only_what_is_given():
    assert problem("OwenPriceJones2024", context=[]) is None


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "my cosy cwtch by the winter fire",  # the service's name inside a real passphrase
        "owen likes long walks on the gower",
    ],
)
def test_passphrases_that_mention_context_are_fine(password):
    assert problem(password) is None


def test_no_composition_rules():
    # Lower case only, no digits, no symbols: long enough and not common, so it is fine.
    assert problem("purple elephants dance quietly") is None
    assert problem("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzq") is None


# --- hashing ---------------------------------------------------------------------------------

def test_hashes_are_argon2id_and_salted():
    first = passwords.hash_password(PASSWORD)
    second = passwords.hash_password(PASSWORD)
    assert first.startswith("$argon2id$")
    assert first != second
    assert PASSWORD not in first
    assert passwords.verify_password(first, PASSWORD)
    assert not passwords.verify_password(first, PASSWORD.upper())
    assert not passwords.needs_rehash(first)


def test_a_broken_hash_never_verifies():
    assert not passwords.verify_password("not-a-hash", PASSWORD)
    assert not passwords.verify_password("", PASSWORD)


# --- through the change-password page ---------------------------------------------------------

def _change(client, new: str, current: str = PASSWORD, confirm: str | None = None):
    return post(client, "/account/password",
                {"current_password": current, "password": new,
                 "confirm": new if confirm is None else confirm},
                token_from="/account/password")


def _errors(text: str) -> tuple[str, list[str]]:
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', text, re.S)
    assert summary, "no error summary"
    beside = re.findall(r'<p id="([\w-]+)-error" class="govuk-error-message">(.*?)</p>', text, re.S)
    return summary.group(0), [f"{field}: {' '.join(message.split())}" for field, message in beside]


def _stored_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


@pytest.fixture
def person(make):
    organisation = make.organisation(name="Bridgend Community Hub")
    return make.user(Role.link_worker, organisation=organisation, email="owen.pricejones@example.org")


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("short one", "password_too_short"),
        ("password1234", "password_common"),
        ("qwertyuiop123", "password_common"),
        ("Bridgend Community Hub", "password_context"),
        ("owen.pricejones", "password_context"),
        ("cwtch cwtch cwtch", "password_context"),
        ("x" * (passwords.MAX_LENGTH + 1), "password_too_long"),
    ],
)
def test_change_password_page_shows_policy_errors(app, client, signed_in, person, new, code):
    signed_in(person)
    before = _stored_hash(app, person.id)
    response = _change(client, new)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    message = str(MESSAGES[code])
    summary, beside = _errors(text)
    assert message in summary
    assert any(item.startswith("password: ") and message in item for item in beside), beside
    assert new not in text  # the refused password is not echoed back
    assert _stored_hash(app, person.id) == before


def test_change_password_page_needs_the_current_password(app, client, signed_in, person):
    signed_in(person)
    before = _stored_hash(app, person.id)
    response = _change(client, "a perfectly good new passphrase", current="not my password at all")
    summary, beside = _errors(response.get_data(as_text=True))
    assert str(MESSAGES["current_password_wrong"]) in summary
    assert any(item.startswith("current_password: ") for item in beside)
    assert _stored_hash(app, person.id) == before
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "password_change")).one()
        assert (event.outcome, event.actor_id) == ("failure", person.id)


def test_change_password_confirmation_must_match(client, signed_in, person):
    signed_in(person)
    response = _change(client, "a perfectly good new passphrase", confirm="a different passphrase")
    summary, beside = _errors(response.get_data(as_text=True))
    assert "The passwords do not match" in summary
    assert any(item.startswith("confirm: ") for item in beside)


@pytest.mark.parametrize("length", [12, 64, 200])
def test_change_password_accepts_long_passwords_and_signs_in_with_them(app, client, signed_in,
                                                                        person, length):
    new = ("lowercase words only here and there " * 10)[:length]
    signed_in(person)
    response = _change(client, new)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = _stored_hash(app, person.id)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, new)
    assert not passwords.verify_password(stored, PASSWORD)
    other = app.test_client()
    assert sign_in(other, person.email, PASSWORD).status_code == 200  # the old one fails
    assert sign_in(other, person.email, new).status_code == 302
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "password_change")).one()
        assert event.outcome == "success"
        assert new not in str(event.detail)
