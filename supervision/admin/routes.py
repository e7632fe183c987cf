"""Admin pages for one organisation: people, roles, invitations, settings, themes, supervisors and
when supervision sessions happen."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as account_services
from ..accounts.messages import MESSAGES, attach
from ..accounts.models import (
    RETENTION_LIMITS,
    SUPERVISION_STANDARD_DAYS,
    Invitation,
    OrganisationKind,
    Region,
    Role,
)
from ..booking.models import SessionKind
from ..booking.setup_forms import KIND_LABELS
from ..booking.views import when
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..permissions import can_administer, organisation_for_admin_or_404, role_required
from ..security import require_recent_auth
from . import assignments, services
from . import sessions as sessions_service
from . import themes as themes_service
from .forms import (
    THEME_MESSAGES,
    InviteForm,
    OrganisationSettingsForm,
    RolesForm,
    SessionWeeksForm,
    SupervisorsForm,
    ThemeForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _me():
    return current_user._get_current_object()


@bp.get("/")
@role_required(Role.admin)
def index():
    organisations = _me().organisations_where(Role.admin)
    if len(organisations) == 1:
        return redirect(url_for("admin.people", organisation_id=organisations[0].id))
    return render_template("admin/index.html", organisations=organisations)


@bp.get("/organisations/<int:organisation_id>/people")
@role_required(Role.admin)
def people(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    return render_template(
        "admin/people.html",
        organisation=organisation,
        people=services.people_in(organisation),
        invitations=services.open_invitations(organisation),
        form=ConfirmForm(),
    )


@bp.get("/organisations/<int:organisation_id>/sessions")
@role_required(Role.admin)
def sessions(organisation_id: int):
    """When the organisation's supervision sessions happen: never who booked them or what was said."""
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    form = SessionWeeksForm(formdata=request.args)
    # A bad number shows its error beside the default period, rather than a broken page.
    weeks = form.weeks.data if form.validate() and form.weeks.data else sessions_service.DEFAULT_WEEKS
    if not form.errors:
        form.weeks.raw_data = [str(weeks)]
    schedule = sessions_service.schedule(organisation=organisation, now=utcnow(), weeks=weeks)
    return render_template("admin/sessions.html", organisation=organisation, form=form, weeks=weeks,
                           schedule=schedule, when=when, kind_labels=KIND_LABELS, SessionKind=SessionKind)


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@role_required(Role.admin)
def invite(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = account_services.invite(
                organisation=organisation,
                email=form.email.data,
                roles={Role(r) for r in form.roles.data},
                invited_by=_me(),
            )
        except account_services.AccountError as error:
            attach(form, error.code)
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s", email=invitation.email), "success")
            return redirect(url_for("admin.people", organisation_id=organisation.id))
    return render_template("admin/invite.html", organisation=organisation, form=form)


def _member_or_404(organisation, user_id: int):
    user = services.member_or_none(organisation, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/organisations/<int:organisation_id>/people/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def person(organisation_id: int, user_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    user = _member_or_404(organisation, user_id)
    form = RolesForm()
    if request.method == "GET":
        form.roles.data = [r.value for r in user.roles_in(organisation.id)]
    if form.validate_on_submit():
        try:
            services.set_roles(organisation=organisation, user=user,
                               roles={Role(r) for r in form.roles.data or []}, actor=_me())
        except account_services.AccountError as error:
            attach(form, error.code, default_field="roles")
        else:
            db.session.commit()
            if form.roles.data:
                flash(_("Roles saved for %(name)s", name=user.name), "success")
            else:
                flash(_("%(name)s has been removed from %(organisation)s", name=user.name,
                        organisation=organisation.name), "success")
            if not can_administer(_me(), organisation):  # they gave up their own admin role
                return redirect(url_for("main.home"))
            return redirect(url_for("admin.people", organisation_id=organisation.id))
    return render_template("admin/person.html", organisation=organisation, person=user, form=form,
                           supervision=assignments.supervision_of(organisation, user))


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/deactivate")
@role_required(Role.admin)
@require_recent_auth
def deactivate(organisation_id: int, user_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    user = _member_or_404(organisation, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.deactivate(organisation=organisation, user=user, actor=_me())
        except account_services.AccountError as error:
            flash(str(MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            flash(_("%(name)s can no longer sign in", name=user.name), "success")
    return redirect(url_for("admin.person", organisation_id=organisation.id, user_id=user.id))


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/reactivate")
@role_required(Role.admin)
@require_recent_auth
def reactivate(organisation_id: int, user_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    user = _member_or_404(organisation, user_id)
    if ConfirmForm().validate_on_submit():
        services.reactivate(organisation=organisation, user=user, actor=_me())
        db.session.commit()
        flash(_("%(name)s can sign in again", name=user.name), "success")
    return redirect(url_for("admin.person", organisation_id=organisation.id, user_id=user.id))


@bp.post("/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke")
@role_required(Role.admin)
def revoke_invitation(organisation_id: int, invitation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_invitation(invitation=invitation, actor=_me())
        except account_services.AccountError as error:
            flash(str(MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            flash(_("The invitation to %(email)s has been cancelled", email=invitation.email), "success")
    return redirect(url_for("admin.people", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/settings", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def settings(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    form = OrganisationSettingsForm(obj=organisation)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
        form.region.data = organisation.region.value
    if form.validate_on_submit():
        try:
            services.update_settings(
                organisation=organisation,
                actor=_me(),
                name=form.name.data,
                kind=OrganisationKind(form.kind.data),
                region=Region(form.region.data),
                report_k=form.report_k.data,
                job_title_en=form.job_title_en.data,
                job_title_cy=form.job_title_cy.data,
                retention={name: getattr(form, name).data for name in RETENTION_LIMITS},
                supervision_standard_days=(SUPERVISION_STANDARD_DAYS[0]
                                           if form.supervision_standard_days.data is None
                                           else form.supervision_standard_days.data),
            )
        except account_services.AccountError as error:
            db.session.rollback()
            attach(form, error.code)
        else:
            db.session.commit()
            flash(_("Organisation settings saved"), "success")
            return redirect(url_for("admin.settings", organisation_id=organisation.id))
    return render_template("admin/settings.html", organisation=organisation, form=form)


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/second-step/reset")
@role_required(Role.admin)
@require_recent_auth
def reset_second_step(organisation_id: int, user_id: int):
    from ..mfa import services as second_step
    from ..mfa.forms import MESSAGES as SECOND_STEP_MESSAGES

    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    user = _member_or_404(organisation, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            second_step.reset_by_admin(organisation=organisation, user=user, actor=_me())
        except second_step.MfaError as error:
            flash(str(SECOND_STEP_MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            flash(_("The second step for %(name)s has been reset. They have been signed out and told by email",
                    name=user.name), "success")
    return redirect(url_for("admin.person", organisation_id=organisation.id, user_id=user.id))


@bp.route("/organisations/<int:organisation_id>/themes", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def themes(organisation_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes_service.add_theme(organisation=organisation, name_en=form.name_en.data,
                                             name_cy=form.name_cy.data, actor=_me())
        except themes_service.ThemeError as error:
            field = getattr(form, error.field)
            field.errors = list(field.errors) + [THEME_MESSAGES[error.code]]
        else:
            db.session.commit()
            flash(_("Theme added: %(name)s", name=theme.name_en), "success")
            return redirect(url_for("admin.themes", organisation_id=organisation.id))
    return render_template("admin/themes.html", organisation=organisation, form=form,
                           themes=themes_service.themes_of(organisation))


def _theme_or_404(organisation, theme_id: int):
    theme = themes_service.theme_or_none(organisation, theme_id)
    if theme is None:
        abort(404)
    return theme


@bp.post("/organisations/<int:organisation_id>/themes/<int:theme_id>/archive")
@role_required(Role.admin)
@require_recent_auth
def archive_theme(organisation_id: int, theme_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    theme = _theme_or_404(organisation, theme_id)
    if ConfirmForm().validate_on_submit():
        themes_service.archive_theme(theme=theme, actor=_me())
        db.session.commit()
        flash(_("Theme archived: %(name)s. Reflections that have it keep it", name=theme.name_en), "success")
    return redirect(url_for("admin.themes", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/themes/<int:theme_id>/restore")
@role_required(Role.admin)
@require_recent_auth
def restore_theme(organisation_id: int, theme_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    theme = _theme_or_404(organisation, theme_id)
    if ConfirmForm().validate_on_submit():
        themes_service.restore_theme(theme=theme, actor=_me())
        db.session.commit()
        flash(_("Theme restored: %(name)s", name=theme.name_en), "success")
    return redirect(url_for("admin.themes", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/people/<int:user_id>/supervisors", methods=["GET", "POST"])
@role_required(Role.admin)
@require_recent_auth
def supervisors(organisation_id: int, user_id: int):
    organisation = organisation_for_admin_or_404(_me(), organisation_id)
    user = _member_or_404(organisation, user_id)
    if Role.link_worker not in user.roles_in(organisation.id):  # only link workers have supervisors
        return render_template("admin/supervisors.html", organisation=organisation, person=user, form=None)
    choices = assignments.supervisor_choices(organisation, user)
    form = SupervisorsForm(supervisors=choices, person=user)
    if request.method == "GET":
        form.supervisors.data = [str(s.id) for s in assignments.supervision_of(organisation, user).supervisors]
    if form.validate_on_submit():
        try:
            changed = assignments.set_supervisors(organisation=organisation, link_worker=user,
                                                  supervisor_ids=form.supervisor_ids, actor=_me())
        except assignments.AssignmentError:  # a supervisor lost the role a moment ago
            db.session.rollback()
            form.supervisors.errors = [_("Select supervisors from the list")]
        else:
            db.session.commit()
            if changed:
                flash(_("Supervisors saved for %(name)s", name=user.name), "success")
            return redirect(url_for("admin.person", organisation_id=organisation.id, user_id=user.id))
    return render_template("admin/supervisors.html", organisation=organisation, person=user, form=form,
                           choices=choices)
