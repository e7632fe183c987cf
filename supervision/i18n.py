"""English and Welsh: choosing the language, switching it, and formatting dates and numbers."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from .extensions import babel

LANGUAGE_COOKIE = "cwtch_lang"
LANGUAGES = ("en", "cy")


def select_locale() -> str:
    """A signed-in person's choice, else the cookie, else the browser's Accept-Language."""
    if current_user and current_user.is_authenticated:
        return current_user.preferred_language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or "en"


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    return str(get_locale() or "en")


def _date(value: datetime | None, format: str = "d MMMM yyyy") -> str:
    return format_date(value, format) if value else ""


def _datetime(value: datetime | None, format: str = "d MMMM yyyy, HH:mm") -> str:
    return format_datetime(value, format) if value else ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["number"] = lambda v: format_decimal(v)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.add_extension("jinja2.ext.i18n")
