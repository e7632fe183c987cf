"""English and Welsh: the catalogue is complete, templates have no stray English, the switch
remembers the choice, and dates are shown in Europe/London in the chosen language."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from flask_babel import force_locale, gettext

from supervision.accounts.models import Role, User
from supervision import ROOT
from supervision.extensions import db
from supervision.i18n_check import (
    CATALOGUE,
    missing_translations,
    templates_with_untranslated_text,
    untranslated_template_text,
)

from .conftest import post


def test_every_message_has_a_welsh_translation():
    missing = missing_translations()
    assert missing == [], f"{len(missing)} strings lack Welsh: {missing[:10]}"


def test_no_template_has_text_outside_gettext():
    assert templates_with_untranslated_text() == {}


def test_completeness_check_catches_a_new_string(tmp_path):
    """Proof that the check above can fail: a new _() string with no Welsh is reported."""
    root = tmp_path
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "supervision").mkdir()
    (root / "supervision" / "extra.py").write_text('from flask_babel import gettext as _\n_("A brand new sentence")\n')
    assert "A brand new sentence" in missing_translations(CATALOGUE, root)


def test_template_check_catches_bare_english(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% extends "base.html" %}<p class="govuk-body">Book a session</p>'
                    '<a aria-label="Close menu" href="#">{{ _("Menu") }}</a>')
    assert untranslated_template_text(page) == ["Close menu", "Book a session"]


def test_first_visit_follows_accept_language(client):
    page = client.get("/sign-in", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert '<html lang="cy"' in page.get_data(as_text=True)
    page = client.get("/sign-in", headers={"Accept-Language": "fr,en;q=0.5"})
    assert '<html lang="en"' in page.get_data(as_text=True)


def test_anonymous_switch_is_kept_in_a_cookie(client):
    response = post(client, "/language", {"language": "cy", "next": "/accessibility"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accessibility")
    assert "cwtch_lang=cy" in response.headers["Set-Cookie"]
    page = client.get("/accessibility", headers={"Accept-Language": "en"})
    assert '<html lang="cy"' in page.get_data(as_text=True)


def test_switch_refuses_unknown_language_and_foreign_next(client):
    response = post(client, "/language", {"language": "fr", "next": "//evil.example"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "cwtch_lang" not in response.headers.get("Set-Cookie", "")


def test_signed_in_switch_is_stored_on_the_account(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    post(client, "/language", {"language": "cy", "next": "/home"})
    with app.app_context():
        assert db.session.get(User, person.id).preferred_language == "cy"
    # A new browser with an English cookie still gets Welsh once signed in.
    other = app.test_client()
    other.set_cookie("cwtch_lang", "en")
    from .conftest import sign_in

    sign_in(other, person.email)
    assert '<html lang="cy"' in other.get("/home").get_data(as_text=True)


def test_welsh_page_and_error_message(app, client):
    client.set_cookie("cwtch_lang", "cy")
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    with app.test_request_context(), force_locale("cy"):
        title, required = gettext("There is a problem"), gettext("Enter your email address")
    assert title != "There is a problem" and required != "Enter your email address"
    # Without a CSRF token the friendly 400 page answers; with one, the form's own errors show.
    from .conftest import csrf_token

    token = csrf_token(client)
    page = client.post("/sign-in", data={"email": "", "password": "", "csrf_token": token}).get_data(as_text=True)
    assert title in page and required in page


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        (datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), "en", "1 July 2026, 13:00"),
        (datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc), "en", "1 December 2026, 12:00"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), "cy", "1 Gorffennaf 2026, 13:00"),
        # The clocks go back at 01:00 UTC on 25 October 2026.
        (datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), "en", "25 October 2026, 01:30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc), "en", "25 October 2026, 01:30"),
    ],
)
def test_dates_are_shown_in_london_time_and_the_chosen_language(app, moment, language, expected):
    with app.test_request_context(), force_locale(language):
        assert app.jinja_env.filters["datetime"](moment) == expected


def test_numbers_follow_the_language(app):
    with app.test_request_context(), force_locale("cy"):
        assert app.jinja_env.filters["number"](12345) == "12,345"


def test_template_check_catches_a_bare_string_in_an_expression(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("{{ govukTable({'caption': 'Who can see it', 'head': [{'text': _('Name')}],"
                    " 'classes': 'govuk-table govuk-!-margin-0'}) }}")
    assert untranslated_template_text(page) == ["Who can see it"]
