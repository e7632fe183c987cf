"""Answering a wellbeing survey: the overview, the about page, the first screen, saving a draft and
coming back, submitting, a second submission refused, a closed round, crafted and empty answers, a
CBI scale with too few answers, the home page panel, and bounded queries. Who may reach which page,
the comment kept private and Welsh are in test_pulse_answering_access.py; support is in
test_pulse_support.py."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from supervision.accounts.models import Organisation, Role
from supervision.db import utcnow
from supervision.extensions import db
from supervision.pulse.models import PulseInvitation, PulseResponse

from .conftest import counting_queries, post

LONDON = ZoneInfo("Europe/London")
COMMENT = "Dad's hospital visits are wearing me down; talk to Rhodri about hours."


@dataclass
class World:
    organisation: Organisation
    link_worker: object
    other_link_worker: object
    monthly: int  # round ids, both open, the link worker invited to each
    cbi: int
    other_round: int  # the other link worker's monthly round, in another organisation


@pytest.fixture
def world(app, make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    with app.app_context():
        row = db.session.get(Organisation, organisation.id)
        row.eap_en, row.report_k = "Vivup: free counselling, any time.", 8
        db.session.commit()
    elsewhere = make.organisation(name="Taff Ely")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    other = make.user(Role.link_worker, organisation=elsewhere, name="Huw Parry")
    monthly = make.pulse_round(organisation)
    cbi = make.pulse_round(organisation, instrument="cbi")
    other_round = make.pulse_round(elsewhere)
    for round_id in (monthly, cbi):
        make.pulse_invitation(link_worker, round_id)
    make.pulse_invitation(other, other_round)
    return World(organisation, link_worker, other, monthly, cbi, other_round)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def questions(round_id: int) -> str:
    return f"/wellbeing/surveys/{round_id}/questions"


def send(client, round_id: int, answers: dict, *, button: str = "submit", **extra):
    return post(client, questions(round_id), {**answers, **extra, button: "y"})


def stored(app, round_id: int) -> tuple[PulseResponse | None, PulseInvitation]:
    with app.app_context():
        response = db.session.scalar(select(PulseResponse).where(PulseResponse.round_id == round_id))
        if response is not None:
            response.values()  # load the answers before the session ends
        invitation = db.session.scalar(select(PulseInvitation).where(PulseInvitation.round_id == round_id))
        db.session.expunge_all()
        return response, invitation


def checked(text: str) -> dict[str, str]:
    return dict(re.findall(r'name="(\w+)" type="radio" value="(\d+)" checked', text))


# --- the overview, the about page and the first screen -------------------------------------------

def test_overview_lists_open_surveys_with_their_state_and_links(app, client, make, signed_in, world):
    signed_in(world.link_worker)
    text = page(client.get("/wellbeing/"))
    assert text.count("Not started") == 2 and "Monthly wellbeing pulse" in text
    for endpoint in ("/wellbeing/trend", "/wellbeing/trend/sharing", "/wellbeing/leave", "/wellbeing/about"):
        assert f'href="{endpoint}"' in text
    send(client, world.monthly, {"B1": "2"}, button="save")
    text = page(client.get("/wellbeing/"))
    assert "Draft saved" in text and "Not started" in text
    send(client, world.monthly, {"B1": "2"})
    text = page(client.get("/wellbeing/"))
    assert "Answered" in text and f'href="/wellbeing/surveys/{world.monthly}/result"' in text


def test_answer_by_is_the_last_day_in_london(app, client, make, signed_in, world):
    """A round closing at 00:00 London time is open all the day before, whatever the season."""
    closes = (utcnow() + timedelta(days=5)).astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    round_id = make.pulse_round(world.organisation, year=2001, closes_at=closes.astimezone(ZoneInfo("UTC")))
    make.pulse_invitation(world.link_worker, round_id)
    signed_in(world.link_worker)
    last_day = (closes - timedelta(days=1)).strftime("%-d %B %Y")
    assert f"the end of {last_day}" in page(client.get("/wellbeing/"))
    assert f"It is open until the end of {last_day}." in page(client.get(f"/wellbeing/surveys/{round_id}"))


def test_about_page_cites_the_instruments_and_words_scores_carefully(client, signed_in, world):
    signed_in(world.link_worker)
    text = page(client.get("/wellbeing/about"))
    for words in ("Rohland, Kruse & Rohrer (2004), Stress and Health 20:75–79.",
                  "Dolan et al. (2015), J Gen Intern Med 30(5):582–587.",
                  "Kristensen, Borritz, Villadsen & Christensen (2005), Work & Stress 19(3):192–207.",
                  "“the people you support”", "unvalidated translation", "show the English wording",
                  "3 or more is described as “burning out”", "moderate or higher burnout",
                  "common research convention (Creedy et al. (2017))", "It is not a diagnosis",
                  "at least 4 of its 7 questions", "Who sees what"):
        assert words in text, words


def test_first_screen_says_who_sees_what(client, make, signed_in, world):
    signed_in(world.link_worker)
    text = page(client.get(f"/wellbeing/surveys/{world.monthly}"))
    for words in ("Your answers: only you.", "Your comment: only you, never anyone else.",
                  "Your supervisor: nothing, unless you choose to share a summary of your trend",
                  "only when at least 8 people stand behind a figure", "it can never be lowered",
                  "shown as “*”", "rounded to the nearest 5", "Nobody is told if your score is high",
                  "It is voluntary", "It takes about 2 minutes."):
        assert words in text, words
    assert re.search(rf'href="{questions(world.monthly)}"[^>]*>\s*Start\s*<svg', text)
    cbi = page(client.get(f"/wellbeing/surveys/{world.cbi}"))
    assert "19 questions" in cbi and "Your comment" not in cbi and "about 5 minutes" in cbi


# --- drafts, submitting, and a second submission ----------------------------------------------------

def test_a_draft_is_saved_resumed_and_then_submitted(app, client, signed_in, world):
    signed_in(world.link_worker)
    response = send(client, world.monthly, {"B1": "2", "S2": "4"}, button="save", comment=COMMENT)
    assert response.status_code == 303 and response.headers["Location"] == "/wellbeing/"
    assert "Your answers are saved. You can come back and finish them until" in page(client.get("/wellbeing/"))
    draft, invitation = stored(app, world.monthly)
    assert (draft.submitted, invitation.answered, draft.values()) == (False, False, {"B1": 2, "S2": 4})

    assert re.search(r">\s*Continue\s*<svg", page(client.get(f"/wellbeing/surveys/{world.monthly}")))
    text = page(client.get(questions(world.monthly)))
    assert checked(text) == {"B1": "2", "S2": "4"} and COMMENT in text
    # Coming back: the draft changes, and may even be emptied.
    assert send(client, world.monthly, {"S1": "5"}, button="save").status_code == 303
    assert stored(app, world.monthly)[0].values() == {"S1": 5}

    response = send(client, world.monthly, {"B1": "1", "S1": "5", "S3": "3"}, comment=COMMENT)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/wellbeing/surveys/{world.monthly}/result"
    answered, invitation = stored(app, world.monthly)
    assert answered.submitted and invitation.answered and answered.values() == {"B1": 1, "S1": 5, "S3": 3}
    assert answered.language == "en" and answered.instrument_version == "1"


def test_a_second_submission_is_refused(app, client, signed_in, world):
    signed_in(world.link_worker)
    send(client, world.monthly, {"B1": "2"})
    response = send(client, world.monthly, {"B1": "5"})
    assert response.status_code == 409
    assert "You have already answered this survey. You can answer again next round." in page(response)
    assert send(client, world.monthly, {"B1": "5"}, button="save").status_code == 409
    assert stored(app, world.monthly)[0].values() == {"B1": 2}
    response = client.get(questions(world.monthly))
    assert response.status_code == 303 and response.headers["Location"].endswith("/result")


def test_a_closed_round_explains_and_refuses_but_keeps_the_draft(app, client, make, signed_in, world):
    opened = utcnow() - timedelta(days=20)
    closed = make.pulse_round(world.organisation, year=2002, opens_at=opened, closes_at=opened + timedelta(days=14))
    make.pulse_response(world.link_worker, closed, {"B1": 3}, submitted=False)
    signed_in(world.link_worker)
    for url in (questions(closed), f"/wellbeing/surveys/{closed}"):
        response = client.get(url)
        assert response.status_code == 200
        assert "This survey closed on" in page(response)
        assert "late answers are accepted only while a survey is open" in page(response)
    assert send(client, closed, {"B1": "1"}).status_code == 410
    assert send(client, closed, {"B1": "1"}, button="save").status_code == 410
    draft, invitation = stored(app, closed)
    assert draft.values() == {"B1": 3} and not draft.submitted and not invitation.answered


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("answers, message", [
    ({"B1": "7"}, "Select one of the answers shown for question 1"),
    ({"B1": "0"}, "Select one of the answers shown for question 1"),  # a CBI value, not a single-item one
    ({"S3": "lots"}, "Select one of the answers shown for question 4"),
    ({"B1": "2", "comment": "x" * 2_001}, "Enter 2000 characters or fewer"),
], ids=["out-of-range", "wrong-format", "not-a-number", "long-comment"])
def test_crafted_answers_are_refused_with_a_clear_message(app, client, signed_in, world, answers, message):
    signed_in(world.link_worker)
    for button in ("submit", "save"):
        response = send(client, world.monthly, answers, button=button)
        text = page(response)
        assert response.status_code == 400 and "There is a problem" in text and message in text
        assert "<title>Error:" in text
    assert stored(app, world.monthly)[0] is None


def test_items_of_another_instrument_are_ignored(app, client, signed_in, world):
    signed_in(world.link_worker)
    assert send(client, world.monthly, {"B1": "2", "P1": "100", "X9": "1"}).status_code == 303
    assert stored(app, world.monthly)[0].values() == {"B1": 2}


def test_submitting_nothing_is_refused_but_an_empty_draft_is_kept(app, client, signed_in, world):
    signed_in(world.link_worker)
    response = send(client, world.cbi, {})
    assert response.status_code == 400
    assert "Answer at least one question before you submit" in page(response)
    assert 'href="#P1"' in page(response)  # the summary leads to the first question
    assert send(client, world.cbi, {}, button="save").status_code == 303
    draft, invitation = stored(app, world.cbi)
    assert draft.values() == {} and not draft.submitted and not invitation.answered


def test_a_cbi_scale_with_too_few_answers_is_not_scored_and_says_why(client, signed_in, world):
    signed_in(world.link_worker)
    answers = {"P1": "25", "P2": "25", "W1": "25", "W2": "0", "W3": "25", "W4": "0", "C1": "25", "C2": "0",
               "C3": "25"}
    assert send(client, world.cbi, answers).status_code == 303
    text = page(client.get(f"/wellbeing/surveys/{world.cbi}/result"))
    assert "Not scored" in text and "You answered 2 of the 6 questions; a score needs at least 3." in text
    assert "12.5 out of 100" in text and "16.7 out of 100" in text


# --- the home page -------------------------------------------------------------------------------

def test_home_shows_an_open_unanswered_survey(app, client, make, signed_in, world):
    signed_in(world.link_worker)
    text = page(client.get("/home"))
    assert text.count("Your wellbeing survey is open until") == 2
    assert f'href="/wellbeing/surveys/{world.monthly}"' in text
    send(client, world.monthly, {"B1": "1"})
    text = page(client.get("/home"))
    assert text.count("Your wellbeing survey is open until") == 1
    assert f'href="/wellbeing/surveys/{world.monthly}"' not in text


# --- bounded queries -----------------------------------------------------------------------------

def test_overview_and_questions_keep_their_queries_bounded(app, client, make, signed_in, world):
    signed_in(world.link_worker)
    send(client, world.cbi, {"P1": "50"}, button="save")
    client.get("/wellbeing/")
    with counting_queries(app) as few:
        client.get("/wellbeing/")
    with counting_queries(app) as few_questions:
        client.get(questions(world.cbi))
    for year in range(2003, 2013):  # ten more open rounds, half with drafts
        round_id = make.pulse_round(world.organisation, year=year)
        if year % 2:
            make.pulse_response(world.link_worker, round_id, {"B1": 2}, submitted=False)
        else:
            make.pulse_invitation(world.link_worker, round_id)
    with counting_queries(app) as many:
        text = page(client.get("/wellbeing/"))
    with counting_queries(app) as many_questions:
        client.get(questions(world.cbi))
    assert text.count("Draft saved") == 6 and text.count("Not started") == 6
    assert len(many) == len(few) and len(many_questions) == len(few_questions)
