"""Security headers on every kind of response, and no inline script anywhere."""
from __future__ import annotations

import re

import pytest

from supervision.accounts.models import Role
from supervision.extensions import db

from .conftest import make_test_app, post

SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def _build(databases, tmp_path_factory, label: str, **config):
    app = make_test_app(databases.new(label), str(tmp_path_factory.mktemp(label)), **config)
    with app.app_context():
        db.create_all()
    return app


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def crashing_app(databases, tmp_path_factory):
    """A separate app with one route that fails, to produce a real 500."""
    app = _build(databases, tmp_path_factory, "crash")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail that must not reach the page")

    yield app
    _dispose(app)


@pytest.fixture(scope="module")
def development_app(databases, tmp_path_factory):
    app = _build(databases, tmp_path_factory, "dev", DEBUG=True)
    assert app.config["DEVELOPMENT"]
    yield app
    _dispose(app)


def assert_security_headers(response, *, hsts: bool = True) -> None:
    csp = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "form-action 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if hsts:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    else:
        assert "Strict-Transport-Security" not in response.headers


def assert_no_inline_script(response) -> None:
    page = response.get_data(as_text=True)
    scripts = SCRIPT_RE.findall(page)
    assert scripts, "every page loads at least cwtch.js"
    for attributes, body in scripts:
        assert "src=" in attributes, attributes
        assert body.strip() == "", body[:200]
    # No event-handler attributes either: CSP would block them.
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page, re.IGNORECASE)


def _error_pages(client) -> dict:
    return {
        "404": client.get("/no-such-page"),
        "405": client.get("/sign-out"),
        "400": client.post("/sign-in", data={"email": "a@example.org", "password": "x",
                                            "csrf_token": "forged"}),
    }


def test_headers_on_a_public_page(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_script(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("code", ["404", "405", "400"])
def test_headers_on_error_pages(client, code):
    response = _error_pages(client)[code]
    assert response.status_code == int(code)
    assert_security_headers(response)
    assert_no_inline_script(response)


def test_headers_on_a_500_page(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)
    assert_no_inline_script(response)


def test_no_hsts_in_development(development_app):
    response = development_app.test_client().get("/sign-in")
    assert response.status_code == 200
    assert_security_headers(response, hsts=False)


def test_signed_in_pages_are_never_cached(app, client, make, signed_in):
    admin = make.user(Role.admin, name="Gareth Price")
    org_id = admin.organisation.id
    signed_in(admin)
    paths = [
        "/home", "/account", "/account/password", "/cookies-and-privacy",
        f"/admin/organisations/{org_id}/people", f"/admin/organisations/{org_id}/invite",
        f"/admin/organisations/{org_id}/people/{admin.id}", f"/admin/organisations/{org_id}/settings",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        assert_no_inline_script(response)
        assert "no-store" in response.headers["Cache-Control"], path
    for code, response in _error_pages(client).items():
        assert "no-store" in response.headers["Cache-Control"], code
    redirect = client.get("/")
    assert redirect.status_code == 302
    assert "no-store" in redirect.headers["Cache-Control"]
    for path, data in [("/account", {"language": "cy", "email_notifications": "on"}), ("/language", {"language": "en", "next": "/home"})]:
        after_post = post(client, path, data)
        assert after_post.status_code == 302, path
        assert "no-store" in after_post.headers["Cache-Control"], path


def test_no_inline_script_on_public_pages(client):
    for path in ["/password/forgot", "/cookies-and-privacy", "/accessibility", "/invitation/bad-token"]:
        assert_no_inline_script(client.get(path))


def test_static_script_is_served_as_javascript(client):
    response = client.get("/static/js/cwtch.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["Content-Type"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
