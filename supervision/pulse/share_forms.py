"""The form for sharing a summary of one's trend with a supervisor."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields import SelectChoice

from ..accounts.models import User
from ..forms import one_of_the_offered, required


class TrendShareForm(FlaskForm):
    supervisor = RadioField(
        _l("Who do you want to share it with?"),
        widget=GovRadioInput(),
        description=_l("You can share it with one of your supervisors, and stop sharing it at any time."),
        validate_choice=False,
        validators=[required(_l("Select the supervisor to share it with")),
                    one_of_the_offered(_l("Select one of your supervisors"))],
    )
    submit = SubmitField(_l("Share a summary of your trend"), widget=GovSubmitInput())

    def __init__(self, *args, supervisors: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.supervisor.choices = [SelectChoice(str(person.id), person.name) for person in supervisors]

    def chosen_supervisor(self, supervisors: list[User]) -> User:
        return next(person for person in supervisors if str(person.id) == self.supervisor.data)
