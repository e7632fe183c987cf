"""My data: the download holds the person's own data and nobody else's, and deleting an account
explains itself, refuses to orphan an organisation, ends every session and keeps the audit log."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from supervision import ROOT
from supervision.accounts import services as account_services
from supervision.accounts.models import Invitation, LoginAttempt, Membership, Organisation, Role, User
from supervision.admin import services as admin_services
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.mydata.services import export_sections
from supervision.notifications.models import Notification, OutboundEmail

from .conftest import PASSWORD, csrf_token, post, sign_in

EXPORT = "/account/my-data/export"
DELETE = "/account/my-data/delete"


@dataclass
class World:
    organisation_id: int
    admin_id: int
    member_id: int


@pytest.fixture
def world(app, make) -> World:
    """Gareth (admin) invites Carys, she accepts, then he saves her roles (she is told).

    Each of them now has data that mentions the other: that is what the export must leave out.
    """
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price", email="gareth@example.org")
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        gareth = db.session.get(User, admin.id)
        invitation = account_services.invite(organisation=org, email="carys@example.org",
                                             roles={Role.link_worker}, invited_by=gareth)
        carys = account_services.accept_invitation(invitation=invitation, name="Carys Jenkins",
                                                   password=PASSWORD, language="en")
        db.session.flush()
        admin_services.set_roles(organisation=org, user=carys, roles={Role.link_worker}, actor=gareth)
        db.session.commit()
        return World(organisation_id=org.id, admin_id=gareth.id, member_id=carys.id)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def archive_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def go_stale(client) -> None:
    """As if the sign-in was more than 10 minutes ago."""
    with client.session_transaction() as session:
        session["authenticated_at"] = 0


# --- the page --------------------------------------------------------------------------------

def test_my_data_page_is_linked_from_your_account(client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    account = text_of(client.get("/account"))
    assert 'href="/account/my-data"' in account
    assert 'href="/account/sign-in-history"' in account
    page = text_of(client.get("/account/my-data"))
    assert "Download your data" in page and f'action="{EXPORT}"' in page
    assert f'href="{DELETE}"' in page


@pytest.mark.parametrize("method,path", [("GET", "/account/my-data"), ("POST", EXPORT), ("GET", DELETE),
                                         ("POST", DELETE), ("GET", "/account/sign-in-history")])
def test_every_my_data_route_needs_sign_in(client, method, path):
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"


# --- export ----------------------------------------------------------------------------------

def _person(user_id: int, email: str):
    from .conftest import _Detached

    return _Detached(user_id, email, None)


def test_export_holds_exactly_the_json_and_the_pdf_with_the_persons_own_data(app, client, world):
    assert sign_in(client, "carys@example.org", "not my password").status_code == 200  # a failure
    assert sign_in(client, "carys@example.org").status_code == 302
    archive = archive_of(post(client, EXPORT, token_from="/account/my-data"))
    assert sorted(archive.namelist()) == ["cwtch-my-data.json", "cwtch-my-data.pdf"]

    raw_json = archive.read("cwtch-my-data.json").decode("utf-8")
    document = json.loads(raw_json)
    assert document["format"] == "cwtch-my-data"
    assert document["account"]["name"] == "Carys Jenkins"
    assert document["account"]["email"] == "carys@example.org"
    assert document["account"]["preferred_language"] == "en"
    assert [(r["organisation"], r["role"]) for r in document["roles"]] == [("Ogmore Valleys", "link_worker")]
    assert [n["kind"] for n in document["notifications"]] == ["roles_changed"]
    subjects = [e["subject"] for e in document["emails"]]
    assert any("invited" in s for s in subjects) and any("notification" in s for s in subjects)
    assert all("body" not in e and "text_body" not in e for e in document["emails"])
    logins = [(e["action"], e["outcome"]) for e in document["activity"] if e["action"] == "login"]
    assert ("login", "failure") in logins and ("login", "success") in logins
    assert all(e["ip"] == "127.0.0.1" for e in document["activity"] if e["action"] == "login")
    assert [(i["organisation"], i["roles"]) for i in document["invitations_accepted"]] == [
        ("Ogmore Valleys", ["link_worker"])]

    pdf = pdf_text(archive.read("cwtch-my-data.pdf"))
    assert "Carys Jenkins" in pdf and "carys@example.org" in pdf
    assert "Sign in" in pdf and "Failed" in pdf and "127.0.0.1" in pdf
    assert "Ogmore Valleys" in pdf

    for other in ("Gareth", "gareth@example.org"):
        assert other not in raw_json
        assert other not in pdf
    # The inviter is another person: not even their id.
    assert "invited_by" not in raw_json


def test_an_admins_export_names_nobody_they_invited(app, client, signed_in, world):
    signed_in(_person(world.admin_id, "gareth@example.org"))
    archive = archive_of(post(client, EXPORT, token_from="/account/my-data"))
    raw_json = archive.read("cwtch-my-data.json").decode("utf-8")
    pdf = pdf_text(archive.read("cwtch-my-data.pdf"))
    document = json.loads(raw_json)
    assert document["account"]["name"] == "Gareth Price"
    assert "Gareth Price" in pdf
    # Their own actions keep the ids they acted on, and nothing else about those people.
    invite = next(e for e in document["activity"] if e["action"] == "invite")
    assert invite["target_type"] == "invitation" and isinstance(invite["target_id"], int)
    role_change = next(e for e in document["activity"] if e["action"] == "role_change")
    assert role_change["target_id"] == world.member_id
    assert [n["kind"] for n in document["notifications"]] == ["invitation_accepted"]
    for other in ("Carys", "carys@example.org"):
        assert other not in raw_json
        assert other not in pdf


def test_the_export_is_recorded_in_the_audit_log(app, client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    archive_of(post(client, EXPORT, token_from="/account/my-data"))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "data_export")).all()
        assert [(e.actor_id, e.target_id) for e in events] == [(world.member_id, world.member_id)]


def test_the_pdf_is_in_the_persons_language(app, client, make, signed_in):
    person = make.user(Role.link_worker, name="Siân Owen", language="cy")
    signed_in(person)
    archive = archive_of(post(client, EXPORT, token_from="/account/my-data"))
    document = json.loads(archive.read("cwtch-my-data.json"))
    pdf = pdf_text(archive.read("cwtch-my-data.pdf"))
    with app.app_context():
        user = db.session.get(User, person.id)
        with app.test_request_context(), force_locale("cy"):
            created = app.jinja_env.filters["datetime"](user.created_at)
    assert document["account"]["preferred_language"] == "cy"
    assert "Siân Owen" in pdf
    assert created in pdf  # the Welsh month name, in UK time


def test_markup_in_a_name_is_printed_never_loaded(app, client, make, signed_in, monkeypatch):
    from supervision.pdf import StaticOnlyFetcher

    fetched = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    person = make.user(Role.link_worker, name='Nia <img src="http://192.0.2.1/x.png"> Rees')
    signed_in(person)
    archive = archive_of(post(client, EXPORT, token_from="/account/my-data"))
    assert 'Nia <img src="http://192.0.2.1/x.png"> Rees' in pdf_text(archive.read("cwtch-my-data.pdf"))
    # Only the print font, from static/: nothing the person wrote was ever asked for.
    fonts = (ROOT / "static" / "dist" / "fonts").as_uri()
    assert fetched and all(url.startswith(("https://print.cwtch.invalid/static/dist/fonts/", fonts + "/"))
                           for url in fetched), fetched


def test_every_exporter_returns_json_only(app, world):
    with app.test_request_context(), force_locale("en"):
        sections = export_sections(db.session.get(User, world.member_id))
    json.dumps([s.data for s in sections])  # raises if a section is not JSON-able
    assert len({s.key for s in sections}) == len(sections)


def test_export_needs_a_recent_sign_in(client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    go_stale(client)
    response = post(client, EXPORT, token_from="/account/my-data")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/confirm-identity"
    assert response.mimetype != "application/zip"


def test_export_needs_a_csrf_token(client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    response = client.post(EXPORT)
    assert response.status_code == 400
    assert response.mimetype != "application/zip"


# --- deletion --------------------------------------------------------------------------------

def test_deletion_explains_what_happens_before_asking(client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    page = text_of(client.get(DELETE))
    assert "What happens when you delete your account" in page
    assert "Your reflections and your own notes are deleted" in page
    assert "already anonymous" in page
    assert "a former user" in page
    assert "govuk-warning-text" in page and "You cannot undo this" in page
    assert 'name="confirm"' in page and "Delete my account" in page


def test_deletion_asks_for_confirmation(app, client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    response = post(client, DELETE, token_from=DELETE)
    assert response.status_code == 200
    assert "Confirm that you want to delete your account" in text_of(response)
    with app.app_context():
        assert db.session.get(User, world.member_id) is not None


def _counts(app, user_id: int) -> dict[str, int]:
    with app.app_context():
        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "user": count(User, User.id == user_id),
            "memberships": count(Membership, Membership.user_id == user_id),
            "notifications": count(Notification, Notification.user_id == user_id),
            "audit_as_actor": count(AuditEvent, AuditEvent.actor_id == user_id),
        }


def test_deleting_an_account(app, client, world, outbox):
    carys = app.test_client()
    assert sign_in(carys, "carys@example.org").status_code == 302
    # A copy of her session cookie, as someone who stole it would hold it.
    thief = app.test_client()
    cookie = carys.get_cookie("cwtch_session")
    thief.set_cookie("cwtch_session", cookie.value)
    assert thief.get("/account").status_code == 200
    with app.app_context():
        db.session.add(LoginAttempt(email="carys@example.org", ip="192.0.2.1"))
        db.session.commit()
        her_events = set(db.session.scalars(select(AuditEvent.id).where(AuditEvent.actor_id == world.member_id)))
    gareth_before = _counts(app, world.admin_id)
    outbox()  # deliver what was queued so far

    response = post(carys, DELETE, {"confirm": "y"}, token_from=DELETE)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "Your account has been deleted" in text_of(carys.get(response.headers["Location"]))

    # The row and what hung on it are gone; the audit log stays, without her.
    assert _counts(app, world.member_id) == {"user": 0, "memberships": 0, "notifications": 0, "audit_as_actor": 0}
    with app.app_context():
        kept = db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(her_events))).all()
        assert len(kept) == len(her_events) and all(e.actor_id is None and e.ip is None for e in kept)
        # Nothing left in the log points at her account or her address.
        about_her = select(func.count()).select_from(AuditEvent).where(
            AuditEvent.target_type == "user", AuditEvent.target_id == world.member_id)
        assert db.session.scalar(about_her) == 0
        deletion = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_delete")).one()
        assert (deletion.actor_id, deletion.ip, deletion.detail, deletion.target_id) == (None, None, None, None)
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
        assert db.session.scalars(select(Invitation).where(Invitation.email == "carys@example.org")).all() == []
        leftover = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "carys@example.org",
                                                                  OutboundEmail.security.is_(False))).all()
        assert leftover == []

    # Every session has ended: her own browser and the copied cookie alike.
    for browser in (carys, thief):
        response = browser.get("/account")
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"
    assert sign_in(app.test_client(), "carys@example.org").status_code == 200  # cannot sign in

    # A short confirmation, in her language, with nothing she wrote.
    messages = [m for m in outbox() if m["Subject"] == "Your Cwtch account has been deleted"]
    assert [m["To"] for m in messages] == ["carys@example.org"]
    assert messages[0]["Content-Language"] == "en"
    assert "Carys" not in messages[0].get_body(("plain",)).get_content()

    # Gareth's account and data are untouched.
    assert _counts(app, world.admin_id) == gareth_before
    with app.app_context():
        gareth = db.session.get(User, world.admin_id)
        assert gareth.active and gareth.roles_in(world.organisation_id) == {Role.admin}


def test_the_last_admin_is_refused_clearly(app, client, signed_in, world, outbox):
    signed_in(_person(world.admin_id, "gareth@example.org"))
    page = text_of(client.get(DELETE))
    assert "You cannot delete your account yet" in page
    assert "Choose another admin for Ogmore Valleys" in page
    assert 'name="confirm"' not in page
    response = post(client, DELETE, {"confirm": "y"}, token_from=DELETE)
    assert response.status_code == 200
    assert "You cannot delete your account yet" in text_of(response)
    assert _counts(app, world.admin_id)["user"] == 1
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_delete")).all() == []
    assert not any("deleted" in m["Subject"] for m in outbox())


def test_an_admin_with_another_admin_may_delete(app, client, signed_in, world, make):
    organisation = db_organisation(app, world.organisation_id)
    make.user(Role.admin, organisation=organisation, name="Second Admin")
    signed_in(_person(world.admin_id, "gareth@example.org"))
    response = post(client, DELETE, {"confirm": "y"}, token_from=DELETE)
    assert response.status_code == 302
    assert _counts(app, world.admin_id)["user"] == 0
    # The invitation he sent stays with the organisation, without him; Carys is untouched.
    with app.app_context():
        invitation = db.session.scalars(select(Invitation).where(Invitation.email == "carys@example.org")).one()
        assert invitation.invited_by_id is None
        assert db.session.get(User, world.member_id).roles_in(world.organisation_id) == {Role.link_worker}


def db_organisation(app, organisation_id: int) -> Organisation:
    with app.app_context():
        found = db.session.get(Organisation, organisation_id)
        db.session.expunge(found)
        return found


def test_deletion_needs_a_recent_sign_in(app, client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    go_stale(client)
    response = post(client, DELETE, {"confirm": "y"}, token_from=DELETE)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/confirm-identity"
    assert _counts(app, world.member_id)["user"] == 1


def test_deletion_needs_a_csrf_token(app, client, signed_in, world):
    signed_in(_person(world.member_id, "carys@example.org"))
    response = client.post(DELETE, data={"confirm": "y"})
    assert response.status_code == 400
    assert _counts(app, world.member_id)["user"] == 1


def test_a_new_account_never_inherits_a_deleted_ones_rows(app, client, make, signed_in):
    """SQLite reuses the highest id: nothing of the deleted account may be left to attach to it."""
    organisation = make.organisation()
    make.user(Role.admin, organisation=organisation, name="Admin")
    person = make.user(Role.link_worker, organisation=organisation, name="Last One")
    with app.app_context():
        notification = Notification(dedupe_key="n:1", user_id=person.id, kind="roles_changed")
        db.session.add(notification)
        db.session.commit()
    signed_in(person)
    assert post(client, DELETE, {"confirm": "y"}, token_from=DELETE).status_code == 302
    newcomer = make.user(name="Newcomer")
    assert _counts(app, newcomer.id) == {"user": 1, "memberships": 0, "notifications": 0, "audit_as_actor": 0}


# --- reflections -------------------------------------------------------------------------------

@pytest.fixture
def reflective(app, make):
    """Carys wrote a reflection, shared it with Rhodri (who viewed it and commented); Huw wrote one too."""
    from supervision.reflections.models import ShareComment, ShareView

    organisation = make.organisation()
    carys = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    huw = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    rhodri = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.assign(rhodri, carys)
    make.assign(rhodri, huw)
    long_text = "A long reflection. " * 1000 + "THE VERY END"
    hers = make.reflection(carys, structure="gibbs", title="After the group session",
                           sections={"description": long_text, "feelings": "Tired but hopeful."},
                           actions="Ask about peer supervision", themes=("b:self_care",))
    draft = make.reflection(carys, status="draft", title="Not finished", sections={"text": "Half a thought."})
    share = make.share(hers, rhodri)
    his = make.reflection(huw, title="Huw's own", sections={"text": "Only Huw may read this."})
    his_share = make.share(his, rhodri)
    with app.app_context():
        db.session.add_all([ShareView(share_id=share), ShareComment(share_id=share, body="Well noticed."),
                            ShareView(share_id=his_share), ShareComment(share_id=his_share, body="For Huw.")])
        db.session.commit()
    return dict(carys=carys, huw=huw, rhodri=rhodri, hers=hers, draft=draft, share=share, his=his,
                his_share=his_share, long_text=long_text)


def test_the_download_holds_the_persons_reflections(app, client, signed_in, reflective):
    signed_in(reflective["carys"])
    archive = archive_of(post(client, EXPORT, token_from="/account/my-data"))
    document = json.loads(archive.read("cwtch-my-data.json"))
    by_title = {r["title"]: r for r in document["reflections"]}
    assert set(by_title) == {"After the group session", "Not finished"}
    hers = by_title["After the group session"]
    assert hers["sections"][0]["text"] == reflective["long_text"]
    assert hers["themes"] == ["Looking after myself"] and hers["actions"] == ["Ask about peer supervision"]
    [share] = hers["shares"]
    assert share["supervisor_id"] == reflective["rhodri"].id
    assert len(share["views"]) == 1 and [c["text"] for c in share["comments"]] == ["Well noticed."]
    assert by_title["Not finished"]["status"] == "draft"
    raw = archive.read("cwtch-my-data.json").decode("utf-8")
    assert "Rhodri" not in raw and "Huw" not in raw and "For Huw." not in raw

    pdf = pdf_text(archive.read("cwtch-my-data.pdf"))
    for expected in ("Your reflections", "After the group session", "Not finished", "Draft",
                     "Tired but hopeful.", "Ask about peer supervision", "Looking after myself",
                     "Reflections you shared", "Comments from your supervisors", "Well noticed.",
                     "THE VERY END"):  # the end of a 19,000-character section: nothing cut off
        assert expected in pdf, expected
    assert "Rhodri" not in pdf and "Huw" not in pdf


def _reflection_rows(app) -> dict[str, set]:
    from supervision.reflections.models import Reflection, ReflectionShare, ReflectionTheme, ShareComment, ShareView

    with app.app_context():
        return {
            "reflections": set(db.session.scalars(select(Reflection.id))),
            "themes": set(db.session.scalars(select(ReflectionTheme.reflection_id))),
            "shares": set(db.session.scalars(select(ReflectionShare.id))),
            "views": set(db.session.scalars(select(ShareView.share_id))),
            "comments": set(db.session.scalars(select(ShareComment.share_id))),
        }


def test_deleting_an_account_deletes_its_reflections_and_everything_on_them(app, client, signed_in, reflective):
    r = reflective
    before = _reflection_rows(app)
    assert before["reflections"] == {r["hers"], r["draft"], r["his"]}
    signed_in(r["carys"])
    assert post(client, DELETE, {"confirm": "y"}, token_from=DELETE).status_code == 302
    after = _reflection_rows(app)
    assert after == {
        "reflections": {r["his"]},
        "themes": set(),  # Huw's had none; hers went with it
        "shares": {r["his_share"]},
        "views": {r["his_share"]},
        "comments": {r["his_share"]},
    }


def test_a_deleted_supervisor_takes_the_shares_to_them_but_not_the_reflections(app, client, make, signed_in,
                                                                                reflective):
    r = reflective
    make.user(Role.admin, organisation=make.organisation())  # so Rhodri is not anyone's last admin
    signed_in(r["rhodri"])
    assert post(client, DELETE, {"confirm": "y"}, token_from=DELETE).status_code == 302
    after = _reflection_rows(app)
    assert after["reflections"] == {r["hers"], r["draft"], r["his"]}
    assert after["shares"] == after["views"] == after["comments"] == set()
