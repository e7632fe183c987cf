"""Enrolling, checking and resetting the second sign-in step. They flush, never commit."""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from flask_babel import lazy_gettext as _l
from pyotp.utils import strings_equal
from sqlalchemy import delete, func, select, update

from ..accounts import throttle
from ..accounts.models import Organisation, Role, User
from ..accounts.services import AccountError, rotate_session_token
from ..audit.services import record
from ..extensions import db
from ..mail import external_url_for
from ..notifications.services import queue_security_email
from .models import RecoveryCode, TotpCredential

# These roles see other people's details or their organisation's reports: a password is not enough.
REQUIRED_ROLES = frozenset({Role.admin, Role.supervisor, Role.employer})
# One 30-second step either side, for phones whose clocks drift and people who type slowly.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 16 characters from 31 that are hard to mistake for one another (no i, l, o, 0 or 1): 79 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16
ISSUER = "Cwtch"
TOTP_CODE = re.compile(r"[0-9]{6}")


class MfaError(AccountError):
    """A second-step rule was broken; `code` names the message in mfa.forms.MESSAGES."""


# --- who has, and who needs, a second step -------------------------------------------------

def credential_for(user: User) -> TotpCredential | None:
    return db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))


def is_enrolled(user: User) -> bool:
    return db.session.scalar(
        select(TotpCredential.id).where(TotpCredential.user_id == user.id)
    ) is not None


def is_required(user: User) -> bool:
    return bool(user.roles & REQUIRED_ROLES)


def needs_enrolment(user: User) -> bool:
    return is_required(user) and not is_enrolled(user)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ) or 0


# --- setting up ----------------------------------------------------------------------------

def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def readable_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI: an <img> our CSP allows (img-src data:), with no script."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string(encoding="unicode").encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def normalise_code(code: str) -> str:
    """People type codes with spaces or hyphens, and in capitals: none of that matters."""
    return re.sub(r"[\s-]+", "", code or "").lower()


def _step_for(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within ±VALID_WINDOW of now, or None."""
    if not TOTP_CODE.fullmatch(code):
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=VALID_WINDOW)
    except pyotp.exceptions.OTPVerificationError:
        return None


def enrol(*, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Keep the new secret once the person proves their app shows its codes; give recovery codes.

    Setting up again (a new phone) replaces the old secret and every old recovery code.
    """
    step = _step_for(secret, normalise_code(code), now)
    if step is None:
        record(action="mfa_enrol", actor_id=user.id, target_type="user", target_id=user.id,
               outcome="failure")
        raise MfaError("code_wrong")
    credential = credential_for(user)
    replacing = credential is not None
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret=secret)
        db.session.add(credential)
    credential.secret = secret
    credential.last_used_step = step  # the code just typed cannot be used to sign in
    credential.created_at = now
    codes = _replace_recovery_codes(user, now)
    # A new phone may mean the old one was stolen: every other session ends.
    rotate_session_token(user)
    record(action="mfa_enrol", actor_id=user.id, target_type="user", target_id=user.id,
           detail="replaced an earlier authenticator" if replacing else None)
    return codes


# --- recovery codes ------------------------------------------------------------------------

def hash_recovery_code(code: str) -> str:
    # A fast hash is enough because each code carries 79 random bits: unlike a password, it
    # cannot be guessed from a list, and trying 2^79 SHA-256 values is out of reach. A slow
    # hash (argon2) would add nothing but make checking ten codes take half a second.
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def _replace_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(c), created_at=now) for c in codes
    )
    db.session.flush()
    return codes


def regenerate_recovery_codes(*, user: User, now: datetime) -> list[str]:
    """Ten new codes; the old ones stop working. Shown once, by the caller."""
    if not is_enrolled(user):
        raise MfaError("not_enrolled")
    codes = _replace_recovery_codes(user, now)
    rotate_session_token(user)
    record(action="mfa_recovery_codes_replaced", actor_id=user.id, target_type="user",
           target_id=user.id)
    return codes


# --- checking a code -----------------------------------------------------------------------

def _use_totp(credential: TotpCredential, code: str, now: datetime) -> None:
    step = _step_for(credential.secret, code, now)
    if step is None:
        raise MfaError("code_wrong")
    # Claimed with a conditional UPDATE, so two requests racing with one code cannot both pass.
    claimed = db.session.execute(
        update(TotpCredential)
        .where(TotpCredential.id == credential.id)
        .where((TotpCredential.last_used_step.is_(None)) | (TotpCredential.last_used_step < step))
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise MfaError("code_used")
    db.session.refresh(credential)


def _use_recovery_code(user: User, code: str, now: datetime) -> None:
    code_hash = hash_recovery_code(code)
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash,
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        return
    known = db.session.scalar(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                      RecoveryCode.code_hash == code_hash)
    )
    raise MfaError("recovery_used" if known is not None else "code_wrong")


def check_second_step(*, user: User, code: str, ip: str, now: datetime, purpose: str) -> str:
    """Accept a current authenticator code or an unused recovery code: say which ("totp" or
    "recovery"). A wrong, reused or spent code counts towards the sign-in throttle."""
    if throttle.is_throttled(email=user.email, ip=ip):
        record(action="mfa_failure", actor_id=user.id, target_type="user", target_id=user.id,
               outcome="denied", detail=f"{purpose}: throttled")
        raise MfaError("throttled")
    credential = credential_for(user)
    if credential is None:
        raise MfaError("not_enrolled")
    entered = normalise_code(code)
    kind = "totp" if TOTP_CODE.fullmatch(entered) else "recovery"
    try:
        if not entered:
            raise MfaError("code_wrong")
        if kind == "totp":
            _use_totp(credential, entered, now)
        else:
            _use_recovery_code(user, entered, now)
    except MfaError as error:
        throttle.record_failure(email=user.email, ip=ip)
        record(action="mfa_failure", actor_id=user.id, target_type="user", target_id=user.id,
               outcome="failure", detail=f"{purpose}: {error.code}")
        raise
    if kind == "recovery":
        record(action="mfa_recovery_code_used", actor_id=user.id, target_type="user",
               target_id=user.id, detail=purpose)
    return kind


def sign_in_with_code(*, user: User, code: str, ip: str, now: datetime) -> str:
    """The second half of signing in. Only now are the account's failed attempts forgotten."""
    kind = check_second_step(user=user, code=code, ip=ip, now=now, purpose="login")
    throttle.clear_for(email=user.email)
    record(action="login", actor_id=user.id, target_type="user", target_id=user.id,
           detail="with a recovery code" if kind == "recovery" else "with an authenticator code")
    return kind


# --- turning off and resetting -------------------------------------------------------------

def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.flush()


def disable(*, user: User) -> None:
    """A person whose roles do not need a second step may turn it off."""
    if is_required(user):
        raise MfaError("required")
    if not is_enrolled(user):
        return
    _remove(user)
    rotate_session_token(user)
    record(action="mfa_disable", actor_id=user.id, target_type="user", target_id=user.id)


def reset_by_admin(*, organisation: Organisation, user: User, actor: User) -> None:
    """For a person who lost their phone and their recovery codes: they set it up again.

    Their sessions end too: whoever reset it may be answering someone who took over the account.
    """
    if user.id == actor.id:
        raise MfaError("reset_self")
    if {m.organisation_id for m in user.memberships} - {organisation.id}:
        # The second step guards every organisation the person belongs to, not only this one.
        raise MfaError("member_elsewhere")
    if not is_enrolled(user):
        raise MfaError("not_enrolled")
    _remove(user)
    rotate_session_token(user)
    audit_event = record(action="mfa_reset", actor_id=actor.id, organisation_id=organisation.id,
                         target_type="user", target_id=user.id)
    queue_security_email(
        user=user,
        dedupe_key=f"mfa-reset:{audit_event.id}",
        template="mfa_reset",
        subject=_l("The second step for signing in to Cwtch has been reset"),
        name=user.name,
        organisation=organisation.name,
        link=external_url_for("accounts.login"),
    )
