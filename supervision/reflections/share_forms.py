"""Forms for sharing a reflection with a supervisor and for a supervisor's comment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import StopValidation

from ..accounts.models import User
from ..forms import max_length, required
from .models import ShareLength
from .sharing import MAX_COMMENT

LENGTH_LABELS = {
    ShareLength.week: _l("7 days"),
    ShareLength.month: _l("30 days"),
    ShareLength.next_session: _l("Until your next supervision session with them"),
}
NEXT_SESSION_HINT = _l("Until the end of your next supervision session with them, or 90 days at most.")


def _one_of_the_offered(message):
    """Only a value the page offered: a crafted value is an error on the form, never a 500."""

    def check(form, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            field.errors[:] = []
            raise StopValidation(message)

    return check


class ShareForm(FlaskForm):
    supervisor = RadioField(
        _l("Who do you want to share it with?"),
        widget=GovRadioInput(),
        description=_l("You can share it with one of your supervisors."),
        validate_choice=False,
        validators=[required(_l("Select the supervisor to share it with")),
                    _one_of_the_offered(_l("Select one of your supervisors"))],
    )
    length = RadioField(
        _l("For how long?"),
        widget=GovRadioInput(),
        description=_l("You can stop sharing it at any time."),
        choices=lambda: [SelectChoice(length.value, label) for length, label in LENGTH_LABELS.items()],
        validate_choice=False,
        validators=[required(_l("Select how long to share it for")),
                    _one_of_the_offered(_l("Select how long to share it for"))],
    )
    submit = SubmitField(_l("Share reflection"), widget=GovSubmitInput())

    def __init__(self, *args, supervisors: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.supervisor.choices = [SelectChoice(str(person.id), person.name) for person in supervisors]

    def chosen_supervisor(self, supervisors: list[User]) -> User:
        return next(person for person in supervisors if str(person.id) == self.supervisor.data)


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Add a comment"),
        widget=GovTextArea(),
        description=_l("The author will see your comment with this reflection. Keep client details out of it."),
        validators=[required(_l("Enter your comment")), max_length(MAX_COMMENT)],
    )
    submit = SubmitField(_l("Add comment"), widget=GovSubmitInput())
