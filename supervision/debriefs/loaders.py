"""Loading a request for a route: another person's request answers 404, never 403."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from .models import DebriefCheckIn, DebriefRequest
from .permissions import can_see, is_owner


def _load(request_id: int) -> DebriefRequest | None:
    return db.session.scalar(
        select(DebriefRequest).where(DebriefRequest.id == request_id)
        .options(selectinload(DebriefRequest.events), selectinload(DebriefRequest.check_ins))
    )


def request_for_owner_or_404(user: User, request_id: int) -> DebriefRequest:
    """The link worker's own request."""
    request = _load(request_id)
    if request is None or not is_owner(user, request):
        abort(404)
    return request


def request_for_supervisor_or_404(user: User, request_id: int) -> DebriefRequest:
    """A request this supervisor triages or handles; never their own request as a link worker."""
    request = _load(request_id)
    if request is None or is_owner(user, request) or not can_see(user, request):
        abort(404)
    return request


def check_in_for_owner_or_404(user: User, request_id: int, day: int) -> DebriefCheckIn:
    request = request_for_owner_or_404(user, request_id)
    for check_in in request.check_ins:
        if check_in.day == day:
            return check_in
    abort(404)
