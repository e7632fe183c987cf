"""Admin pages for an organisation's support settings: the working days and hours that debrief
targets count in, the employer's support contacts, and the helplines link workers are shown.
Another organisation's helpline answers 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..accounts.models import Role
from ..extensions import db
from ..permissions import organisation_for_admin_or_404, role_required
from ..security import require_recent_auth
from ..support import services
from ..support.services import MAX_HELPLINES
from .routes import _me, bp
from .support_forms import (
    SUPPORT_MESSAGES,
    HelplineForm,
    HelplineMoveForm,
    HelplineRemoveForm,
    SupportSettingsForm,
    mask_to_days,
)


def _settings_of(organisation) -> dict:
    return {
        "working_days": mask_to_days(organisation.working_days),
        "working_day_start": organisation.working_day_start_minute,
        "working_day_end": organisation.working_day_end_minute,
        **{column: getattr(organisation, column) for column in services.CONTACT_COLUMNS},
    }


@bp.route("/organisations/<int:organisation_id>/support", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def support(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    # On a POST the typed values win (FlaskForm reads the request); `data` only fills a GET.
    form = SupportSettingsForm(data=_settings_of(organisation))
    if form.validate_on_submit():
        services.update_working_week(organisation=organisation, actor=_me(), days=form.days_mask,
                                     start_minute=form.working_day_start.minutes,
                                     end_minute=form.working_day_end.minutes)
        services.update_contacts(organisation=organisation, actor=_me(),
                                 **{column: getattr(form, column).data for column in services.CONTACT_COLUMNS})
        db.session.commit()
        flash(_("Support and working hours saved"), "success")
        return redirect(url_for("admin.support", organisation_id=organisation.id))
    helplines = services.helplines_for(organisation.id)
    return render_template("admin/support.html", organisation=organisation, form=form, helplines=helplines,
                           full=len(helplines) >= MAX_HELPLINES, max_helplines=MAX_HELPLINES)


def _helpline_or_404(organisation, helpline_id: int):
    helpline = services.helpline_or_none(organisation, helpline_id)
    if helpline is None:
        abort(404)
    return helpline


def _back_to_support(organisation):
    return redirect(url_for("admin.support", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/support/helplines/new", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def helpline_add(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    form = HelplineForm()
    if form.validate_on_submit():
        try:
            helpline = services.add_helpline(organisation=organisation, actor=_me(), data=form.to_data())
        except services.SupportError as error:
            db.session.rollback()
            form.name_en.errors = list(form.name_en.errors) + [SUPPORT_MESSAGES[error.code]]
        else:
            db.session.commit()
            flash(_("Helpline added: %(name)s", name=helpline.name_en), "success")
            return _back_to_support(organisation)
    full = len(services.helplines_for(organisation.id)) >= MAX_HELPLINES
    return render_template("admin/helpline_form.html", organisation=organisation, form=form, helpline=None,
                           full=full, max_helplines=MAX_HELPLINES)


@bp.route("/organisations/<int:organisation_id>/support/helplines/<int:helpline_id>", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def helpline_edit(organisation_id: int, helpline_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    helpline = _helpline_or_404(organisation, helpline_id)
    form = HelplineForm(obj=helpline)
    if form.validate_on_submit():
        services.edit_helpline(helpline=helpline, actor=_me(), data=form.to_data())
        db.session.commit()
        flash(_("Helpline saved: %(name)s", name=helpline.name_en), "success")
        return _back_to_support(organisation)
    return render_template("admin/helpline_form.html", organisation=organisation, form=form, helpline=helpline,
                           full=False, max_helplines=MAX_HELPLINES)


@bp.route("/organisations/<int:organisation_id>/support/helplines/<int:helpline_id>/remove",
          methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def helpline_delete(organisation_id: int, helpline_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    helpline = _helpline_or_404(organisation, helpline_id)
    form = HelplineRemoveForm()
    if form.validate_on_submit():
        name = helpline.name_en
        services.delete_helpline(helpline=helpline, actor=_me())
        db.session.commit()
        flash(_("Helpline removed: %(name)s", name=name), "success")
        return _back_to_support(organisation)
    last = len(services.helplines_for(organisation.id)) == 1
    return render_template("admin/helpline_delete.html", organisation=organisation, form=form, helpline=helpline,
                           last=last)


@bp.post("/organisations/<int:organisation_id>/support/helplines/<int:helpline_id>/move")
@role_required(Role.admin)
@require_recent_auth
def helpline_move(organisation_id: int, helpline_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    helpline = _helpline_or_404(organisation, helpline_id)
    form = HelplineMoveForm()
    # A crafted direction changes nothing; the list is shown again as it was.
    if form.validate_on_submit():
        services.move_helpline(helpline=helpline, actor=_me(), up=form.direction.data == "up")
        db.session.commit()
    return _back_to_support(organisation)
