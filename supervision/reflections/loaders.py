"""Load an object for the signed-in person or answer 404: another person's object is never revealed."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from .models import Reflection, ReflectionShare, ReflectionTheme
from .permissions import can_manage, can_view_share


def reflection_for_author_or_404(user: User, reflection_id: int) -> Reflection:
    reflection = db.session.scalar(
        select(Reflection)
        .where(Reflection.id == reflection_id, Reflection.author_id == user.id)
        .options(selectinload(Reflection.themes).selectinload(ReflectionTheme.theme))
    )
    if reflection is None or not can_manage(user, reflection):
        abort(404)
    return reflection


def share_for_supervisor_or_404(user: User, share_id: int) -> ReflectionShare:
    share = db.session.scalar(
        select(ReflectionShare).where(ReflectionShare.id == share_id, ReflectionShare.supervisor_id == user.id)
    )
    if share is None or not can_view_share(user, share):
        abort(404)
    return share
