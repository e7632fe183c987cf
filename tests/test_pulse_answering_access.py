"""Who may reach the survey pages (signed out → sign in; supervisors, employers and admins → 403;
someone else's round, or none → 404), the comment kept encrypted and shown to its writer only, and
answering in Welsh (the language stored, the English wording on request)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask_babel import Domain, get_locale
from sqlalchemy import func, select, text

from supervision import ROOT
from supervision.accounts.models import Role
from supervision.extensions import db
from supervision.i18n_check import untranslated_template_text
from supervision.pulse.models import PulseResponse

from .conftest import post
from .test_debriefs_link_worker import _Marked
from .test_pulse_answering import COMMENT, page, questions, send, stored, world  # noqa: F401  (world is a fixture)


def _urls(round_id: int) -> list[tuple[str, str]]:
    base = f"/wellbeing/surveys/{round_id}"
    return [("GET", base), ("GET", questions(round_id)), ("POST", questions(round_id)), ("GET", f"{base}/result")]


GENERAL = [("GET", "/wellbeing/"), ("GET", "/wellbeing/about")]
ANSWERS = {"B1": "4", "S1": "2", "comment": COMMENT, "submit": "y"}


def _open(client, method: str, url: str):
    return client.get(url) if method == "GET" else post(client, url, ANSWERS)


def test_signed_out_people_are_sent_to_sign_in(app, client, world):
    for method, url in GENERAL + _urls(world.monthly):
        response = _open(client, method, url)
        assert response.status_code == 302, (method, url)
        assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert stored(app, world.monthly)[0] is None


@pytest.mark.parametrize("role", [Role.supervisor, Role.employer, Role.admin])
def test_other_roles_are_refused(app, client, make, signed_in, world, role):
    signed_in(make.user(role, organisation=world.organisation))
    for method, url in GENERAL + _urls(world.monthly):
        assert _open(client, method, url).status_code == 403, (method, url)
    assert stored(app, world.monthly)[0] is None


def test_someone_elses_round_or_none_is_not_found(app, client, make, signed_in, world):
    # A supervisor who is also a link worker in the same organisation, but was not asked: not hers.
    dual = make.user(Role.supervisor, Role.link_worker, organisation=world.organisation)
    for person, round_id in ((world.other_link_worker, world.monthly), (world.link_worker, world.other_round),
                             (dual, world.monthly), (world.link_worker, 999_999)):
        signed_in(person)
        for method, url in _urls(round_id):
            assert _open(client, method, url).status_code == 404, (person, method, url)
        post(client, "/sign-out", {})
    assert stored(app, world.monthly)[0] is None and stored(app, world.other_round)[0] is None


def test_result_before_submitting_leads_to_the_questions(client, signed_in, world):
    signed_in(world.link_worker)
    response = client.get(f"/wellbeing/surveys/{world.monthly}/result")
    assert response.status_code == 303 and response.headers["Location"] == questions(world.monthly)


def test_csrf_is_required(app, client, signed_in, world):
    signed_in(world.link_worker)
    response = client.post(questions(world.monthly), data={"B1": "2", "submit": "y"})
    assert response.status_code == 400
    assert stored(app, world.monthly)[0] is None


# --- the comment --------------------------------------------------------------------------------

def test_the_comment_is_encrypted_and_shown_only_on_its_writers_result(app, client, make, signed_in, world):
    signed_in(world.link_worker)
    assert send(client, world.monthly, {"B1": "2"}, comment=COMMENT).status_code == 303
    with app.app_context():
        [raw] = db.session.execute(text("SELECT comment FROM pulse_response")).scalars().all()
        assert raw and COMMENT not in raw and "hospital" not in raw
        assert db.session.scalar(select(PulseResponse.comment)) == COMMENT
    assert COMMENT in page(client.get(f"/wellbeing/surveys/{world.monthly}/result"))
    for url in ("/wellbeing/", f"/wellbeing/surveys/{world.monthly}", "/home", "/wellbeing/about"):
        assert "hospital" not in page(client.get(url)), url
    post(client, "/sign-out", {})
    supervisor = make.user(Role.supervisor, organisation=world.organisation)
    make.assign(supervisor, world.link_worker)
    for person in (world.other_link_worker, supervisor):
        signed_in(person)
        for url in ("/home", f"/wellbeing/surveys/{world.monthly}/result", "/wellbeing/"):
            assert "hospital" not in page(client.get(url)), (person, url)
        post(client, "/sign-out", {})


# --- Welsh ---------------------------------------------------------------------------------------

@pytest.fixture
def marked_welsh(monkeypatch):
    marked = {"How often do you feel tired?", "Always", "Answer at least one question before you submit",
              "Monthly wellbeing pulse"}
    original = Domain.get_translations

    def translations(self):
        found = original(self)
        return _Marked(found, marked) if str(get_locale()) == "cy" else found

    monkeypatch.setattr(Domain, "get_translations", translations)


def test_welsh_questions_offer_the_english_wording(app, client, make, signed_in, world, marked_welsh):
    person = make.user(Role.link_worker, organisation=world.organisation, language="cy")
    make.pulse_invitation(person, world.cbi)
    signed_in(person)
    text = page(client.get(questions(world.cbi)))
    assert '<html lang="cy"' in text and "1. [cy] How often do you feel tired?" in text
    assert text.count("<details") == 19 and text.count("Show the English wording") == 0  # the summary is in Welsh
    assert '<p class="govuk-body" lang="en">How often do you feel tired?</p>' in text
    assert "<li>Always</li>" in text and "[cy] Always" in text
    text = page(send(client, world.cbi, {}))
    assert "[cy] Answer at least one question before you submit" in text


def test_english_questions_have_no_english_wording_box(client, signed_in, world):
    signed_in(world.link_worker)
    assert "Show the English wording" not in page(client.get(questions(world.cbi)))


def test_the_language_answered_in_is_stored(app, client, make, signed_in, world, marked_welsh):
    person = make.user(Role.link_worker, organisation=world.organisation, language="cy")
    make.pulse_invitation(person, world.monthly)
    signed_in(person)
    assert send(client, world.monthly, {"B1": "2"}).status_code == 303
    assert "[cy] Monthly wellbeing pulse" in page(client.get(f"/wellbeing/surveys/{world.monthly}/result"))
    with app.app_context():
        assert db.session.scalar(select(PulseResponse.language)) == "cy"
        assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 1


def test_every_page_text_is_translatable():
    templates = ROOT / "templates" / "pulse"
    for name in ("_answer_parts.html", "index.html", "about.html", "start.html", "questions.html", "result.html",
                 "closed.html"):
        assert untranslated_template_text(templates / name) == [], name
