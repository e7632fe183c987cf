"""Session lifetime and revocation, safe redirects, and security headers on every response."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from .db import utcnow
from .extensions import db, login_manager

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def client_ip() -> str:
    # Behind a proxy, set PROXY_FIX_X_FOR so that remote_addr is the client's (see create_app).
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """Only a local path may follow sign-in. Anything else is dropped."""
    if not target:
        return None
    if any(c in target for c in ("\\", "\r", "\n", "\t")) or any(ord(c) < 32 for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # An encoded slash, backslash or control character ("/%2F%2Fevil.example") turns into
    # "//evil.example" wherever a proxy or server decodes the path, so it is refused too.
    path = unquote(parts.path)
    if path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return None
    return target


@login_manager.user_loader
def load_user(session_token: str):
    from .accounts.models import User

    user = db.session.scalar(select(User).where(User.session_token == session_token))
    if user is None or not user.active:
        return None
    return user


def _expire_stale_session() -> None:
    """End a session that has been idle too long or has lasted too long."""
    if not current_user.is_authenticated:
        return
    now = utcnow().timestamp()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    limit = current_app.config["SESSION_MAX_HOURS"] * 3600
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    if now - seen_at > idle or now - login_at > limit:
        logout_user()
        session.clear()
        flash(_("For your security, you were signed out. Sign in again to continue"), "info")
        return
    session["seen_at"] = now


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not current_app.config["DEVELOPMENT"]:
        headers["Strict-Transport-Security"] = (
            f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains"
        )
    if current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
        headers["Vary"] = "Cookie"
    return response


def _refuse_nul_characters() -> None:
    """No form sends a NUL character, and PostgreSQL refuses one in text: a 400, never a 500."""
    for values in (request.args, request.form):
        for name, sent in values.lists():
            if "\x00" in name or any("\x00" in value for value in sent):
                abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_expire_stale_session)
    app.before_request(_refuse_nul_characters)
    app.after_request(_set_headers)


RECENT_AUTH_MINUTES = 10


def mark_recent_auth() -> None:
    """Called when a person proves who they are: at sign-in, and on the confirm-identity page."""
    session["authenticated_at"] = utcnow().timestamp()


def has_recent_auth() -> bool:
    at = session.get("authenticated_at", 0)
    return utcnow().timestamp() - at <= RECENT_AUTH_MINUTES * 60


def require_recent_auth(view):
    """Sensitive actions need a sign-in within the last 10 minutes, or the person is asked again.

    Put it under @login_required or a role decorator. GET pages stay viewable; a POST without a
    recent sign-in is sent to the confirm-identity page and nothing is changed.
    """
    from functools import wraps

    from flask import redirect, url_for

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and not has_recent_auth():
            target = request.full_path if request.query_string else request.path
            # The form is not replayed: after confirming, the person submits it again.
            referrer = safe_next(_local_referrer()) or target
            return redirect(url_for("accounts.confirm_identity", next=referrer))
        return view(*args, **kwargs)

    return wrapped


def _local_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
