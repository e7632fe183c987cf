"""A person's own activity from the audit log: labels for its actions, and their sign-in history."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import AuditEvent
from ..extensions import db

# Actions about signing in and proving who you are: these make up the sign-in history.
# A new security action (multi-factor sign-in, for example) adds its label here to be shown.
SIGN_IN_ACTIONS = {
    "login": _l("Sign in"),
    "logout": _l("Sign out"),
    "confirm_identity": _l("Password entered again for a sensitive action"),
    "password_change": _l("Password change"),
    "password_reset": _l("Password reset by email link"),
    "mfa_enrol": _l("Second step to sign in set up"),
    "mfa_failure": _l("Wrong code for the second step"),
    "mfa_recovery_code_used": _l("Recovery code used"),
    "mfa_recovery_codes_replaced": _l("New recovery codes made"),
    "mfa_disable": _l("Second step to sign in turned off"),
}

ACTION_LABELS = {
    **SIGN_IN_ACTIONS,
    "invite": _l("Invitation sent"),
    "invitation_accept": _l("Invitation accepted"),
    "invitation_revoke": _l("Invitation cancelled"),
    "role_change": _l("Roles changed"),
    "deactivate": _l("Account deactivated"),
    "reactivate": _l("Account reactivated"),
    "organisation_settings": _l("Organisation settings changed"),
    "mfa_reset": _l("Second step to sign in reset for someone"),
    "data_export": _l("Your data downloaded"),
}

OUTCOME_LABELS = {
    "success": _l("Succeeded"),
    "failure": _l("Failed"),
    "denied": _l("Refused"),
}

HISTORY_DAYS = 30
HISTORY_LIMIT = 50


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def outcome_label(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


def sign_in_history(user: User, *, now: datetime) -> list[AuditEvent]:
    """The last 30 days of sign-ins, failures and password events, newest first, at most 50."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.actor_id == user.id,
                AuditEvent.action.in_(list(SIGN_IN_ACTIONS)),
                AuditEvent.created_at >= now - timedelta(days=HISTORY_DAYS),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )


def activity_of(user: User) -> list[AuditEvent]:
    """Everything this person did, as the audit log recorded it, oldest first.

    Retention bounds it: events older than their organisation's audit period are purged.
    """
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == user.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )
