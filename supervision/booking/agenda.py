"""The agenda a new booking starts with, drawn only from the link worker's own words: the actions
of reflections they currently share with the supervisor, and those agreed at their last session."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..reflections.models import Reflection, ReflectionShare
from .models import Booking, SessionRecord, SupervisionSession
from .steps import now_or_utcnow


def _bullet(line: str) -> str:
    """An action without any bullet its author typed, so that "- Call Sam" and "Call Sam" match."""
    return line.lstrip("-*•· \t").strip()


def agenda_prefill(*, link_worker: User, supervisor: User, now: datetime | None = None) -> str:
    """The agenda a new booking starts with: the "what I'll try next" actions of reflections
    currently shared with this supervisor, and the actions agreed at the last recorded session.
    One "- " bullet per action, each once. Two queries."""
    now = now_or_utcnow(now)
    reflections = db.session.scalars(
        select(Reflection)
        .where(Reflection.author_id == link_worker.id,
               Reflection.id.in_(select(ReflectionShare.reflection_id).where(
                   ReflectionShare.supervisor_id == supervisor.id, ReflectionShare.revoked_at.is_(None),
                   ReflectionShare.expires_at > now)))
        .order_by(Reflection.practice_date, Reflection.id)
    ).all()
    record = db.session.scalar(
        select(SessionRecord)
        .join(Booking, Booking.id == SessionRecord.booking_id)
        .join(SupervisionSession, SupervisionSession.id == Booking.session_id)
        .where(Booking.link_worker_id == link_worker.id, SupervisionSession.supervisor_id == supervisor.id,
               SupervisionSession.starts_at <= now)
        .order_by(SupervisionSession.starts_at.desc(), SessionRecord.id.desc()).limit(1)
    )
    actions = [line for reflection in reflections for line in reflection.action_list]
    if record is not None:
        actions += record.action_list
    seen: set[str] = set()
    lines = []
    for action in map(_bullet, actions):
        if action and action.casefold() not in seen:
            seen.add(action.casefold())
            lines.append(f"- {action}")
    return "\n".join(lines)
