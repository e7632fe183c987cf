"""The themes a person can choose: the built-in ones, then their organisations' own."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import select

from ..accounts.models import Role, User
from ..extensions import db
from .models import ReflectionTheme, Theme
from .structures import BUILTIN_THEMES


@dataclass(frozen=True)
class ThemeChoice:
    value: str  # "b:<key>" or "t:<id>", as in ReflectionTheme.choice
    label: str


def theme_name(theme: Theme) -> str:
    return theme.name_cy if str(get_locale()) == "cy" else theme.name_en


def label_of(link: ReflectionTheme) -> str:
    if link.builtin:
        return str(BUILTIN_THEMES.get(link.builtin, link.builtin))
    return theme_name(link.theme) if link.theme is not None else ""


def choices_for(user: User, *, include_archived_ids: set[int] = frozenset()) -> list[ThemeChoice]:
    """Built-in themes and the live themes of the organisations where the person is a link worker.

    include_archived_ids keeps an archived theme on offer for a reflection that already has it,
    so that editing that reflection does not silently drop it.
    """
    organisation_ids = [o.id for o in user.organisations_where(Role.link_worker)]
    choices = [ThemeChoice(f"b:{key}", str(label)) for key, label in BUILTIN_THEMES.items()]
    if organisation_ids:
        themes = db.session.scalars(
            select(Theme).where(Theme.organisation_id.in_(organisation_ids)).order_by(Theme.name_en)
        ).all()
        choices += [
            ThemeChoice(f"t:{theme.id}", theme_name(theme))
            for theme in themes
            if theme.archived_at is None or theme.id in include_archived_ids
        ]
    return choices


def links_for(values: list[str], allowed: list[ThemeChoice]) -> list[ReflectionTheme]:
    """New link rows for the chosen values; anything not on offer is ignored."""
    offered = {choice.value for choice in allowed}
    links = []
    for value in dict.fromkeys(values):  # keeps order, drops repeats
        if value not in offered:
            continue
        kind, _, ident = value.partition(":")
        links.append(ReflectionTheme(builtin=ident) if kind == "b" else ReflectionTheme(theme_id=int(ident)))
    return links
