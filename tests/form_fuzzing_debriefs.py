"""The debrief part of the fuzzing world: a request in each state a form can act on (open and
widened, accepted by the supervisor, completed with a check-in due), and a helpline for the admin's
forms, so that every debrief and support page opens and shows its forms."""
from __future__ import annotations

from datetime import timedelta

from supervision.db import utcnow
from supervision.extensions import db


def add_debrief_world(app, make, world) -> None:
    from supervision.support.models import Helpline

    link_worker, supervisor = world.people["link_worker"], world.people["supervisor"]
    now = utcnow()
    ids = world.debrief_ids
    # Widened, so that the supervisor may triage it whoever it was first sent to.
    ids["open"] = make.debrief_request(link_worker, urgency="today", widened=True)
    ids["accepted"] = make.debrief_request(link_worker, status="accepted", handler=supervisor)
    ids["completed"] = make.debrief_request(link_worker, status="completed", handler=supervisor,
                                            created_at=now - timedelta(days=5))
    make.check_in(ids["completed"], 3, due_at=now - timedelta(days=2))
    with app.app_context():
        helpline = Helpline(organisation_id=world.organisation_id, name_en="Samaritans", number="116 123",
                            position=0)
        db.session.add(helpline)
        # A second, so that the admin's page offers the move buttons.
        db.session.add(Helpline(organisation_id=world.organisation_id, name_en="C.A.L.L.", number="0800 132 737",
                                position=1))
        db.session.commit()
        ids["helpline"] = helpline.id


def debrief_candidates(world) -> dict[str, list]:
    ids = world.debrief_ids
    return {
        "request_id": [ids["open"], ids["accepted"], ids["completed"]],
        "day": [3],
        "helpline_id": [ids["helpline"]],
    }
