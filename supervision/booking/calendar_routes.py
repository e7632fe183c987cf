"""A person's private calendar feed: the page that shows and renews its address, and the feed itself."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from ..accounts.models import Role
from ..db import utcnow
from ..extensions import db
from ..mail import external_url_for
from ..permissions import role_required
from . import feed
from .blueprint import bp

FEED_ROLES = (Role.link_worker, Role.supervisor)


class CreateFeedForm(FlaskForm):
    submit = SubmitField(_l("Create my calendar address"), widget=GovSubmitInput())


class RenewFeedForm(FlaskForm):
    submit = SubmitField(_l("Make a new address"), widget=GovSubmitInput())


def _address(token: str) -> str:
    return external_url_for("booking.calendar_ics", token=token)


@bp.get("/calendar")
@role_required(*FEED_ROLES)
def calendar_feed():
    existing = feed.feed_of(current_user)
    return render_template("booking/calendar_feed.html", form=CreateFeedForm(),
                           address=_address(existing.token) if existing is not None else None)


@bp.post("/calendar")
@role_required(*FEED_ROLES)
def calendar_feed_create():
    form = CreateFeedForm()
    if not form.validate_on_submit():
        abort(400)
    # A second click (or a second tab) keeps the address already made rather than breaking it.
    if feed.feed_of(current_user) is None:
        feed.create_or_renew(current_user, now=utcnow())
        db.session.commit()
        flash(_("Your calendar address is ready"), "success")
    return redirect(url_for("booking.calendar_feed"))


@bp.route("/calendar/new-address", methods=["GET", "POST"])
@role_required(*FEED_ROLES)
def calendar_feed_renew():
    if feed.feed_of(current_user) is None:
        return redirect(url_for("booking.calendar_feed"))
    form = RenewFeedForm()
    if form.validate_on_submit():
        feed.create_or_renew(current_user, now=utcnow())
        db.session.commit()
        flash(_("You have a new calendar address. The old one no longer works."), "success")
        return redirect(url_for("booking.calendar_feed"))
    return render_template("booking/calendar_feed.html", form=form, confirm_renew=True, address=None)


@bp.get("/calendar/<token>.ics")
def calendar_ics(token: str):
    """Public: calendar programs cannot sign in, so the secret token in the address is the key."""
    owner = feed.owner_of(token)
    if owner is None:
        abort(404)
    response = make_response(feed.calendar_for(owner, now=utcnow()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="cwtch-supervision.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
