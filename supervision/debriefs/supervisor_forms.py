"""Forms a supervisor fills in about a debrief request: passing it on, declining it, booking the
debrief and recording how it went. Every choice is checked against what the page offered."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice

from ..booking.direct import DIRECT_LENGTHS
# The booking feature's date, time and checks for a time a supervisor chooses, reused as they are.
from ..booking.supervisor_forms import WhenFields
from ..forms import max_length, one_of_the_offered, required
from . import labels
from .models import MAX_NOTES, MAX_REASON, HeldBy, Urgency


def _text(value):
    # Browsers send \r\n; count and keep what the person sees.
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in mapping.items()]


def _radios(label, message, **kwargs) -> RadioField:
    return RadioField(label, widget=GovRadioInput(), validate_choice=False,
                      validators=[required(message), one_of_the_offered(message)], **kwargs)


class PassOnForm(FlaskForm):
    colleague = _radios(_l("Who should it go to?"), _l("Select the supervisor to pass it to"),
                        description=_l("They will be told there is a request waiting for them. "
                                       "It will leave your queue."))
    submit = SubmitField(_l("Pass it on"), widget=GovSubmitInput())

    def __init__(self, *args, colleagues=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.colleague.choices = [SelectChoice(str(person.id), person.name) for person in colleagues]


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why are you declining?"), widget=GovTextArea(), filters=[_text],
                           description=_l("The link worker will see this reason. Keep client details out of it."),
                           validators=[required(_l("Give a reason, so that the link worker knows what to do next")),
                                       max_length(MAX_REASON)])
    alternative = _radios(_l("What do you suggest instead?"), _l("Select the support you suggest instead"),
                          choices=lambda: _choices(labels.ALTERNATIVE))
    submit = SubmitField(_l("Decline the request"), widget=GovSubmitInput())


class BookForm(WhenFields, FlaskForm):
    """A date and time in London (the booking feature's fields and checks), a length and one of the
    supervisor's one-to-one session types, which carries where it happens."""

    session_type = _radios(_l("Which kind of session?"), _l("Select the kind of session"),
                           description=_l("Where it happens comes from the kind of session you choose."))
    length = _radios(_l("How long?"), _l("Select how long the debrief lasts"),
                     description=_l("A debrief on the day of a hard case is often about 15 minutes."))
    submit = SubmitField(_l("Book the debrief"), widget=GovSubmitInput())

    def __init__(self, *args, session_types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_type.choices = [SelectChoice(str(kind.id), kind.name) for kind in session_types]
        self.length.choices = [SelectChoice(str(minutes), ngettext("%(num)s minute", "%(num)s minutes", minutes))
                               for minutes in DIRECT_LENGTHS]

    @staticmethod
    def default_length(urgency: Urgency) -> str:
        # A hot debrief is short and soon; the others are a fuller conversation.
        return "15" if urgency == Urgency.today else "60"


class RecordForm(FlaskForm):
    held_by = _radios(_l("How did the debrief happen?"), _l("Select how the debrief happened"))
    outcome = _radios(_l("What was the outcome?"), _l("Select the outcome"),
                      choices=lambda: _choices(labels.OUTCOME))
    notes = TextAreaField(_l("Notes (optional)"), widget=GovTextArea(), filters=[_text],
                          description=_l("The link worker will see these notes. Keep client details out of them."),
                          validators=[max_length(MAX_NOTES)])
    submit = SubmitField(_l("Record the debrief"), widget=GovSubmitInput())

    def __init__(self, *args, booked: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "In a session booked in Cwtch" only when there is one.
        self.held_by.choices = [SelectChoice(way.value, label) for way, label in labels.HELD_BY.items()
                                if booked or way != HeldBy.session]
