"""Writing, deleting, listing and searching an author's own reflections. Flushes, never commits.

Search runs in Python after decryption (the text is encrypted at rest), over the author's own rows
only, after the SQL filters: one query that loads just the encrypted columns it needs.
"""
from __future__ import annotations

import functools
import math
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, false, func, select
from sqlalchemy.orm import defer, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..audit import services as audit
from ..extensions import db
from .models import Reflection, ReflectionShare, ReflectionTheme, Status
from .structures import SECTIONS, Structure
from .themes import ThemeChoice, choices_for, label_of, links_for

PER_PAGE = 20


class IncompleteReflection(ValueError):
    """A finished reflection needs a title, a date of practice and some text; any reflection needs
    something in it. The form says so first; this guards the service itself."""


@dataclass(frozen=True)
class ReflectionData:
    """What the writing form gives a service, free of WTForms."""

    status: Status
    structure: Structure
    title: str | None = None
    practice_date: date | None = None
    sections: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)  # choice values: "b:<key>" or "t:<id>"
    feeling: int | None = None
    actions: str | None = None

    def texts(self) -> list[str]:
        """Every piece of free text, in the order the page shows it: for the identifier check."""
        return [t for t in (self.title, *self.sections.values(), self.actions) if t]


# --- writing --------------------------------------------------------------------------------------

def theme_choices(author: User, reflection: Reflection | None = None) -> list[ThemeChoice]:
    """The themes the author may choose, plus any the reflection already has that are no longer on
    offer (archived, or from an organisation they left), so editing never silently drops one."""
    current = list(reflection.themes) if reflection is not None else []
    offered = choices_for(author, include_archived_ids={link.theme_id for link in current if link.theme_id})
    values = {choice.value for choice in offered}
    return offered + [ThemeChoice(link.choice, label_of(link)) for link in current if link.choice not in values]


def _clean(data: ReflectionData) -> ReflectionData:
    keys = [section.key for section in SECTIONS[data.structure]]
    sections = {key: data.sections[key].strip() for key in keys if (data.sections.get(key) or "").strip()}
    title = (data.title or "").strip() or None
    actions = (data.actions or "").strip() or None
    if not (title or sections or actions):
        raise IncompleteReflection("an empty reflection cannot be saved")
    if data.status == Status.complete and not (title and data.practice_date and sections):
        raise IncompleteReflection("a finished reflection needs a title, a date and some text")
    if data.feeling is not None and not 1 <= data.feeling <= 5:
        raise ValueError("feeling is 1 to 5")
    return ReflectionData(status=data.status, structure=data.structure, title=title,
                          practice_date=data.practice_date, sections=sections, themes=list(data.themes),
                          feeling=data.feeling, actions=actions)


def _apply(reflection: Reflection, data: ReflectionData, author: User) -> None:
    reflection.status = data.status
    reflection.structure = data.structure
    reflection.title = data.title
    reflection.practice_date = data.practice_date
    reflection.sections = data.sections
    reflection.feeling = data.feeling
    reflection.actions = data.actions
    # Change the theme links in place: removing and re-adding one would trip its unique constraint.
    wanted = {link.choice: link for link in links_for(data.themes, theme_choices(author, reflection))}
    for link in list(reflection.themes):
        if link.choice not in wanted:
            reflection.themes.remove(link)
    have = {link.choice for link in reflection.themes}
    reflection.themes.extend(link for choice, link in wanted.items() if choice not in have)


def create_reflection(author: User, data: ReflectionData) -> Reflection:
    data = _clean(data)
    reflection = Reflection(author_id=author.id, structure=data.structure, themes=[])
    _apply(reflection, data, author)
    db.session.add(reflection)
    db.session.flush()
    return reflection


def update_reflection(reflection: Reflection, data: ReflectionData) -> Reflection:
    data = _clean(data)
    _apply(reflection, data, reflection.author)
    db.session.flush()
    return reflection


def delete_reflection(reflection: Reflection, actor: User) -> None:
    """Delete it with its shares, their view log and comments. The audit event holds no text."""
    reflection_id = reflection.id
    db.session.delete(reflection)
    db.session.flush()
    audit.record(action="reflection_deleted", actor_id=actor.id, target_type="reflection", target_id=reflection_id)


# Where a section's text goes when the author switches structure, if the new one has no section
# of the same key. Text is only ever moved and joined, never dropped.
_MOVES: dict[Structure, dict[str, str]] = {
    Structure.gibbs: {"what": "description", "so_what": "analysis", "now_what": "action_plan", "text": "description"},
    Structure.driscoll: {"description": "what", "feelings": "what", "evaluation": "so_what", "analysis": "so_what",
                         "conclusion": "so_what", "action_plan": "now_what", "text": "what"},
    Structure.free: {},
}


def move_sections(texts: dict[str, str], source: Structure, target: Structure) -> dict[str, str]:
    """The text of `source`'s sections placed in `target`'s sections, joined by blank lines."""
    target_keys = [section.key for section in SECTIONS[target]]
    moved: dict[str, list[str]] = {key: [] for key in target_keys}
    for section in SECTIONS[source]:
        text = (texts.get(section.key) or "").strip()
        if not text:
            continue
        key = section.key if section.key in moved else _MOVES[target].get(section.key, target_keys[0])
        moved[key].append(text)
    return {key: "\n\n".join(parts) for key, parts in moved.items()}


def load_shares(reflection: Reflection) -> None:
    """Load the reflection's shares with their supervisor, view log and comments in a fixed number
    of queries, whatever their number."""
    shares = db.session.scalars(
        select(ReflectionShare)
        .where(ReflectionShare.reflection_id == reflection.id)
        .order_by(ReflectionShare.created_at.desc(), ReflectionShare.id.desc())
        .options(selectinload(ReflectionShare.supervisor), selectinload(ReflectionShare.views),
                 selectinload(ReflectionShare.comments))
    ).all()
    set_committed_value(reflection, "shares", list(shares))


# --- finding --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReflectionFilters:
    q: str = ""
    theme: str | None = None  # "b:<key>" or "t:<id>", as in ReflectionTheme.choice
    structure: Structure | None = None
    status: Status | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.q.strip() or self.theme or self.structure or self.status or self.date_from or self.date_to)


@dataclass(frozen=True)
class ReflectionPage:
    reflections: list[Reflection]
    total: int  # how many match, over every page
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1
    per_page: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


def _conditions(author: User, filters: ReflectionFilters) -> list:
    conditions = [Reflection.author_id == author.id]
    if filters.structure is not None:
        conditions.append(Reflection.structure == filters.structure)
    if filters.status is not None:
        conditions.append(Reflection.status == filters.status)
    if filters.date_from is not None:
        conditions.append(Reflection.practice_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(Reflection.practice_date <= filters.date_to)
    if filters.theme:
        kind, _, ident = filters.theme.partition(":")
        if kind == "b":
            link = ReflectionTheme.builtin == ident
        elif kind == "t" and ident.isdigit():
            link = ReflectionTheme.theme_id == int(ident)
        else:
            link = false()
        conditions.append(exists().where(and_(ReflectionTheme.reflection_id == Reflection.id, link)))
    return conditions


def _newest_first(query: Select) -> Select:
    # Drafts without a date come first: they are the ones still being written.
    return query.order_by(Reflection.practice_date.desc().nulls_first(), Reflection.updated_at.desc(),
                          Reflection.id.desc())


def _clamp(page: int, total: int, per_page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / per_page))
    return min(max(1, page), pages), pages


_LIST_OPTIONS = (defer(Reflection.sections), defer(Reflection.actions),
                 selectinload(Reflection.themes).selectinload(ReflectionTheme.theme))


def _page_of(ids: list[int]) -> list[Reflection]:
    """The reflections for one page, with their themes, in the order of `ids`. The list shows no
    section text or actions, so those are not even decrypted."""
    if not ids:
        return []
    rows = db.session.scalars(select(Reflection).where(Reflection.id.in_(ids)).options(*_LIST_OPTIONS)).all()
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def list_reflections(author: User, filters: ReflectionFilters, page: int = 1,
                     per_page: int = PER_PAGE) -> ReflectionPage:
    """One page of the author's reflections, newest first. Without search words this filters in
    SQL, in a fixed number of queries (a count, then the page with its themes)."""
    if filters.q.strip():
        return search_reflections(author, filters, page, per_page)
    conditions = _conditions(author, filters)
    total = db.session.scalar(select(func.count()).select_from(Reflection).where(*conditions)) or 0
    page, pages = _clamp(page, total, per_page)
    reflections = list(db.session.scalars(
        _newest_first(select(Reflection).where(*conditions)).offset((page - 1) * per_page).limit(per_page)
        .options(*_LIST_OPTIONS)
    ))
    return ReflectionPage(reflections, total, page, pages, per_page)


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining mark (accents, the Welsh to bach), for one C-speed str.translate."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def fold(text: str) -> str:
    """Text as search compares it: case and accents ignored, so "ŵ" matches "w" and "É" matches "e"."""
    folded = text.casefold()
    if folded.isascii():  # most text: nothing to decompose
        return folded
    return unicodedata.normalize("NFKD", folded).translate(_combining_marks())


def search_reflections(author: User, filters: ReflectionFilters, page: int = 1,
                       per_page: int = PER_PAGE) -> ReflectionPage:
    """The author's reflections that contain every word of `filters.q` (in the title, any section
    or the actions), after the other filters, newest first, one page of them.

    One query loads only the id and the encrypted columns of the rows the SQL filters leave, all
    of them the author's own; they are decrypted and matched here; then the page is loaded.
    """
    words = [fold(word) for word in filters.q.split()]
    conditions = _conditions(author, filters)
    rows = db.session.execute(
        _newest_first(select(Reflection.id, Reflection.title, Reflection.sections, Reflection.actions)
                      .where(*conditions))
    ).all()
    matches = []
    for reflection_id, title, sections, actions in rows:
        haystack = fold("\n".join(t for t in (title, *(sections or {}).values(), actions) if t))
        if all(word in haystack for word in words):
            matches.append(reflection_id)
    page, pages = _clamp(page, len(matches), per_page)
    ids = matches[(page - 1) * per_page: page * per_page]
    return ReflectionPage(_page_of(ids), len(matches), page, pages, per_page)


def theme_ids_used(author: User) -> set[int]:
    """The organisation themes on the author's reflections, so the filter offers archived ones too."""
    return set(db.session.scalars(
        select(ReflectionTheme.theme_id).distinct()
        .join(Reflection, Reflection.id == ReflectionTheme.reflection_id)
        .where(Reflection.author_id == author.id, ReflectionTheme.theme_id.is_not(None))
    ))
