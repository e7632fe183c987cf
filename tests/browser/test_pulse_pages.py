"""The survey pages in a real browser, in English and in Welsh: the home page panel, the overview,
the about page, the first screen, the questions (sent empty first, for the error summary), the
result with support at once, a CBI scale left unscored, and a closed round. axe-core checks each.

Each test makes its own link worker and rounds in the second demo organisation, so that the demo
accounts the other browser tests use are left as they are."""
from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from supervision.accounts import passwords
from supervision.db import utcnow
from supervision.extensions import db

from .helpers import axe_check, sign_in

pytestmark = pytest.mark.browser
_YEARS = itertools.count(2150)  # a period of its own for each round: one round per period


@dataclass
class Surveys:
    email: str
    monthly: int
    cbi: int
    closed: int


def _make_surveys(live_server, password: str, language: str) -> Surveys:
    from sqlalchemy import select

    from supervision.accounts.models import Membership, Organisation, Role, User
    from supervision.demo import TEIFI
    from supervision.pulse.models import ROUND_DAYS, InstrumentKey, PulseInvitation, PulseRound

    with live_server.app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == TEIFI))
        person = User(email=f"pulse-{uuid.uuid4().hex[:8]}@teifi.example.org", name="Lowri Pugh",
                      password_hash=passwords.hash_password(password), preferred_language=language)
        person.memberships.append(Membership(organisation_id=organisation.id, role=Role.link_worker))
        db.session.add(person)
        now, ids = utcnow(), []
        for instrument, opened in (("monthly", now - timedelta(days=2)), ("cbi", now - timedelta(days=2)),
                                   ("monthly", now - timedelta(days=30))):
            pulse_round = PulseRound(organisation_id=organisation.id, instrument=InstrumentKey(instrument),
                                     year=next(_YEARS), month=1, opens_at=opened,
                                     closes_at=opened + timedelta(days=ROUND_DAYS))
            db.session.add(pulse_round)
            db.session.flush()
            db.session.add(PulseInvitation(round_id=pulse_round.id, user_id=person.id))
            ids.append(pulse_round.id)
        db.session.commit()
        return Surveys(person.email, *ids)


def _heading(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_survey_pages_pass_axe_in_both_languages(page, live_server, demo_password, language):
    surveys = _make_surveys(live_server, demo_password, language)
    sign_in(page, surveys.email, demo_password)
    expect(page.locator("html")).to_have_attribute("lang", language)
    start_link = page.locator(f'a[href="/wellbeing/surveys/{surveys.monthly}"]')
    panel = page.locator("main .govuk-inset-text").filter(has=start_link)
    expect(panel).to_have_count(1)
    axe_check(page)

    for path in ("/wellbeing/", "/wellbeing/about", f"/wellbeing/surveys/{surveys.monthly}"):
        page.goto(path)
        axe_check(page)

    # The questions, sent empty: the error summary takes focus and names the problem.
    page.locator(f'main a[href="/wellbeing/surveys/{surveys.monthly}/questions"]').click()
    page.wait_for_url(re.compile(r"/questions$"))
    axe_check(page)
    english = page.locator("main details")
    if language == "cy":
        expect(english).to_have_count(4)
        english.first.locator("summary").click()
        expect(english.first.locator('p[lang="en"]')).to_have_text(
            "Overall, based on your definition of burnout, how would you rate your level of burnout?")
        axe_check(page)
    else:
        expect(english).to_have_count(0)
    page.locator("main form .govuk-button").first.click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^(Error|Gwall):"))
    axe_check(page)

    # A high answer: support comes first, at once.
    page.locator("#B1-4").check()
    page.locator("#S1-2").check()
    page.locator("main textarea[name=comment]").fill("Only for me to read.")
    page.locator("main form .govuk-button").first.click()
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("main #support")).to_contain_text("116 123")
    expect(page.locator("main")).to_contain_text("Only for me to read.")
    axe_check(page)

    # The CBI with one scale too short to score.
    page.goto(f"/wellbeing/surveys/{surveys.cbi}/questions")
    for item in ("P1", "P2", "P3", "W1"):
        page.locator(f"#{item}-3").check()
    page.locator("main form .govuk-button").first.click()
    page.wait_for_url(re.compile(r"/result$"))
    axe_check(page)

    page.goto(f"/wellbeing/surveys/{surveys.closed}/questions")
    expect(page.locator("main")).to_contain_text(re.compile(r"\d{4}"))
    axe_check(page)
    page.goto("/wellbeing/")
    expect(page.locator("main .govuk-tag")).to_have_count(2)
    axe_check(page)

    # The trend, reached from the overview: both charts drawn from these answers, and the same
    # figures in the table beside them.
    page.locator('main a[href="/wellbeing/trend"]').first.click()
    page.wait_for_url(re.compile(r"/wellbeing/trend$"))
    charts = page.locator('main img[src*="chart.svg"]')
    expect(charts).to_have_count(2)
    page.wait_for_load_state("load")
    assert page.evaluate("() => [...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)")
    expect(page.locator("main table").first.locator("tbody")).to_contain_text("4")
    axe_check(page)
