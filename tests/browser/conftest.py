"""A live Cwtch server with the demo data, and one headless Chromium for the whole session.

The server runs its own app on its own database (never the shared ``app`` fixture, whose tables are
emptied after each test), so the demo accounts stay in place for every browser test. Each test gets
a fresh browser context: its own cookies, so tests do not depend on one another.

The server runs in a thread of the test process, so pytest's `filterwarnings = error` applies to it:
a warning raised while it serves a page (a deprecation, say) turns that page into a 500 and fails the
test. That is deliberate: it shows which page raised it, in the captured log.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from supervision.demo import seed_demo
from supervision.extensions import db
from tests.conftest import make_test_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Skip the browser tests on a machine without Chromium; in CI they are mandatory."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}, and the browser tests are mandatory in CI "
                    "(CI is set): install it with `sudo apt-get install chromium`.")
    pytest.skip("Chromium not found: install it with `sudo apt-get install chromium` to run the browser tests")


@dataclass
class LiveServer:
    app: object
    url: str

    def set_language(self, email: str, language: str) -> None:
        """Put back a person's language preference, whatever a test did through the interface."""
        from supervision.accounts.models import User

        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            user.preferred_language = language
            db.session.commit()

    def invitation_path(self, email: str) -> str:
        """Invite a new person to the second demo organisation (not the one the screenshots show)."""
        from supervision.accounts import services
        from supervision.accounts.models import Organisation, Role, User
        from supervision.demo import TEIFI

        with self.app.app_context(), self.app.test_request_context():
            organisation = db.session.scalar(select(Organisation).where(Organisation.name == TEIFI))
            admin = db.session.scalar(select(User).where(User.email == "sioned.prys@teifi.example.org"))
            invitation = services.invite(organisation=organisation, email=email,
                                         roles={Role.link_worker}, invited_by=admin)
            db.session.commit()
            return f"/invitation/{services.invitation_token(invitation)}"


@pytest.fixture(scope="session")
def live_server(databases, tmp_path_factory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("browser-instance")
    app = make_test_app(
        databases.new("browser"),
        str(instance),
        WTF_CSRF_SSL_STRICT=False,
        # Every test signs in from 127.0.0.1: never let the throttle get in the way.
        LOGIN_THROTTLE_LIMIT=10_000,
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="cwtch-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser(_require_chromium) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make a browser context on the live server. ``bypass_csp`` is only for injecting axe-core."""
    contexts = []

    def _new(**options):
        options.setdefault("bypass_csp", True)
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "en-GB")
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def demo_password(live_server) -> str:
    return live_server.app.config["DEMO_PASSWORD"]
