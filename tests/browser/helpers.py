"""Helpers for the browser tests: axe-core checks, signing in and out, and where focus is."""
from __future__ import annotations

import re
from pathlib import Path

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


def sign_in(page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
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
