"""Friendly, translated error pages that never show a stack trace."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

FALLBACK_500 = (
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sorry, there is a problem "
    "– Cwtch</title></head><body><main><h1>Sorry, there is a problem with the service</h1>"
    "<p lang=\"cy\">Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth.</p></main></body></html>"
)

PAGES = {400: "400", 403: "403", 404: "404", 405: "405", 429: "429", 500: "500"}


def _render(code: int, **context):
    # A status without its own page (410, 413, 501...) gets the general one for its class.
    page = PAGES.get(code) or ("400" if code < 500 else "500")
    return render_template(f"errors/{page}.html", **context), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, csrf=True)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code < 400 or error.response is not None:  # a redirect, or abort() with a ready response
            return error
        if code == 429:
            return _too_many_requests(error)
        body, status = _render(code)
        # Keep the exception's own headers (Allow on a 405, Retry-After on a 429), not its body's type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Leave the session usable for the error page, and keep the details in the log only.
        app.logger.exception("Unhandled error")
        try:
            db.session.rollback()
            return _render(500)
        except Exception:  # the page itself failed: fall back to text that cannot fail
            app.logger.exception("The error page failed too")
            return FALLBACK_500, 500, {"Content-Type": "text/html; charset=utf-8"}


def _too_many_requests(error: HTTPException):
    """A rate limit said no: say when to try again, in the page and in Retry-After."""
    from datetime import timedelta

    from .db import utcnow
    from .ratelimits import retry_after_seconds

    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    given = [v for k, v in headers if k.lower() == "retry-after"]
    # abort(429) may say when itself (in seconds); otherwise the limit that refused the request knows.
    seconds = int(given[0]) if given and given[0].isdigit() else retry_after_seconds()
    headers = [(k, v) for k, v in headers if k.lower() != "retry-after"]
    body, status = _render(429, retry_at=utcnow() + timedelta(seconds=seconds))
    return body, status, [*headers, ("Retry-After", str(seconds))]
