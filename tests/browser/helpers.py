"""Helpers for the browser tests: axe-core checks, signing in and out, and where focus is."""
from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pyotp

def letters_only(length: int = 6) -> str:
    """A random suffix of letters: hex digits could spell a postcode ("a0e9bd" reads as A0E 9BD) or
    a phone number, and the identifier warning would then stop a save the test expects to go through."""
    return uuid.uuid4().hex[:length].translate(str.maketrans("0123456789", "ghijklmnop"))


ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HOME = re.compile(r"/home(#.*)?$")  # a skip link's #main-content survives the redirect
SIGN_IN = re.compile(r"/sign-in(#.*)?$")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

DEMO_ROLES = {
    # slug: (email, name, the heading of that role's section on the home page)
    "link-worker": ("linkworker@example.org", "Carys Jenkins", "Your practice and wellbeing"),
    "supervisor": ("supervisor@example.org", "Dr Rhodri Evans", "Supervision"),
    "employer": ("employer@example.org", "Siân Morgan", "Wellbeing reports"),
    "admin": ("admin@example.org", "Gareth Price", "Organisation admin"),
}


def axe_check(page) -> None:
    """Run axe-core's WCAG 2.2 A and AA rules on the page; fail listing every violation.

    The page's CSP (script-src 'self') blocks injected scripts, so the page must come from a
    context made with ``bypass_csp=True``. A separate test checks the CSP with it enforced.
    """
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    page.wait_for_load_state("load")  # let the page's own scripts run first
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    if results:
        lines = [f"{len(results)} accessibility violation(s) on {page.url} ({page.title()}):"]
        for violation in results:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                         f"<{violation['helpUrl']}>")
            for node in violation["nodes"]:
                lines.append(f"    at {node['target']}")
                for summary_line in (node["summary"] or "").splitlines():
                    lines.append(f"      {summary_line}")
        raise AssertionError("\n".join(lines))


SET_UP = re.compile(r"/account/second-step/set-up(\?.*)?$")
CODE_STEP = re.compile(r"/sign-in/code$")
RECOVERY_CODES = re.compile(r"/account/second-step/recovery-codes(\?.*)?$")

# Admins, supervisors and employers set up a second step at their first sign-in. The first time a
# demo account is asked, sign_in sets it up and remembers the secret, the recovery codes and the
# last time step used, here: every later sign-in in the session enters a fresh code.
TOTP_SECRETS: dict[str, str] = {}
RECOVERY: dict[str, list[str]] = {}
LAST_STEPS: dict[str, int] = {}


def _usable_step(totp: pyotp.TOTP, after_step: int, now: float) -> int | None:
    """A step after `after_step` that the server accepts now (one step either side), or None."""
    current = totp.timecode(now)
    return next((s for s in (current - 1, current, current + 1) if s > after_step), None)


def fresh_code(secret: str, after_step: int = -1) -> tuple[str, int]:
    """A code the server has not seen, waiting for the next 30-second step if need be. Never in
    the last two seconds of a step, so that the code is still good when the request arrives."""
    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        into = now % totp.interval
        step = _usable_step(totp, after_step, now)
        if step is not None and into < totp.interval - 2:
            return totp.generate_otp(step), step
        time.sleep(totp.interval - into + 0.1)


def enter_code(page, email: str, secret: str) -> bool:
    """Enter a fresh code, and say whether it was a recovery code.

    Each code works once, so a fourth sign-in within about 30 seconds would have to wait for the
    next step: while recovery codes last, one of those is used instead.
    """
    totp = pyotp.TOTP(secret)
    # Looking two seconds ahead: fresh_code would not use a step so close to its end.
    soon = time.time() + 2
    recovery = RECOVERY.get(email) and _usable_step(totp, LAST_STEPS.get(email, -1), soon) is None
    if recovery:
        code = RECOVERY[email].pop()
    else:
        code, LAST_STEPS[email] = fresh_code(secret, LAST_STEPS.get(email, -1))
    page.locator("#code").fill(code)
    page.locator("main form [type=submit]").click()
    return bool(recovery)


def secret_on_page(page) -> str:
    return page.locator("#mfa-secret").inner_text().replace(" ", "")


def set_up_second_step(page, email: str) -> list[str]:
    """On the set-up page: add Cwtch to 'the app' (pyotp), confirm with a code; return the
    recovery codes the next page shows."""
    secret = secret_on_page(page)
    TOTP_SECRETS[email] = secret
    LAST_STEPS.pop(email, None)
    RECOVERY.pop(email, None)
    enter_code(page, email, secret)
    page.wait_for_url(RECOVERY_CODES)
    return page.locator("#recovery-codes code").all_inner_texts()


def sign_in(page, email: str, password: str) -> None:
    """Sign in and arrive home, setting up or entering the second step when Cwtch asks for it."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: bool(HOME.search(url) or SET_UP.search(url) or CODE_STEP.search(url)))
    if SET_UP.search(page.url):
        RECOVERY[email] = set_up_second_step(page, email)
        page.locator("main a.govuk-button").click()
    elif CODE_STEP.search(page.url):
        if enter_code(page, email, TOTP_SECRETS[email]):
            # Home says how many recovery codes are left; load it again without that message,
            # so that the tests see the home page as it usually is.
            page.wait_for_url(HOME)
            page.goto("/home")
    page.wait_for_url(HOME)


def sign_out(page) -> None:
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_url(SIGN_IN)


def active_element(page) -> dict:
    """What has focus: its tag, id, text, name, href, and whether it sits in the nav or header."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || el.value || "").trim(),
                name: el.getAttribute("name"),
                type: el.getAttribute("type"),
                href: el.getAttribute("href"),
                inNav: !!el.closest("nav"),
                inHeader: !!el.closest("header"),
            };
        }"""
    )
