"""The service navigation, built from the roles a person holds: each role adds its own area."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .accounts.models import Role
from .labels import role_label


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = [{"href": url_for("main.home"), "text": _("Home"), "active": request.endpoint == "main.home"}]
    if current_user.has_role(Role.link_worker):
        items.append({"href": url_for("reflections.index"), "text": _("Reflections"),
                      "active": request.blueprint == "reflections" and not _supervisor_page()})
    if current_user.has_role(Role.link_worker):
        items.append({"href": url_for("booking.index"), "text": _("Supervision"),
                      "active": request.blueprint == "booking" and not _supervisor_booking_page()})
        items.append({"href": url_for("debriefs.index"), "text": _("Debriefs"),
                      "active": request.blueprint == "debriefs" and not _supervisor_debrief_page()})
        items.append({"href": url_for("pulse.index"), "text": _("Wellbeing"),
                      "active": request.blueprint == "pulse" and not _supervisor_page()})
    if current_user.has_role(Role.supervisor):
        items.append({"href": url_for("reflections.shared_with_me"), "text": _("Shared with you"),
                      "active": _supervisor_page()})
        items.append({"href": url_for("booking.supervisor_home"), "text": _("Your sessions"),
                      "active": _supervisor_booking_page()})
        items.append({"href": url_for("debriefs.queue"), "text": _("Debrief requests"),
                      "active": _supervisor_debrief_page()})
    if current_user.has_role(Role.employer) or current_user.has_role(Role.admin):
        items.append({"href": url_for("reports.index"), "text": _("Reports"),
                      "active": request.blueprint == "reports"})
    if current_user.has_role(Role.admin):
        items.append({"href": url_for("admin.index"), "text": _("Organisation admin"),
                      "active": request.blueprint == "admin"})
    items.append({"href": url_for("accounts.settings"), "text": _("Your account"),
                  "active": request.endpoint in ("accounts.settings", "accounts.change_password")
                  or request.blueprint == "mydata"})
    return items


def _supervisor_page() -> bool:
    # "Shared with you" covers shared reflections and shared wellbeing trends.
    return (request.endpoint or "").startswith(("reflections.shared", "pulse.shared_trend"))


def _supervisor_booking_page() -> bool:
    # Supervisor-side booking endpoints are named supervisor_* and setup_*; the rest are the link worker's.
    endpoint = request.endpoint or ""
    return endpoint.startswith(("booking.supervisor_", "booking.setup_"))


def _supervisor_debrief_page() -> bool:
    # Supervisor-side debrief endpoints are named queue* and supervisor_*.
    endpoint = request.endpoint or ""
    return endpoint.startswith(("debriefs.queue", "debriefs.supervisor_", "debriefs.accept", "debriefs.pass_on",
                                "debriefs.decline", "debriefs.book", "debriefs.record"))


def unread_notifications() -> int:
    from .notifications.services import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def init_app(app: Flask) -> None:
    from .identifiers import KIND_LABELS
    from .notifications.kinds import title as notification_title

    def finding_label(finding) -> str:
        label = str(KIND_LABELS[finding.kind])
        return label[:1].upper() + label[1:]

    app.jinja_env.globals.update(
        nav_items=nav_items,
        Role=Role,
        role_label=role_label,
        notification_title=notification_title,
        unread_notifications=unread_notifications,
        finding_label=finding_label,
    )
