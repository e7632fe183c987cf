"""Forms for a supervisor's set-up: booking settings, a weekly window, a session type and a block."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_day_names
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from ..forms import WholeNumberField, max_length, one_of_the_offered
from ..reflections.forms import GovDateField
from .availability import MAX_COVER_NOTE, SETTING_LIMITS, SettingsData
from .errors import BookingError
from .fields import SizedTextInput, TimeDoesNotExist, TimeOfDayField, to_utc, too_far_ahead
from .models import CAPACITY, LENGTH_MINUTES, LocationKind, SessionKind
from .session_types import (
    CAPACITY_MESSAGE,
    LENGTH_MESSAGE,
    MAX_ADDRESS,
    MAX_LINK,
    MAX_NAME,
    MINIMUM_MESSAGE,
    SessionTypeData,
)

YES, NO = "yes", "no"
KIND_LABELS = {SessionKind.one_to_one: _l("One-to-one supervision"), SessionKind.group: _l("Group peer supervision")}
LOCATION_LABELS = {LocationKind.in_person: _l("In person"), LocationKind.online: _l("Online")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(value):
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def needed(message):
    """Something must be there. Unlike DataRequired, 0 counts; a field that could not be read keeps
    only its own error."""

    def check(form, field) -> None:
        if field.errors:
            raise StopValidation()
        if field.data is None or field.data == "":
            raise StopValidation(message)

    return check


def between(bounds: tuple[int, int], message):
    def check(form, field) -> None:
        if field.data is not None and not bounds[0] <= field.data <= bounds[1]:
            raise ValidationError(message)

    return check


def show_error(form: FlaskForm, error: BookingError, default: str) -> None:
    """Put a service's refusal on the field it names (or on `default`), for the error summary."""
    name = error.field if error.field in form else default
    form[name].errors = [*form[name].errors, error.message]


def _number(label, bounds, message, missing, invalid, *, description=None, optional=False):
    validators = [] if optional else [needed(missing)]
    return WholeNumberField(label, widget=SizedTextInput("govuk-input--width-3"), description=description,
                            render_kw={"inputmode": "numeric"},
                            invalid_message=invalid, validators=[*validators, between(bounds, message)])


def _limit(name: str):
    return SETTING_LIMITS[name][0], SETTING_LIMITS[name][1]


class SettingsForm(FlaskForm):
    requires_approval = RadioField(
        _l("Do you want to approve each booking?"),
        widget=GovRadioInput(),
        choices=lambda: [SelectChoice(YES, _l("Yes, I will approve or decline each request")),
                         SelectChoice(NO, _l("No, confirm bookings straight away"))],
        validate_choice=False,
        validators=[needed(_l("Select whether you want to approve each booking")),
                    one_of_the_offered(_l("Select whether you want to approve each booking"))],
    )
    buffer_minutes = _number(_l("Buffer between sessions, in minutes"), *_limit("buffer_minutes"),
                             _l("Enter the buffer between sessions"), _l("Buffer must be a whole number of minutes"),
                             description=_l("Time kept free before and after each session"))
    min_notice_hours = _number(_l("Minimum notice, in hours"), *_limit("min_notice_hours"),
                               _l("Enter the minimum notice"), _l("Minimum notice must be a whole number of hours"),
                               description=_l("How soon before a session people can book it"))
    max_days_ahead = _number(_l("How far ahead people can book, in days"), *_limit("max_days_ahead"),
                             _l("Enter how far ahead people can book"),
                             _l("How far ahead must be a whole number of days"))
    weekly_cap = _number(_l("Most sessions in a week (optional)"), *_limit("weekly_cap"), None,
                         _l("Weekly limit must be a whole number of sessions"), optional=True,
                         description=_l("Leave empty for no limit"))
    cancel_cutoff_hours = _number(_l("Cut-off for cancelling or moving, in hours"), *_limit("cancel_cutoff_hours"),
                                  _l("Enter the cut-off"), _l("Cut-off must be a whole number of hours"),
                                  description=_l("Closer to the session than this, only you can cancel or move it"))
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())

    def to_data(self) -> SettingsData:
        return SettingsData(requires_approval=self.requires_approval.data == YES,
                            buffer_minutes=self.buffer_minutes.data, min_notice_hours=self.min_notice_hours.data,
                            max_days_ahead=self.max_days_ahead.data, weekly_cap=self.weekly_cap.data,
                            cancel_cutoff_hours=self.cancel_cutoff_hours.data)


def weekday_names() -> dict[int, str]:
    """Monday (0) to Sunday (6), in the page's language."""
    return dict(get_day_names("wide", context="stand-alone", locale=get_locale()))


class WindowForm(FlaskForm):
    weekday = RadioField(
        _l("Day of the week"),
        widget=GovRadioInput(),
        choices=lambda: [SelectChoice(str(day), name) for day, name in sorted(weekday_names().items())],
        validate_choice=False,
        validators=[needed(_l("Select a day of the week")), one_of_the_offered(_l("Select a day of the week"))],
    )
    start = TimeOfDayField(_l("Start time"), description=_l("For example, 09:30 or 2pm"),
                           validators=[needed(_l("Enter a start time"))])
    end = TimeOfDayField(_l("End time"), description=_l("For example, 12:30 or 5pm"),
                         validators=[needed(_l("Enter an end time"))])
    submit = SubmitField(_l("Add window"), widget=GovSubmitInput())

    def validate_end(self, field) -> None:
        if field.minutes is not None and self.start.minutes is not None and field.minutes <= self.start.minutes:
            raise ValidationError(_l("End time must be after the start time"))


class SessionTypeForm(FlaskForm):
    name = StringField(_l("Name"), widget=GovTextInput(), filters=[_strip],
                       description=_l("People see this when they book, for example ‘Peer supervision: Ogmore group’"),
                       validators=[needed(_l("Enter a name for the session type")), max_length(MAX_NAME)])
    kind = RadioField(
        _l("Kind of session"), widget=GovRadioInput(), validate_choice=False,
        choices=lambda: [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[needed(_l("Select one-to-one or group")), one_of_the_offered(_l("Select one-to-one or group"))],
    )
    capacity = _number(_l("Places"), CAPACITY, CAPACITY_MESSAGE, _l("Enter the number of places"),
                       _l("Places must be a whole number"))
    min_attendees = _number(_l("Minimum number of people"), (1, CAPACITY[1]), MINIMUM_MESSAGE,
                            _l("Enter the minimum number of people"),
                            _l("Minimum number of people must be a whole number"),
                            description=_l("If fewer have booked 24 hours before, the session is cancelled "
                                           "and everyone is told"))
    length_minutes = _number(_l("Length, in minutes"), LENGTH_MINUTES, LENGTH_MESSAGE, _l("Enter the length"),
                             _l("Length must be a whole number of minutes"))
    location_kind = RadioField(
        _l("Where"), widget=GovRadioInput(), validate_choice=False,
        choices=lambda: [SelectChoice(kind.value, label) for kind, label in LOCATION_LABELS.items()],
        validators=[needed(_l("Select in person or online")), one_of_the_offered(_l("Select in person or online"))],
    )
    address = TextAreaField(_l("Address"), widget=GovTextArea(), filters=[_text], validators=[max_length(MAX_ADDRESS)])
    online_link = StringField(_l("Link to the online meeting"), widget=GovTextInput(), filters=[_strip],
                              description=_l("It must start with https://"), validators=[max_length(MAX_LINK)])
    organisation_id = RadioField(_l("Offered in"), widget=GovRadioInput(), validate_choice=False,
                                 description=_l("Group sessions are open to the link workers of this organisation"))
    submit = SubmitField(_l("Save session type"), widget=GovSubmitInput())

    def __init__(self, *args, organisations: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
        if len(organisations) == 1 and not self.organisation_id.data:
            self.organisation_id.data = str(organisations[0].id)

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # Places only matter for groups; the address or the link only for their own location.
        if self.kind.data != SessionKind.group.value:
            self.capacity.errors, self.min_attendees.errors = [], []
        elif not (self.capacity.errors or self.min_attendees.errors) and self.min_attendees.data > self.capacity.data:
            self.min_attendees.errors = [_("Minimum number of people must not be more than the number of places")]
        if self.location_kind.data == LocationKind.in_person.value and not self.address.data and not self.address.errors:
            self.address.errors = [_("Enter the address")]
        if self.location_kind.data != LocationKind.in_person.value:
            self.address.errors = []
        if self.location_kind.data == LocationKind.online.value and not self.online_link.data \
                and not self.online_link.errors:
            self.online_link.errors = [_("Enter the link to the online meeting")]
        if self.location_kind.data != LocationKind.online.value:
            self.online_link.errors = []
        if self.organisation_id.data not in {c.value for c in self.organisation_id.choices}:
            self.organisation_id.errors = [_("Select an organisation where you supervise")]
        return not self.errors

    def to_data(self) -> SessionTypeData:
        group = self.kind.data == SessionKind.group.value
        return SessionTypeData(
            name=self.name.data, kind=SessionKind(self.kind.data), length_minutes=self.length_minutes.data,
            location_kind=LocationKind(self.location_kind.data), organisation_id=int(self.organisation_id.data),
            capacity=self.capacity.data if group else 1, min_attendees=self.min_attendees.data if group else 1,
            address=self.address.data, online_link=self.online_link.data,
        )


class BlockForm(FlaskForm):
    start_date = GovDateField(_l("Start date"), description=_l("For example, 3 8 2026"))
    start_time = TimeOfDayField(_l("Start time (optional)"),
                                description=_l("Leave empty to start at the beginning of the day"))
    end_date = GovDateField(_l("End date"), description=_l("For example, 14 8 2026"))
    end_time = TimeOfDayField(_l("End time (optional)"), description=_l("Leave empty to end at the end of the day"))
    cover_note = TextAreaField(
        _l("Who covers while you are away (optional)"), widget=GovTextArea(), filters=[_text],
        description=_l("People who try to book see this, for example ‘Dr Siân Morgan covers urgent requests’"),
        validators=[max_length(MAX_COVER_NOTE)],
    )
    submit = SubmitField(_l("Add time off"), widget=GovSubmitInput())

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.start_date.data is None and not self.start_date.errors:
            self.start_date.errors = [_("Enter the start date")]
        if self.end_date.data is None and not self.end_date.errors:
            self.end_date.errors = [_("Enter the end date")]
        self.starts_at = self._instant(self.start_date, self.start_time, 0)
        self.ends_at = self._instant(self.end_date, self.end_time, 24 * 60)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            self.end_date.errors = [_("End must be after the start")]
        return not self.errors

    @staticmethod
    def _instant(date_field, time_field, empty_minutes: int) -> datetime | None:
        if date_field.data is None or date_field.errors or time_field.errors:
            return None
        minutes = empty_minutes if time_field.minutes is None else time_field.minutes
        if too_far_ahead(date_field.data, date.today()):
            date_field.errors = [_("Enter a date within the next 2 years")]
            return None
        try:
            return to_utc(date_field.data, minutes)
        except TimeDoesNotExist:
            time_field.errors = [_("The clocks go forward at 1am on %(date)s, so times from 1am to 2am do not "
                                   "exist that day. Enter another time", date=format_date(date_field.data, "d MMMM yyyy"))]
            return None
