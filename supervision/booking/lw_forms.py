"""Forms a link worker fills in to book, join, cancel, move and answer a proposed time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, Optional

from ..forms import max_length, required
from .models import MAX_AGENDA, MAX_REASON

AGENDA_HINT = _l("Optional. What you would like to talk about. Only you and your supervisor can see it. "
                 "Keep client details out of it.")


class BookForm(FlaskForm):
    agenda = TextAreaField(_l("Agenda"), widget=GovTextArea(), description=AGENDA_HINT,
                           validators=[Optional(), max_length(MAX_AGENDA)])
    submit = SubmitField(_l("Book this time"), widget=GovSubmitInput())


class JoinForm(FlaskForm):
    agenda = TextAreaField(_l("Agenda"), widget=GovTextArea(),
                           description=_l("Optional. Only you and the supervisor can see it. "
                                          "Keep client details out of it."),
                           validators=[Optional(), max_length(MAX_AGENDA)])
    submit = SubmitField(_l("Book a place"), widget=GovSubmitInput())


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why are you cancelling?"), widget=GovTextArea(),
                           description=_l("Your supervisor will see this."),
                           validators=[required(_l("Enter why you are cancelling")), max_length(MAX_REASON)])
    submit = SubmitField(_l("Cancel the booking"), widget=GovSubmitInput())


class RescheduleForm(FlaskForm):
    start = HiddenField(validators=[required(_l("Choose a new time"))])
    reason = TextAreaField(_l("Why are you moving it?"), widget=GovTextArea(),
                           description=_l("Your supervisor will see this."),
                           validators=[required(_l("Enter why you are moving the booking")), max_length(MAX_REASON)])
    submit = SubmitField(_l("Move the booking"), widget=GovSubmitInput())


class RespondForm(FlaskForm):
    """Accepting or declining the time a supervisor proposed; a reason only when declining."""

    answer = HiddenField(validators=[AnyOf(("accept", "decline"), message=_l("Choose to accept or decline the time"))])
    reason = TextAreaField(_l("Why does the time not suit you?"), widget=GovTextArea(),
                           description=_l("Optional. Your supervisor will see this."),
                           validators=[Optional(), max_length(MAX_REASON)])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
