"""Translated messages for account rule breaches, keyed by AccountError code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # One message for every failure, so it never reveals whether an account exists.
    "sign_in_failed": _l(
        "Enter a correct email address and password. After 10 failed attempts, "
        "wait 5 minutes before trying again"
    ),
    "password_too_short": _l("Your password must be at least 12 characters"),
    "password_too_long": _l("Your password must be 256 characters or fewer"),
    "password_common": _l("This password is too common. Choose one that would be hard to guess"),
    "password_context": _l(
        "Your password must not be based on your email address, your organisation’s name "
        "or the name of this service"
    ),
    "current_password_wrong": _l("Your current password is not right"),
    "no_roles": _l("Select at least one role"),
    "already_member": _l("This person already has these roles in this organisation"),
    "invitation_used": _l("This invitation has already been used"),
    "account_exists": _l("An account already exists for this email address. Sign in to accept"),
    "invitation_other_person": _l("This invitation is for a different email address"),
    "language_unknown": _l("Choose English or Cymraeg"),
    "last_admin": _l("An organisation must keep at least one active admin"),
    "self_deactivate": _l("You cannot deactivate your own account"),
    "member_elsewhere": _l(
        "This person also belongs to another organisation. Remove their roles here instead"
    ),
    "organisation_name_taken": _l("Another organisation already has this name"),
    "report_k_too_low": _l("The smallest group size must be between 5 and 100"),
}

# Which form field a code belongs to, so the error shows beside it and in the summary.
FIELDS = {
    "sign_in_failed": "current_password",
    "password_too_short": "password",
    "password_too_long": "password",
    "password_common": "password",
    "password_context": "password",
    "current_password_wrong": "current_password",
    "no_roles": "roles",
    "already_member": "email",
    "language_unknown": "language",
    "organisation_name_taken": "name",
    "report_k_too_low": "report_k",
}


def attach(form, code: str, default_field: str | None = None) -> None:
    """Put a domain error onto the form field it concerns."""
    field_name = FIELDS.get(code, default_field)
    field = getattr(form, field_name, None) if field_name else None
    message = MESSAGES.get(code, code)
    if field is not None:
        # WTForms keeps errors as a tuple until validate() turns them into a list.
        field.errors = list(field.errors) + [message]
    else:
        form.form_errors.append(message)
