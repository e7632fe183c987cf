"""The second sign-in step: setting it up, the code at sign-in, recovery codes, turning it off."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..accounts.routes import start_session
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..security import client_ip, require_recent_auth, safe_next
from . import pending, services
from .forms import MESSAGES, SetupForm, SignInCodeForm, attach_error

bp = Blueprint("mfa", __name__)

# While someone who must have a second step has not set one up, only these pages open for them.
OPEN_BEFORE_SETUP = frozenset({
    "static",
    "mfa.setup",
    "mfa.recovery_codes",
    "accounts.logout",
    "accounts.confirm_identity",
    "main.switch_language",
    "main.privacy",
    "main.accessibility",
})


@bp.before_app_request
def _set_up_first():
    """Admins, supervisors and employers set up a second step before anything else."""
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_SETUP:
        return None
    if current_user.is_authenticated and services.needs_enrolment(current_user):
        going_to = (request.full_path if request.query_string else request.path) \
            if request.method == "GET" else None
        return redirect(url_for("mfa.setup", next=safe_next(going_to)))
    return None


@bp.app_template_global("has_second_step")
def has_second_step(user: User) -> bool:
    return services.is_enrolled(user)


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/sign-in/code", methods=["GET", "POST"])
def challenge():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    started = pending.has_sign_in()
    half_signed_in = pending.pending_sign_in(now=utcnow())
    if half_signed_in is None:
        if started:
            flash(_("Signing in took longer than 5 minutes. Sign in again"), "info")
        return redirect(url_for("accounts.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        user = half_signed_in.user
        try:
            kind = services.sign_in_with_code(user=user, code=form.code.data, ip=client_ip(), now=utcnow())
        except services.MfaError as error:
            db.session.commit()  # the failure counts towards the sign-in throttle
            attach_error(form, error.code)
        else:
            db.session.commit()
            start_session(user)
            if kind == "recovery":
                flash(_("You signed in with a recovery code. Recovery codes left: %(count)s",
                        count=services.recovery_codes_left(user)), "info")
            return redirect(half_signed_in.next_path or url_for("main.home"))
    return render_template("mfa/challenge.html", form=form)


@bp.get("/account/second-step")
@login_required
def manage():
    user = _me()
    return render_template(
        "mfa/manage.html",
        enrolled=services.is_enrolled(user),
        required=services.is_required(user),
        codes_left=services.recovery_codes_left(user),
    )


@bp.route("/account/second-step/set-up", methods=["GET", "POST"])
@login_required
@require_recent_auth
def setup():
    user = _me()
    secret = pending.setup_secret(services.new_secret)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            codes = services.enrol(user=user, secret=secret, code=form.code.data, now=utcnow())
        except services.MfaError as error:
            db.session.commit()  # keep the audit record of the failure
            attach_error(form, error.code)
        else:
            db.session.commit()
            pending.end_setup()
            start_session(user)  # the token was rotated: this session carries on, others end
            pending.keep_codes_to_show(codes)
            flash(_("Your second step is on"), "success")
            target = safe_next(request.args.get("next")) or url_for("mfa.manage")
            return redirect(url_for("mfa.recovery_codes", next=target))
    return render_template(
        "mfa/setup.html",
        form=form,
        qr_code=services.qr_code_data_uri(services.provisioning_uri(secret=secret, email=user.email)),
        secret=services.readable_secret(secret),
        required=services.is_required(user),
        replacing=services.is_enrolled(user),
    )


@bp.get("/account/second-step/recovery-codes")
@login_required
def recovery_codes():
    """New recovery codes, shown this once."""
    codes = pending.take_codes_to_show()
    if not codes:
        return redirect(url_for("mfa.manage"))
    return render_template("mfa/recovery_codes.html", codes=codes,
                           next_path=safe_next(request.args.get("next")) or url_for("mfa.manage"))


@bp.post("/account/second-step/recovery-codes/new")
@login_required
@require_recent_auth
def regenerate_codes():
    if ConfirmForm().validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(user=_me(), now=utcnow())
        except services.MfaError as error:
            flash(str(MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            start_session(_me())
            pending.keep_codes_to_show(codes)
            return redirect(url_for("mfa.recovery_codes", next=url_for("mfa.manage")))
    return redirect(url_for("mfa.manage"))


@bp.post("/account/second-step/turn-off")
@login_required
@require_recent_auth
def disable():
    if ConfirmForm().validate_on_submit():
        try:
            services.disable(user=_me())
        except services.MfaError as error:
            flash(str(MESSAGES[error.code]), "error")
        else:
            db.session.commit()
            start_session(_me())
            flash(_("Your second step is off. You sign in with your password only"), "success")
    return redirect(url_for("mfa.manage"))
