"""Forms for the second sign-in step, and the messages for its errors."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField

from ..accounts.forms import ConfirmIdentityForm
from ..forms import max_length, required

MESSAGES = {
    "code_wrong": _l("The code is not right. Enter the 6-digit code your authenticator app shows now"),
    "code_used": _l("That code has already been used. Wait for your app to show a new code, then enter it"),
    "recovery_used": _l("That recovery code has already been used. Each recovery code works only once"),
    "throttled": _l("Too many wrong codes. Wait 5 minutes, then try again"),
    "not_enrolled": _l("There is no second step set up for this account"),
    "required": _l("Your role needs a second step to sign in, so you cannot turn it off"),
    "reset_self": _l("You cannot reset your own second step here. Set it up again from Your account"),
    "member_elsewhere": _l(
        "This person also belongs to another organisation, so you cannot reset their second step. "
        "They can sign in with a recovery code"
    ),
}


def attach_error(form, code: str) -> None:
    """Put a second-step error on the code field, so it shows there and in the error summary."""
    form.code.errors = list(form.code.errors) + [MESSAGES.get(code, MESSAGES["code_wrong"])]


def _code_field(label, description):
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        validators=[required(_l("Enter the code")), max_length(40)],
    )


class SetupForm(FlaskForm):
    code = _code_field(_l("Code from the app"),
                       _l("The 6-digit code the app shows for Cwtch. It changes every 30 seconds"))
    submit = SubmitField(_l("Turn on the second step"), widget=GovSubmitInput())


class SignInCodeForm(FlaskForm):
    code = _code_field(_l("Code"), _l("The 6-digit code from your authenticator app, or a recovery code"))
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ConfirmIdentityWithCodeForm(ConfirmIdentityForm):
    """The confirm-identity page for someone with a second step: their password and a code."""

    code = _code_field(_l("Code"), _l("The 6-digit code from your authenticator app, or a recovery code"))
