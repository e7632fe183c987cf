"""Forms for inviting people, changing roles and organisation settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import Email, NumberRange, Optional, StopValidation

from ..accounts.forms import EMAIL_INVALID
from ..accounts.models import MIN_REPORT_K, Role
from ..forms import WholeNumberField, max_length, required
from ..labels import KIND_LABELS, REGION_LABELS, ROLE_LABELS


def role_choices():
    # SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices.
    return [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def whole_number_required(message: str):
    """Like DataRequired, except that 0 is a number: only an empty or unreadable value stops here."""

    def check(form, field) -> None:
        if field.data is None:
            field.errors[:] = []
            raise StopValidation(message)

    check.field_flags = {"required": True}
    return check


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[required(_l("Enter an email address")), Email(message=EMAIL_INVALID),
                    max_length(254)],
    )
    roles = SelectMultipleField(
        _l("Roles"),
        widget=GovCheckboxesInput(),
        description=_l("Select all that apply"),
        choices=role_choices,
        validators=[required(_l("Select at least one role"))],
    )
    submit = SubmitField(_l("Send invitation"), widget=GovSubmitInput())


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"),
        widget=GovCheckboxesInput(),
        description=_l("Clear every role to remove this person from the organisation"),
        choices=role_choices,
    )
    submit = SubmitField(_l("Save roles"), widget=GovSubmitInput())


class OrganisationSettingsForm(FlaskForm):
    name = StringField(
        _l("Organisation name"),
        widget=GovTextInput(),
        validators=[required(_l("Enter the organisation’s name")), max_length(200)],
    )
    kind = SelectField(
        _l("Kind of organisation"),
        widget=GovSelect(),
        choices=lambda: [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[required(_l("Select the kind of organisation"))],
    )
    region = SelectField(
        _l("Health board area"),
        widget=GovSelect(),
        choices=lambda: [SelectChoice(r.value, label) for r, label in REGION_LABELS.items()],
        validators=[required(_l("Select the health board area"))],
    )
    report_k = WholeNumberField(
        _l("Smallest group shown in reports"),
        invalid_message=_l("Enter the smallest group size, as a whole number"),
        widget=GovTextInput(),
        description=_l(
            "Reports only show a figure when at least this many people stand behind it. "
            "It cannot be lower than 5"
        ),
        validators=[
            whole_number_required(_l("Enter the smallest group size, as a whole number")),
            NumberRange(min=MIN_REPORT_K, max=100,
                        message=_l("The smallest group size must be between 5 and 100")),
        ],
    )
    job_title_en = StringField(
        _l("Job title in English"),
        widget=GovTextInput(),
        description=_l("How your organisation names the link worker role, for example community connector. Leave empty for link worker"),
        validators=[Optional(), max_length(80)],
    )
    job_title_cy = StringField(
        _l("Job title in Welsh"),
        widget=GovTextInput(),
        description=_l("For example cysylltydd cymunedol. Leave empty for gweithiwr cyswllt"),
        validators=[Optional(), max_length(80)],
    )
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())
