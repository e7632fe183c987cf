"""Forms for the admin's support settings: the working week, the employer's support contacts and
the helplines."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, Optional, StopValidation, ValidationError

from ..booking.fields import TimeOfDayField
from ..booking.setup_forms import needed, weekday_names
from ..forms import max_length, required
from ..support.services import MAX_HELPLINES, HelplineData
from .forms import _strip

MAX_CONTACT, MAX_NAME, MAX_NUMBER, MAX_DETAILS = 500, 120, 60, 200
# Digits, spaces and hyphens, with an optional leading +; anything else ("press 2") goes in the details.
_NUMBER = re.compile(r"^\+?[0-9][0-9 \-]*$")
NUMBER_DIGITS = (3, 15)  # "111" up to the longest international number (E.164)


def _text(value):
    """Line endings as one character each, so the length limit counts what people see."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def days_to_mask(values) -> int:
    return sum(1 << int(value) for value in set(values or []))


def mask_to_days(mask: int) -> list[str]:
    return [str(day) for day in range(7) if mask & (1 << day)]


def _contact(label, description) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=description, filters=[_text],
                         validators=[Optional(), max_length(MAX_CONTACT)])


class SupportSettingsForm(FlaskForm):
    working_days = SelectMultipleField(
        _l("Working days"),
        widget=GovCheckboxesInput(),
        description=_l("Select all that apply"),
        choices=lambda: [SelectChoice(str(day), name) for day, name in sorted(weekday_names().items())],
        validate_choice=False,
    )
    working_day_start = TimeOfDayField(_l("Working day starts"), description=_l("For example, 9am or 09:00"),
                                       validators=[needed(_l("Enter the time the working day starts"))])
    working_day_end = TimeOfDayField(_l("Working day ends"), description=_l("For example, 5pm or 17:00"),
                                     validators=[needed(_l("Enter the time the working day ends"))])
    eap_en = _contact(_l("Employee assistance programme in English (optional)"),
                      _l("Who provides it and how to reach them, for example a phone number and website"))
    eap_cy = _contact(_l("Employee assistance programme in Welsh (optional)"),
                      _l("Leave empty to show the English to everyone"))
    occupational_health_en = _contact(_l("Occupational health in English (optional)"),
                                      _l("How link workers can ask for a referral or contact the team"))
    occupational_health_cy = _contact(_l("Occupational health in Welsh (optional)"),
                                      _l("Leave empty to show the English to everyone"))
    submit = SubmitField(_l("Save support and working hours"), widget=GovSubmitInput())

    def validate_working_days(self, field) -> None:
        chosen = field.data or []
        if not chosen:
            raise StopValidation(_l("Select at least one working day"))
        if set(chosen) - {choice.value for choice in field.choices}:
            raise StopValidation(_l("Select working days from the list"))

    def validate_working_day_end(self, field) -> None:
        start, end = self.working_day_start.minutes, field.minutes
        if start is not None and end is not None and end <= start:
            raise ValidationError(_l("The working day must end after it starts"))

    @property
    def days_mask(self) -> int:
        return days_to_mask(self.working_days.data)


def _number_check(form, field) -> None:
    number = field.data or ""
    if not _NUMBER.fullmatch(number):
        raise StopValidation(_l("Enter the number using only digits and spaces, like 0300 123 4567"))
    digits = len(re.sub(r"[^0-9]", "", number))
    if not NUMBER_DIGITS[0] <= digits <= NUMBER_DIGITS[1]:
        raise StopValidation(_l("Enter a number with between %(low)s and %(high)s digits",
                                low=NUMBER_DIGITS[0], high=NUMBER_DIGITS[1]))


class HelplineForm(FlaskForm):
    name_en = StringField(_l("Name in English"), widget=GovTextInput(), filters=[_strip],
                          description=_l("For example, Samaritans"),
                          validators=[required(_l("Enter the helpline’s name in English")), max_length(MAX_NAME)])
    name_cy = StringField(_l("Name in Welsh (optional)"), widget=GovTextInput(), filters=[_strip],
                          description=_l("Leave empty to show the English name to everyone"),
                          validators=[Optional(), max_length(MAX_NAME)])
    number = StringField(_l("Phone number"), widget=GovTextInput(), filters=[_strip],
                         description=_l("As people dial it, for example 116 123. Put anything else, "
                                        "like ‘press 2’, in the details"),
                         validators=[required(_l("Enter the helpline’s phone number")), max_length(MAX_NUMBER),
                                     _number_check])
    details_en = StringField(_l("Details in English (optional)"), widget=GovTextInput(), filters=[_strip],
                             description=_l("When it is open and what it costs, for example "
                                            "Free, 24 hours a day"),
                             validators=[Optional(), max_length(MAX_DETAILS)])
    details_cy = StringField(_l("Details in Welsh (optional)"), widget=GovTextInput(), filters=[_strip],
                             description=_l("Leave empty to show the English details to everyone"),
                             validators=[Optional(), max_length(MAX_DETAILS)])
    submit = SubmitField(_l("Save helpline"), widget=GovSubmitInput())

    def to_data(self) -> HelplineData:
        return HelplineData(name_en=self.name_en.data, name_cy=self.name_cy.data, number=self.number.data,
                            details_en=self.details_en.data, details_cy=self.details_cy.data)


class HelplineRemoveForm(FlaskForm):
    submit = SubmitField(_l("Remove helpline"), widget=GovSubmitInput())


class HelplineMoveForm(FlaskForm):
    """Sent by the "Move up" and "Move down" buttons beside each helpline."""

    direction = HiddenField(validators=[AnyOf(("up", "down"))])


SUPPORT_MESSAGES = {
    "too_many_helplines": _l("You can have up to %(limit)s helplines. Remove one before you add another",
                             limit=MAX_HELPLINES),
}
