"""An organisation's own reflection themes, beside the built-in ones. They flush, never commit.

An admin names a theme and may archive it; nobody but a reflection's author ever sees which
reflections carry it.
"""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organisation, User
from ..audit.services import record
from ..db import utcnow
from ..extensions import db
from ..reflections.models import Theme
from ..reflections.structures import BUILTIN_THEMES


class ThemeError(Exception):
    """`code` says which rule was broken; `field` which name it is about ("name_en" or "name_cy")."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def themes_of(organisation: Organisation) -> list[Theme]:
    """Live themes first, then archived ones, each by English name."""
    themes = db.session.scalars(
        select(Theme).where(Theme.organisation_id == organisation.id).order_by(Theme.name_en, Theme.id)
    ).all()
    return sorted(themes, key=lambda theme: theme.archived_at is not None)


def theme_or_none(organisation: Organisation, theme_id: int) -> Theme | None:
    theme = db.session.get(Theme, theme_id)
    return theme if theme is not None and theme.organisation_id == organisation.id else None


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _builtin_names(language: str) -> set[str]:
    with force_locale(language):
        return {_key(str(label)) for label in BUILTIN_THEMES.values()}


def add_theme(*, organisation: Organisation, name_en: str, name_cy: str, actor: User) -> Theme:
    """A new theme, unless either name is taken here (whatever its case) or is a built-in theme's."""
    name_en, name_cy = " ".join(name_en.split()), " ".join(name_cy.split())
    for field, name, language in (("name_en", name_en, "en"), ("name_cy", name_cy, "cy")):
        if _key(name) in _builtin_names(language):
            raise ThemeError("builtin", field)
        if any(_key(getattr(theme, field)) == _key(name) for theme in themes_of(organisation)):
            raise ThemeError("taken", field)
    theme = Theme(organisation_id=organisation.id, name_en=name_en, name_cy=name_cy)
    try:
        with db.session.begin_nested():  # another admin may have added it a moment ago
            db.session.add(theme)
    except IntegrityError:
        raise ThemeError("taken", "name_en") from None
    record(action="theme_add", actor_id=actor.id, organisation_id=organisation.id,
           target_type="theme", target_id=theme.id)
    return theme


def archive_theme(*, theme: Theme, actor: User) -> None:
    """No longer offered for new reflections; the reflections that have it keep it."""
    if theme.archived_at is not None:
        return
    theme.archived_at = utcnow()
    db.session.flush()
    record(action="theme_archive", actor_id=actor.id, organisation_id=theme.organisation_id,
           target_type="theme", target_id=theme.id)


def restore_theme(*, theme: Theme, actor: User) -> None:
    if theme.archived_at is None:
        return
    theme.archived_at = None
    db.session.flush()
    record(action="theme_restore", actor_id=actor.id, organisation_id=theme.organisation_id,
           target_type="theme", target_id=theme.id)
