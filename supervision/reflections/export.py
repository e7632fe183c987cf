"""The author's own reflections to take away: as JSON, as a PDF, and as a section of My data.

Everything here works on one author's reflections only (the caller passes the author); a
supervisor appears by id, never by name, as in every export of a person's data.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from ..mydata.sections import ExportSection, PdfTable, iso
from ..pdf import render_pdf_template
from .models import Reflection, ReflectionShare, ReflectionTheme, ShareLength, Status
from .structures import FEELINGS, SECTIONS, STRUCTURE_LABELS
from .themes import label_of

FORMAT = "cwtch-reflections"
FORMAT_VERSION = 1
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class SectionText:
    key: str
    heading: str | None  # None for a section the structure no longer has (its text is kept)
    prompt: str | None
    text: str


# --- loading ----------------------------------------------------------------------------------

def _with_everything(query):
    """Themes, shares, views and comments in a fixed number of queries, however many reflections."""
    return query.options(
        selectinload(Reflection.themes).selectinload(ReflectionTheme.theme),
        selectinload(Reflection.shares).selectinload(ReflectionShare.views),
        selectinload(Reflection.shares).selectinload(ReflectionShare.comments),
    )


def reflections_of(author: User) -> list[Reflection]:
    """All of the author's reflections, drafts included, newest practice first."""
    found = db.session.scalars(_with_everything(select(Reflection).where(Reflection.author_id == author.id))).all()
    return sorted(found, key=_newest_first, reverse=True)


def with_everything(reflection: Reflection) -> Reflection:
    """One reflection (already authorised) with its shares, views and comments loaded."""
    return db.session.scalars(
        _with_everything(select(Reflection).where(Reflection.id == reflection.id))
        .execution_options(populate_existing=True)
    ).one()


def _newest_first(reflection: Reflection) -> tuple:
    created = reflection.created_at
    return (reflection.practice_date or created.astimezone(LONDON).date(), created, reflection.id)


# --- what a reflection says, in the current language -------------------------------------------

def sections_of(reflection: Reflection) -> list[SectionText]:
    """The structure's sections in order (empty ones too), then any text under a key it no longer has."""
    stored = dict(reflection.sections or {})
    result = [
        SectionText(section.key, str(section.label), str(section.hint), str(stored.pop(section.key, "") or ""))
        for section in SECTIONS[reflection.structure]
    ]
    result += [SectionText(key, None, None, str(text)) for key, text in stored.items() if text]
    return result


def theme_labels(reflection: Reflection) -> list[str]:
    return [label for label in (label_of(link) for link in reflection.themes) if label]


def status_label(reflection: Reflection) -> str:
    return _("Draft") if reflection.status == Status.draft else _("Finished")


def feeling_label(reflection: Reflection) -> str | None:
    if reflection.feeling is None:
        return None
    return f"{reflection.feeling} – {FEELINGS.get(reflection.feeling, '')}"


def share_length_label(length: ShareLength) -> str:
    return {
        ShareLength.week: _("7 days"),
        ShareLength.month: _("30 days"),
        ShareLength.next_session: _("Until the next supervision session"),
    }[length]


# --- JSON ---------------------------------------------------------------------------------------

def record_of(reflection: Reflection) -> dict:
    """One reflection as JSON. Call inside force_locale: prompts and themes are in that language."""
    return {
        "id": reflection.id,
        "status": reflection.status.value,
        "structure": reflection.structure.value,
        "title": reflection.title,
        "practice_date": reflection.practice_date.isoformat() if reflection.practice_date else None,
        "sections": [
            {"key": s.key, "heading": s.heading, "prompt": s.prompt, "text": s.text} for s in sections_of(reflection)
        ],
        "themes": theme_labels(reflection),
        "feeling": reflection.feeling,
        "actions": reflection.action_list,
        "created_at": iso(reflection.created_at),
        "updated_at": iso(reflection.updated_at),
        "shares": [
            {
                "supervisor_id": share.supervisor_id,
                "length": share.length.value,
                "created_at": iso(share.created_at),
                "expires_at": iso(share.expires_at),
                "revoked_at": iso(share.revoked_at),
                "views": [iso(view.viewed_at) for view in sorted(share.views, key=lambda v: v.viewed_at)],
                "comments": [{"created_at": iso(c.created_at), "text": c.body} for c in share.comments],
            }
            for share in sorted(reflection.shares, key=lambda s: (s.created_at, s.id))
        ],
    }


def json_document(*, author: User, reflections: list[Reflection], now: datetime) -> bytes:
    with force_locale(author.preferred_language):
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": iso(now),
            "language": author.preferred_language,
            "reflections": [record_of(r) for r in reflections],
        }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- PDF ----------------------------------------------------------------------------------------

def pdf_document(*, author: User, reflections: list[Reflection], now: datetime, single: bool = False) -> bytes:
    """The reflections as a printable PDF in the author's own language."""
    language = author.preferred_language
    with force_locale(language):
        title = _("Your reflection") if single else _("Your reflections")
        return render_pdf_template(
            "reflections/pdf.html",
            title=f"{title} – Cwtch",
            language=language,
            heading=title,
            author=author,
            reflections=reflections,
            generated_at=now,
            sections_of=sections_of,
            theme_labels=theme_labels,
            status_label=status_label,
            feeling_label=feeling_label,
            share_length_label=share_length_label,
            structure_label=lambda r: str(STRUCTURE_LABELS[r.structure]),
            single=single,
        )


def file_name(extension: str, *, now: datetime, reflection: Reflection | None = None) -> str:
    day = now.astimezone(LONDON).date().isoformat()
    if reflection is not None:
        return f"cwtch-reflection-{reflection.id}-{day}.{extension}"
    return f"cwtch-reflections-{day}.{extension}"


# --- My data -------------------------------------------------------------------------------------

def _day(value: date | None) -> str:
    return current_app.jinja_env.filters["date"](value) if value else ""


def reflections_section(user: User) -> ExportSection:
    """The person's reflections in their My data download: every word of them, and their shares."""
    reflections = reflections_of(user)
    data = [record_of(r) for r in reflections]

    def name(r: Reflection) -> str:
        return r.title or _("Untitled")

    overview = PdfTable(
        _("Your reflections"),
        [_("Title"), _("Date of practice"), _("Status"), _("Structure"), _("Themes"), _("How I feel now")],
        [[name(r), _day(r.practice_date), status_label(r), str(STRUCTURE_LABELS[r.structure]),
          ", ".join(theme_labels(r)), feeling_label(r)] for r in reflections],
        empty=_("You have no reflections."),
    )
    texts = PdfTable(
        _("What your reflections say"),
        [_("Reflection"), _("Section"), _("Text")],
        [[name(r), s.heading or s.key, s.text] for r in reflections for s in sections_of(r) if s.text]
        + [[name(r), _("What I’ll try next"), action] for r in reflections for action in r.action_list],
        empty=_("You have no reflections."),
        widths=[22, 18, 60],
    )
    shares = PdfTable(
        _("Reflections you shared"),
        [_("Reflection"), _("Shared"), _("For"), _("Until"), _("Stopped early"), _("Views")],
        [[name(r), s.created_at, share_length_label(s.length), s.expires_at, s.revoked_at, len(s.views)]
         for r in reflections for s in r.shares],
        empty=_("You have not shared a reflection."),
    )
    comments = PdfTable(
        _("Comments from your supervisors"),
        [_("Reflection"), _("Time"), _("Comment")],
        [[name(r), c.created_at, c.body] for r in reflections for s in r.shares for c in s.comments],
        empty=_("There are no comments on your reflections."),
        widths=[25, 20, 55],
    )
    return ExportSection("reflections", data, [overview, texts, shares, comments])
