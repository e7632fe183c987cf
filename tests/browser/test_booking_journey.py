"""Booking supervision in a real browser, once in English (Carys and Dr Rhodri Evans) and once in
Welsh (Nia and Mererid Hopcyn): the link worker finds a time and books it with the keyboard alone, the
supervisor approves it from their queue without JavaScript, and the link worker cancels it before the
cut-off, then is refused for a session that starts in less than 24 hours. axe-core checks every page.

Both supervisors ask to approve bookings first, so each booking is a request until they do. The
words each page should show come from the app's own catalogue, so the Welsh journey checks the
Welsh that Cwtch has (or the English it falls back to) without copying it here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from supervision.accounts.models import User
from supervision.booking.events import Action, record
from supervision.booking.models import Booking, BookingStatus, SessionKind, SessionType, SupervisionSession
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import LiveServer
from .helpers import axe_check, sign_in

pytestmark = pytest.mark.browser

BOOKING_URL = re.compile(r"/supervision/bookings/(\d+)$")
SESSIONS_URL = re.compile(r"/supervision/sessions$")


@dataclass(frozen=True)
class Journey:
    language: str
    link_worker: str
    supervisor: str


JOURNEYS = [
    Journey("en", "linkworker@example.org", "supervisor@example.org"),
    Journey("cy", "cymraeg@example.org", "mererid.hopkin@teifi.example.org"),
]


class BookingServer(LiveServer):
    """The live server, with a way to put a booking straight into its database."""

    def name_of(self, email: str) -> str:
        with self.app.app_context():
            return db.session.scalar(select(User.name).where(User.email == email))

    def confirmed_booking_soon(self, link_worker: str, supervisor: str, hours: int = 5) -> int:
        """A confirmed one-to-one starting in `hours` hours: inside the 24-hour cut-off, so only the
        supervisor may cancel it. Written directly, as if it had been booked a week ago."""
        with self.app.app_context():
            worker = db.session.scalar(select(User).where(User.email == link_worker))
            boss = db.session.scalar(select(User).where(User.email == supervisor))
            kind = db.session.scalar(select(SessionType).where(SessionType.supervisor_id == boss.id,
                                                               SessionType.kind == SessionKind.one_to_one))
            now = utcnow()
            starts_at = (now + timedelta(hours=hours)).replace(second=0, microsecond=0)
            session = SupervisionSession(
                supervisor_id=boss.id, organisation_id=kind.organisation_id, session_type_id=kind.id,
                kind=kind.kind, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=kind.length_minutes),
                capacity=1, min_attendees=1, location_kind=kind.location_kind, address=kind.address,
                online_link=kind.online_link, created_at=now - timedelta(days=7))
            booking = Booking(session=session, link_worker_id=worker.id, status=BookingStatus.confirmed,
                              created_at=now - timedelta(days=7), updated_at=now - timedelta(days=7))
            db.session.add(booking)
            db.session.flush()
            record(booking, Action.booked, actor=worker, now=now - timedelta(days=7))
            db.session.commit()
            return booking.id

    def status_of(self, booking_id: int) -> BookingStatus:
        with self.app.app_context():
            return db.session.get(Booking, booking_id).status


@pytest.fixture
def booking_server(live_server) -> BookingServer:
    return BookingServer(app=live_server.app, url=live_server.url)


def _words(server: LiveServer, language: str):
    def t(text: str, **values) -> str:
        with server.app.test_request_context(), force_locale(language):
            return gettext(text, **values)
    return t


def _heading(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def _press(page, locator, key: str = "Enter") -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def _tab_to(page, locator, limit: int = 60) -> None:
    """Press Tab until the locator has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def _axe_twin(new_context, page):
    """A JavaScript-enabled page signed in as the same person, for axe-core: without JavaScript axe
    cannot run, so the no-JavaScript pages are checked again here."""
    return new_context(storage_state=page.context.storage_state()).new_page()


def _axe_at(twin, url: str) -> None:
    twin.goto(url)
    axe_check(twin)


def _find_and_book(page, t, supervisor_name: str, agenda_note: str) -> int:
    """From Supervision: find a free time with the supervisor and book it, with the keyboard only."""
    nav = page.get_by_role("navigation", name=t("Areas of Cwtch"))
    nav.get_by_role("link", name=t("Supervision"), exact=True).click()
    _heading(page, t("Supervision"))
    axe_check(page)
    _press(page, page.locator("main").get_by_role("link", name=t("Find a time with %(name)s", name=supervisor_name)))
    _heading(page, t("Find a time with %(name)s", name=supervisor_name))
    axe_check(page)
    slots = page.locator("main .cwtch-slot-list a")
    for _ in range(4):  # this week may have no free times left
        if slots.count():
            break
        _press(page, page.locator("main .govuk-pagination__next a"))
        page.wait_for_load_state("load")
    _press(page, slots.first)
    _heading(page, t("Check and book this time"))
    axe_check(page)

    agenda = page.locator("main textarea[name=agenda]")
    _tab_to(page, agenda)
    page.keyboard.press("Control+End")
    page.keyboard.type(f"\n- {agenda_note}")
    _tab_to(page, page.locator("main form button[type=submit], main form input[type=submit]"), limit=5)
    page.keyboard.press("Enter")
    page.wait_for_url(BOOKING_URL)
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(
        t("Request sent. %(name)s will review it, and we will tell you when they do.", name=supervisor_name))
    expect(page.locator("main .govuk-tag").first).to_have_text(t("Waiting for approval"))
    expect(page.locator("main dl")).to_contain_text(agenda_note)
    axe_check(page)
    return int(BOOKING_URL.search(page.url).group(1))


def _approve_without_javascript(new_context, demo_password, t, supervisor: str, booking_id: int,
                                link_worker_name: str) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, supervisor, demo_password)
    twin = _axe_twin(new_context, page)
    page.get_by_role("navigation", name=t("Areas of Cwtch")).get_by_role("link", name=t("Your sessions")).click()
    _heading(page, t("Your sessions"))
    _axe_at(twin, page.url)
    review_link = page.locator(f'main a[href="/supervision/sessions/requests/{booking_id}"]')
    expect(review_link).to_contain_text(t("Review"))
    review_link.click()
    _heading(page, t("Review a request"))
    expect(page.locator("main")).to_contain_text(link_worker_name)
    # Without JavaScript every choice's follow-up fields are shown, ready to fill in.
    expect(page.locator("main textarea[name=reason]")).to_be_visible()
    expect(page.locator("main [aria-expanded]")).to_have_count(0)
    twin.goto(page.url)
    twin.wait_for_load_state("load")
    axe_check(twin)

    continue_button = page.locator("main form").get_by_role("button", name=t("Continue"))
    continue_button.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        t("Select whether to approve, decline or propose another time"))
    twin.locator("main form").get_by_role("button", name=t("Continue")).click()
    expect(twin.locator(".govuk-error-summary")).to_be_focused()
    twin.wait_for_load_state("load")
    axe_check(twin)

    page.get_by_label(t("Approve the request")).check()
    continue_button.click()
    page.wait_for_url(SESSIONS_URL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        t("You approved the session with %(name)s. We have told them", name=link_worker_name))
    expect(page.locator(f'main a[href="/supervision/sessions/requests/{booking_id}"]')).to_have_count(0)
    _axe_at(twin, page.url)


def _cancel_before_the_cut_off(page, t, server: BookingServer, booking_id: int, supervisor_name: str) -> None:
    page.goto(f"/supervision/bookings/{booking_id}")
    expect(page.locator("main .govuk-tag").first).to_have_text(t("Confirmed"))
    axe_check(page)
    _press(page, page.locator("main").get_by_role("link", name=t("Cancel the booking")))
    _heading(page, t("Cancel your booking"))
    axe_check(page)
    submit = page.locator("main form").get_by_role("button", name=t("Cancel the booking"))
    _press(page, submit)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text(t("Enter why you are cancelling"))
    axe_check(page)
    page.locator("main textarea[name=reason]").fill("Something came up at work that I cannot move.")
    _press(page, submit)
    page.wait_for_url(BOOKING_URL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        t("Your booking is cancelled. We have told %(name)s.", name=supervisor_name))
    expect(page.locator("main .govuk-tag").first).to_have_text(t("Cancelled"))
    axe_check(page)
    assert server.status_of(booking_id) == BookingStatus.cancelled


def _refused_after_the_cut_off(page, t, server: BookingServer, journey: Journey, supervisor_name: str) -> None:
    booking_id = server.confirmed_booking_soon(journey.link_worker, journey.supervisor)
    page.goto(f"/supervision/bookings/{booking_id}")
    main = page.locator("main")
    expect(main.get_by_role("link", name=t("Cancel the booking"))).to_have_count(0)
    expect(main).to_contain_text(t("The session is too close to change it here. Only %(name)s can cancel or "
                                   "move it now: contact them if you cannot come.", name=supervisor_name))
    axe_check(page)
    page.goto(f"/supervision/bookings/{booking_id}/cancel")
    _heading(page, t("You cannot cancel this booking now"))
    expect(main).to_contain_text(supervisor_name)
    expect(main.locator("form textarea")).to_have_count(0)
    axe_check(page)
    # Posting the form anyway changes nothing.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"/supervision/bookings/{booking_id}/cancel",
                                 form={"csrf_token": token, "reason": "I would like to cancel."})
    assert response.status == 400
    assert server.status_of(booking_id) == BookingStatus.confirmed


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.language for j in JOURNEYS])
def test_book_approve_and_cancel(new_context, booking_server, demo_password, journey):
    t = _words(booking_server, journey.language)
    supervisor_name = booking_server.name_of(journey.supervisor)
    link_worker_name = booking_server.name_of(journey.link_worker)

    worker = new_context().new_page()
    sign_in(worker, journey.link_worker, demo_password)
    expect(worker.locator("html")).to_have_attribute("lang", journey.language)
    booking_id = _find_and_book(worker, t, supervisor_name, "Planning my leave cover")
    assert booking_server.status_of(booking_id) == BookingStatus.requested

    _approve_without_javascript(new_context, demo_password, t, journey.supervisor, booking_id, link_worker_name)
    assert booking_server.status_of(booking_id) == BookingStatus.confirmed

    _cancel_before_the_cut_off(worker, t, booking_server, booking_id, supervisor_name)
    _refused_after_the_cut_off(worker, t, booking_server, journey, supervisor_name)
    expect(worker.locator("html")).to_have_attribute("lang", journey.language)
