"""Support when a score is high: shown at once, at the top of the result, exactly at each threshold
(the single item at 3, a CBI scale at 50, W7 counted in reverse), with supervision, a debrief, the
employer's own support and the helplines; and nobody is ever told (no notification, no email)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail

from .test_pulse_answering import page, send, world  # noqa: F401  (world is a fixture)

SUPPORT = "We have not told your employer or your supervisor."
ALWAYS = "Support is always available if you want it."
P = ("P1", "P2", "P3", "P4", "P5", "P6")
W = ("W1", "W2", "W3", "W4", "W5", "W6")  # W7 on its own: it is reverse-scored


def _told_anyone(app) -> int:
    with app.app_context():
        return sum(db.session.scalar(select(func.count()).select_from(model)) for model in (Notification,
                                                                                          OutboundEmail))


def _result(client, round_id: int, answers: dict[str, int]) -> str:
    response = send(client, round_id, {item: str(value) for item, value in answers.items()})
    assert response.status_code == 303, page(response)[:2000]
    return page(client.get(response.headers["Location"]))


@pytest.mark.parametrize("answers, high", [
    ({"B1": 1}, False),
    ({"B1": 2, "S1": 1, "S2": 1, "S3": 1}, False),  # unhappy with support, but not burning out
    ({"B1": 3}, True),
    ({"B1": 5}, True),
    ({"S1": 1}, False),  # the burnout question left unanswered
], ids=["B1=1", "B1=2", "B1=3", "B1=5", "no-B1"])
def test_monthly_support_starts_at_three(app, client, signed_in, world, answers, high):
    signed_in(world.link_worker)
    text = _result(client, world.monthly, answers)
    assert (SUPPORT in text) is high and (ALWAYS in text) is not high
    assert _told_anyone(app) == 0


@pytest.mark.parametrize("answers, high, shown", [
    # Personal: exactly 50 (a mean of 100, 0 and 50) is "moderate or higher".
    ({"P1": 100, "P2": 0, "P3": 50}, True, "50.0 out of 100"),
    ({p: 50 for p in P}, True, "50.0 out of 100"),
    # The nearest a mean of CBI answers (multiples of 25) comes below 50 on a 6-item scale: 275 / 6.
    ({"P1": 100, "P2": 75, "P3": 50, "P4": 50, "P5": 0, "P6": 0}, False, "45.8 out of 100"),
    # Work: W7 "Never" (0) has enough energy never, so it scores 100: (6 × 50 + 100) / 7 = 57.1.
    ({**{w: 50 for w in W}, "W7": 0}, True, "57.1 out of 100"),
    # W7 "Always" scores 0: (6 × 50 + 0) / 7 = 42.9. Without the reversal these two would swap.
    ({**{w: 50 for w in W}, "W7": 100}, False, "42.9 out of 100"),
    # Four work answers are enough: 25, 25, 75 and W7 "Seldom" (25 → 75) make exactly 50.
    ({"W1": 25, "W2": 25, "W4": 75, "W7": 25}, True, "50.0 out of 100"),
    # A scale with too few answers is not scored, so it cannot cross the threshold: 2 of 6 at 100.
    ({"C1": 100, "C2": 100, "P1": 0, "P2": 0, "P3": 0}, False, "You answered 2 of the 6 questions"),
], ids=["personal=50", "personal-all-50", "personal=45.8", "work-W7-never", "work-W7-always", "work-4-of-7",
        "client-too-few"])
def test_cbi_support_starts_at_fifty(app, client, signed_in, world, answers, high, shown):
    signed_in(world.link_worker)
    text = _result(client, world.cbi, answers)
    assert (SUPPORT in text) is high and (ALWAYS in text) is not high
    assert shown in text
    assert _told_anyone(app) == 0


def test_support_comes_first_with_every_option(app, client, signed_in, world):
    signed_in(world.link_worker)
    text = _result(client, world.monthly, {"B1": 4})
    main = text[text.index('<main'):]
    top = main.index(SUPPORT)
    assert top < main.index("You chose 4 out of 5")
    assert "<title>Thank you. Support is here for you – Cwtch</title>" in text
    for shown in ('href="/supervision/"', 'href="/debriefs/new"', "Book supervision", "Ask for a debrief",
                  "Vivup: free counselling, any time.", "Employee assistance programme",
                  'href="tel:116123"', 'href="tel:0800132737"', "NHS 111 Wales"):
        assert top < main.index(shown) < main.index("You chose 4 out of 5"), shown
    assert "not a diagnosis" in main and "diagnosed with" not in main


def test_below_the_threshold_support_is_a_link_away(client, signed_in, world):
    signed_in(world.link_worker)
    text = _result(client, world.monthly, {"B1": 2})
    assert 'href="#support"' in text and 'id="support"' in text
    assert "Samaritans" in text and 'href="/debriefs/new"' in text and SUPPORT not in text
