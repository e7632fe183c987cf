"""Journeys through Cwtch in a real browser, with axe-core checking every page on the way."""
from __future__ import annotations

import re
import uuid

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from .helpers import (
    DEMO_ROLES,
    HOME,
    SIGN_IN,
    active_element,
    axe_check,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

GOVUK_FOCUS_YELLOW = "rgb(255, 221, 0)"
GOVUK_FOCUS_TEXT = "rgb(11, 12, 12)"


def _expect_heading(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def _visit(page, container, role: str, name: str, heading: str) -> None:
    container.get_by_role(role, name=name, exact=True).click()
    _expect_heading(page, heading)
    axe_check(page)


# --- 1. every role: home page, every page its navigation reaches, sign out -------------------

@pytest.mark.parametrize("role", list(DEMO_ROLES))
def test_each_role_signs_in_and_every_page_is_accessible(page, demo_password, role):
    email, name, section_heading = DEMO_ROLES[role]
    sign_in(page, email, demo_password)
    _expect_heading(page, f"Hello, {name}")
    expect(page.locator("main h2")).to_have_text([section_heading])
    axe_check(page)

    nav = page.get_by_role("navigation", name="Areas of Cwtch")
    main = page.locator("main")
    if role == "admin":
        _visit(page, nav, "link", "Organisation admin", "People")
        _visit(page, main, "link", "Carys Jenkins", "Carys Jenkins")
        _visit(page, main, "link", "Back to people", "People")
        _visit(page, main, "button", "Invite someone", "Invite someone")  # a link styled as a button
        _visit(page, main, "link", "Back to people", "People")
        _visit(page, main, "link", "Organisation settings", "Organisation settings")
    else:
        expect(nav.get_by_role("link", name="Organisation admin")).to_have_count(0)

    _visit(page, nav, "link", "Your account", "Your account")
    _visit(page, main, "link", "Change password", "Change your password")
    _visit(page, nav, "link", "Home", f"Hello, {name}")

    footer = page.locator("footer")
    _visit(page, footer, "link", "Cookies and privacy", "Cookies and privacy")
    _visit(page, footer, "link", "Accessibility statement", "Accessibility statement")

    sign_out(page)
    _expect_heading(page, "Sign in")
    expect(page.locator("main .govuk-notification-banner")).to_contain_text("You have signed out")
    axe_check(page)


def test_pages_before_signing_in_are_accessible(page):
    page.goto("/sign-in")
    _expect_heading(page, "Sign in")
    axe_check(page)

    _visit(page, page.locator("main"), "link", "I have forgotten my password", "Reset your password")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send reset link").click()
    _expect_heading(page, "Check your email")
    axe_check(page)

    page.goto("/password/reset/not-a-real-token")
    _expect_heading(page, "There is a problem with this link")
    axe_check(page)

    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)


def test_error_pages_are_accessible(page, demo_password):
    page.goto("/no-such-page")
    _expect_heading(page, "Page not found")
    axe_check(page)
    sign_in(page, "linkworker@example.org", demo_password)
    page.goto("/admin/")  # not an admin
    expect(page).to_have_title(re.compile("permission"))
    axe_check(page)
    page.goto("/sign-out")  # a GET where only POST is allowed
    axe_check(page)


# --- 2. Welsh -----------------------------------------------------------------------------------

def test_welsh_from_the_sign_in_page(page, live_server):
    english = {
        "title": "There is a problem",
        "email": "Enter your email address",
        "password": "Enter your password",
    }
    with live_server.app.test_request_context(), force_locale("cy"):
        welsh = {key: gettext(text) for key, text in english.items()}
    untranslated = [text for key, text in english.items() if welsh[key] == text]
    assert not untranslated, (
        f"no Welsh in the compiled catalogue for {untranslated}: translate them in "
        "supervision/translations/cy/LC_MESSAGES/messages.po and run `make translations`"
    )

    page.goto("/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("header").get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("header").get_by_role("button", name="English")).to_have_attribute("lang", "en")
    axe_check(page)

    page.locator("main form [type=submit]").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator(".govuk-error-summary__title")).to_have_text(welsh["title"])
    expect(summary.locator(".govuk-error-summary__list a")).to_have_text([welsh["email"], welsh["password"]])
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)


def test_a_welsh_speaker_s_pages_are_accessible(page, demo_password):
    """Nia's account is in Welsh: every page she can reach is in Welsh and passes axe-core."""
    sign_in(page, "cymraeg@example.org", demo_password)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.locator("header a[href=\"/account\"]").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.goto("/account/password")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.goto("/cookies-and-privacy")
    axe_check(page)


# --- 3. an error summary whose links move focus to the fields ---------------------------------

def test_error_summary_links_move_focus_to_the_fields(page, demo_password):
    sign_in(page, "admin@example.org", demo_password)
    page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Organisation admin").click()
    page.locator("main").get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email address").fill("not an email address")
    page.get_by_role("button", name="Send invitation").click()

    summary = page.locator(".govuk-error-summary")
    # GOV.UK Frontend moves focus to the summary, so a screen reader announces it first.
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)

    links = summary.locator(".govuk-error-summary__list a")
    expect(links).to_have_text([
        "Enter an email address in the correct format, like name@example.com",
        "Select at least one role",
    ])
    links.nth(0).click()
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator("#email-error")).to_be_visible()
    links.nth(1).click()
    first_role = page.locator("#roles")
    expect(first_role).to_be_focused()
    expect(first_role).to_have_attribute("type", "checkbox")
    expect(page.locator("#roles-error")).to_be_visible()


# --- radios and checkboxes: each group is named by its legend ----------------------------------

def _expect_group_named(page, first_input: str, name: str) -> None:
    """The fieldset around a group of radios or checkboxes is named by its legend (WCAG 1.3.1)."""
    group = page.locator(f"fieldset:has({first_input})")
    expect(group.locator("legend")).to_have_text(name, timeout=2_000)
    expect(page.get_by_role("group", name=name)).to_have_count(1)


def test_radio_groups_have_a_legend(page, live_server, demo_password):
    page.goto(live_server.invitation_path(f"new-{uuid.uuid4().hex[:8]}@example.org"))
    _expect_heading(page, "Create your account")
    _expect_group_named(page, "#language", "Which language would you like to use?")
    expect(page.locator("label[for=language-2]")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.locator("main form [type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe_check(page)

    sign_in(page, "employer@example.org", demo_password)
    page.goto("/account")
    _expect_group_named(page, "#language", "Language")
    expect(page.locator("label[for=language-2]")).to_have_attribute("lang", "cy")


def test_admin_checkbox_groups_have_a_legend(page, demo_password):
    sign_in(page, "admin@example.org", demo_password)
    page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Organisation admin").click()
    page.locator("main").get_by_role("link", name="Carys Jenkins", exact=True).click()
    _expect_group_named(page, "#roles", "Roles")
    page.go_back()
    page.locator("main").get_by_role("button", name="Invite someone").click()
    _expect_group_named(page, "#roles", "Roles")


# --- 4. keyboard only ------------------------------------------------------------------------

def _tab_until(page, predicate, limit: int = 20) -> dict:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = active_element(page)
        seen.append(focused)
        if predicate(focused):
            return focused
    raise AssertionError(f"focus never reached the target; it went through {seen}")


def _assert_focus_visible(page) -> None:
    """The GOV.UK focus style: a yellow (#ffdd00) background, box shadow or outline."""
    style = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {background: style.backgroundColor, boxShadow: style.boxShadow, color: style.color,
                    outline: style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor};
        }"""
    )
    visible = (
        style["background"] == GOVUK_FOCUS_YELLOW
        or GOVUK_FOCUS_YELLOW in style["boxShadow"]
        or (GOVUK_FOCUS_YELLOW in style["outline"] and not style["outline"].startswith("none"))
    )
    assert visible, f"focus is not visible on {active_element(page)}: {style}"
    if style["background"] == GOVUK_FOCUS_YELLOW:
        assert style["color"] == GOVUK_FOCUS_TEXT, f"text on the yellow focus is not black: {style}"


def test_keyboard_only(page, demo_password):
    page.goto("/sign-in")
    page.wait_for_load_state("load")

    page.keyboard.press("Tab")
    focused = active_element(page)
    assert focused["tag"] == "a" and focused["href"] == "#main-content", focused
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    focused = active_element(page)
    assert focused["tag"] == "main" and focused["id"] == "main-content", focused

    page.keyboard.press("Tab")
    assert active_element(page)["id"] == "email"
    _assert_focus_visible(page)
    page.keyboard.type("linkworker@example.org")
    page.keyboard.press("Tab")
    assert active_element(page)["id"] == "password"
    _assert_focus_visible(page)
    page.keyboard.type(demo_password)
    focused = _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Sign in", limit=3)
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(HOME)
    page.wait_for_load_state("load")

    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a")
    assert focused["text"] == "Home", focused
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a", limit=1)
    assert focused["text"] == "Reflections", focused  # a link worker's own areas come next
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a", limit=1)
    assert focused["text"] == "Supervision", focused
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a", limit=1)
    assert focused["text"] == "Debriefs", focused
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a", limit=1)
    assert focused["text"] == "Wellbeing", focused
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["text"] == "Your account", limit=1)
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account")
    _expect_heading(page, "Your account")
    page.wait_for_load_state("load")

    focused = _tab_until(page, lambda f: f["inHeader"] and f["text"] == "Sign out")
    assert focused["tag"] == "button", focused
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(SIGN_IN)
    _expect_heading(page, "Sign in")


def test_header_controls_show_focus(page, demo_password):
    """Every control in the header and navigation shows the GOV.UK focus style."""
    sign_in(page, "admin@example.org", demo_password)
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")  # the skip link
    reached = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused = active_element(page)
        if not (focused["inHeader"] or focused["inNav"]):
            break
        _assert_focus_visible(page)
        reached.append(focused["text"].splitlines()[0] if focused["text"] else focused["tag"])
    expected_in_order = ["Cwtch", "Cymraeg", "Gareth Price", "Sign out", "Home", "Organisation admin",
                         "Your account"]
    assert [text for text in reached if text in expected_in_order] == expected_in_order, reached


# --- reflow: usable at 320 CSS pixels wide (400% zoom) --------------------------------------------

def _assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {widths[1]}px: {widths[0]}px wide"


def test_reflow_at_320_pixels(new_context, demo_password):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    for path in ("/sign-in", "/password/forgot", "/cookies-and-privacy", "/accessibility"):
        page.goto(path)
        page.wait_for_load_state("load")
        _assert_no_horizontal_scroll(page)
        axe_check(page)
    # The privacy page's wide tables scroll in their own regions, which keyboard users can focus.
    page.goto("/cookies-and-privacy")
    region = page.get_by_role("region", name="Who can see each kind of information")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    _tab_until(page, lambda f: f["tag"] == "div", limit=25)
    expect(region).to_be_focused()
    _assert_focus_visible(page)

    sign_in(page, "admin@example.org", demo_password)
    page.wait_for_load_state("load")
    _assert_no_horizontal_scroll(page)
    # On a narrow screen the navigation folds behind a "Menu" button.
    nav = page.get_by_role("navigation", name="Areas of Cwtch")
    account = nav.get_by_role("link", name="Your account")
    expect(account).to_be_hidden()
    menu = nav.get_by_role("button", name="Show or hide menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(account).to_be_visible()
    axe_check(page)
    account.click()
    _expect_heading(page, "Your account")
    _assert_no_horizontal_scroll(page)
    axe_check(page)
    page.goto("/account/password")
    _assert_no_horizontal_scroll(page)


def test_admin_people_reflow_at_320_pixels(new_context, demo_password):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, "admin@example.org", demo_password)
    page.goto("/admin/")
    _expect_heading(page, "People")
    _assert_no_horizontal_scroll(page)
    axe_check(page)


# --- 5. without JavaScript -----------------------------------------------------------------

def test_works_without_javascript(new_context, live_server, demo_password):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/sign-in")
    # No reveal button without JavaScript: the password field is a plain one.
    expect(page.locator(".govuk-password-input__toggle")).to_be_hidden()
    sign_in(page, "admin@example.org", demo_password)
    expect(page.locator("main h2")).to_have_text(["Organisation admin"])
    nav = page.get_by_role("navigation", name="Areas of Cwtch")
    nav.get_by_role("link", name="Organisation admin").click()
    _expect_heading(page, "People")
    page.locator("main").get_by_role("button", name="Invite someone").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary__list a")).to_have_count(2)
    nav.get_by_role("link", name="Your account").click()
    _expect_heading(page, "Your account")
    try:
        page.locator("header").get_by_role("button", name="Cymraeg").click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        page.locator("header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        live_server.set_language("admin@example.org", "en")
    sign_out(page)
    _expect_heading(page, "Sign in")


# --- the Content Security Policy, enforced ----------------------------------------------------

def test_no_content_security_policy_violations(new_context, demo_password):
    """With the CSP enforced (no bypass), pages load their scripts and styles without violations."""
    page = new_context(bypass_csp=False).new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"{page.url}: page error: {e}"))

    def visit(path: str) -> None:
        page.goto(path)
        page.wait_for_load_state("load")
        # Our script and GOV.UK Frontend's both ran.
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    visit("/sign-in")
    expect(page.locator(".govuk-password-input__toggle")).to_be_visible()
    sign_in(page, "admin@example.org", demo_password)
    for path in ("/home", "/account", "/account/password", "/cookies-and-privacy", "/accessibility",
                 "/admin/"):
        visit(path)
    page.locator("main").get_by_role("button", name="Invite someone").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    sign_out(page)
    csp = [p for p in problems if re.search(r"Content Security Policy|Refused to", p)]
    assert not csp, "Content Security Policy violations:\n" + "\n".join(csp)
    assert not problems, "\n".join(problems)


# --- notifications ---------------------------------------------------------------------------

def test_notifications_page_is_accessible_and_opens_the_notification(page, demo_password):
    sign_in(page, "senior@example.org", demo_password)
    header = page.locator("header")
    # The demo also tells this supervisor about debrief requests, so count what is unread now.
    expect(header.locator(".cwtch-header__count")).to_have_text(re.compile(r"^\s*[1-9][0-9]*\s*$"))
    unread = int(header.locator(".cwtch-header__count").inner_text())
    header.get_by_role("link", name=re.compile(r"^Notifications")).click()
    _expect_heading(page, "Notifications")
    axe_check(page)
    page.locator("main").get_by_role("button", name="Your roles in Cwtch have changed").click()
    _expect_heading(page, "Your account")
    # Opening one notification marks that one read, and only that one.
    if unread == 1:
        expect(header.locator(".cwtch-header__count")).to_have_count(0)
    else:
        expect(header.locator(".cwtch-header__count")).to_have_text(str(unread - 1))
    axe_check(page)
