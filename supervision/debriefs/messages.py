"""Telling people about debrief requests: an in-app notification and an email, each saying only
that something happened ("you have a new debrief request: sign in to view it"), never the content."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..notifications.services import notify, path_for
from .models import DebriefCheckIn, DebriefRequest


def tell_supervisors(request: DebriefRequest, user_ids: list[int], kind: str, *, now: datetime) -> int:
    """Notify each of these supervisors once per request, kind and assignment."""
    if not user_ids:
        return 0
    people = db.session.scalars(select(User).where(User.id.in_(user_ids), User.active.is_(True))
                                .order_by(User.id)).all()
    sent = 0
    for person in people:
        key = f"debrief:{request.id}:{kind}:{person.id}"
        if notify(user=person, kind=kind, dedupe_key=key,
                  link=path_for("debriefs.supervisor_view", request_id=request.id)) is not None:
            sent += 1
    return sent


def tell_link_worker(request: DebriefRequest, kind: str, *, now: datetime) -> None:
    notify(user=request.link_worker, kind=kind, dedupe_key=f"debrief:{request.id}:{kind}",
           link=path_for("debriefs.view", request_id=request.id))


def tell_check_in_due(check_in: DebriefCheckIn, *, now: datetime) -> bool:
    return notify(user=check_in.request.link_worker, kind="debrief_check_in",
                  dedupe_key=f"debrief-check-in:{check_in.id}",
                  link=path_for("debriefs.check_in", request_id=check_in.request_id,
                                day=check_in.day)) is not None


def tell_handler_of_check_in(check_in: DebriefCheckIn, *, now: datetime) -> None:
    request = check_in.request
    handler = request.handler
    if handler is None or not handler.active:
        return
    notify(user=handler, kind="debrief_check_in_answered", dedupe_key=f"debrief-check-in-answered:{check_in.id}",
           link=path_for("debriefs.supervisor_view", request_id=request.id))


def tell_admins_waiting(request: DebriefRequest, admin_ids: list[int], *, now: datetime) -> int:
    """The organisation's admins hear only that an urgent request is waiting: no name, no category,
    no urgency, no description, and a link to their own admin page rather than to the request."""
    people = db.session.scalars(select(User).where(User.id.in_(admin_ids), User.active.is_(True))
                                .order_by(User.id)).all() if admin_ids else []
    sent = 0
    for person in people:
        if notify(user=person, kind="debrief_waiting_admin", dedupe_key=f"debrief-escalated:{request.id}:{person.id}",
                  link=path_for("admin.people", organisation_id=request.organisation_id)) is not None:
            sent += 1
    return sent
