"""A debrief in a real browser: Carys asks for one (first sending the form empty, to see the error
summary), her supervisor Dr Rhodri Evans accepts it from his queue and books the debrief, and Carys
then sees it accepted and booked. axe-core checks every page on the way."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .helpers import axe_check, sign_in

pytestmark = pytest.mark.browser

LINK_WORKER = "linkworker@example.org"
SUPERVISOR = "supervisor@example.org"
LINK_WORKER_NAME = "Carys Jenkins"
REQUEST_URL = re.compile(r"/debriefs/(\d+)$")
QUEUE_VIEW_URL = re.compile(r"/debriefs/queue/(\d+)$")
LONDON = ZoneInfo("Europe/London")


def _heading(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def _press(page, locator, key: str = "Enter") -> None:
    """Reach a control and use it by keyboard, as someone without a mouse would."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def _nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name=name, exact=True).click()


def _weekdays_ahead(days: int = 10):
    """Weekdays in London from `days` days ahead: a debrief booked on each in turn if one clashes."""
    day = datetime.now(LONDON).date() + timedelta(days=days)
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _ask_for_a_debrief(page, description: str) -> int:
    _nav(page, "Debriefs")
    _heading(page, "Debriefs")
    axe_check(page)
    _press(page, page.locator("main").get_by_role("button", name="Ask for a debrief"))
    _heading(page, "Ask for a debrief")
    axe_check(page)

    send = page.locator("main form").get_by_role("button", name="Send the request")
    # "Any of my supervisors" is chosen already; everything else is missing.
    expect(page.get_by_label("Any of my supervisors")).to_be_checked()
    _press(page, send)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    for message in ("Select how soon you would like to talk", "Select what it was about",
                    "Describe briefly what happened", "Select how you would like to talk"):
        expect(summary).to_contain_text(message)
    axe_check(page)

    _press(page, page.get_by_label("Within 3 days"), "Space")
    expect(page.get_by_label("Within 3 days")).to_be_checked()
    page.get_by_label("Aggression or a threat").check()
    _press(page, summary.get_by_role("link", name="Describe briefly what happened"))
    expect(page.locator("main textarea[name=description]")).to_be_focused()
    page.keyboard.type(description)
    _press(page, page.get_by_label("By phone"), "Space")
    expect(page.get_by_label("By phone")).to_be_checked()
    page.get_by_label("Any of my supervisors").check()
    _press(page, send)

    page.wait_for_url(REQUEST_URL)
    _heading(page, "Your debrief request")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your request has been sent. We will tell you when a supervisor replies.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Waiting for a supervisor")
    expect(page.locator("main")).to_contain_text(description)
    axe_check(page)
    return int(REQUEST_URL.search(page.url).group(1))


def _accept(page, request_id: int, description: str) -> None:
    _nav(page, "Debrief requests")
    _heading(page, "Debrief requests")
    axe_check(page)
    open_link = page.locator(f'main a[href="/debriefs/queue/{request_id}"]')
    expect(open_link).to_contain_text(f"Open the request from {LINK_WORKER_NAME}")
    _press(page, open_link)
    _heading(page, "Debrief request")
    expect(page.locator("main")).to_contain_text(description)
    expect(page.locator("main .govuk-tag").first).to_have_text("Waiting for a supervisor")
    axe_check(page)

    _press(page, page.locator("main").get_by_role("button", name="Accept the request"))
    page.wait_for_url(QUEUE_VIEW_URL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You accepted the request.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Accepted")
    axe_check(page)


def _book(page) -> str:
    """Book the debrief on the first free weekday from 10 days ahead, at 07:15; return when, as
    the pages show it."""
    _press(page, page.locator("main").get_by_role("button", name="Book the debrief"))
    _heading(page, "Book the debrief")
    expect(page.locator("main")).to_contain_text("They asked for: Within 3 days, By phone.")
    axe_check(page)

    days = _weekdays_ahead()
    for attempt in range(5):
        day = next(days)
        page.locator("#session_date-day").fill(str(day.day))
        page.locator("#session_date-month").fill(str(day.month))
        page.locator("#session_date-year").fill(str(day.year))
        page.locator("#session_time").fill("07:15")
        page.locator("main fieldset").filter(has_text="Which kind of session?").locator(
            "input[type=radio]").first.check()
        expect(page.get_by_label("60 minutes")).to_be_checked()  # the default for "Within 3 days"
        with page.expect_navigation():  # to the request, or back to this form with a problem
            _press(page, page.locator("main form").get_by_role("button", name="Book the debrief"))
        if QUEUE_VIEW_URL.search(page.url):
            break
        # A clash with something already in the diary: the error summary says so; try the next day.
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        axe_check(page)
    else:
        raise AssertionError("Could not book the debrief on any of five weekdays")

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The debrief is booked. We have sent the calendar invitation to you and the link worker.")
    booked = f"{day:%A} {day.day} {day:%B}, 07:15 to 08:15"
    expect(page.locator("main")).to_contain_text(f"Booked for {booked}")
    expect(page.locator("main").get_by_role("button", name="Book the debrief")).to_have_count(0)
    axe_check(page)
    return booked


def test_a_debrief_is_asked_for_accepted_and_booked(new_context, demo_password):
    reference = uuid.uuid4().hex[:8]
    description = f"A visit turned hostile and I was shouted at. I would like to talk it through ({reference})."
    # Letters only in the reference, so that nothing in it could look like a phone or NHS number.
    description = description.translate(str.maketrans("0123456789", "ghijklmnop"))

    worker = new_context().new_page()
    sign_in(worker, LINK_WORKER, demo_password)
    request_id = _ask_for_a_debrief(worker, description)

    supervisor = new_context().new_page()
    sign_in(supervisor, SUPERVISOR, demo_password)
    _accept(supervisor, request_id, description)
    booked_on = _book(supervisor)

    worker.goto(f"/debriefs/{request_id}")
    _heading(worker, "Your debrief request")
    main = worker.locator("main")
    expect(main.locator(".govuk-tag").first).to_have_text("Accepted")
    expect(main).to_contain_text("Dr Rhodri Evans is talking this through with you.")
    expect(main.get_by_role("heading", name="Your debrief", exact=True)).to_be_visible()
    expect(main).to_contain_text(booked_on)
    expect(main.get_by_role("link", name="View the booking")).to_be_visible()
    axe_check(worker)
