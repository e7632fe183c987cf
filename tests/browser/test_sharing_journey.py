"""Sharing in a real browser: an admin adds a theme and assigns a supervisor, the link worker shares a
reflection (past the client-identifier warning), the supervisor reads it and comments, the author
sees the view and the comment and stops sharing. axe-core checks every page on the way."""
from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from supervision.accounts import passwords
from supervision.accounts.models import Membership, Organisation, Role, User
from supervision.demo import OGMORE
from supervision.extensions import db
from supervision.reflections.models import Reflection, Status
from supervision.reflections.structures import Structure

from .helpers import axe_check, letters_only, sign_in

pytestmark = pytest.mark.browser

ADMIN = "admin@example.org"
NHS_NUMBER = "943 476 5919"  # a valid one: the warning must show


def _heading(page, text) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def _press(page, locator, key: str = "Enter") -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def _person(live_server, demo_password: str, name: str, role: Role) -> tuple[int, str]:
    """People of this test's own in the demo organisation, so the demo accounts stay as they are."""
    email = f"share-{uuid.uuid4().hex[:8]}@ogmore.example.org"
    with live_server.app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == OGMORE))
        user = User(email=email, name=name, password_hash=passwords.hash_password(demo_password))
        user.memberships.append(Membership(organisation=organisation, role=role))
        db.session.add(user)
        db.session.commit()
        return user.id, email


def _reflection(live_server, author_id: int, title: str) -> int:
    with live_server.app.app_context():
        reflection = Reflection(
            author_id=author_id, status=Status.complete, structure=Structure.driscoll, title=title,
            practice_date=date(2026, 11, 2), feeling=3, actions="Ask for a joint visit",
            sections={"what": f"A man gave me his NHS number, {NHS_NUMBER}, at the door.",
                      "so_what": "I need a clearer script for first visits.", "now_what": "Practise it."},
        )
        db.session.add(reflection)
        db.session.commit()
        return reflection.id


def test_share_read_comment_and_stop_sharing(new_context, live_server, demo_password):
    suffix = letters_only()
    worker_id, worker_email = _person(live_server, demo_password, f"Elin Hughes {suffix}", Role.link_worker)
    supervisor_name = f"Dafydd Rees {suffix}"
    _, supervisor_email = _person(live_server, demo_password, supervisor_name, Role.supervisor)
    title = f"First home visit {suffix}"
    reflection_id = _reflection(live_server, worker_id, title)

    # 1. The admin adds a theme, archives it, and makes Dafydd Elin's supervisor.
    admin = new_context().new_page()
    sign_in(admin, ADMIN, demo_password)
    admin.get_by_role("navigation", name="Areas of Cwtch").get_by_role("link", name="Organisation admin").click()
    admin.locator("main").get_by_role("link", name="Reflection themes").click()
    _heading(admin, "Reflection themes")
    axe_check(admin)
    _press(admin, admin.get_by_role("button", name="Add theme"))
    expect(admin.locator(".govuk-error-summary")).to_be_focused()
    axe_check(admin)
    admin.get_by_label("Name in English").fill(f"Carers {suffix}")
    admin.get_by_label("Name in Welsh").fill(f"Gofalwyr {suffix}")
    _press(admin, admin.get_by_role("button", name="Add theme"))
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(f"Theme added: Carers {suffix}")
    axe_check(admin)
    _press(admin, admin.get_by_role("button", name=f"Archive Carers {suffix}"))
    expect(admin.get_by_role("button", name=f"Restore Carers {suffix}")).to_be_visible()

    admin.goto(f"/admin/organisations/{_ogmore_id(live_server)}/people/{worker_id}")
    _heading(admin, f"Elin Hughes {suffix}")
    expect(admin.locator("main")).to_contain_text("does not have a supervisor here yet")
    axe_check(admin)
    admin.locator("main").get_by_role("link", name="Change supervisors").click()
    _heading(admin, f"Supervisors of Elin Hughes {suffix}")
    axe_check(admin)
    _press(admin, admin.get_by_label(supervisor_name), "Space")
    _press(admin, admin.get_by_role("button", name="Save supervisors"))
    _heading(admin, f"Elin Hughes {suffix}")
    expect(admin.locator("main")).to_contain_text(supervisor_name)

    # 2. Elin shares her reflection: the number in it is spotted first.
    worker = new_context().new_page()
    sign_in(worker, worker_email, demo_password)
    worker.goto(f"/reflections/{reflection_id}")
    _heading(worker, title)
    expect(worker.locator("#sharing")).to_contain_text("Only you can see this reflection")
    _press(worker, worker.get_by_role("button", name="Share with a supervisor"))
    _heading(worker, "Share with a supervisor")
    axe_check(worker)
    _press(worker, worker.get_by_role("button", name="Share reflection"))
    expect(worker.locator(".govuk-error-summary")).to_be_focused()
    axe_check(worker)
    worker.get_by_label(supervisor_name).check()
    worker.get_by_label("30 days").check()
    _press(worker, worker.get_by_role("button", name="Share reflection"))
    expect(worker.locator("#identifier-warning q")).to_have_text([NHS_NUMBER])
    expect(worker.get_by_label(supervisor_name)).to_be_checked()
    expect(worker.get_by_label("30 days")).to_be_checked()
    axe_check(worker)
    _press(worker, worker.get_by_role("button", name="Share anyway"))
    worker.wait_for_url(re.compile(rf"/reflections/{reflection_id}$"))
    expect(worker.locator(".govuk-notification-banner")).to_contain_text(f"shared with {supervisor_name}")
    expect(worker.locator("#sharing")).to_contain_text("Not viewed yet")
    axe_check(worker)

    # 3. Dafydd reads it and comments.
    supervisor = new_context().new_page()
    sign_in(supervisor, supervisor_email, demo_password)
    supervisor.locator("main").get_by_role("link", name="1 reflection shared with you").click()
    _heading(supervisor, "Shared with you")
    axe_check(supervisor)
    supervisor.locator("main").get_by_role("link", name=title).click()
    _heading(supervisor, title)
    expect(supervisor.locator("main")).to_contain_text("Bring to supervision")
    expect(supervisor.locator("main")).to_contain_text("Ask for a joint visit")
    axe_check(supervisor)
    _press(supervisor, supervisor.get_by_role("button", name="Add comment"))
    expect(supervisor.locator(".govuk-error-summary")).to_be_focused()
    axe_check(supervisor)
    _press(supervisor, supervisor.locator(".govuk-error-summary").get_by_role("link", name="Enter your comment"))
    expect(supervisor.get_by_label("Add a comment")).to_be_focused()
    supervisor.keyboard.type("Good reflection. Let us practise the script on Thursday.")
    _press(supervisor, supervisor.get_by_role("button", name="Add comment"))
    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("Your comment has been added")
    expect(supervisor.locator("#comments + ul")).to_contain_text("practise the script")

    # 4. Elin sees the views and the comment, and stops sharing.
    worker.reload()
    sharing = worker.locator("#sharing")
    expect(sharing).to_contain_text(f"Viewed by {supervisor_name} on")
    expect(sharing).to_contain_text("practise the script on Thursday")
    axe_check(worker)
    _press(worker, worker.get_by_role("button", name=f"Stop sharing with {supervisor_name}"))
    expect(worker.locator(".govuk-notification-banner")).to_contain_text("can no longer see this reflection")
    expect(worker.locator("#sharing")).to_contain_text("You stopped sharing it on")

    # 5. Dafydd can no longer open it.
    response = supervisor.reload()
    assert response.status == 404
    supervisor.goto("/reflections/shared")
    expect(supervisor.locator("main")).to_contain_text("Nothing is shared with you at the moment")
    axe_check(supervisor)


def _ogmore_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == OGMORE))
