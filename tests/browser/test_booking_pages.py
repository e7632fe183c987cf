"""Every supervision-booking page passes axe-core (WCAG 2.2 A and AA), in English and in Welsh.

For each person (Carys and Dr Rhodri Evans in English, Nia and Mererid Hopcyn in Welsh, and the demo
admin on the organisation's "Supervision sessions" page) the test signs in, then walks breadth-first
every same-origin link inside <main> whose path is a booking page, up to MAX_PAGES a person. Every
page must answer 200, show no traceback and pass axe; on the Welsh runs it must also say <html lang="cy">.

Some GET pages are only reached through a form or a button, never a link, so the crawl adds them
for what it has found: the change pages of every booking and session it visited (cancel, move,
keep a record, and "already dealt with" for a request link that is out of date), the supervisor's
"add" pages in the set-up, and the admin's longest schedule (the "weeks" GET form). The same page
for another week or start time is visited at most MAX_VARIANTS times. Only GET requests are made,
never a form submitted, so the live server's demo data stays as the other browser tests expect it.

Left out on purpose:
- the calendar feed itself (/supervision/calendar/<token>.ics): it is not an HTML page;
- "Join a group session" (/supervision/groups/<id>/join): in the demo data no page offers Carys or
  Nia a group to join (the crawl follows the link whenever one is offered), and opening one by
  number would answer 404;
- "That time is not one you can book" (bad_time.html, status 400) and "That time was just taken"
  (taken.html, status 409): error pages for a made-up start time or a lost race, not 200 pages;
- anything that signs out, and every POST-only route (respond, attendance, capacity, archive,
  restore, remove): they change data and have no page of their own;
- the error pages a POST shows (a form's errors, "cannot cancel now" refused on POST): those are
  checked by test_booking_journey.py, which does submit forms on bookings of its own.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from supervision.accounts.models import User
from supervision.extensions import db

from .helpers import axe_check, sign_in

pytestmark = pytest.mark.browser

MAX_PAGES = 64
# The same page for another week or another start time looks the same: a few of each, so the
# crawl spends its pages on different pages rather than walking the calendar.
MAX_VARIANTS = 2
BOOKING_PAGE = re.compile(r"^/supervision(/|$)")
ADMIN_SESSIONS = re.compile(r"^/admin/organisations/\d+/sessions$")
SIGNS_OUT = re.compile(r"sign-?out|log-?out", re.IGNORECASE)

# Pages reached through a form or a button: for each page the crawl visits that matches the
# pattern, the test also opens these paths (the GET side of each form).
DERIVED = [
    (re.compile(r"^/supervision/bookings/(\d+)$"),
     ["/supervision/bookings/{0}/cancel", "/supervision/bookings/{0}/reschedule",
      "/supervision/bookings/{0}/record"]),
    (re.compile(r"^/supervision/sessions/bookings/(\d+)$"),
     ["/supervision/sessions/bookings/{0}/cancel", "/supervision/sessions/bookings/{0}/reschedule",
      "/supervision/bookings/{0}/record",
      # A request already dealt with: the page an old link in an email opens.
      "/supervision/sessions/requests/{0}"]),
    (re.compile(r"^/supervision/sessions/(\d+)$"), ["/supervision/sessions/{0}/cancel"]),
    (re.compile(r"^/supervision/setup$"),
     ["/supervision/setup/settings", "/supervision/setup/windows/new", "/supervision/setup/types/new",
      "/supervision/setup/time-off/new"]),
    (re.compile(r"^/supervision/sessions$"), ["/supervision/sessions/groups/new"]),
    (re.compile(r"^/supervision/calendar$"), ["/supervision/calendar/new-address"]),
    (re.compile(r"^/admin/organisations/(\d+)/sessions$"), ["/admin/organisations/{0}/sessions?weeks=26"]),
]


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    language: str
    admin: bool = False


PEOPLE = [
    Person("carys-en", "linkworker@example.org", "en"),
    Person("nia-cy", "cymraeg@example.org", "cy"),
    Person("rhodri-en", "supervisor@example.org", "en"),
    Person("mererid-cy", "mererid.hopkin@teifi.example.org", "cy"),
    Person("admin-en", "admin@example.org", "en", admin=True),
]


@dataclass
class Crawl:
    origin: str
    wanted: re.Pattern
    queue: deque = field(default_factory=deque)
    seen: set = field(default_factory=set)
    variants: dict = field(default_factory=dict)
    visited: list = field(default_factory=list)

    def local(self, href: str | None, base: str) -> str | None:
        """The path (and query) of a link worth visiting, or None."""
        if not href or href.startswith(("mailto:", "tel:", "javascript:")):
            return None
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        if not self.wanted.search(parts.path) or parts.path.endswith(".ics") or SIGNS_OUT.search(parts.path):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def add(self, path: str | None) -> None:
        if not path or path in self.seen:
            return
        parts = urlsplit(path)
        if parts.query:
            # One kind of page: the path with its numbers, and the names of its query's fields.
            kind = re.sub(r"\d+", "N", parts.path) + "?" + ",".join(
                sorted(name for name, _ in parse_qsl(parts.query, keep_blank_values=True)))
            if self.variants.get(kind, 0) >= MAX_VARIANTS:
                return
            self.variants[kind] = self.variants.get(kind, 0) + 1
        self.seen.add(path)
        self.queue.append(path)


def _language_of(server, email: str) -> str:
    with server.app.app_context():
        return db.session.scalar(select(User.preferred_language).where(User.email == email))


def _visit(page, crawl: Crawl, path: str, person: Person) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, f"{person.id}: {path} answered {response.status}"
    assert "Traceback" not in page.content(), f"{person.id}: {path} shows a traceback"
    if person.language == "cy":
        expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    crawl.visited.append(path)
    for href in page.locator("main a[href]").evaluate_all("els => els.map(a => a.getAttribute('href'))"):
        crawl.add(crawl.local(href, page.url))
    bare = urlsplit(path).path
    for pattern, extras in DERIVED:
        match = pattern.search(bare)
        if match:
            for extra in extras:
                crawl.add(extra.format(*match.groups()))


def _crawl(page, person: Person, origin: str) -> list[str]:
    if person.admin:
        crawl = Crawl(origin, ADMIN_SESSIONS)
        page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Organisation admin").click()
        expect(page.locator("main h1")).to_have_text("People")
        page.locator("main").get_by_role("link", name="Supervision sessions").click()
        crawl.add(crawl.local(page.url, page.url))
    else:
        crawl = Crawl(origin, BOOKING_PAGE)
        # Start from the booking links on home and in the navigation (Supervision, Your sessions).
        for href in page.locator("main a[href], nav a[href]").evaluate_all(
                "els => els.map(a => a.getAttribute('href'))"):
            crawl.add(crawl.local(href, page.url))
    assert crawl.queue, f"{person.id}: no booking page to start from"
    while crawl.queue and len(crawl.visited) < MAX_PAGES:
        _visit(page, crawl, crawl.queue.popleft(), person)
    if crawl.queue:
        print(f"\n{person.id}: {len(crawl.queue)} pages left over the limit: {list(crawl.queue)}")
    return crawl.visited


@pytest.mark.parametrize("person", PEOPLE, ids=[p.id for p in PEOPLE])
def test_every_booking_page_passes_axe(new_context, live_server, demo_password, person):
    before = _language_of(live_server, person.email)
    if person.language == "cy":
        live_server.set_language(person.email, "cy")
    try:
        page = new_context().new_page()
        sign_in(page, person.email, demo_password)
        expect(page.locator("html")).to_have_attribute("lang", person.language)
        visited = _crawl(page, person, live_server.url)
    finally:
        live_server.set_language(person.email, before)
    print(f"\n{person.id}: {len(visited)} pages")
    for path in visited:
        print(f"  {path}")
    assert len(visited) >= (2 if person.admin else 5), visited
