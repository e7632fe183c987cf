"""Sharing a reflection: only with one of the author's supervisors, for a while, revocable; the
supervisor reads it and comments; every view is logged for the author; nobody else ever sees it."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select
from sqlalchemy import text as sql

from supervision.accounts.models import Role, SupervisorAssignment
from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import Notification
from supervision.reflections.models import ReflectionShare, ShareComment, ShareLength, ShareView

from .conftest import counting_queries, post, sign_in

TITLE = "A hard week with a client's housing case"
SECRET_TEXT = "I felt out of my depth with the rent arrears"
ACTIONS = "Ask the housing officer sooner\nTake a proper lunch break"
VALID_NHS_NUMBER = "943 476 5919"


@dataclass
class World:
    organisation: object
    author: object
    other_link_worker: object
    supervisor: object
    other_supervisor: object
    employer: object
    admin: object
    reflection_id: int
    share_id: int

    def people(self) -> dict:
        return {
            "author": self.author, "other_link_worker": self.other_link_worker, "supervisor": self.supervisor,
            "other_supervisor": self.other_supervisor, "employer": self.employer, "admin": self.admin,
        }


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    author = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    other_link_worker = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    other_supervisor = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    make.assign(supervisor, author, organisation)
    make.assign(other_supervisor, other_link_worker, organisation)
    reflection_id = make.reflection(author, title=TITLE, sections={"text": SECRET_TEXT}, actions=ACTIONS,
                                    feeling=2, themes=("b:boundaries",))
    return World(
        organisation=organisation, author=author, other_link_worker=other_link_worker, supervisor=supervisor,
        other_supervisor=other_supervisor,
        employer=make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
        admin=make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        reflection_id=reflection_id, share_id=make.share(reflection_id, supervisor),
    )


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def path(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def shares_of(app, reflection_id: int) -> list[ReflectionShare]:
    with app.app_context():
        shares = list(db.session.scalars(
            select(ReflectionShare).where(ReflectionShare.reflection_id == reflection_id).order_by(ReflectionShare.id)
        ))
        db.session.expunge_all()
        return shares


def notifications_of(app, user_id: int, kind: str) -> list[Notification]:
    with app.app_context():
        found = list(db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        ))
        db.session.expunge_all()
        return found


def view_count(app, share_id: int) -> int:
    with app.app_context():
        return len(db.session.scalars(select(ShareView).where(ShareView.share_id == share_id)).all())



# --- every role against every sharing route ---------------------------------------------------------

AUTHOR_ROUTES = [
    ("GET", "reflections.share"),
    ("POST", "reflections.share"),
    ("POST", "reflections.revoke_share"),
]
SUPERVISOR_ROUTES = [
    ("GET", "reflections.shared_view"),
    ("POST", "reflections.comment"),
]
ROLES = ["author", "other_link_worker", "supervisor", "other_supervisor", "employer", "admin", "anonymous"]


def _request(app, client, world, method, endpoint):
    values = {"reflection_id": world.reflection_id, "share_id": world.share_id}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    target = path(app, endpoint, **{name: values[name] for name in rule.arguments})
    if method == "GET":
        return client.get(target)
    data = {"supervisor": str(world.supervisor.id), "length": "week", "body": "A thought for you"}
    return post(client, target, data)


def test_the_sharing_routes_are_all_listed(app):
    listed = {endpoint for _, endpoint in AUTHOR_ROUTES + SUPERVISOR_ROUTES} | {"reflections.shared_with_me"}
    sharing = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith(("reflections.share", "reflections.revoke", "reflections.comment"))}
    assert sharing <= listed, sharing - listed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,endpoint", AUTHOR_ROUTES, ids=[f"{m}-{e}" for m, e in AUTHOR_ROUTES])
def test_author_routes_by_role(app, client, signed_in, world, role, method, endpoint):
    if role != "anonymous":
        signed_in(world.people()[role])
    response = _request(app, client, world, method, endpoint)
    if role == "anonymous":
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"
    elif role == "author":
        assert response.status_code in (200, 302)
    elif role == "other_link_worker":
        assert response.status_code == 404
    else:  # without the link-worker role there is nothing of theirs to share, whatever the id
        assert response.status_code == 403
    if role != "author":
        assert [s.id for s in shares_of(app, world.reflection_id)] == [world.share_id]
        assert shares_of(app, world.reflection_id)[0].revoked_at is None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,endpoint", SUPERVISOR_ROUTES, ids=[f"{m}-{e}" for m, e in SUPERVISOR_ROUTES])
def test_supervisor_routes_by_role(app, client, signed_in, world, role, method, endpoint):
    if role != "anonymous":
        signed_in(world.people()[role])
    response = _request(app, client, world, method, endpoint)
    if role == "anonymous":
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"
    elif role == "supervisor":
        assert response.status_code in (200, 302)
    elif role == "other_supervisor":  # a supervisor, but not this share's: it does not exist for them
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    if role != "supervisor":
        assert view_count(app, world.share_id) == 0
        with app.app_context():
            assert db.session.scalars(select(ShareComment)).all() == []
    assert TITLE not in page(response) or role == "supervisor"


@pytest.mark.parametrize("role", ROLES)
def test_shared_with_me_by_role(client, signed_in, world, role):
    if role != "anonymous":
        signed_in(world.people()[role])
    response = client.get("/reflections/shared")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("supervisor", "other_supervisor"):
        assert response.status_code == 200
        assert (TITLE in page(response)) == (role == "supervisor")
    else:
        assert response.status_code == 403


# --- sharing ----------------------------------------------------------------------------------------

def test_share_page_offers_only_the_authors_supervisors(app, client, signed_in, world):
    signed_in(world.author)
    text = page(client.get(path(app, "reflections.share", reflection_id=world.reflection_id)))
    assert "Rhodri Evans" in text
    assert "Bethan Howells" not in text
    assert "Until the end of your next supervision session with them, or 90 days at most" in text
    assert TITLE in text


def test_sharing_tells_the_supervisor_without_the_text(app, client, signed_in, world, outbox):
    signed_in(world.author)
    response = post(client, path(app, "reflections.share", reflection_id=world.reflection_id),
                    {"supervisor": str(world.supervisor.id), "length": "month"})
    assert response.status_code == 302
    assert response.headers["Location"] == path(app, "reflections.view", reflection_id=world.reflection_id)
    old, new = shares_of(app, world.reflection_id)
    assert old.revoked_at is not None, "sharing again replaces the live share"
    assert new.revoked_at is None and new.length == ShareLength.month
    assert timedelta(days=30) - timedelta(minutes=1) < new.expires_at - utcnow() <= timedelta(days=30)
    [notification] = notifications_of(app, world.supervisor.id, "reflection_shared")
    assert notification.link == f"/reflections/shared/{new.id}"
    [email] = [m for m in outbox() if m["To"] == world.supervisor.email]
    body = email.as_string()
    assert "shared a reflection" in email.get_body(("plain",)).get_content()
    for secret in (TITLE, "housing", SECRET_TEXT, "out of my depth", "Ask the housing officer"):
        assert secret not in body and secret not in email["Subject"]


def test_until_the_next_session_lasts_at_most_90_days(app, client, signed_in, world):
    signed_in(world.author)
    post(client, path(app, "reflections.share", reflection_id=world.reflection_id),
         {"supervisor": str(world.supervisor.id), "length": "next_session"})
    new = shares_of(app, world.reflection_id)[-1]
    assert new.length == ShareLength.next_session
    assert timedelta(days=90) - timedelta(minutes=1) < new.expires_at - utcnow() <= timedelta(days=90)


@pytest.mark.parametrize("chosen", ["other_supervisor", "other_link_worker", "author", "admin", "987654", "abc", ""])
def test_sharing_with_someone_who_is_not_their_supervisor_is_refused(app, client, signed_in, world, chosen):
    signed_in(world.author)
    person = world.people().get(chosen)
    value = str(person.id) if person else chosen
    response = post(client, path(app, "reflections.share", reflection_id=world.reflection_id),
                    {"supervisor": value, "length": "week"})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text
    assert ("Select the supervisor to share it with" if chosen == "" else "Select one of your supervisors") in text
    assert [s.id for s in shares_of(app, world.reflection_id)] == [world.share_id]
    assert re.search(r'value="week"\s+checked', text), "the chosen period is kept"


def test_a_crafted_period_is_refused(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, path(app, "reflections.share", reflection_id=world.reflection_id),
                    {"supervisor": str(world.supervisor.id), "length": "forever"})
    assert response.status_code == 200
    assert "Select how long to share it for" in page(response)
    assert len(shares_of(app, world.reflection_id)) == 1


def test_without_supervisors_the_page_explains_and_shows_no_form(app, client, make, signed_in, world):
    loner = make.user(Role.link_worker, organisation=world.organisation, name="Elin Hughes")
    reflection_id = make.reflection(loner)
    signed_in(loner)
    share_path = path(app, "reflections.share", reflection_id=reflection_id)
    text = page(client.get(share_path))
    assert "Your organisation’s admin chooses who supervises you" in text
    assert 'name="supervisor"' not in text
    assert post(client, share_path, {"supervisor": str(world.supervisor.id), "length": "week"}).status_code == 200
    assert shares_of(app, reflection_id) == []


def test_a_draft_cannot_be_shared(app, client, make, signed_in, world):
    draft_id = make.reflection(world.author, status="draft")
    signed_in(world.author)
    share_path = path(app, "reflections.share", reflection_id=draft_id)
    assert client.get(share_path).status_code == 404
    assert post(client, share_path, {"supervisor": str(world.supervisor.id), "length": "week"}).status_code == 404
    assert shares_of(app, draft_id) == []


def test_identifiers_are_warned_about_before_sharing(app, client, make, signed_in, world):
    reflection_id = make.reflection(world.author, sections={"text": f"Her NHS number is {VALID_NHS_NUMBER}."})
    signed_in(world.author)
    share_path = path(app, "reflections.share", reflection_id=reflection_id)
    response = post(client, share_path, {"supervisor": str(world.supervisor.id), "length": "month"})
    assert response.status_code == 200
    text = page(response)
    assert "This may identify someone you support" in text
    assert VALID_NHS_NUMBER in text
    assert "Share anyway" in text
    assert re.search(rf'value="{world.supervisor.id}"\s+checked', text), "the chosen supervisor is kept"
    assert re.search(r'value="month"\s+checked', text), "the chosen period is kept"
    assert shares_of(app, reflection_id) == []

    response = post(client, share_path, {"supervisor": str(world.supervisor.id), "length": "month",
                                         "confirm_identifiers": "1"})
    assert response.status_code == 302
    [share] = shares_of(app, reflection_id)
    assert share.length == ShareLength.month


def test_no_warning_without_identifiers(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, path(app, "reflections.share", reflection_id=world.reflection_id),
                    {"supervisor": str(world.supervisor.id), "length": "week"})
    assert response.status_code == 302
    assert len(shares_of(app, world.reflection_id)) == 2


# --- the supervisor's view and the view log ------------------------------------------------------------

def test_the_supervisor_reads_it_and_the_author_sees_the_view(app, client, signed_in, world):
    author_page = path(app, "reflections.view", reflection_id=world.reflection_id)
    signed_in(world.author)
    assert "Not viewed yet" in page(client.get(author_page))

    supervisor = app.test_client()
    sign_in(supervisor, world.supervisor.email)
    response = supervisor.get(f"/reflections/shared/{world.share_id}")
    assert response.status_code == 200
    text = page(response)
    for expected in (TITLE, SECRET_TEXT, "Your reflection", "Write whatever helps you make sense of your practice.",
                     "Boundaries", "Low", "Bring to supervision", "Ask the housing officer sooner",
                     "Take a proper lunch break", "Carys Jenkins", "2 November 2026"):
        assert expected in text, expected
    assert 'name="body"' in text
    assert view_count(app, world.share_id) == 1
    supervisor.get(f"/reflections/shared/{world.share_id}")
    assert view_count(app, world.share_id) == 2

    text = page(client.get(author_page))
    assert "Not viewed yet" not in text
    with app.app_context():
        viewed_at = db.session.scalars(select(ShareView.viewed_at)).first()
    with app.test_request_context():
        day = app.jinja_env.filters["date"](viewed_at)
        time = app.jinja_env.filters["datetime"](viewed_at, "HH:mm")
    assert f"Viewed by Rhodri Evans on {day} at {time}" in text
    assert text.count("Viewed by Rhodri Evans") == 2


def test_the_shared_view_is_read_only_and_shows_html_as_text(app, client, make, signed_in, world):
    reflection_id = make.reflection(world.author, title="<script>alert(1)</script>",
                                    sections={"text": "<img src=x onerror=alert(2)>"})
    share_id = make.share(reflection_id, world.supervisor)
    signed_in(world.supervisor)
    raw = client.get(f"/reflections/shared/{share_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<img src=x" not in raw
    assert 'name="title"' not in raw and 'name="text"' not in raw
    assert not any(rule.endpoint.startswith("reflections.shared") and "POST" in rule.methods
                   for rule in app.url_map.iter_rules())


def test_shared_with_me_lists_live_shares_only(app, client, make, signed_in, world):
    expired = make.reflection(world.author, title="An expired share")
    make.share(expired, world.supervisor, created_days_ago=10, days=7)
    revoked = make.reflection(world.author, title="A revoked share")
    make.share(revoked, world.supervisor, revoked=True)
    draft = make.reflection(world.author, status="draft", title="A draft share")
    make.share(draft, world.supervisor)
    signed_in(world.supervisor)
    text = page(client.get("/reflections/shared"))
    assert TITLE in text and "Carys Jenkins" in text
    assert "1 reflection shared with you" in text
    assert "Not opened yet" in text
    for hidden in ("An expired share", "A revoked share", "A draft share"):
        assert hidden not in text
    client.get(f"/reflections/shared/{world.share_id}")
    assert "Not opened yet" not in page(client.get("/reflections/shared"))


def test_shared_with_me_uses_a_bounded_number_of_queries(app, client, make, signed_in, world):
    signed_in(world.supervisor)
    client.get("/reflections/shared")  # warm up
    with counting_queries(app) as before:
        assert client.get("/reflections/shared").status_code == 200
    for n in range(4):
        author = make.user(Role.link_worker, organisation=world.organisation, name=f"Author {n}")
        make.assign(world.supervisor, author, world.organisation)
        for _ in range(2):
            share_id = make.share(make.reflection(author, title=f"Entry by author {n}"), world.supervisor)
            with app.app_context():
                db.session.add(ShareView(share_id=share_id))
                db.session.add(ShareComment(share_id=share_id, body="Noted"))
                db.session.commit()
    with counting_queries(app) as after:
        response = client.get("/reflections/shared")
    assert "9 reflections shared with you" in page(response)
    assert len(after) == len(before), "\n".join(s[:150] for s in after)


# --- expiry, revocation, unassignment -----------------------------------------------------------------

def _supervisor_sees(app, client, share_id: int) -> list[int]:
    return [client.get(f"/reflections/shared/{share_id}").status_code,
            post(client, f"/reflections/shared/{share_id}/comments", {"body": "Hello"}).status_code]


def test_an_expired_share_answers_404(app, client, make, signed_in, world):
    share_id = make.share(world.reflection_id, world.supervisor, created_days_ago=10, days=7)
    signed_in(world.supervisor)
    assert _supervisor_sees(app, client, share_id) == [404, 404]
    assert view_count(app, share_id) == 0


def test_a_share_ends_at_its_expiry(app, client, make, signed_in, world):
    share_id = make.share(world.reflection_id, world.supervisor)
    signed_in(world.supervisor)
    assert client.get(f"/reflections/shared/{share_id}").status_code == 200
    with app.app_context():
        share = db.session.get(ReflectionShare, share_id)
        share.created_at, share.expires_at = utcnow() - timedelta(days=7), utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(f"/reflections/shared/{share_id}").status_code == 404


def test_the_author_revokes_and_the_supervisor_gets_404(app, client, signed_in, world):
    signed_in(world.author)
    revoke = path(app, "reflections.revoke_share", reflection_id=world.reflection_id, share_id=world.share_id)
    response = post(client, revoke)
    assert response.status_code == 302
    [share] = shares_of(app, world.reflection_id)
    revoked_at = share.revoked_at
    assert revoked_at is not None
    post(client, revoke)  # a second click changes nothing
    assert shares_of(app, world.reflection_id)[0].revoked_at == revoked_at
    text = page(client.get(path(app, "reflections.view", reflection_id=world.reflection_id)))
    assert "You stopped sharing it on" in text
    assert "Stop sharing" not in text

    supervisor = app.test_client()
    sign_in(supervisor, world.supervisor.email)
    assert _supervisor_sees(app, supervisor, world.share_id) == [404, 404]


def test_revoking_a_share_of_another_reflection_answers_404(app, client, make, signed_in, world):
    theirs = make.reflection(world.other_link_worker)
    their_share = make.share(theirs, world.other_supervisor)
    mine = make.reflection(world.author)
    signed_in(world.author)
    # My reflection's id with their share's id: the pair does not match.
    for reflection_id in (mine, theirs):
        revoke = path(app, "reflections.revoke_share", reflection_id=reflection_id, share_id=their_share)
        assert post(client, revoke).status_code == 404
    assert shares_of(app, theirs)[0].revoked_at is None


def test_a_supervisor_who_no_longer_supervises_the_author_gets_404(app, client, signed_in, world):
    signed_in(world.supervisor)
    assert client.get(f"/reflections/shared/{world.share_id}").status_code == 200
    with app.app_context():
        db.session.execute(SupervisorAssignment.__table__.delete())
        db.session.commit()
    assert _supervisor_sees(app, client, world.share_id) == [404, 404]
    assert TITLE not in page(client.get("/reflections/shared"))


def test_the_author_sees_each_share_state(app, client, make, signed_in, world):
    make.share(world.reflection_id, world.supervisor, created_days_ago=10, days=7)
    make.share(world.reflection_id, world.supervisor, revoked=True)
    signed_in(world.author)
    text = page(client.get(path(app, "reflections.view", reflection_id=world.reflection_id)))
    assert "Shared until" in text
    assert "Ended on" in text
    assert "You stopped sharing it on" in text
    assert text.count("Stop sharing") == 1
    assert "Share with a supervisor" in text


# --- comments -----------------------------------------------------------------------------------------

def test_a_comment_reaches_the_author_but_not_their_inbox(app, client, signed_in, world, outbox):
    signed_in(world.supervisor)
    comment = "Let us talk about the arrears case on Thursday"
    response = post(client, f"/reflections/shared/{world.share_id}/comments", {"body": comment})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reflections/shared/{world.share_id}#comments"
    assert comment in page(client.get(f"/reflections/shared/{world.share_id}"))
    with app.app_context():
        raw = db.session.execute(sql("SELECT body FROM reflection_share_comment")).scalar_one()
        assert comment not in raw and "arrears" not in raw
    [notification] = notifications_of(app, world.author.id, "reflection_comment")
    assert notification.link == path(app, "reflections.view", reflection_id=world.reflection_id)
    [email] = [m for m in outbox() if m["To"] == world.author.email]
    assert "commented" in email.get_body(("plain",)).get_content()
    for secret in (comment, "arrears", TITLE):
        assert secret not in email.as_string()

    author = app.test_client()
    sign_in(author, world.author.email)
    text = page(author.get(path(app, "reflections.view", reflection_id=world.reflection_id)))
    assert comment in text
    assert "Rhodri Evans on" in text


@pytest.mark.parametrize("body,message", [
    ("", "Enter your comment"),
    ("   \n ", "Enter your comment"),
    ("x" * 5_001, "Enter 5000 characters or fewer"),
])
def test_a_bad_comment_is_refused_and_kept(app, client, signed_in, world, body, message):
    signed_in(world.supervisor)
    response = post(client, f"/reflections/shared/{world.share_id}/comments", {"body": body})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and message in text
    if body.strip():
        assert body in text, "what was typed is kept"
    with app.app_context():
        assert db.session.scalars(select(ShareComment)).all() == []


# --- home page ----------------------------------------------------------------------------------------

def test_home_page_counts(app, client, make, signed_in, world):
    make.reflection(world.author, status="draft")
    with app.app_context():
        db.session.add(ShareComment(share_id=world.share_id, body="Recent"))
        db.session.add(ShareComment(share_id=world.share_id, body="Old", created_at=utcnow() - timedelta(days=20)))
        db.session.commit()
    signed_in(world.author)
    text = page(client.get("/home"))
    assert "1 draft reflection" in text
    assert "1 comment on your shared reflections in the last 14 days" in text
    assert "Write a reflection" in text and "Your reflections" in text

    supervisor = app.test_client()
    sign_in(supervisor, world.supervisor.email)
    text = page(supervisor.get("/home"))
    assert "1 reflection shared with you" in text
    assert 'href="/reflections/shared"' in text

    other = app.test_client()
    sign_in(other, world.other_supervisor.email)
    assert "shared with you" not in page(other.get("/home")).split("Supervision</h2>")[1]


def test_home_page_queries_do_not_grow_with_shares_or_comments(app, client, make, signed_in, world):
    senior = make.user(Role.link_worker, Role.supervisor, organisation=world.organisation, name="Owain Davies")
    make.assign(world.supervisor, senior, world.organisation)
    make.assign(senior, world.author, world.organisation)
    signed_in(senior)
    client.get("/home")  # warm up
    with counting_queries(app) as before:
        assert client.get("/home").status_code == 200
    for n in range(3):
        make.share(make.reflection(world.author, title=f"Entry {n}"), senior)
        shared_id = make.share(make.reflection(senior, title=f"Mine {n}"), world.supervisor)
        make.reflection(senior, status="draft")
        with app.app_context():
            db.session.add(ShareComment(share_id=shared_id, body="Noted"))
            db.session.commit()
    with counting_queries(app) as after:
        text = page(client.get("/home"))
    assert "3 reflections shared with you" in text
    assert "3 draft reflections" in text
    assert "3 comments on your shared reflections" in text
    assert len(after) == len(before), "\n".join(s[:150] for s in after)
