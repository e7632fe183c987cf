"""A link worker's reflections in a real browser: writing one by keyboard, the client-identifier
warning, viewing and deleting it, with axe-core on every page; and the same without JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import axe_check, letters_only, sign_in

pytestmark = pytest.mark.browser

EMAIL = "linkworker@example.org"
VIEW = re.compile(r"/reflections/\d+$")
EDIT = re.compile(r"/reflections/\d+/edit$")
LIST = re.compile(r"/reflections/$")


def _heading(page, text) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def _press(page, locator, key: str = "Enter") -> None:
    """Reach a control and use it by keyboard, as someone without a mouse would."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def _delete_by_keyboard(page) -> None:
    _press(page, page.get_by_role("link", name="Delete this reflection"))
    _heading(page, "Are you sure you want to delete this reflection?")
    axe_check(page)
    _press(page, page.get_by_role("button", name="Delete reflection"))
    page.wait_for_url(LIST)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your reflection has been deleted")


def test_a_link_worker_writes_a_reflection_by_keyboard(page, demo_password):
    title = f"Coffee morning {letters_only()}"
    sign_in(page, EMAIL, demo_password)
    page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Reflections").click()
    _heading(page, "Your reflections")
    axe_check(page)

    _press(page, page.locator("main").get_by_role("button", name="Write a reflection"))
    _heading(page, "How do you want to structure your reflection?")
    axe_check(page)
    _press(page, page.get_by_label("Gibbs reflective cycle"), "Space")
    page.keyboard.press("ArrowDown")  # arrow keys move between radios
    expect(page.get_by_label("Driscoll: What? So what? Now what?")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")
    _heading(page, "Write a reflection")
    axe_check(page)

    # Saving with nothing in it: the error summary takes focus and links to the field.
    _press(page, page.get_by_role("button", name="Save reflection"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    _press(page, summary.get_by_role("link", name="Enter a title"))
    expect(page.locator("#title")).to_be_focused()

    page.keyboard.type(title)
    page.keyboard.press("Tab")
    expect(page.locator("#practice_date-day")).to_be_focused()
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    page.locator("#section_what").focus()
    page.keyboard.type("A woman at the coffee morning gave me her number, 07911 123456, to call back.")
    page.locator("#section_now_what").focus()
    page.keyboard.type("Ask the group to sign in at the desk instead.")
    page.locator("#actions").focus()
    page.keyboard.type("Talk to my supervisor about boundaries")
    _press(page, page.get_by_role("button", name="Save reflection"))

    # The warning: nothing saved yet, the number quoted, everything typed still there.
    expect(page.locator("#identifier-warning")).to_contain_text("This may identify someone you support")
    expect(page.locator("#identifier-warning q")).to_have_text(["07911 123456"])
    expect(page.locator("#title")).to_have_value(title)
    expect(page.locator("#section_now_what")).to_have_value("Ask the group to sign in at the desk instead.")
    axe_check(page)
    expect(page.locator("main form p").first).to_have_text("Your reflection has not been saved yet.")
    _press(page, page.get_by_role("button", name="Save anyway"))

    page.wait_for_url(VIEW)
    _heading(page, title)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your reflection has been saved")
    expect(page.locator("main")).to_contain_text("07911 123456")
    expect(page.locator("main ul.govuk-list--bullet")).to_contain_text("Talk to my supervisor about boundaries")
    axe_check(page)

    page.goto("/reflections/?q=" + title.split()[-1])
    expect(page.locator("main").get_by_role("link", name=title)).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=title).click()
    _delete_by_keyboard(page)
    expect(page.locator("main").get_by_role("link", name=title)).to_have_count(0)


def test_unsaved_changes_are_warned_about_before_leaving(page, demo_password):
    sign_in(page, EMAIL, demo_password)
    page.goto("/reflections/new?structure=free")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("#title").fill("Half written")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#title")).to_have_value("Half written")
    assert dialogs == ["beforeunload"]


def test_reflections_work_without_javascript(new_context, demo_password):
    """Nothing here needs a script (axe-core needs one, so the pages are checked in the tests above)."""
    page = new_context(java_script_enabled=False).new_page()
    title = f"Allotment {letters_only()}"
    sign_in(page, EMAIL, demo_password)
    page.goto("/reflections/")
    page.locator("main").get_by_role("button", name="Write a reflection").click()
    page.get_by_label("Gibbs reflective cycle").check()
    page.get_by_role("button", name="Continue").click()
    _heading(page, "Write a reflection")
    expect(page.get_by_label("Description")).to_be_visible()

    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("We planted beans.")
    page.get_by_label("Feelings", exact=True).fill("Calm, for once.")
    page.get_by_label("Free text").check()
    page.get_by_role("button", name="Change structure").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("We moved your text")
    expect(page.get_by_label("Your reflection")).to_have_value("We planted beans.\n\nCalm, for once.")

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(EDIT)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your draft has been saved")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of practice")
    expect(page.get_by_label("Your reflection")).to_have_value("We planted beans.\n\nCalm, for once.")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date of practice must be a real date")
    expect(page.get_by_label("Day")).to_have_value("31")
    page.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Save reflection").click()
    page.wait_for_url(VIEW)
    _heading(page, title)

    page.goto("/reflections/?status=draft&date_from-day=40")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date from must")
    page.goto(f"/reflections/?q={title.split()[-1]}")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Delete this reflection").click()
    page.get_by_role("button", name="Delete reflection").click()
    page.wait_for_url(LIST)
