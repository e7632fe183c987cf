"""After a session: its record under Proctor's three headings, kept by either party, and the
supervisor marking whether the link worker attended. Anyone else is told the booking does not exist."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from ..forms import max_length, required
from . import bookings, records
from .blueprint import bp
from .errors import BookingError
from .loaders import booking_for_party_or_404, booking_for_supervisor_or_404
from .models import MAX_RECORD_SECTION, Booking
from .permissions import can_keep_record, can_mark_attendance


def _text(value):
    """Browsers send new lines as CRLF: count them as one character, as the box shows them."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


def _section(label, hint) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint, filters=[_text],
                         validators=[max_length(MAX_RECORD_SECTION)])


class RecordForm(FlaskForm):
    normative = _section(_l("Normative"), _l("Standards, safeguarding, policy"))
    formative = _section(_l("Formative"), _l("Learning and skills"))
    restorative = _section(_l("Restorative"), _l("Wellbeing and how you are coping"))
    actions = _section(_l("Agreed actions"), _l("One action on each line. They will appear on the agenda of the next session."))
    # The saved version this form started from (records.version_of), so that a save cannot
    # silently overwrite what the other person saved meanwhile.
    seen = HiddenField()
    submit = SubmitField(_l("Save the record"), widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    attendance = RadioField(
        _l("Did they attend?"),
        widget=GovRadioInput(),
        choices=[SelectChoice("attended", _l("Attended")), SelectChoice("no_show", _l("Did not attend"))],
        validators=[required(_l("Select whether they attended"))],
    )
    submit = SubmitField(_l("Save attendance"), widget=GovSubmitInput())


def _me() -> User:
    return current_user._get_current_object()


def _attach(form: FlaskForm, error: BookingError, default_field: str) -> None:
    field = getattr(form, error.field or default_field, None) or getattr(form, default_field)
    # WTForms keeps errors as a tuple until validate() turns them into a list.
    field.errors = list(field.errors) + [str(error.message)]


def _page(booking: Booking, record_form: RecordForm | None = None,
          attendance_form: AttendanceForm | None = None, status: int = 200, problem: str | None = None,
          conflict: bool = False):
    me, now = _me(), utcnow()
    record = records.record_for(booking)
    can_write = can_keep_record(me, booking, now)
    if record_form is None and can_write:
        record_form = RecordForm(obj=record) if record is not None else RecordForm()
        record_form.seen.data = records.version_of(record)
    if attendance_form is None and can_mark_attendance(me, booking, now):
        attendance_form = AttendanceForm(
            data={"attendance": booking.attendance.value} if booking.attendance is not None else None)
    # The person on the other side: the link worker for the supervisor, the supervisor for the
    # link worker. A group attendee never learns who else attended.
    other = booking.link_worker if me.id == booking.session.supervisor_id else booking.session.supervisor
    return render_template("booking/record.html", booking=booking, session=booking.session, record=record,
                           other=other, is_supervisor=me.id == booking.session.supervisor_id,
                           form=record_form if can_write else None, attendance_form=attendance_form,
                           problem=problem, conflict=conflict), status


@bp.route("/bookings/<int:booking_id>/record", methods=["GET", "POST"])
@login_required
def record(booking_id: int):
    booking = booking_for_party_or_404(_me(), booking_id)
    if request.method == "GET":
        return _page(booking)
    if not can_keep_record(_me(), booking, utcnow()):
        return _page(booking, status=400, problem=_("You cannot keep a record of this session"))
    form = RecordForm()
    if not form.validate_on_submit():
        return _page(booking, record_form=form, status=400)
    try:
        records.save_record(booking=booking, user=_me(), normative=form.normative.data,
                            formative=form.formative.data, restorative=form.restorative.data,
                            actions=form.actions.data, seen=form.seen.data or "", now=utcnow())
    except BookingError as error:
        db.session.rollback()
        booking = booking_for_party_or_404(_me(), booking_id)
        if not can_keep_record(_me(), booking, utcnow()):
            return _page(booking, status=400, problem=str(error.message))
        _attach(form, error, "normative")
        conflict = error.code == "record_changed"
        if conflict:
            # Saving again now means choosing this text over the version shown below.
            form.seen.data = records.version_of(records.record_for(booking))
        return _page(booking, record_form=form, status=409 if conflict else 400, conflict=conflict)
    db.session.commit()
    flash(_("The record of this session has been saved"), "success")
    return redirect(url_for("booking.record", booking_id=booking.id))


@bp.post("/bookings/<int:booking_id>/attendance")
@login_required
def supervisor_attendance(booking_id: int):
    booking = booking_for_supervisor_or_404(_me(), booking_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return _page(booking, attendance_form=form, status=400)
    try:
        bookings.mark_attendance(booking=booking, supervisor=_me(), attended=form.attendance.data == "attended",
                                 now=utcnow())
    except BookingError as error:
        db.session.rollback()
        booking = booking_for_supervisor_or_404(_me(), booking_id)
        _attach(form, error, "attendance")
        return _page(booking, attendance_form=form, status=400)
    db.session.commit()
    flash(_("Attendance saved"), "success")
    return redirect(url_for("booking.record", booking_id=booking.id))
