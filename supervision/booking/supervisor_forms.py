"""Forms a supervisor fills in about their sessions: reviewing a request, cancelling, moving,
changing a group's places and scheduling a group session. Dates and times are typed in London time."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from ..forms import WholeNumberField, max_length, one_of_the_offered, required
from ..reflections.forms import GovDateField
from .errors import BookingError, SlotTaken
from .fields import SizedTextInput, TimeDoesNotExist, TimeOfDayField, format_minutes, to_utc, too_far_ahead
from .models import CAPACITY, MAX_REASON

APPROVE, DECLINE, PROPOSE = "approve", "decline", "propose"
DECISION_LABELS = {
    APPROVE: _l("Approve the request"),
    DECLINE: _l("Decline the request"),
    PROPOSE: _l("Propose another time"),
}
TIME_NOT_FREE = _l("That time is no longer free. It overlaps another session, or the break you keep "
                   "between sessions. Choose another time.")
# Where a rule's message goes when the service names a field these forms call something else.
FIELD_ALIASES = {"starts_at": "session_date", "start": "session_date", "date": "session_date",
                 "time": "session_time", "min": "min_attendees"}


def _text(value):
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def add_error(field, message) -> None:
    field.errors = [*field.errors, message]


def show_booking_error(form: FlaskForm, error: BookingError, default: str, aliases: dict | None = None) -> None:
    """Put a rule's message on the field it concerns (or `default`), so the error summary links to it."""
    if isinstance(error, SlotTaken):
        # For a time the supervisor chose, "just taken" would mislead: it is usually their own session.
        add_error(form[default], TIME_NOT_FREE)
        return
    name = {**FIELD_ALIASES, **(aliases or {})}.get(error.field or "", error.field)
    field = form._fields.get(name) if name else None
    add_error(field if field is not None and name != "csrf_token" else form[default], error.message)


class WhenFields:
    """A date and a time in London that together make the session's new start."""

    session_date = GovDateField(_l("Date"), description=_l("For example, 27 3 2026"))
    session_time = TimeOfDayField(_l("Start time"),
                                  description=_l("In UK time, for example 09:30 or 2:15pm"))

    def starts_at(self, now: datetime) -> datetime | None:
        """The start in UTC, or None with the reason on the field. Call after validate()."""
        if self.session_date.errors or self.session_time.errors:
            return None
        day, minutes = self.session_date.data, self.session_time.minutes
        if day is None:
            add_error(self.session_date, _l("Enter the date"))
        if minutes is None:
            add_error(self.session_time, _l("Enter the start time"))
        if day is None or minutes is None:
            return None
        if too_far_ahead(day, now.date()):
            add_error(self.session_date, _l("Enter a date within the next 2 years"))
            return None
        try:
            start = to_utc(day, minutes)
        except TimeDoesNotExist:
            add_error(self.session_time, _l("%(time)s does not exist on %(date)s because the clocks go forward. "
                                            "Choose another time", time=format_minutes(minutes),
                                            date=format_date(day, "d MMMM yyyy")))
            return None
        except ValueError:
            add_error(self.session_time, _l("Enter a time, like 09:30 or 2:15pm"))
            return None
        if start <= now:
            add_error(self.session_date, _l("The date and time must be in the future"))
            return None
        return start


class ReviewForm(WhenFields, FlaskForm):
    """Approve, decline with a reason, or propose another time. All fields are always on the page
    (GOV.UK conditional reveal needs no JavaScript); only the chosen decision's are checked."""

    decision = RadioField(
        _l("What do you want to do?"),
        widget=GovRadioInput(),
        description=_l("We will tell the link worker what you decide."),
        choices=lambda: [SelectChoice(value, label) for value, label in DECISION_LABELS.items()],
        validate_choice=False,
        validators=[required(_l("Select whether to approve, decline or propose another time")),
                    one_of_the_offered(_l("Select whether to approve, decline or propose another time"))],
    )
    reason = TextAreaField(_l("Why are you declining?"), widget=GovTextArea(), filters=[_text],
                           description=_l("The link worker will see this. Keep client details out of it."),
                           validators=[max_length(MAX_REASON)])
    note = TextAreaField(_l("Note for the link worker (optional)"), widget=GovTextArea(), filters=[_text],
                         description=_l("For example, why this time suits you better."),
                         validators=[max_length(MAX_REASON)])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    BRANCH_FIELDS = {APPROVE: (), DECLINE: ("reason",), PROPOSE: ("session_date", "session_time", "note")}

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        chosen = self.BRANCH_FIELDS.get(self.decision.data, ())
        # What was typed under a decision not chosen is ignored, errors and all.
        for name in ("reason", "session_date", "session_time", "note"):
            if name not in chosen:
                self[name].errors = []
        if self.decision.data == DECLINE and not self.reason.errors and not self.reason.data:
            add_error(self.reason, _l("Enter the reason you are declining"))
        return not self.errors


class ReasonForm(FlaskForm):
    """Cancelling a booking or a whole session: the reason goes to the people booked."""

    reason = TextAreaField(_l("Why are you cancelling?"), widget=GovTextArea(), filters=[_text],
                           description=_l("The people booked will see this. Keep client details out of it."),
                           validators=[required(_l("Enter the reason you are cancelling")), max_length(MAX_REASON)])
    submit = SubmitField(_l("Cancel the session"), widget=GovSubmitInput())


class RescheduleForm(WhenFields, FlaskForm):
    reason = TextAreaField(_l("Why are you moving it?"), widget=GovTextArea(), filters=[_text],
                           description=_l("The link worker will see this. Keep client details out of it."),
                           validators=[required(_l("Enter the reason you are moving the session")),
                                       max_length(MAX_REASON)])
    submit = SubmitField(_l("Move the session"), widget=GovSubmitInput())


def _places(message):
    # InputRequired, not DataRequired: "many" keeps its own "Enter a whole number" message.
    return [InputRequired(message),
            NumberRange(min=CAPACITY[0], max=CAPACITY[1],
                        message=_l("Enter a number from %(low)s to %(high)s", low=CAPACITY[0], high=CAPACITY[1]))]


class CapacityForm(FlaskForm):
    capacity = WholeNumberField(_l("Places"), widget=SizedTextInput("govuk-input--width-3"),
                                render_kw={"inputmode": "numeric"},
                                validators=_places(_l("Enter the number of places")))
    min_attendees = WholeNumberField(_l("Minimum number of people"),
                                     description=_l("If fewer have booked 24 hours before, the session is cancelled."),
                                     widget=SizedTextInput("govuk-input--width-3"), render_kw={"inputmode": "numeric"},
                                     validators=_places(_l("Enter the minimum number of people")))
    submit = SubmitField(_l("Change places"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.min_attendees.data > self.capacity.data:
            add_error(self.min_attendees, _l("The minimum cannot be more than the number of places"))
        return not self.errors


class ScheduleGroupForm(WhenFields, FlaskForm):
    session_type = RadioField(
        _l("Which group session?"),
        widget=GovRadioInput(),
        description=_l("The places, minimum and location come from the kind of session you choose."),
        validate_choice=False,
        validators=[required(_l("Select the kind of group session")),
                    one_of_the_offered(_l("Select one of your group sessions"))],
    )
    submit = SubmitField(_l("Schedule the session"), widget=GovSubmitInput())

    def __init__(self, *args, session_types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_type.choices = [SelectChoice(str(kind.id), kind.name) for kind in session_types]
