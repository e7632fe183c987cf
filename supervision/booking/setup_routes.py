"""A supervisor's set-up pages: the overview, booking settings, weekly windows, session types and
time off. Another supervisor's window, type or block answers 404.

A rule that says no re-shows the form with its message (400) and changes nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.models import Role, User
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..permissions import role_required
from . import availability
from .blueprint import bp
from .errors import BookingError
from .fields import format_minutes
from .loaders import settings_for
from .models import AvailabilityBlock, AvailabilityWindow, SessionType
from .setup_forms import (
    KIND_LABELS,
    LOCATION_LABELS,
    NO,
    YES,
    BlockForm,
    SessionTypeForm,
    SettingsForm,
    WindowForm,
    show_error,
    weekday_names,
)


def _me() -> User:
    return current_user._get_current_object()


def _own(model, object_id: int):
    """A window, type or block of this supervisor; anyone else's does not exist."""
    found = db.session.get(model, object_id)
    if found is None or found.supervisor_id != current_user.id:
        abort(404)
    return found


def _refused(form, error: BookingError, default: str) -> None:
    db.session.rollback()
    show_error(form, error, default)


def _back():
    return redirect(url_for("booking.setup_index"))


@bp.get("/setup")
@role_required(Role.supervisor)
def setup_index():
    me, now = _me(), utcnow()
    blocks = availability.upcoming_blocks(me.id, now)
    windows = availability.windows_of(me.id)
    by_day = {day: [w for w in windows if w.weekday == day] for day in range(7)}
    return render_template(
        "booking/setup/index.html", settings=settings_for(me.id), by_day=by_day, day_names=weekday_names(),
        session_types=availability.types_of(me.id), blocks=blocks, hhmm=format_minutes,
        kind_labels=KIND_LABELS, location_labels=LOCATION_LABELS,
        sessions_during={b.id: availability.sessions_during(me.id, b.starts_at, b.ends_at) for b in blocks},
        several_organisations=len(availability.supervising_organisations(me)) > 1,
    )


@bp.route("/setup/settings", methods=["GET", "POST"])
@role_required(Role.supervisor)
def setup_settings():
    me = _me()
    settings = settings_for(me.id)
    form = SettingsForm(data=None if request.method == "POST" else {
        "requires_approval": YES if settings.requires_approval else NO,
        "buffer_minutes": settings.buffer_minutes, "min_notice_hours": settings.min_notice_hours,
        "max_days_ahead": settings.max_days_ahead, "weekly_cap": settings.weekly_cap,
        "cancel_cutoff_hours": settings.cancel_cutoff_hours,
    })
    if form.validate_on_submit():
        try:
            availability.save_settings(supervisor=me, data=form.to_data(), now=utcnow())
        except BookingError as error:
            _refused(form, error, "buffer_minutes")
        else:
            db.session.commit()
            flash(_("Your booking settings have been saved"), "success")
            return _back()
    return render_template("booking/setup/settings.html", form=form), 400 if form.errors else 200


@bp.route("/setup/windows/new", methods=["GET", "POST"])
@role_required(Role.supervisor)
def setup_add_window():
    me = _me()
    form = WindowForm()
    if form.validate_on_submit():
        try:
            availability.add_window(supervisor=me, weekday=int(form.weekday.data), start=form.start.minutes,
                                    end=form.end.minutes)
        except BookingError as error:
            _refused(form, error, "start")
        else:
            db.session.commit()
            flash(_("Your availability on %(day)s from %(start)s to %(end)s has been added",
                    day=weekday_names()[int(form.weekday.data)], start=format_minutes(form.start.minutes),
                    end=format_minutes(form.end.minutes)), "success")
            return _back()
    return render_template("booking/setup/window.html", form=form), 400 if form.errors else 200


@bp.post("/setup/windows/<int:window_id>/remove")
@role_required(Role.supervisor)
def setup_remove_window(window_id: int):
    window = _own(AvailabilityWindow, window_id)
    if ConfirmForm().validate_on_submit():
        availability.delete_window(window=window)
        db.session.commit()
        flash(_("That window has been removed. Sessions already booked in it still go ahead"), "success")
    return _back()


@bp.route("/setup/types/new", methods=["GET", "POST"])
@role_required(Role.supervisor)
def setup_add_type():
    me = _me()
    form = SessionTypeForm(organisations=availability.supervising_organisations(me),
                           data=None if request.method == "POST" else {"length_minutes": 60})
    if form.validate_on_submit():
        try:
            session_type = availability.create_type(supervisor=me, data=form.to_data())
        except BookingError as error:
            _refused(form, error, "name")
        else:
            db.session.commit()
            flash(_("‘%(name)s’ has been added", name=session_type.name), "success")
            return _back()
    return render_template("booking/setup/type.html", form=form, session_type=None), 400 if form.errors else 200


@bp.route("/setup/types/<int:type_id>", methods=["GET", "POST"])
@role_required(Role.supervisor)
def setup_edit_type(type_id: int):
    me = _me()
    session_type = _own(SessionType, type_id)
    form = SessionTypeForm(organisations=availability.supervising_organisations(me), data=None
                           if request.method == "POST" else _type_data(session_type))
    if form.validate_on_submit():
        try:
            availability.update_type(session_type=session_type, supervisor=me, data=form.to_data())
        except BookingError as error:
            _refused(form, error, "name")
        else:
            db.session.commit()
            flash(_("‘%(name)s’ has been changed. Sessions already booked keep their details",
                    name=session_type.name), "success")
            return _back()
    return render_template("booking/setup/type.html", form=form, session_type=session_type,
                           confirm=ConfirmForm()), 400 if form.errors else 200


def _type_data(session_type: SessionType) -> dict:
    return {"name": session_type.name, "kind": session_type.kind.value,
            "length_minutes": session_type.length_minutes, "capacity": session_type.capacity,
            "min_attendees": session_type.min_attendees, "location_kind": session_type.location_kind.value,
            "address": session_type.address, "online_link": session_type.online_link,
            "organisation_id": str(session_type.organisation_id)}


@bp.post("/setup/types/<int:type_id>/archive")
@role_required(Role.supervisor)
def setup_archive_type(type_id: int):
    session_type = _own(SessionType, type_id)
    if ConfirmForm().validate_on_submit():
        availability.archive_type(session_type=session_type)
        db.session.commit()
        flash(_("‘%(name)s’ is no longer offered. Sessions already booked still go ahead",
                name=session_type.name), "success")
    return _back()


@bp.post("/setup/types/<int:type_id>/restore")
@role_required(Role.supervisor)
def setup_restore_type(type_id: int):
    session_type = _own(SessionType, type_id)
    if ConfirmForm().validate_on_submit():
        availability.restore_type(session_type=session_type)
        db.session.commit()
        flash(_("‘%(name)s’ is offered again", name=session_type.name), "success")
    return _back()


@bp.route("/setup/time-off/new", methods=["GET", "POST"])
@role_required(Role.supervisor)
def setup_add_block():
    me, now = _me(), utcnow()
    form = BlockForm()
    if form.validate_on_submit():
        try:
            block = availability.add_block(supervisor=me, starts_at=form.starts_at, ends_at=form.ends_at,
                                           cover_note=form.cover_note.data, now=now)
        except BookingError as error:
            _refused(form, error, "start_date")
        else:
            inside = availability.sessions_during(me.id, block.starts_at, block.ends_at)
            db.session.commit()
            flash(_("Your time off has been added. Nobody can book you during it"), "success")
            if inside:
                # Not cancelled automatically: the supervisor decides, and tells people why.
                flash(ngettext("%(num)s session already booked is during your time off. It has not been "
                               "cancelled: cancel or move it from your sessions",
                               "%(num)s sessions already booked are during your time off. They have not been "
                               "cancelled: cancel or move them from your sessions", inside), "warning")
            return _back()
    return render_template("booking/setup/block.html", form=form), 400 if form.errors else 200


@bp.post("/setup/time-off/<int:block_id>/remove")
@role_required(Role.supervisor)
def setup_remove_block(block_id: int):
    block = _own(AvailabilityBlock, block_id)
    if ConfirmForm().validate_on_submit():
        availability.delete_block(block=block)
        db.session.commit()
        flash(_("That time off has been removed"), "success")
    return _back()
