"""Journeys through Cwtch in a real browser, with axe-core checking every page on the way."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from .helpers import DEMO_ROLES, active_element, axe_check, sign_in, sign_out

pytestmark = pytest.mark.browser

GOVUK_FOCUS_YELLOW = "rgb(255, 221, 0)"


def _heading(page) -> str:
    return page.locator("main h1").inner_text().strip()


def _visit_by_link(page, container, name: str, heading: str) -> None:
    container.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()
    assert _heading(page) == heading
    axe_check(page)


@pytest.mark.parametrize("role", list(DEMO_ROLES))
def test_each_role_signs_in_and_every_page_is_accessible(page, demo_password, role):
    email, section_heading = DEMO_ROLES[role]
    sign_in(page, email, demo_password)

    assert page.locator("main h2").filter(has_text=section_heading).count() == 1
    axe_check(page)

    nav = page.get_by_role("navigation", name="Areas of Cwtch")
    if role == "admin":
        nav.get_by_role("link", name="Organisation admin").click()
        assert _heading(page) == "People"
        axe_check(page)
        main = page.locator("main")
        _visit_by_link(page, main, "Carys Jenkins", "Carys Jenkins")
        page.go_back()
        main.get_by_role("button", name="Invite someone").click()
        assert _heading(page) == "Invite someone"
        axe_check(page)
        _visit_by_link(page, main, "Back to people", "People")
        _visit_by_link(page, main, "Organisation settings", "Organisation settings")
    else:
        assert nav.get_by_role("link", name="Organisation admin").count() == 0

    _visit_by_link(page, nav, "Your account", "Your account")
    page.locator("main").get_by_role("link", name="Change password").click()
    assert _heading(page) == "Change your password"
    axe_check(page)

    footer = page.locator("footer")
    _visit_by_link(page, footer, "Cookies and privacy", "Cookies and privacy")
    _visit_by_link(page, footer, "Accessibility statement", "Accessibility statement")

    sign_out(page)
    assert _heading(page) == "Sign in"
    assert "You have signed out" in page.locator("main").inner_text()


def test_pages_before_signing_in_are_accessible(page):
    page.goto("/sign-in")
    assert _heading(page) == "Sign in"
    axe_check(page)

    page.get_by_role("link", name="I have forgotten my password").click()
    assert _heading(page) == "Reset your password"
    axe_check(page)
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send reset link").click()
    assert _heading(page) == "Check your email"
    axe_check(page)

    page.goto("/password/reset/not-a-real-token")
    assert _heading(page) == "There is a problem with this link"
    axe_check(page)

    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    axe_check(page)


def test_welsh_from_the_sign_in_page(page, live_server):
    app = live_server.app
    with app.test_request_context(), force_locale("cy"):
        welsh = {
            "title": gettext("There is a problem"),
            "email": gettext("Enter your email address"),
            "password": gettext("Enter your password"),
        }
    english = {"title": "There is a problem", "email": "Enter your email address",
               "password": "Enter your password"}
    for key, text in welsh.items():
        assert text != english[key], (
            f"{english[key]!r} has no Welsh translation in the compiled catalogue: "
            "translate it and run `make translations`"
        )

    page.goto("/sign-in")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("header").get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("header").get_by_role("button", name="English").is_visible()

    page.locator("main form button[type=submit], main form input[type=submit]").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.locator(".govuk-error-summary__title").inner_text().strip() == welsh["title"]
    messages = [t.strip() for t in summary.locator(".govuk-error-summary__list a").all_inner_texts()]
    assert messages == [welsh["email"], welsh["password"]]
    axe_check(page)


def test_error_summary_links_move_focus_to_the_fields(page, demo_password):
    sign_in(page, "admin@example.org", demo_password)
    page.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Organisation admin").click()
    page.locator("main").get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email address").fill("not an email address")
    page.get_by_role("button", name="Send invitation").click()

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error:")
    # GOV.UK Frontend moves focus to the summary, so a screen reader announces it first.
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    axe_check(page)

    links = summary.locator(".govuk-error-summary__list a")
    assert links.all_inner_texts() == [
        "Enter an email address in the correct format, like name@example.com",
        "Select at least one role",
    ]
    links.nth(0).click()
    assert active_element(page)["id"] == "email"
    links.nth(1).click()
    focused = active_element(page)
    assert focused["id"] == "roles" and focused["type"] == "checkbox"
    # The field's own message is shown beside it, too.
    assert page.locator("#roles-error").is_visible()


def _tab_until(page, predicate, limit: int = 20) -> dict:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = active_element(page)
        seen.append(focused)
        if predicate(focused):
            return focused
    raise AssertionError(f"focus never reached the target; it went through {seen}")


def _focus_style(page) -> dict:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {background: style.backgroundColor, boxShadow: style.boxShadow,
                    outline: style.outlineStyle + " " + style.outlineColor};
        }"""
    )


def _assert_focus_visible(page) -> None:
    style = _focus_style(page)
    assert style["background"] == GOVUK_FOCUS_YELLOW or GOVUK_FOCUS_YELLOW in style["boxShadow"] \
        or GOVUK_FOCUS_YELLOW in style["outline"], f"focus is not visible: {style}"


def test_keyboard_only(page, demo_password):
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    focused = active_element(page)
    assert focused["tag"] == "a" and focused["href"] == "#main-content"
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    focused = active_element(page)
    assert focused["tag"] == "main" and focused["id"] == "main-content"

    page.keyboard.press("Tab")
    assert active_element(page)["id"] == "email"
    _assert_focus_visible(page)
    page.keyboard.type("linkworker@example.org")
    page.keyboard.press("Tab")
    assert active_element(page)["id"] == "password"
    page.keyboard.type(demo_password)
    focused = _tab_until(page, lambda f: f["tag"] in ("button", "input") and f["text"] == "Sign in")
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")

    focused = _tab_until(page, lambda f: f["inNav"] and f["tag"] == "a")
    assert focused["text"] == "Home"
    _assert_focus_visible(page)
    focused = _tab_until(page, lambda f: f["inNav"] and f["text"] == "Your account", limit=3)
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account")
    assert _heading(page) == "Your account"

    focused = _tab_until(page, lambda f: f["inHeader"] and f["text"] == "Sign out")
    assert focused["tag"] == "button"
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in")
    assert _heading(page) == "Sign in"


def test_works_without_javascript(new_context, demo_password):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "admin@example.org", demo_password)
    assert page.evaluate is not None
    assert page.locator("main h2").filter(has_text="Organisation admin").count() == 1
    nav = page.get_by_role("navigation", name="Areas of Cwtch")
    nav.get_by_role("link", name="Organisation admin").click()
    assert _heading(page) == "People"
    nav.get_by_role("link", name="Your account").click()
    assert _heading(page) == "Your account"
    sign_out(page)
    assert _heading(page) == "Sign in"


def test_no_content_security_policy_violations(new_context, demo_password):
    """With the CSP enforced (no bypass), pages load their scripts and styles without violations."""
    context = new_context(bypass_csp=False)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def visit(path: str) -> None:
        page.goto(path)
        page.wait_for_load_state("load")
        # GOV.UK Frontend ran: the password reveal button only exists when its script works.
        assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")

    visit("/sign-in")
    assert page.locator(".govuk-password-input__toggle").first.is_visible()
    sign_in(page, "admin@example.org", demo_password)
    for path in ("/home", "/account", "/account/password", "/admin/", "/cookies-and-privacy", "/accessibility"):
        visit(path)
    sign_out(page)
    csp = [p for p in problems if re.search(r"Content Security Policy|Refused to", p)]
    assert not csp, "\n".join(csp)
    assert not problems, "\n".join(problems)
