"""The reports pages in a real browser, in English and Welsh, on the demo data: the employer's list
and a report, the admin's draft, axe-core on every page; the download links reached by keyboard,
labelled with their language, and a download saved under its quarter-and-language name."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from supervision.db import utcnow
from supervision.reports.quarters import Quarter

from .helpers import axe_check, sign_in

pytestmark = pytest.mark.browser

EMPLOYER, ADMIN = "employer@example.org", "admin@example.org"


def _tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until the locator has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_employers_reports_pass_axe_in_both_languages(page, live_server, demo_password, language):
    live_server.set_language(EMPLOYER, language)
    try:
        sign_in(page, EMPLOYER, demo_password)
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator('nav a[href="/reports/"]').click()
        page.wait_for_url(re.compile(r"/reports/$"))
        rows = page.locator("main table tbody tr")
        expect(rows).to_have_count(3)  # the demo's last three quarters, newest first
        latest = Quarter.containing(utcnow()).previous()
        expect(rows.first.locator("a").nth(1)).to_have_attribute(
            "href", re.compile(r"/download/en\.pdf$"))
        expect(page.locator("main")).not_to_contain_text("Make a draft")
        axe_check(page)

        # Every download link names its language for the browser, and is reached by keyboard.
        links = rows.first.locator("a[download]")
        expect(links).to_have_count(4)
        assert [links.nth(i).get_attribute("hreflang") for i in range(4)] == ["en", "en", "cy", "cy"]
        welsh_pdf = rows.first.locator('a[hreflang="cy"][type="application/pdf"]')
        page.locator("main h1").click()
        _tab_to(page, welsh_pdf)
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        assert download.value.suggested_filename == f"cwtch-wellbeing-report-{latest.key}-cy.pdf"

        rows.first.locator("a").first.click()
        page.wait_for_url(re.compile(r"/reports/\d+$"))
        expect(page.locator("main")).not_to_contain_text("Draft – not final")
        axe_check(page)
    finally:
        live_server.set_language(EMPLOYER, "en")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_admin_sees_the_draft_marked_and_can_make_it_again(page, live_server, demo_password, language):
    live_server.set_language(ADMIN, language)
    try:
        sign_in(page, ADMIN, demo_password)
        page.goto("/reports/")
        draft_panel = page.locator("main .govuk-inset-text")
        expect(draft_panel).to_have_count(1)
        axe_check(page)
        draft_panel.locator("a").click()
        page.wait_for_url(re.compile(r"/reports/\d+$"))
        draft_url = page.url
        if language == "en":
            expect(page.locator("main .govuk-warning-text")).to_contain_text("Draft – not final")
        expect(page).to_have_title(re.compile(r"\(.+\)"))  # the title says it is a draft, in either language
        axe_check(page)
        page.goto("/reports/")
        page.locator("main .govuk-inset-text form button").click()
        # Making the draft prints its four files (two PDFs, two CSVs) within the request: allow for a
        # busy CI machine.
        page.wait_for_url(draft_url, timeout=120_000)
        axe_check(page)
    finally:
        live_server.set_language(ADMIN, "en")
