"""The notifications page and marking notifications as read."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..forms import ConfirmForm
from ..security import safe_next
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    me = current_user._get_current_object()
    return render_template(
        "notifications/index.html",
        notifications=services.recent_for(me),
        form=ConfirmForm(),
    )


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Open a notification: it is marked read and the person goes to what it is about."""
    notification = services.notification_for(current_user._get_current_object(), notification_id)
    if notification is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_read(notification)
    db.session.commit()
    return redirect(safe_next(notification.link) or url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("notifications.index"))
