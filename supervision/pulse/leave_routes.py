"""A link worker's own leave: while they are away the survey jobs send them nothing."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..permissions import role_required
from . import leave as leave_service
from .blueprint import bp
from .leave_forms import LeaveForm


def _me():
    return current_user._get_current_object()


@bp.route("/leave", methods=["GET", "POST"])
@role_required(Role.link_worker)
def leave():
    me, now = _me(), utcnow()
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            leave_service.add_leave(me, form.starts_on.data, form.ends_on.data, me, now)
        except leave_service.LeaveError as error:
            form.refuse(error)
        else:
            db.session.commit()
            flash(_("Your leave has been added. We will send you no survey reminders during it"), "success")
            return redirect(url_for("pulse.leave"))
    periods = leave_service.leave_of(me, since=leave_service.london_today(now))
    return render_template("pulse/leave.html", form=form, periods=periods), 400 if form.errors else 200


@bp.post("/leave/<int:leave_id>/remove")
@role_required(Role.link_worker)
def leave_remove(leave_id: int):
    me = _me()
    period = leave_service.leave_or_none(me, leave_id)
    if period is None or not leave_service.can_change_leave(me, period):
        abort(404)
    if ConfirmForm().validate_on_submit():
        leave_service.remove_leave(period, by=me)
        db.session.commit()
        flash(_("That leave has been removed"), "success")
    return redirect(url_for("pulse.leave"))
