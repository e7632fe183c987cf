"""My data pages: download everything, delete the account, and see recent sign-ins. Own data only."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..retention.periods import retention_periods
from ..security import require_recent_auth
from . import activity, services
from .forms import DeleteAccountForm

bp = Blueprint("mydata", __name__, url_prefix="/account")
# The cookies and privacy page lists them, with each of the reader's organisations' own choices.
bp.add_app_template_global(retention_periods)


def _me():
    return current_user._get_current_object()


@bp.get("/my-data")
@login_required
def index():
    return render_template("mydata/index.html", form=ConfirmForm(),
                           blocked=services.organisations_needing(_me()))


@bp.post("/my-data/export")
@login_required
@require_recent_auth
def export():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("mydata.index"))
    archive = services.export_archive(user=_me(), now=utcnow())
    db.session.commit()
    return send_file(io.BytesIO(archive), mimetype="application/zip", as_attachment=True,
                     download_name=services.ARCHIVE_NAME)


@bp.route("/my-data/delete", methods=["GET", "POST"])
@login_required
@require_recent_auth
def delete():
    form = DeleteAccountForm()
    blocked = services.organisations_needing(_me())
    if not blocked and form.validate_on_submit():
        try:
            services.delete_account(user=_me(), now=utcnow())
        except services.LastAdminError as error:
            db.session.rollback()
            blocked = error.organisations
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account has been deleted. We have sent an email to confirm it"), "success")
            return redirect(url_for("accounts.login"))
    return render_template("mydata/delete.html", form=form, blocked=blocked)


@bp.get("/sign-in-history")
@login_required
def sign_in_history():
    events = activity.sign_in_history(_me(), now=utcnow())
    return render_template("mydata/sign_in_history.html", events=events, days=activity.HISTORY_DAYS,
                           action_label=activity.action_label, outcome_label=activity.outcome_label,
                           limit=activity.HISTORY_LIMIT)
