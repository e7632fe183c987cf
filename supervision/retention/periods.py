"""What people are told about retention: each period, its default, and whether organisations choose it."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..accounts.models import RETENTION_LIMITS
from .services import READ_NOTIFICATION_MONTHS, SHORT_LIVED_DAYS


@dataclass(frozen=True)
class Period:
    label: LazyString
    default: int
    unit: str  # "months" or "days"
    # The Organisation column holding an organisation's own choice; None when fixed for everyone.
    column: str | None = None


def _chosen(column: str, label: LazyString) -> Period:
    unit = "days" if column.endswith("_days") else "months"
    return Period(label=label, default=RETENTION_LIMITS[column][0], unit=unit, column=column)


def retention_periods() -> list[Period]:
    return [
        _chosen("retention_pulse_months", _l("Each person’s wellbeing survey answers (anonymised totals are kept)")),
        _chosen("retention_debrief_months", _l("Debrief requests, after they are closed")),
        _chosen("retention_audit_months", _l("The audit log of sign-ins and changes")),
        _chosen("retention_invitation_days", _l("Invitations, after they expire")),
        Period(_l("Emails Cwtch has sent, including password reset links"), SHORT_LIVED_DAYS, "days"),
        Period(_l("Records of failed sign-ins"), SHORT_LIVED_DAYS, "days"),
        Period(_l("Notifications you have read"), READ_NOTIFICATION_MONTHS, "months"),
    ]
