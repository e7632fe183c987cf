"""The reports pages' one form: an admin asking for a draft of the quarter so far."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class DraftForm(FlaskForm):
    """Only a button (and the CSRF token): the organisation is in the URL, the quarter is today's."""

    submit = SubmitField(_l("Make a draft of this quarter so far"), widget=GovSubmitInput())
