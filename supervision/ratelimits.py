"""Rate limits on the endpoints that send email or do expensive work, applied by endpoint name."""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user
from limits import parse_many

from .security import client_ip

EXTENSION = "cwtch_limiter"


def by_ip() -> str:
    return "ip:" + client_ip()


def by_submitted_email() -> str:
    """The address typed into the form, hashed so that the limit store never holds it."""
    email = (request.form.get("email") or "").strip().lower()
    digest = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()
    return "email:" + digest[:32]


def by_user() -> str:
    # The id, not get_id(): the session token changes with the password, the id never does.
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return by_ip()  # the view will send them to sign in; they still cannot hammer it


def by_feed_token() -> str:
    token = (request.view_args or {}).get("token", "")
    return "feed:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class EndpointLimit:
    endpoint: str
    setting: str  # the config key that holds the limit, e.g. "5 per hour; 20 per day"
    key: Callable[[], str]
    methods: tuple[str, ...] | None = ("POST",)  # None: every method counts


# One line per limited endpoint. An endpoint that is not registered (yet) is left out quietly.
LIMITS: tuple[EndpointLimit, ...] = (
    EndpointLimit("accounts.forgot_password", "RATELIMIT_PASSWORD_RESET_PER_IP", by_ip),
    EndpointLimit("accounts.forgot_password", "RATELIMIT_PASSWORD_RESET_PER_EMAIL", by_submitted_email),
    EndpointLimit("admin.invite", "RATELIMIT_INVITATIONS", by_user),
    EndpointLimit("mydata.export", "RATELIMIT_DATA_EXPORTS", by_user),
    EndpointLimit("reports.download", "RATELIMIT_REPORT_DOWNLOADS", by_user, methods=None),
    # The list, reading a report and making a draft share the downloads' setting, each endpoint
    # counted on its own.
    EndpointLimit("reports.index", "RATELIMIT_REPORT_DOWNLOADS", by_user, methods=None),
    EndpointLimit("reports.view", "RATELIMIT_REPORT_DOWNLOADS", by_user, methods=None),
    EndpointLimit("reports.make_draft", "RATELIMIT_REPORT_DOWNLOADS", by_user),
    # Printing PDFs is the most expensive work a person can ask for; JSON is cheap and left alone.
    EndpointLimit("reflections.export_pdf", "RATELIMIT_REFLECTION_PDFS", by_user, methods=None),
    EndpointLimit("reflections.export_one_pdf", "RATELIMIT_REFLECTION_PDFS", by_user, methods=None),
    # The public calendar feed, per feed address: calendar apps poll every few minutes at most.
    # Not per IP: Google's and Microsoft's servers fetch everyone's feeds from shared addresses.
    # Guessing is no risk (32 random bytes), so an unknown token costs only a hash lookup.
    EndpointLimit("booking.calendar_ics", "RATELIMIT_CALENDAR_FEED", by_feed_token, methods=None),
)


def init_app(app: Flask) -> None:
    """Call after every blueprint is registered: the limits wrap the registered view functions."""
    for rule in LIMITS:
        try:
            parse_many(app.config[rule.setting])
        except (KeyError, ValueError) as error:
            raise RuntimeError(f"{rule.setting} is not a rate limit like '5 per hour': {error}") from error
    # One limiter per app, not a module singleton: the limiter keeps its limits and its storage
    # by function name, so apps with different settings (tests) must not share one.
    limiter = Limiter(
        key_func=by_ip,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        # If Redis goes away, keep limiting in each worker rather than failing every request.
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    for rule in LIMITS:
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        limit = limiter.limit(
            lambda setting=rule.setting: current_app.config[setting],
            key_func=rule.key,
            methods=list(rule.methods) if rule.methods else None,
        )
        app.view_functions[rule.endpoint] = limit(view)


def limited_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in LIMITS if rule.endpoint in app.view_functions}


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets it through again."""
    limiter = current_app.extensions.get(EXTENSION)
    breached = limiter.current_limit if limiter is not None else None
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))
