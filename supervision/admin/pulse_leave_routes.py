"""Admin pages for marking survey leave for one of an organisation's people: the dates only.
An admin sees and changes when someone is away, never why (no reason is stored), and nothing of
their surveys. Someone outside the organisation answers 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..accounts.models import Organisation, Role, User
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..permissions import organisation_for_admin_or_404, role_required
from ..pulse import leave as leave_service
from ..pulse.leave_forms import LeaveForm
from ..pulse.permissions import can_mark_leave_for
from ..security import require_recent_auth
from . import services
from .routes import _me, bp


def _person_or_404(organisation: Organisation, user_id: int) -> User:
    person = services.member_or_none(organisation, user_id)
    if person is None or not can_mark_leave_for(_me(), person):
        abort(404)
    return person


def _back(organisation: Organisation, person: User):
    return redirect(url_for("admin.survey_leave", organisation_id=organisation.id, user_id=person.id))


@bp.route("/organisations/<int:organisation_id>/people/<int:user_id>/survey-leave", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def survey_leave(organisation_id: int, user_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    person = _person_or_404(organisation, user_id)
    now = utcnow()
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            leave_service.add_leave(person, form.starts_on.data, form.ends_on.data, _me(), now,
                                    organisation_id=organisation.id)
        except leave_service.LeaveError as error:
            form.refuse(error)
        else:
            db.session.commit()
            flash(_("Leave added for %(name)s", name=person.name), "success")
            return _back(organisation, person)
    periods = leave_service.leave_of(person, since=leave_service.london_today(now))
    # A form with errors is shown again with 200, as the other admin pages do.
    return render_template("admin/survey_leave.html", organisation=organisation, person=person, form=form,
                           periods=periods)


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/survey-leave/<int:leave_id>/remove")
@role_required(Role.admin)
@require_recent_auth
def survey_leave_remove(organisation_id: int, user_id: int, leave_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    person = _person_or_404(organisation, user_id)
    period = leave_service.leave_or_none(person, leave_id)
    if period is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        leave_service.remove_leave(period, by=_me(), organisation_id=organisation.id)
        db.session.commit()
        flash(_("Leave removed for %(name)s", name=person.name), "success")
    return _back(organisation, person)
