"""Friendly error pages: right status, a heading and title, the language, and never a traceback."""
from __future__ import annotations

import re

import pytest
from flask import abort, g, make_response

from supervision.accounts.models import Role
from supervision.extensions import db

from .conftest import csrf_token, make_test_app, post

H1_RE = re.compile(r"<h1\b[^>]*>\s*([^<]+?)\s*</h1>")
TITLE_RE = re.compile(r"<title>\s*(.*?)\s*</title>", re.DOTALL)
LANG_RE = re.compile(r'<html\b[^>]*\blang="([a-z]{2})"')


@pytest.fixture(scope="module")
def crashing_app(databases, tmp_path_factory):
    app = make_test_app(databases.new("errors"), str(tmp_path_factory.mktemp("errors")))
    with app.app_context():
        db.create_all()

    @app.get("/boom")
    def boom():
        raise RuntimeError("Traceback-worthy secret: database password is hunter2")

    @app.get("/boom-in-the-database")
    def boom_in_the_database():
        db.session.execute(db.text("SELECT * FROM no_such_table"))

    @app.get("/boom-twice")
    def boom_twice():
        g.break_error_page = True
        raise RuntimeError("first failure")

    @app.get("/status/<int:code>")
    def status(code: int):
        abort(code)

    @app.get("/ready-made")
    def ready_made():
        abort(make_response("plain answer", 409))

    @app.context_processor
    def break_error_page():
        if g.get("break_error_page"):
            raise RuntimeError("the error page fails too")
        return {}

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_error_page(response, status: int, heading: str, lang: str = "en") -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    h1 = H1_RE.search(page)
    assert h1 and h1.group(1) == heading, page[:2000]
    title = TITLE_RE.search(page)
    assert title and title.group(1).endswith(" – Cwtch"), title
    assert heading in title.group(1)
    lang_match = LANG_RE.search(page)
    assert lang_match and lang_match.group(1) == lang
    assert "Traceback" not in page
    assert 'href="/sign-in"' in page or 'href="/home"' in page  # a way back
    return page


def test_unknown_page_is_404(client):
    assert_error_page(client.get("/no-such-page"), 404, "Page not found")


def test_unknown_ids_are_404(app, client, make, signed_in):
    admin = make.user(Role.admin, name="Gareth Price")
    org_id = admin.organisation.id
    signed_in(admin)
    for path in [
        "/admin/organisations/987654/people",
        "/admin/organisations/987654/settings",
        f"/admin/organisations/{org_id}/people/987654",
    ]:
        assert_error_page(client.get(path), 404, "Page not found")
    response = post(client, f"/admin/organisations/{org_id}/invitations/987654/revoke")
    assert_error_page(response, 404, "Page not found")


@pytest.mark.parametrize("path,allowed", [
    ("/sign-out", {"POST"}),
    ("/language", {"POST"}),
    ("/admin/organisations/1/people/1/deactivate", {"POST"}),
    ("/admin/organisations/1/invitations/1/revoke", {"POST"}),
])
def test_wrong_method_is_405_with_allow_header(client, path, allowed):
    response = client.get(path)
    assert_error_page(response, 405, "Sorry, this action is not available")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= allowed
    assert "GET" not in response.headers["Allow"]


def test_delete_on_a_page_is_405(client):
    response = client.delete("/sign-in")
    assert_error_page(response, 405, "Sorry, this action is not available")
    assert "POST" in response.headers["Allow"]


def test_bad_csrf_token_gets_the_friendly_400_page(client):
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": "forged"})
    page = assert_error_page(response, 400, "Sorry, there is a problem with your request")
    assert "The form you sent had expired" in page


def test_missing_csrf_token_on_a_signed_in_action_changes_nothing(app, client, make, signed_in):
    admin = make.user(Role.admin, name="Gareth Price")
    member = make.user(Role.link_worker, organisation=admin.organisation, name="Carys Jenkins")
    signed_in(admin)
    response = client.post(f"/admin/organisations/{admin.organisation.id}/people/{member.id}/deactivate")
    assert_error_page(response, 400, "Sorry, there is a problem with your request")
    with app.app_context():
        from supervision.accounts.models import User

        assert db.session.get(User, member.id).active


def test_a_token_from_another_session_is_refused(app, client):
    other = app.test_client()
    token = csrf_token(other)
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 400


def test_403_page(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    page = assert_error_page(client.get("/admin/"), 403, "You do not have permission to see this page")
    assert 'href="/home"' in page


def test_500_page_shows_no_stack_trace(crashing_app):
    response = crashing_app.test_client().get("/boom")
    page = assert_error_page(response, 500, "Sorry, there is a problem with the service")
    assert "hunter2" not in page
    assert "RuntimeError" not in page


def test_500_after_a_database_error_leaves_the_app_usable(crashing_app):
    client = crashing_app.test_client()
    assert_error_page(client.get("/boom-in-the-database"), 500, "Sorry, there is a problem with the service")
    assert client.get("/sign-in").status_code == 200


def test_500_falls_back_to_plain_html_when_the_error_page_fails(crashing_app):
    response = crashing_app.test_client().get("/boom-twice")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<h1>Sorry, there is a problem with the service</h1>" in page
    assert "<title>Sorry, there is a problem – Cwtch</title>" in page
    assert 'lang="en"' in page
    assert "Traceback" not in page and "first failure" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("code,heading", [
    (410, "Sorry, there is a problem with your request"),
    (413, "Sorry, there is a problem with your request"),
    (429, "Sorry, you have tried this too many times"),  # its own page: tests/test_ratelimits.py
    (501, "Sorry, there is a problem with the service"),
    (503, "Sorry, there is a problem with the service"),
])
def test_other_statuses_get_a_friendly_page(crashing_app, code, heading):
    response = crashing_app.test_client().get(f"/status/{code}")
    assert_error_page(response, code, heading)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_abort_with_a_ready_response_is_left_alone(crashing_app):
    response = crashing_app.test_client().get("/ready-made")
    assert response.status_code == 409
    assert response.get_data(as_text=True) == "plain answer"


def test_error_pages_in_welsh(app, client):
    client.set_cookie("cwtch_lang", "cy")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert LANG_RE.search(page).group(1) == "cy"
    assert TITLE_RE.search(page).group(1).endswith(" – Cwtch")
    assert H1_RE.search(page)


def test_error_page_for_a_signed_in_person_links_home(client, make, signed_in):
    signed_in(make.user(Role.employer))
    page = assert_error_page(client.get("/no-such-page"), 404, "Page not found")
    assert 'href="/home"' in page
