"""Account operations: sign-in, invitations, password changes and resets. They flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..db import utcnow
from ..extensions import db
from ..mail import external_url_for
from ..notifications.services import notify, path_for, queue_email, queue_security_email
from . import passwords, throttle, tokens
from .models import Invitation, InvitationRole, Membership, Organisation, Role, User, new_session_token

INVITE_SALT = "invitation"
RESET_SALT = "password-reset"


class AccountError(Exception):
    """A domain rule was broken; `code` says which, for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# --- sign-in -------------------------------------------------------------------------------

@dataclass
class SignInResult:
    user: User | None
    throttled: bool = False
    # The password was right, and a code from the person's authenticator must follow.
    needs_code: bool = False


def authenticate(*, email: str, password: str, ip: str) -> SignInResult:
    """Check credentials, with throttling. The caller shows one generic message for any failure."""
    email = normalise_email(email)
    if throttle.is_throttled(email=email, ip=ip):
        record(action="login", outcome="denied", detail="throttled")
        return SignInResult(user=None, throttled=True)
    user = find_user_by_email(email)
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.active
    if not ok:
        throttle.record_failure(email=email, ip=ip)
        record(
            action="login",
            actor_id=user.id if user else None,
            target_type="user" if user else None,
            target_id=user.id if user else None,
            outcome="failure",
            detail="inactive" if user is not None and not user.active else None,
        )
        return SignInResult(user=None)
    assert user is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    from ..mfa import services as second_step

    needs_code = second_step.is_enrolled(user)
    if not needs_code:
        # With a second step, failures are forgotten only once the code is right too: otherwise a
        # known password would let someone guess codes for ever, ten at a time.
        throttle.clear_for(email=email)
    record(action="login", actor_id=user.id, target_type="user", target_id=user.id,
           detail="password right, code awaited" if needs_code else None)
    db.session.flush()
    return SignInResult(user=user, needs_code=needs_code)


def confirm_identity(*, user: User, password: str, ip: str, code: str | None = None,
                     now: datetime | None = None) -> bool:
    """Check the password again before a sensitive action. Failures count towards the throttle.

    A person with a second step must give a current code too: a wrong one raises MfaError.
    """
    if throttle.is_throttled(email=user.email, ip=ip):
        record(action="confirm_identity", actor_id=user.id, outcome="denied", detail="throttled")
        return False
    if passwords.verify_password(user.password_hash, password):
        from ..mfa import services as second_step

        if second_step.is_enrolled(user):
            second_step.check_second_step(user=user, code=code or "", ip=ip, now=now or utcnow(),
                                          purpose="confirm_identity")
        record(action="confirm_identity", actor_id=user.id, target_type="user", target_id=user.id)
        return True
    throttle.record_failure(email=user.email, ip=ip)
    record(action="confirm_identity", actor_id=user.id, target_type="user", target_id=user.id,
           outcome="failure")
    return False


def rotate_session_token(user: User) -> None:
    """Revoke every session of this person: cookies carry the old token."""
    user.session_token = new_session_token()
    db.session.flush()


def sign_out(user: User) -> None:
    rotate_session_token(user)
    record(action="logout", actor_id=user.id, target_type="user", target_id=user.id)


# --- passwords -----------------------------------------------------------------------------

def password_context(*, email: str, organisation_names: list[str] = ()) -> list[str]:
    return [email, *organisation_names]


def check_new_password(password: str, *, email: str, organisation_names: list[str]) -> None:
    problem = passwords.password_problem(
        password, context=password_context(email=email, organisation_names=organisation_names)
    )
    if problem:
        raise AccountError(f"password_{problem}")


def change_password(*, user: User, current_password: str, new_password: str, ip: str) -> None:
    # The current password is checked like a sign-in, so this form is no way round the throttle.
    if throttle.is_throttled(email=user.email, ip=ip):
        record(action="password_change", actor_id=user.id, outcome="denied", detail="throttled")
        raise AccountError("sign_in_failed")
    if not passwords.verify_password(user.password_hash, current_password):
        throttle.record_failure(email=user.email, ip=ip)
        record(action="password_change", actor_id=user.id, target_type="user",
               target_id=user.id, outcome="failure")
        raise AccountError("current_password_wrong")
    check_new_password(new_password, email=user.email,
                       organisation_names=[m.organisation.name for m in user.memberships])
    _set_password(user, new_password)
    record(action="password_change", actor_id=user.id, target_type="user", target_id=user.id)


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    rotate_session_token(user)
    # Tell the owner at once, so a change they did not make does not go unnoticed.
    queue_security_email(
        user=user,
        dedupe_key=f"password-changed:{user.id}:{user.password_changed_at.isoformat()}",
        template="password_changed",
        subject=_l("Your Cwtch password has been changed"),
        name=user.name,
        when=user.password_changed_at,
    )


def make_reset_token(user: User) -> str:
    # The password hash's fingerprint makes the token single-use: once used, the hash changes.
    return tokens.make_token(RESET_SALT, {"u": user.id, "p": tokens.fingerprint(user.password_hash)})


RESET_EMAIL_MINUTES = 5


def request_password_reset(*, email: str, now: datetime) -> None:
    """Queue a reset link if the account exists and is active. Says nothing either way.

    At most one email per account every few minutes, so the form cannot flood an inbox.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    window = int(now.timestamp() // (RESET_EMAIL_MINUTES * 60))
    queue_security_email(
        user=user,
        dedupe_key=f"password-reset:{user.id}:{window}",
        template="password_reset",
        subject=_l("Reset your Cwtch password"),
        name=user.name,
        link=external_url_for("accounts.reset_password", token=make_reset_token(user)),
    )


def user_for_reset_token(token: str) -> User:
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    payload = tokens.read_token(RESET_SALT, token, max_age_seconds=hours * 3600)
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active or tokens.fingerprint(user.password_hash) != payload.get("p"):
        raise tokens.TokenInvalid()
    return user


def reset_password(*, token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_new_password(new_password, email=user.email,
                       organisation_names=[m.organisation.name for m in user.memberships])
    _set_password(user, new_password)
    throttle.clear_for(email=user.email)
    record(action="password_reset", actor_id=user.id, target_type="user", target_id=user.id)
    return user


# --- invitations ---------------------------------------------------------------------------

def invite(*, organisation: Organisation, email: str, roles: set[Role], invited_by: User) -> Invitation:
    if not roles:
        raise AccountError("no_roles")
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None and roles <= existing.roles_in(organisation.id):
        raise AccountError("already_member")
    # A new invitation replaces any still-open one for the same address and organisation.
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        old.revoked_at = utcnow()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
        roles=[InvitationRole(role=r) for r in sorted(roles, key=lambda r: r.value)],
    )
    db.session.add(invitation)
    db.session.flush()
    record(action="invite", actor_id=invited_by.id, organisation_id=organisation.id,
           target_type="invitation", target_id=invitation.id,
           detail="roles: " + ", ".join(sorted(r.value for r in roles)))
    _queue_invitation_email(invitation, existing=existing, inviter=invited_by)
    return invitation


def _queue_invitation_email(invitation: Invitation, *, existing: User | None, inviter: User) -> None:
    # Queued in the same transaction as the invitation: both are kept, or neither.
    link = external_url_for("accounts.accept_invitation", token=invitation_token(invitation))
    queue_email(
        dedupe_key=f"invitation:{invitation.id}",
        to=invitation.email,
        user_id=existing.id if existing else None,
        language=existing.preferred_language if existing else "en",
        # We do not know a new person's language yet, so they get Welsh and English.
        bilingual=existing is None,
        security=True,
        template="invitation",
        subject=_l("You have been invited to Cwtch"),
        organisation=invitation.organisation.name,
        inviter=inviter.name,
        link=link,
    )


def invitation_token(invitation: Invitation) -> str:
    return tokens.make_token(INVITE_SALT, {"i": invitation.id, "n": invitation.nonce})


def invitation_for_token(token: str) -> Invitation:
    days = current_app.config["INVITATION_DAYS"]
    payload = tokens.read_token(INVITE_SALT, token, max_age_seconds=days * 86400)
    invitation = db.session.get(Invitation, payload.get("i")) if isinstance(payload, dict) else None
    if invitation is None or invitation.nonce != payload.get("n") or invitation.revoked_at:
        raise tokens.TokenInvalid()
    if invitation.used_at is not None:
        raise AccountError("invitation_used")
    if invitation.expires_at <= utcnow():
        raise tokens.TokenExpired()
    return invitation


def _add_roles(user: User, organisation: Organisation, roles: set[Role]) -> None:
    have = user.roles_in(organisation.id)
    for role in sorted(roles - have, key=lambda r: r.value):
        user.memberships.append(Membership(organisation=organisation, role=role))


def accept_invitation(*, invitation: Invitation, name: str, password: str, language: str) -> User:
    """A new person accepts: their account is created with the invited roles."""
    if find_user_by_email(invitation.email) is not None:
        raise AccountError("account_exists")
    check_new_password(password, email=invitation.email,
                       organisation_names=[invitation.organisation.name])
    user = User(
        email=invitation.email,
        name=name.strip(),
        preferred_language=language if language in ("en", "cy") else "en",
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    _complete_invitation(invitation, user)
    return user


def accept_invitation_as(*, invitation: Invitation, user: User) -> None:
    """Someone who already has an account accepts while signed in."""
    if user.email != invitation.email:
        raise AccountError("invitation_other_person")
    _complete_invitation(invitation, user)


def _complete_invitation(invitation: Invitation, user: User) -> None:
    """Give the roles, use up the invitation, and tell whoever sent it."""
    _add_roles(user, invitation.organisation, invitation.role_set)
    invitation.used_at = utcnow()
    db.session.flush()
    record(action="invitation_accept", actor_id=user.id, organisation_id=invitation.organisation_id,
           target_type="invitation", target_id=invitation.id)
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    if inviter is not None and inviter.active:
        notify(user=inviter, kind="invitation_accepted", dedupe_key=f"invitation-accepted:{invitation.id}",
               link=path_for("admin.people", organisation_id=invitation.organisation_id))


# --- settings ------------------------------------------------------------------------------

def update_settings(*, user: User, language: str, email_notifications: bool) -> None:
    set_language(user=user, language=language)
    user.email_notifications = email_notifications
    db.session.flush()


def set_language(*, user: User, language: str) -> None:
    if language not in ("en", "cy"):
        raise AccountError("language_unknown")
    user.preferred_language = language
    db.session.flush()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
