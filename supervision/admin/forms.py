"""Forms for inviting people, changing roles, organisation settings, themes and supervisors."""
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
from wtforms.validators import Email, NumberRange, Optional, StopValidation, ValidationError

from ..accounts.forms import EMAIL_INVALID
from ..accounts.models import MIN_REPORT_K, RETENTION_LIMITS, SUPERVISION_STANDARD_DAYS, Role
from ..forms import WholeNumberField, max_length, required
from ..labels import KIND_LABELS, REGION_LABELS, ROLE_LABELS
from .sessions import WEEKS as SESSION_WEEKS


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


def retention_limits(name: str) -> dict[str, int]:
    default, low, high = RETENTION_LIMITS[name]
    return {"default": default, "low": low, "high": high}


def retention_field(name: str, label, description, invalid, out_of_range) -> WholeNumberField:
    """A whole number within the limits the organisation table's CHECK constraint allows.

    Empty means the default, as an empty job title means "link worker".
    """
    limits = retention_limits(name)
    return WholeNumberField(
        label,
        invalid_message=invalid,
        widget=GovTextInput(),
        description=description,
        validators=[Optional(), NumberRange(min=limits["low"], max=limits["high"], message=out_of_range)],
    )


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
    supervision_standard_days = WholeNumberField(
        _l("Supervision standard"),
        invalid_message=_l("Enter how often link workers should have supervision, as a whole number of days"),
        widget=GovTextInput(),
        description=_l("How often each link worker should have a supervision session, in days from %(low)s to "
                       "%(high)s. 30 days is about once a month. Leave empty for 30 days",
                       low=SUPERVISION_STANDARD_DAYS[1], high=SUPERVISION_STANDARD_DAYS[2]),
        # Empty means the default, as with the retention periods below.
        validators=[
            Optional(),
            NumberRange(min=SUPERVISION_STANDARD_DAYS[1], max=SUPERVISION_STANDARD_DAYS[2],
                        message=_l("The supervision standard must be between %(low)s and %(high)s days",
                                   low=SUPERVISION_STANDARD_DAYS[1], high=SUPERVISION_STANDARD_DAYS[2])),
        ],
    )
    retention_pulse_months = retention_field(
        "retention_pulse_months",
        _l("Keep each person’s wellbeing survey answers for"),
        _l("In months, from %(low)s to %(high)s. Anonymised totals are kept. Leave empty for the "
           "default of %(default)s months", **retention_limits("retention_pulse_months")),
        _l("Enter how many months to keep survey answers, as a whole number"),
        _l("Survey answers must be kept for between %(low)s and %(high)s months",
           **retention_limits("retention_pulse_months")),
    )
    retention_debrief_months = retention_field(
        "retention_debrief_months",
        _l("Keep closed debrief requests for"),
        _l("A request is closed when its debrief is recorded, or it is declined or withdrawn. In months, from "
           "%(low)s to %(high)s. Leave empty for the default of %(default)s months",
           **retention_limits("retention_debrief_months")),
        _l("Enter how many months to keep debrief requests, as a whole number"),
        _l("Debrief requests must be kept for between %(low)s and %(high)s months",
           **retention_limits("retention_debrief_months")),
    )
    retention_audit_months = retention_field(
        "retention_audit_months",
        _l("Keep the audit log for"),
        _l("The audit log records who signed in and who changed what. In months, from %(low)s to "
           "%(high)s. Leave empty for the default of %(default)s months",
           **retention_limits("retention_audit_months")),
        _l("Enter how many months to keep the audit log, as a whole number"),
        _l("The audit log must be kept for between %(low)s and %(high)s months",
           **retention_limits("retention_audit_months")),
    )
    retention_invitation_days = retention_field(
        "retention_invitation_days",
        _l("Keep invitations after they expire for"),
        _l("In days, from %(low)s to %(high)s. Leave empty for the default of %(default)s days",
           **retention_limits("retention_invitation_days")),
        _l("Enter how many days to keep invitations, as a whole number"),
        _l("Invitations must be kept for between %(low)s and %(high)s days",
           **retention_limits("retention_invitation_days")),
    )
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())


class ThemeForm(FlaskForm):
    name_en = StringField(
        _l("Name in English"),
        widget=GovTextInput(),
        validators=[required(_l("Enter the theme’s name in English")), max_length(80)],
    )
    name_cy = StringField(
        _l("Name in Welsh"),
        widget=GovTextInput(),
        validators=[required(_l("Enter the theme’s name in Welsh")), max_length(80)],
    )
    submit = SubmitField(_l("Add theme"), widget=GovSubmitInput())


THEME_MESSAGES = {
    "taken": _l("Your organisation already has a theme with this name"),
    "builtin": _l("This is already one of the themes everyone can choose"),
}


class SupervisorsForm(FlaskForm):
    """The choices are the organisation's supervisors, set by the route; anything else is refused."""

    supervisors = SelectMultipleField(
        _l("Supervisors"),
        widget=GovCheckboxesInput(),
        description=_l("Select all that apply. Clear them all if this person has no supervisor here"),
        validate_choice=False,
    )
    submit = SubmitField(_l("Save supervisors"), widget=GovSubmitInput())

    def __init__(self, *args, supervisors, person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.supervisors.choices = [SelectChoice(str(user.id), user.name) for user in supervisors]
        self._person_id = str(person.id)

    def validate_supervisors(self, field) -> None:
        chosen = set(field.data or [])
        if self._person_id in chosen:
            raise ValidationError(_l("A person cannot supervise themselves"))
        if chosen - {choice.value for choice in field.choices}:
            raise ValidationError(_l("Select supervisors from the list"))

    @property
    def supervisor_ids(self) -> set[int]:
        return {int(value) for value in self.supervisors.data or []}


class SessionWeeksForm(FlaskForm):
    """How far ahead the admin's session list looks. Sent by GET, so the address can be shared."""

    class Meta:
        csrf = False

    weeks = WholeNumberField(
        _l("Weeks ahead"),
        invalid_message=_l("Enter the number of weeks as a whole number, like 8"),
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=SESSION_WEEKS[0], max=SESSION_WEEKS[1],
                                            message=_l("Enter a number of weeks between %(low)s and %(high)s",
                                                       low=SESSION_WEEKS[0], high=SESSION_WEEKS[1]))],
    )
