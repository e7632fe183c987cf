"""Demo quarterly reports: each demo organisation's issued reports for the last three quarters
(the full quarters the demo's surveys, sessions and debriefs cover), each as if issued by the
scheduler on the first working day after its quarter, with Ogmore's employer told of the latest;
and an admin's draft of Ogmore's quarter so far, once a whole month of it has ended. Development only.

Ogmore has 12 link workers and Teifi 4, so with k = 5 Ogmore's reports publish some survey figures
and suppress others, and Teifi's publish little beyond the benchmark: the honest result for a team
of four.

The PDF and CSV files are written at each one's first download, from the stored cells, as for a
lost file: rendering them all would make every seeding (and so many tests) much slower.

Running it twice changes nothing: issued reports are never replaced, and the draft is made only
when there is none.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from .accounts.models import Membership, Organisation, Role
from .db import utcnow
from .extensions import db
from .reports import messages
from .reports.generation import NothingToDraft, generate, stored
from .reports.jobs import issue_moment
from .reports.models import ReportStatus
from .reports.quarters import Quarter

QUARTERS = 3


def seed_reports(organisations: dict[str, Organisation], draft_for: str, now: datetime | None = None) -> int:
    """Returns how many reports (issued and draft) were made now."""
    now = now or utcnow()
    current = Quarter.containing(now)
    made = 0
    _backdate_link_workers(organisations.values(), current.previous_ones(QUARTERS)[0])
    for organisation in organisations.values():
        for quarter in current.previous_ones(QUARTERS):
            if stored(organisation.id, quarter, ReportStatus.issued) is None:
                generate(organisation, quarter, status=ReportStatus.issued, now=issue_moment(organisation, quarter),
                         files=False)
                made += 1
        latest = stored(organisation.id, current.previous(), ReportStatus.issued)
        messages.tell_employers(latest, email=False)
    ogmore = organisations[draft_for]
    if stored(ogmore.id, current, ReportStatus.draft) is None:
        try:
            generate(ogmore, current, status=ReportStatus.draft, now=now, files=False)
            made += 1
        except NothingToDraft:
            pass  # in the quarter's first month: as for an admin, there is nothing to draft yet
    db.session.flush()
    return made


def _backdate_link_workers(organisations, first: Quarter) -> None:
    """The demo's people join when it is seeded, today; a report counts only those who were link
    workers during its quarter. So the demo's link workers are made to have joined a little before
    the first quarter reported on, as the surveys, sessions and debriefs seeded for them imply."""
    joined = first.start - timedelta(days=14)
    db.session.execute(
        update(Membership)
        .where(Membership.organisation_id.in_([o.id for o in organisations]), Membership.role == Role.link_worker,
               Membership.created_at > joined)
        .values(created_at=joined))
