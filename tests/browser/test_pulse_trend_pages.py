"""The wellbeing trend in a real browser, in English and Welsh: the link worker's trend (charts and
tables), sharing a summary with a supervisor (with the form's error), the supervisor's view, and
the view log. axe-core checks every page; the charts load under the app's real CSP.

The test makes people of its own in the demo organisation, and gives them answers to rounds of a
separate organisation in 2019, so that no report of the demo data changes.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from supervision.accounts import passwords
from supervision.accounts.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    SupervisorAssignment,
    User,
)
from supervision.demo import OGMORE
from supervision.extensions import db
from supervision.pulse.models import InstrumentKey, PulseAnswer, PulseResponse, PulseRound
from supervision.pulse.respondent import respondent_key

from .helpers import axe_check, letters_only, sign_in

pytestmark = pytest.mark.browser

COMMENT = "Too many referrals this month"


def _people(live_server, password: str, suffix: str) -> tuple[str, str]:
    """A link worker of the demo organisation with answers, and her supervisor there."""
    app = live_server.app
    with app.app_context():
        ogmore = db.session.scalar(select(Organisation).where(Organisation.name == OGMORE))
        elsewhere = Organisation(name=f"Trend test {suffix}", kind=OrganisationKind.third_sector,
                                 region=Region.cardiff_and_vale)
        people = []
        for name, role in ((f"Elin Hughes {suffix}", Role.link_worker), (f"Dafydd Rees {suffix}", Role.supervisor)):
            user = User(email=f"trend-{role.value}-{suffix}@ogmore.example.org", name=name,
                        password_hash=passwords.hash_password(password))
            user.memberships.append(Membership(organisation=ogmore, role=role))
            people.append(user)
        db.session.add_all([elsewhere, *people])
        db.session.flush()
        worker, supervisor = people
        db.session.add(SupervisorAssignment(organisation_id=ogmore.id, supervisor_id=supervisor.id,
                                            link_worker_id=worker.id))
        answers = [("monthly", 1, {"B1": 2, "S1": 4}), ("monthly", 2, {"B1": 4}), ("monthly", 3, {"B1": 3}),
                   ("cbi", 1, {"P1": 75, "P2": 50, "P3": 50, "W1": 25, "W2": 25, "W3": 0, "W4": 50,
                               "C1": 100, "C2": 75})]
        for instrument, month, values in answers:
            opens = datetime(2019, month, 1, 9, tzinfo=timezone.utc)
            pulse_round = PulseRound(organisation=elsewhere, instrument=InstrumentKey(instrument), year=2019,
                                     month=month, opens_at=opens, closes_at=opens.replace(day=15))
            db.session.add(pulse_round)
            db.session.flush()
            db.session.add(PulseResponse(
                round_id=pulse_round.id, organisation_id=elsewhere.id, respondent_key=respondent_key(worker.id),
                instrument=pulse_round.instrument, instrument_version="1", language="en", submitted=True,
                comment=COMMENT if month == 1 and instrument == "monthly" else None,
                answers=[PulseAnswer(item=item, value=value) for item, value in values.items()]))
        db.session.commit()
        return worker.email, supervisor.email


def _charts_load(page) -> None:
    """Each chart is an image that loaded, no wider than the page's main column."""
    # After a click (rather than a goto) the images may still be on their way: wait for them.
    page.wait_for_load_state("load")
    page.wait_for_function("() => [...document.querySelectorAll('main img')].every(img => img.complete)")
    main_width = page.evaluate("() => document.querySelector('main').clientWidth")
    for image in page.locator("main img").all():
        loaded = image.evaluate("(img) => img.complete && img.naturalWidth > 0 ? img.getBoundingClientRect().width : 0")
        assert 0 < loaded <= main_width


@pytest.mark.parametrize("language", ["en", "cy"])
def test_trend_sharing_and_the_supervisors_view(new_context, live_server, demo_password, language):
    suffix = letters_only()
    worker_email, supervisor_email = _people(live_server, demo_password, suffix)
    welsh = language == "cy"

    # The link worker's trend, with both charts; they load under the real CSP too.
    strict = new_context(bypass_csp=False).new_page()
    sign_in(strict, worker_email, demo_password)
    strict.goto("/wellbeing/trend")
    expect(strict.locator("main img")).to_have_count(2)
    _charts_load(strict)
    narrow = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(narrow, worker_email, demo_password)
    narrow.goto("/wellbeing/trend")
    _charts_load(narrow)
    assert narrow.evaluate("() => document.documentElement.scrollWidth") <= 320  # reflow: no sideways scrolling
    # Opened on its own, under its own policy, the chart keeps its style (a white plot, not black).
    strict.goto("/wellbeing/trend/chart.svg?measure=single")
    assert strict.evaluate("() => getComputedStyle(document.querySelector('.plot > .background')).fill") \
        == "rgb(255, 255, 255)"

    worker = new_context().new_page()
    sign_in(worker, worker_email, demo_password)
    if welsh:
        live_server.set_language(worker_email, "cy")
        live_server.set_language(supervisor_email, "cy")
    worker.goto("/wellbeing/trend")
    expect(worker.locator("html")).to_have_attribute("lang", language)
    expect(worker.locator("#single-item-caption")).to_be_visible()
    expect(worker.locator("main")).not_to_contain_text(COMMENT)
    axe_check(worker)

    # Sharing: off by default; the form's error, then a share.
    worker.goto("/wellbeing/trend/sharing")
    axe_check(worker)
    worker.locator("main form button[type=submit], main form input[type=submit]").last.click()
    expect(worker.locator(".govuk-error-summary")).to_be_focused()
    axe_check(worker)
    worker.get_by_label(f"Dafydd Rees {suffix}").check()
    worker.locator("main form button[type=submit], main form input[type=submit]").last.click()
    expect(worker.locator(".govuk-notification-banner")).to_be_visible()
    axe_check(worker)

    # The supervisor opens the summary from "Shared with you".
    supervisor = new_context().new_page()
    sign_in(supervisor, supervisor_email, demo_password)
    supervisor.goto("/reflections/shared")
    axe_check(supervisor)
    supervisor.locator("main a[href='/wellbeing/shared']").click()
    axe_check(supervisor)
    supervisor.locator("main table a").first.click()
    expect(supervisor.locator("#cbi-caption")).to_be_visible()
    expect(supervisor.locator("main")).not_to_contain_text(COMMENT)
    _charts_load(supervisor)
    axe_check(supervisor)

    # The owner sees the view, and stops sharing.
    worker.goto("/wellbeing/trend/sharing")
    expect(worker.locator("main .govuk-summary-card")).to_have_count(1)
    expect(worker.locator("main .govuk-summary-card li")).to_have_count(1)  # one view, logged
    axe_check(worker)
    worker.locator("main .govuk-button--warning").click()
    expect(worker.locator("main .govuk-summary-card")).to_have_count(0)
    assert supervisor.reload().status == 404
    live_server.set_language(worker_email, "en")
    live_server.set_language(supervisor_email, "en")
