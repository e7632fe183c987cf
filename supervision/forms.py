"""Form pieces shared by every domain: GOV.UK widgets with translated messages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import IntegerField, SubmitField
from wtforms.validators import DataRequired, Length, StopValidation


def required(message: str) -> DataRequired:
    return DataRequired(message=message)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Enter %(limit)s characters or fewer", limit=limit))


class ConfirmForm(FlaskForm):
    """A form with only a button: for POST actions such as sign out."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class WholeNumberField(IntegerField):
    """An IntegerField whose parse error is our own translated message."""

    def __init__(self, *args, invalid_message: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Enter a whole number")

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message)


def one_of_the_offered(message):
    """Only a value the page offered: a crafted value is an error on the form, never a 500."""

    def check(form, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            field.errors[:] = []
            raise StopValidation(message)

    return check
