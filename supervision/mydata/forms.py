"""The confirmation asked before an account is deleted."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from ..forms import required


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that my account will be deleted and cannot be recovered"),
        widget=GovCheckboxInput(),
        validators=[required(_l("Confirm that you want to delete your account"))],
    )
    submit = SubmitField(_l("Delete my account"), widget=GovSubmitInput())
