"""The booking part of the fuzzing world: a supervisor open every day, their types, time off, and
bookings in each state a form can act on, so that every booking page opens and shows its forms."""
from __future__ import annotations

from datetime import timedelta

from supervision.accounts.models import User
from supervision.db import utcnow
from supervision.extensions import db


def add_booking_world(app, make, world) -> None:
    from supervision.booking import feed, slots
    from supervision.booking.models import SessionType

    supervisor, link_worker = world.people["supervisor"], world.people["link_worker"]
    now = utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    make.supervisor_settings(supervisor, min_notice_hours=0, buffer_minutes=0, max_days_ahead=60,
                             requires_approval=True)
    for weekday in range(7):
        make.window(supervisor, weekday, "00:00", "24:00")
    one_to_one = make.session_type(supervisor)
    group = make.session_type(supervisor, kind="group", location="in_person")
    # An archived type too, so that the setup page shows a restore form to fuzz.
    world.booking_ids["archived_type"] = make.session_type(supervisor, name="Old drop-in", active=False)
    world.booking_ids["window"] = _window_id(app, supervisor)
    world.booking_ids["type"] = one_to_one
    world.booking_ids["block"] = make.block(supervisor, hour + timedelta(days=40), hour + timedelta(days=41),
                                            cover_note="Dr Siân Morgan covers")

    def session(type_id, days):
        return make.supervision_session(type_id, hour + timedelta(days=days))

    world.booking_ids["requested"] = make.booking(session(one_to_one, 4), link_worker, status="requested",
                                                  expires_at=now + timedelta(hours=72), agenda="Boundaries")
    world.booking_ids["confirmed"] = make.booking(session(one_to_one, 3), link_worker, agenda="Caseload")
    world.booking_ids["proposed"] = make.booking(session(one_to_one, 5), link_worker, status="proposed")
    world.booking_ids["past"] = make.booking(session(one_to_one, -2), link_worker)
    world.booking_ids["group"] = session(group, 6)
    with app.app_context():
        kind = db.session.get(SessionType, one_to_one)
        free = slots.free_slots(db.session.get(User, supervisor.id), kind, now=utcnow(), days=14,
                                link_worker_id=link_worker.id)
        world.slot_start = free[0].starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        world.tokens["booking.calendar_ics"] = feed.create_or_renew(db.session.get(User, link_worker.id), now=utcnow())
        db.session.commit()


def _window_id(app, supervisor) -> int:
    from sqlalchemy import select

    from supervision.booking.models import AvailabilityWindow

    with app.app_context():
        return db.session.scalar(select(AvailabilityWindow.id).where(AvailabilityWindow.supervisor_id == supervisor.id)
                                 .order_by(AvailabilityWindow.id).limit(1))


def booking_candidates(world) -> dict[str, list]:
    ids = world.booking_ids
    return {
        "booking_id": [ids["requested"], ids["confirmed"], ids["proposed"], ids["past"]],
        "session_id": [ids["group"]],
        "supervisor_id": [world.people["supervisor"].id],
        "type_id": [ids["type"], ids["archived_type"]],
        "window_id": [ids["window"]],
        "block_id": [ids["block"]],
    }
