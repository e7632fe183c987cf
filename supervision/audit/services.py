"""Recording audit events."""
from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def record(
    *,
    action: str,
    actor_id: int | None = None,
    organisation_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    outcome: str = "success",
    detail: str | None = None,
) -> AuditEvent:
    ip = request.remote_addr if has_request_context() else None
    audit_event = AuditEvent(
        action=action,
        actor_id=actor_id,
        organisation_id=organisation_id,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        detail=detail,
        ip=ip,
    )
    db.session.add(audit_event)
    db.session.flush()
    return audit_event
