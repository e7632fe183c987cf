"""A person's debrief requests in their My data download.

A request is the link worker's data: as a link worker, each of their own requests in full, with
the description, the notes, every step with its time and the check-ins with their answers. The
supervisor who handled it is a party to it: as a supervisor, only its id, dates, status and
outcome, and what they wrote themselves (the outcome notes, or the reason they declined). Never
the link worker's description, category or check-in answers. Another person appears by id only.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from ..mydata.sections import ExportSection, PdfTable, iso
from .events import LABELS, Step
from .labels import ALTERNATIVE, CATEGORY, CHECK_IN_ANSWER, CONTACT_WAY, HELD_BY, OUTCOME, STATUS, URGENCY
from .models import DebriefRequest


def _value(member) -> str | None:
    return member.value if member is not None else None


def _label(labels: dict, member) -> str | None:
    return str(labels[member]) if member is not None else None


def _own_requests(user: User) -> list[DebriefRequest]:
    return list(db.session.scalars(
        select(DebriefRequest).where(DebriefRequest.link_worker_id == user.id)
        .options(selectinload(DebriefRequest.events), selectinload(DebriefRequest.check_ins))
        .order_by(DebriefRequest.created_at, DebriefRequest.id)
    ))


def _handled_requests(user: User) -> list[DebriefRequest]:
    return list(db.session.scalars(
        select(DebriefRequest).where(DebriefRequest.handler_id == user.id,
                                     DebriefRequest.link_worker_id != user.id)
        .order_by(DebriefRequest.created_at, DebriefRequest.id)
    ))


def _own_data(r: DebriefRequest) -> dict:
    return {
        "id": r.id,
        "organisation_id": r.organisation_id,
        "urgency": r.urgency.value,
        "category": r.category.value,
        "description": r.description,
        "contact_way": r.contact_way.value,
        "status": r.status.value,
        "assigned_to_id": r.assigned_to_id,
        "handler_id": r.handler_id,
        "created_at": iso(r.created_at),
        "half_due_at": iso(r.half_due_at),
        "due_at": iso(r.due_at),
        "widened_at": iso(r.widened_at),
        "escalated_at": iso(r.escalated_at),
        "accepted_at": iso(r.accepted_at),
        "booking_id": r.booking_id,
        "held_by": _value(r.held_by),
        "outcome": _value(r.outcome),
        "notes": r.notes,
        "decline_reason": r.decline_reason,
        "alternative": _value(r.alternative),
        "closed_at": iso(r.closed_at),
        "history": [{"action": e.action, "actor_id": e.actor_id, "created_at": iso(e.created_at)} for e in r.events],
        "check_ins": [
            {"day": c.day, "due_at": iso(c.due_at), "sent_at": iso(c.sent_at), "answer": _value(c.answer),
             "answered_at": iso(c.answered_at)}
            for c in r.check_ins
        ],
    }


def _handled_data(r: DebriefRequest) -> dict:
    return {
        "id": r.id,
        "created_at": iso(r.created_at),
        "accepted_at": iso(r.accepted_at),
        "closed_at": iso(r.closed_at),
        "status": r.status.value,
        "outcome": _value(r.outcome),
        "notes": r.notes,
        "decline_reason": r.decline_reason,
    }


def _step_label(action: str) -> str:
    try:
        return str(LABELS[Step(action)])
    except ValueError:
        return action


def debriefs_section(user: User) -> ExportSection:
    own = _own_requests(user)
    handled = _handled_requests(user)
    data = {"as_link_worker": [_own_data(r) for r in own], "as_supervisor": [_handled_data(r) for r in handled]}
    none_made = _("You have not asked for a debrief.")
    requests = PdfTable(
        _("Your debrief requests"),
        [_("Asked"), _("Urgency"), _("What it was about"), _("How to talk"), _("Status"), _("Outcome")],
        [[r.created_at, str(URGENCY[r.urgency]), str(CATEGORY[r.category]), str(CONTACT_WAY[r.contact_way]),
          str(STATUS[r.status]), _label(OUTCOME, r.outcome)] for r in own],
        empty=none_made,
    )
    texts = PdfTable(
        _("What you wrote, and what your supervisor recorded"),
        [_("Asked"), _("Heading"), _("Text")],
        [[r.created_at, heading, text] for r in own
         for heading, text in ((_("What happened"), r.description),
                               (_("Reason for declining"), r.decline_reason),
                               (_("Offered instead"), _label(ALTERNATIVE, r.alternative)),
                               (_("How the debrief was held"), _label(HELD_BY, r.held_by)),
                               (_("Notes"), r.notes))
         if text],
        empty=none_made,
        widths=[22, 18, 60],
    )
    history = PdfTable(
        _("What happened to your debrief requests"),
        [_("Asked"), _("Time"), _("What happened")],
        [[r.created_at, e.created_at, _step_label(e.action)] for r in own for e in r.events],
        empty=none_made,
    )
    check_ins = PdfTable(
        _("Check-ins after your debriefs"),
        [_("Asked"), _("Days after the debrief"), _("Due"), _("Your answer"), _("Answered")],
        [[r.created_at, c.day, c.due_at, _label(CHECK_IN_ANSWER, c.answer), c.answered_at]
         for r in own for c in r.check_ins],
        empty=_("There are no check-ins."),
    )
    as_handler = PdfTable(
        _("Debrief requests you handled as a supervisor"),
        [_("Asked"), _("Accepted"), _("Closed"), _("Status"), _("Outcome")],
        [[r.created_at, r.accepted_at, r.closed_at, str(STATUS[r.status]), _label(OUTCOME, r.outcome)]
         for r in handled],
        empty=_("You have not handled any debrief requests."),
    )
    handler_texts = PdfTable(
        _("What you wrote on debrief requests you handled"),
        [_("Asked"), _("Heading"), _("Text")],
        [[r.created_at, heading, text] for r in handled
         for heading, text in ((_("Reason for declining"), r.decline_reason), (_("Notes"), r.notes)) if text],
        empty=_("You have not written anything on a debrief request you handled."),
        widths=[22, 18, 60],
    )
    return ExportSection("debriefs", data, [requests, texts, history, check_ins, as_handler, handler_texts])
