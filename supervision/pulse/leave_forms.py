"""The form for marking a period of leave: two GOV.UK dates, nothing else (no reason is asked)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from ..reflections.forms import PARTS, GovDateField
from .leave import LeaveError


class LeaveForm(FlaskForm):
    starts_on = GovDateField(_l("First day of leave"), description=_l("For example, 27 3 2027"))
    ends_on = GovDateField(_l("Last day of leave"), description=_l("For example, 3 4 2027"))
    submit = SubmitField(_l("Add leave"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        # The order of the dates, and how far ahead they may be, are the service's rules (leave.py).
        super().validate(extra_validators)
        if self.starts_on.data is None and not self.starts_on.errors:
            _mark(self.starts_on, _("Enter the first day of leave"))
        if self.ends_on.data is None and not self.ends_on.errors:
            _mark(self.ends_on, _("Enter the last day of leave"))
        return not self.errors

    def refuse(self, error: LeaveError) -> None:
        """Show a rule the service refused beside the date it is about."""
        _mark(getattr(self, error.field), str(error.message))


def _mark(field: GovDateField, message: str) -> None:
    """The message, and every box of the date outlined, as GOV.UK does for a whole-date error."""
    field.errors = list(field.errors) + [message]
    field.error_parts = set(PARTS)
