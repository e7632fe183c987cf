"""The personal trend pages: the person's own trend and its charts, sharing a summary of it with a
supervisor, and the supervisor's view of what is shared with them (endpoints named shared_trend*,
so that the navigation shows them under "Shared with you")."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..accounts.supervisors import supervisors_of
from ..extensions import db
from ..forms import ConfirmForm
from ..permissions import role_required
from . import services, sharing
from .blueprint import bp
from .instruments import OPTIONS, SCALE_LABELS, SCALE_THRESHOLD, SINGLE_ITEM_THRESHOLD, Format, Scale
from .share_forms import TrendShareForm
from .trend import MEASURES, Trend, chart_for, one_decimal, summary_of, trend_of



def _me():
    return current_user._get_current_object()


def _explanations() -> dict:
    return {"single_options": OPTIONS[Format.single], "single_threshold": SINGLE_ITEM_THRESHOLD,
            "scale_threshold": SCALE_THRESHOLD, "scales": list(Scale), "scale_labels": SCALE_LABELS}


def _svg(trend: Trend, *, own: bool):
    measure = request.args.get("measure", "single")
    if measure not in MEASURES:
        abort(404)
    chart = chart_for(measure, trend, own=own)
    response = make_response(chart.svg)
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "private, no-store"
    # Opened on its own, the SVG is a document: it may load nothing and run nothing, and use only
    # its own <style> (by hash). The app's policy would block that style and show a black square.
    styles = " ".join(chart.style_sources) or "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {styles}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    return response


@bp.get("/trend")
@role_required(Role.link_worker)
def trend():
    me = _me()
    return render_template("pulse/trend.html", trend=trend_of(services.my_results(me)),
                           shares=sharing.live_shares_of(me), **_explanations())


@bp.get("/trend/chart.svg")
@role_required(Role.link_worker)
def trend_chart():
    return _svg(trend_of(services.my_results(_me())), own=True)


@bp.route("/trend/sharing", methods=["GET", "POST"])
@role_required(Role.link_worker)
def shares():
    me = _me()
    supervisors = supervisors_of(me)
    form = TrendShareForm(supervisors=supervisors)
    if supervisors and form.validate_on_submit():
        supervisor = form.chosen_supervisor(supervisors)
        try:
            _share, made = sharing.share_trend(owner=me, supervisor=supervisor)
        except sharing.TrendSharingError:  # they stopped supervising this person a moment ago
            db.session.rollback()
            form.supervisor.errors = [_("Select one of your supervisors")]
        else:
            db.session.commit()
            if made:
                flash(_("You are sharing a summary of your trend with %(name)s", name=supervisor.name), "success")
            else:
                flash(_("You were already sharing a summary of your trend with %(name)s", name=supervisor.name),
                      "info")
            return redirect(url_for("pulse.shares"))
    return render_template("pulse/shares.html", form=form, supervisors=supervisors,
                           shares=sharing.live_shares_of(me), supervisor_ids={s.id for s in supervisors})


@bp.post("/trend/sharing/<int:share_id>/revoke")
@role_required(Role.link_worker)
def revoke_share(share_id: int):
    share = sharing.share_of_owner(_me(), share_id)
    if share is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and sharing.revoke_share(share=share):
        db.session.commit()
        flash(_("%(name)s can no longer see a summary of your trend", name=share.supervisor.name), "success")
    return redirect(url_for("pulse.shares"))


# --- the supervisor's side -----------------------------------------------------------------------------

def _shared_or_404(share_id: int):
    share = sharing.share_for_supervisor(_me(), share_id)
    if share is None:
        abort(404)
    return share


@bp.get("/shared")
@role_required(Role.supervisor)
def shared_trends():
    return render_template("pulse/shared_trends.html", shared=sharing.shared_with(_me()))


@bp.get("/shared/<int:share_id>")
@role_required(Role.supervisor)
def shared_trend(share_id: int):
    """Every time the summary is shown, the view is logged for its owner to see."""
    share = _shared_or_404(share_id)
    sharing.record_view(share=share)
    db.session.commit()
    return render_template("pulse/shared_trend.html", share=share,
                           trend=summary_of(services.my_results(share.owner)), **_explanations())


@bp.get("/shared/<int:share_id>/chart.svg")
@role_required(Role.supervisor)
def shared_trend_chart(share_id: int):
    share = _shared_or_404(share_id)
    if sharing.record_chart_view(share=share):
        db.session.commit()
    return _svg(summary_of(services.my_results(share.owner)), own=False)


bp.add_app_template_filter(one_decimal, "one_decimal")


@bp.app_template_global()
def trend_shares_count() -> int:
    """How many people share a summary of their trend with the signed-in supervisor now: for the
    "Shared with you" page of reflections, in a fixed number of queries."""
    return sharing.shared_count(_me())
