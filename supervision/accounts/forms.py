"""Sign-in, invitation, password and settings forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import Email, EqualTo

from ..forms import max_length, required
from .passwords import MAX_LENGTH

EMAIL_INVALID = _l("Enter an email address in the correct format, like name@example.com")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[required(_l("Enter your email address")), max_length(254)],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[required(_l("Enter your password")), max_length(MAX_LENGTH)],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


def _new_password_fields():
    password = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        description=_l("Use at least 12 characters. A few unrelated words together work well."),
        validators=[required(_l("Enter a new password"))],
    )
    confirm = PasswordField(
        _l("Confirm new password"),
        widget=GovPasswordInput(),
        validators=[
            required(_l("Confirm your new password")),
            EqualTo("password", message=_l("The passwords do not match")),
        ],
    )
    return password, confirm


# SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices.
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("cy", "Cymraeg")]


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[required(_l("Enter your full name")), max_length(120)],
    )
    language = RadioField(
        _l("Which language would you like to use?"),
        widget=GovRadioInput(),
        choices=LANGUAGE_CHOICES,
        default="en",
        validators=[required(_l("Choose a language"))],
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[required(_l("Enter your email address")), Email(message=EMAIL_INVALID),
                    max_length(254)],
    )
    submit = SubmitField(_l("Send reset link"), widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set new password"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        widget=GovPasswordInput(),
        validators=[required(_l("Enter your current password"))],
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class SettingsForm(FlaskForm):
    language = RadioField(
        _l("Language"),
        widget=GovRadioInput(),
        choices=LANGUAGE_CHOICES,
        validators=[required(_l("Choose a language"))],
    )
    email_notifications = RadioField(
        _l("Email notifications"),
        widget=GovRadioInput(),
        description=_l(
            "Emails only tell you that something is waiting, never what anyone wrote. "
            "You will always get emails about your account’s security, such as password resets"
        ),
        choices=lambda: [
            SelectChoice("on", _l("Yes, email me when something is waiting for me")),
            SelectChoice("off", _l("No, only show notifications in Cwtch")),
        ],
        validators=[required(_l("Choose whether you want email notifications"))],
    )
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())


class ConfirmIdentityForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[required(_l("Enter your password")), max_length(MAX_LENGTH)],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
