"""Full-page screenshots of the sign-in page and each role's home page, in English and Welsh.

`make screenshots` sets CWTCH_SCREENSHOTS=docs/screenshots so the README shows them; otherwise
they go to pytest's temporary directory and the test only checks they were made.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_ROLES, sign_in, sign_out

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_real_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # from the IHDR chunk
    assert width >= 800 and height >= 600, f"{path} is only {width}×{height}"
    assert len(data) > 20_000, f"{path} is only {len(data)} bytes: is the page blank?"


def _switch_language(page, to: str) -> None:
    button = {"cy": "Cymraeg", "en": "English"}[to]
    page.locator("header").get_by_role("button", name=button).click()
    expect(page.locator("html")).to_have_attribute("lang", to)


def _shoot(page, path: Path) -> None:
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")


def test_screenshots(new_context, live_server, demo_password, tmp_path):
    out = Path(os.environ.get("CWTCH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    made = []

    page = new_context().new_page()
    page.goto("/sign-in")
    _shoot(page, out / "sign-in-en.png")
    _switch_language(page, "cy")
    _shoot(page, out / "sign-in-cy.png")
    made += ["sign-in-en.png", "sign-in-cy.png"]

    for slug, (email, _name, heading) in DEMO_ROLES.items():
        page = new_context().new_page()
        sign_in(page, email, demo_password)
        try:
            expect(page.locator("main h2")).to_have_text([heading])
            _shoot(page, out / f"home-{slug}-en.png")
            _switch_language(page, "cy")  # signed in, this changes the account's preference
            _shoot(page, out / f"home-{slug}-cy.png")
            _switch_language(page, "en")
            sign_out(page)
        finally:
            live_server.set_language(email, "en")
        made += [f"home-{slug}-en.png", f"home-{slug}-cy.png"]

    for name in made:
        _assert_real_png(out / name)
