"""Sharing one reflection with one supervisor: making and revoking shares, the view log and comments.

These functions flush, never commit. Nothing here puts a reflection's text in a notification or
an email: those say only that something happened.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..accounts.supervisors import link_workers_of, supervises
from ..db import utcnow
from ..extensions import db
from ..notifications.services import notify, path_for
from .models import Reflection, ReflectionShare, ShareComment, ShareLength, ShareView, Status
from .permissions import can_share_with

# "Until the next supervision session" still ends by itself: no share is open-ended.
NEXT_SESSION_CAP = timedelta(days=90)
LENGTH_DAYS = {ShareLength.week: timedelta(days=7), ShareLength.month: timedelta(days=30)}
MAX_COMMENT = 5_000
# The home page counts a supervisor's comments as new for this long.
RECENT_COMMENT_DAYS = 14


class SharingError(Exception):
    """A sharing rule was broken; `code` says which, for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def next_session_end(author_id: int, supervisor_id: int, after: datetime) -> datetime | None:
    """When the author's next supervision session with this supervisor ends, if one is booked: the
    end of their next active, confirmed one-to-one session with them that ends after `after`."""
    from ..booking.models import Booking, BookingStatus, SessionKind, SessionStatus, SupervisionSession

    return db.session.scalar(
        select(func.min(SupervisionSession.ends_at))
        .join(Booking, Booking.session_id == SupervisionSession.id)
        .where(Booking.link_worker_id == author_id, Booking.status == BookingStatus.confirmed,
               SupervisionSession.supervisor_id == supervisor_id,
               SupervisionSession.kind == SessionKind.one_to_one,
               SupervisionSession.status == SessionStatus.active,
               SupervisionSession.ends_at > after)
    )


def expiry_for(length: ShareLength, *, author_id: int, supervisor_id: int, now: datetime) -> datetime:
    if length in LENGTH_DAYS:
        return now + LENGTH_DAYS[length]
    cap = now + NEXT_SESSION_CAP
    session_end = next_session_end(author_id, supervisor_id, now)
    return min(session_end, cap) if session_end is not None and session_end > now else cap


def sync_next_session_shares(author_id: int, supervisor_id: int, now: datetime) -> int:
    """Make live "until the next session" shares from this author to this supervisor end when their
    next session now ends (a booking was confirmed, moved or cancelled), and never later than
    NEXT_SESSION_CAP after they were made. Marks the shares that end because the session ends.
    Says how many shares it changed."""
    shares = db.session.scalars(
        select(ReflectionShare)
        .join(Reflection, Reflection.id == ReflectionShare.reflection_id)
        .where(Reflection.author_id == author_id, ReflectionShare.supervisor_id == supervisor_id,
               ReflectionShare.length == ShareLength.next_session,
               ReflectionShare.revoked_at.is_(None), ReflectionShare.expires_at > now)
    ).all()
    if not shares:
        return 0
    session_end = next_session_end(author_id, supervisor_id, now)
    changed = 0
    for share in shares:
        cap = share.created_at + NEXT_SESSION_CAP
        by_session = session_end is not None and session_end < cap
        expires_at = session_end if by_session else cap
        if expires_at <= share.created_at:  # cannot happen for a live share; the CHECK would refuse it
            continue
        if share.expires_at != expires_at or share.ended_by_session != by_session:
            share.expires_at, share.ended_by_session = expires_at, by_session
            changed += 1
    db.session.flush()
    return changed


def share_reflection(*, reflection: Reflection, supervisor: User, length: ShareLength,
                     now: datetime | None = None) -> ReflectionShare:
    """Share a finished reflection with one of its author's supervisors, and tell them.

    Sharing again with the same supervisor while a share is live replaces it, so that each share
    keeps its own period and view log.
    """
    now = now or utcnow()
    if reflection.status != Status.complete:
        raise SharingError("not_complete")
    if not can_share_with(reflection.author, supervisor):
        raise SharingError("not_a_supervisor")
    db.session.execute(
        update(ReflectionShare)
        .where(
            ReflectionShare.reflection_id == reflection.id,
            ReflectionShare.supervisor_id == supervisor.id,
            ReflectionShare.revoked_at.is_(None),
            ReflectionShare.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    expires_at = expiry_for(length, author_id=reflection.author_id, supervisor_id=supervisor.id, now=now)
    share = ReflectionShare(
        reflection=reflection, supervisor_id=supervisor.id, length=length, created_at=now, expires_at=expires_at,
        # Ends with the next session rather than at the cap: the share stays in step with the booking.
        ended_by_session=length == ShareLength.next_session and expires_at < now + NEXT_SESSION_CAP,
    )
    db.session.add(share)
    db.session.flush()
    notify(user=supervisor, kind="reflection_shared", dedupe_key=f"reflection-shared:{share.id}",
           link=path_for("reflections.shared_view", share_id=share.id))
    return share


def revoke_share(*, share: ReflectionShare, now: datetime | None = None) -> bool:
    """End a live share now. Says whether it was live: a second click changes nothing."""
    now = now or utcnow()
    if not share.is_live(now):
        return False
    share.revoked_at = now
    db.session.flush()
    return True


def revoke_shares_between(*, author_id: int, supervisor_id: int, now: datetime | None = None) -> int:
    """End every live share from this author to this supervisor, unless they still supervise them.

    Called when an assignment ends: through another organisation the supervisor may still be one of
    the author's supervisors, and then the author's choice to share stands.
    """
    if supervises(supervisor_id, author_id):
        return 0
    now = now or utcnow()
    reflection_ids = select(Reflection.id).where(Reflection.author_id == author_id).scalar_subquery()
    result = db.session.execute(
        update(ReflectionShare)
        .where(
            ReflectionShare.supervisor_id == supervisor_id,
            ReflectionShare.reflection_id.in_(reflection_ids),
            ReflectionShare.revoked_at.is_(None),
            ReflectionShare.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def record_view(*, share: ReflectionShare, now: datetime | None = None) -> ShareView:
    view = ShareView(share_id=share.id, viewed_at=now or utcnow())
    db.session.add(view)
    db.session.flush()
    return view


def add_comment(*, share: ReflectionShare, body: str, now: datetime | None = None) -> ShareComment:
    """The supervisor's comment, for the author; the author is told that there is one, not what it says."""
    body = body.strip()
    if not body:
        raise SharingError("comment_empty")
    if len(body) > MAX_COMMENT:
        raise SharingError("comment_too_long")
    comment = ShareComment(share_id=share.id, body=body, created_at=now or utcnow())
    db.session.add(comment)
    db.session.flush()
    notify(user=share.reflection.author, kind="reflection_comment", dedupe_key=f"reflection-comment:{comment.id}",
           link=path_for("reflections.view", reflection_id=share.reflection_id))
    return comment


# --- what a supervisor sees ------------------------------------------------------------------------

def _live_to(supervisor: User, now: datetime):
    """Live shares to this supervisor, of finished reflections by the people they supervise now."""
    author_ids = [person.id for person in link_workers_of(supervisor)]
    return (
        select(ReflectionShare)
        .join(Reflection, Reflection.id == ReflectionShare.reflection_id)
        .where(
            ReflectionShare.supervisor_id == supervisor.id,
            ReflectionShare.revoked_at.is_(None),
            ReflectionShare.expires_at > now,
            Reflection.status == Status.complete,
            Reflection.author_id.in_(author_ids),
        )
    )


@dataclass(frozen=True)
class SharedWithMe:
    share: ReflectionShare
    views: int
    comments: int


def shared_with(supervisor: User, now: datetime | None = None) -> list[SharedWithMe]:
    """Everything shared with this supervisor now, newest first, in a fixed number of queries."""
    now = now or utcnow()
    shares = db.session.scalars(
        _live_to(supervisor, now)
        .options(joinedload(ReflectionShare.reflection).joinedload(Reflection.author))
        .order_by(ReflectionShare.created_at.desc(), ReflectionShare.id.desc())
    ).all()
    ids = [share.id for share in shares]
    views = _counts(ShareView.share_id, ids)
    comments = _counts(ShareComment.share_id, ids)
    return [SharedWithMe(share, views.get(share.id, 0), comments.get(share.id, 0)) for share in shares]


def _counts(column, share_ids: list[int]) -> dict[int, int]:
    if not share_ids:
        return {}
    return dict(db.session.execute(
        select(column, func.count()).where(column.in_(share_ids)).group_by(column)
    ).all())


def shared_count(supervisor: User, now: datetime | None = None) -> int:
    query = _live_to(supervisor, now or utcnow())
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def recent_comment_count(author: User, now: datetime | None = None) -> int:
    """Supervisors' comments on the author's reflections in the last RECENT_COMMENT_DAYS days."""
    since = (now or utcnow()) - timedelta(days=RECENT_COMMENT_DAYS)
    return db.session.scalar(
        select(func.count())
        .select_from(ShareComment)
        .join(ReflectionShare, ReflectionShare.id == ShareComment.share_id)
        .join(Reflection, Reflection.id == ReflectionShare.reflection_id)
        .where(Reflection.author_id == author.id, ShareComment.created_at >= since)
    ) or 0
