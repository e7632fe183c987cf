"""The survey part of the fuzzing world: an open monthly round the link worker is invited to, a
leave period of theirs, and a live share of their trend with their supervisor, so that every
survey page opens and shows its forms."""
from __future__ import annotations

from datetime import date, timedelta

from supervision.extensions import db


def add_pulse_world(app, make, world) -> None:
    from supervision.accounts.models import Organisation
    from supervision.pulse.models import SurveyLeave, TrendShare

    link_worker, supervisor = world.people["link_worker"], world.people["supervisor"]
    with app.app_context():
        organisation = db.session.get(Organisation, world.organisation_id)
        db.session.expunge(organisation)
    ids = world.pulse_ids
    ids["round"] = make.pulse_round(organisation)
    make.pulse_invitation(link_worker, ids["round"])
    with app.app_context():
        leave = SurveyLeave(user_id=link_worker.id, starts_on=date.today() + timedelta(days=7),
                            ends_on=date.today() + timedelta(days=14), created_by_id=link_worker.id)
        share = TrendShare(owner_id=link_worker.id, supervisor_id=supervisor.id)
        db.session.add_all([leave, share])
        db.session.commit()
        ids["leave"], ids["share"] = leave.id, share.id


def pulse_candidates(world) -> dict[str, list]:
    ids = world.pulse_ids
    return {"round_id": [ids["round"]], "leave_id": [ids["leave"]]}
