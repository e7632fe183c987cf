"""Sign in and out, invitations, forgotten and changed passwords."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..db import utcnow
from ..extensions import db
from ..mfa import pending
from ..mfa import services as second_step
from ..mfa.forms import ConfirmIdentityWithCodeForm, attach_error
from ..security import client_ip, mark_recent_auth, require_recent_auth, safe_next
from . import services, tokens
from .forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmIdentityForm,
    ForgotPasswordForm,
    SettingsForm,
    LoginForm,
    ResetPasswordForm,
)
from .messages import MESSAGES, attach

bp = Blueprint("accounts", __name__)

def start_session(user) -> None:
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen_at"] = now
    mark_recent_auth()


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(
            email=form.email.data, password=form.password.data, ip=client_ip()
        )
        db.session.commit()
        if result.user is not None:
            target = safe_next(request.args.get("next"))
            if result.needs_code:
                # Not signed in yet: the code page finishes the job.
                pending.begin_sign_in(result.user, next_path=target, now=utcnow())
                return redirect(url_for("mfa.challenge"))
            start_session(result.user)
            if second_step.needs_enrolment(result.user):
                return redirect(url_for("mfa.setup", next=target or url_for("main.home")))
            return redirect(target or url_for("main.home"))
        form.email.errors = [MESSAGES["sign_in_failed"]]
    return render_template("accounts/login.html", form=form)


@bp.post("/sign-out")
@login_required
def logout():
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out"), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data, now=utcnow())
        db.session.commit()
        # The same answer whether or not the account exists.
        return render_template("accounts/forgot_sent.html")
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except tokens.TokenExpired:
        return render_template("accounts/token_problem.html", reason="expired", kind="reset"), 400
    except tokens.TokenInvalid:
        return render_template("accounts/token_problem.html", reason="invalid", kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, new_password=form.password.data)
        except services.AccountError as error:
            attach(form, error.code)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password has been reset. Sign in with your new password"), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except tokens.TokenExpired:
        return render_template("accounts/token_problem.html", reason="expired", kind="invitation"), 400
    except tokens.TokenInvalid:
        return render_template("accounts/token_problem.html", reason="invalid", kind="invitation"), 400
    except services.AccountError:
        return render_template("accounts/token_problem.html", reason="used", kind="invitation"), 400

    if services.find_user_by_email(invitation.email) is not None:
        return _accept_as_existing_user(invitation, token)

    form = AcceptInvitationForm()
    if request.method == "GET":
        form.language.data = form.language.data or "en"
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                name=form.name.data,
                password=form.password.data,
                language=form.language.data,
            )
        except services.AccountError as error:
            attach(form, error.code)
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your account is ready. Welcome to Cwtch"), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


def _accept_as_existing_user(invitation, token: str):
    if not current_user.is_authenticated:
        flash(_("You already have an account. Sign in to accept this invitation"), "info")
        return redirect(url_for("accounts.login", next=url_for("accounts.accept_invitation", token=token)))
    from ..forms import ConfirmForm

    form = ConfirmForm()
    if current_user.email != invitation.email:
        return render_template("accounts/token_problem.html", reason="other_person", kind="invitation"), 403
    if form.validate_on_submit():
        services.accept_invitation_as(invitation=invitation, user=current_user._get_current_object())
        db.session.commit()
        flash(_("You have joined %(organisation)s", organisation=invitation.organisation.name), "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/accept_existing.html", form=form, invitation=invitation)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@require_recent_auth
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user=user, current_password=form.current_password.data, new_password=form.password.data,
                ip=client_ip(),
            )
        except services.AccountError as error:
            db.session.commit()  # keep the audit record of a wrong current password
            attach(form, error.code)
        else:
            db.session.commit()
            # The token was rotated: start a fresh session here, every other one has ended.
            start_session(user)
            flash(_("Your password has been changed. You have been signed out everywhere else"), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.language.data = current_user.preferred_language
        form.email_notifications.data = "on" if current_user.email_notifications else "off"
    if form.validate_on_submit():
        services.update_settings(
            user=current_user._get_current_object(),
            language=form.language.data,
            email_notifications=form.email_notifications.data == "on",
        )
        db.session.commit()
        flash(_("Your settings have been saved"), "success")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form)


@bp.route("/account/confirm-identity", methods=["GET", "POST"])
@login_required
def confirm_identity():
    """Asked before a sensitive action when the last sign-in was more than 10 minutes ago."""
    user = current_user._get_current_object()
    with_code = second_step.is_enrolled(user)
    form = ConfirmIdentityWithCodeForm() if with_code else ConfirmIdentityForm()
    target = safe_next(request.args.get("next")) or url_for("accounts.settings")
    if form.validate_on_submit():
        try:
            confirmed = services.confirm_identity(
                user=user, password=form.password.data, ip=client_ip(),
                code=form.code.data if with_code else None, now=utcnow(),
            )
        except second_step.MfaError as error:
            db.session.commit()  # the failure counts towards the sign-in throttle
            attach_error(form, error.code)
        else:
            db.session.commit()  # a failure counts towards the sign-in throttle
            if confirmed:
                mark_recent_auth()
                flash(_("Thank you. You can continue"), "success")
                return redirect(target)
            attach(form, "current_password_wrong", default_field="password")
    return render_template("accounts/confirm_identity.html", form=form, with_code=with_code)


__all__ = ["bp", "MESSAGES"]
