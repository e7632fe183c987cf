"""Sharing a summary of one's trend with one supervisor: making and revoking shares, the view log,
and what a supervisor sees. These functions flush, never commit.

A share opens only the summary (trend.summary_of): the single item's values and the CBI scale
scores by period. Never a comment, never an answer to S1–S3. The notification and its email say
only that a summary was shared, never a score.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.models import User
from ..accounts.supervisors import link_workers_of, supervises
from ..db import utcnow
from ..extensions import db
from ..notifications.services import notify, path_for
from .models import TrendShare, TrendShareView
from .permissions import can_share_trend_with, can_view_trend_share


class TrendSharingError(Exception):
    """A sharing rule was broken; `code` says which, for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _lock_owner(owner_id: int) -> None:
    """Serialise two shares by the same person at once, so that a double click never makes two live
    shares with one supervisor. PostgreSQL locks the person's row; SQLite has one writer anyway."""
    db.session.execute(select(User.id).where(User.id == owner_id).with_for_update())


def live_share(owner: User, supervisor: User) -> TrendShare | None:
    return db.session.scalar(
        select(TrendShare).where(TrendShare.owner_id == owner.id, TrendShare.supervisor_id == supervisor.id,
                                 TrendShare.revoked_at.is_(None)).order_by(TrendShare.id).limit(1))


def share_trend(*, owner: User, supervisor: User, now: datetime | None = None) -> tuple[TrendShare, bool]:
    """Share a summary of the owner's trend with one of their supervisors, and tell the supervisor.

    Sharing again while a share with them is live changes nothing: says whether a share was made.
    """
    if not can_share_trend_with(owner, supervisor):
        raise TrendSharingError("not_a_supervisor")
    _lock_owner(owner.id)
    existing = live_share(owner, supervisor)
    if existing is not None:
        return existing, False
    share = TrendShare(owner_id=owner.id, supervisor_id=supervisor.id, created_at=now or utcnow())
    db.session.add(share)
    db.session.flush()
    notify(user=supervisor, kind="trend_shared", dedupe_key=f"trend-shared:{share.id}",
           link=path_for("pulse.shared_trend", share_id=share.id))
    return share, True


def revoke_share(*, share: TrendShare, now: datetime | None = None) -> bool:
    """Stop sharing now. Says whether it was live: a second click changes nothing."""
    if not share.live:
        return False
    share.revoked_at = now or utcnow()
    db.session.flush()
    return True


def revoke_shares_between(*, owner_id: int, supervisor_id: int, now: datetime | None = None) -> int:
    """End the owner's live shares with this supervisor, unless they still supervise them (through
    another organisation): for when an assignment ends, as reflections' shares do."""
    if supervises(supervisor_id, owner_id):
        return 0
    result = db.session.execute(
        update(TrendShare)
        .where(TrendShare.owner_id == owner_id, TrendShare.supervisor_id == supervisor_id,
               TrendShare.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def record_view(*, share: TrendShare, now: datetime | None = None) -> TrendShareView:
    view = TrendShareView(share_id=share.id, viewed_at=now or utcnow())
    db.session.add(view)
    db.session.flush()
    return view


# The page and its charts arrive together: one look, one entry in the owner's log.
SAME_LOOK = timedelta(minutes=2)


def record_chart_view(*, share: TrendShare, now: datetime | None = None) -> bool:
    """A chart opened on its own shows the figures too, so it is logged, unless the page that
    holds it was logged moments ago. Says whether it logged a view."""
    now = now or utcnow()
    recent = db.session.scalar(select(TrendShareView.id).where(
        TrendShareView.share_id == share.id, TrendShareView.viewed_at > now - SAME_LOOK).limit(1))
    if recent is not None:
        return False
    record_view(share=share, now=now)
    return True


def share_of_owner(owner: User, share_id: int) -> TrendShare | None:
    """The owner's own share, or None (the route answers 404)."""
    return db.session.scalar(select(TrendShare).where(TrendShare.id == share_id, TrendShare.owner_id == owner.id))


def live_shares_of(owner: User) -> list[TrendShare]:
    """The owner's live shares with their supervisor and view log, newest first, in three queries."""
    return list(db.session.scalars(
        select(TrendShare).where(TrendShare.owner_id == owner.id, TrendShare.revoked_at.is_(None))
        .options(joinedload(TrendShare.supervisor), selectinload(TrendShare.views))
        .order_by(TrendShare.created_at.desc(), TrendShare.id.desc())))


# --- what a supervisor sees ----------------------------------------------------------------------------

def share_for_supervisor(supervisor: User, share_id: int) -> TrendShare | None:
    """A share this supervisor may open now, or None: revoked, someone else's, or its owner no
    longer supervised by them all look the same (the route answers 404)."""
    share = db.session.scalar(
        select(TrendShare).where(TrendShare.id == share_id, TrendShare.supervisor_id == supervisor.id)
        .options(joinedload(TrendShare.owner)))
    if share is None or not can_view_trend_share(supervisor, share):
        return None
    return share


@dataclass(frozen=True)
class SharedTrend:
    share: TrendShare
    views: int


def _live_to(supervisor: User):
    owner_ids = [person.id for person in link_workers_of(supervisor)]
    return select(TrendShare).where(TrendShare.supervisor_id == supervisor.id, TrendShare.revoked_at.is_(None),
                                    TrendShare.owner_id.in_(owner_ids))


def shared_with(supervisor: User) -> list[SharedTrend]:
    """Live shares with this supervisor from people they supervise now, by name, in a fixed number
    of queries."""
    shares = db.session.scalars(
        _live_to(supervisor).join(TrendShare.owner).options(contains_eager(TrendShare.owner))
        .order_by(User.name, TrendShare.id)).all()
    ids = [share.id for share in shares]
    views = dict(db.session.execute(
        select(TrendShareView.share_id, func.count()).where(TrendShareView.share_id.in_(ids))
        .group_by(TrendShareView.share_id)).all()) if ids else {}
    return [SharedTrend(share, views.get(share.id, 0)) for share in shares]


def shared_count(supervisor: User) -> int:
    return db.session.scalar(select(func.count()).select_from(_live_to(supervisor).subquery())) or 0
