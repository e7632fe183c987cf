"""Rule 5 (DESIGN.md) for the debrief figures: each is compared by the requests (or check-ins)
behind it, in the state they were in at the cut-off, as (requester, request): across quarters by
the requesters, and between cuts of a quarter by those whose requests changed, not by the
headcount, which hardly changes within a quarter; and stage 1 reads every state as at the cut-off."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from supervision.accounts.models import Organisation, Role
from supervision.debriefs import models as dm
from supervision.extensions import db
from supervision.reports.aggregate import quarter_figures, report_input
from supervision.reports.disclosure import disclose
from supervision.reports.quarters import Quarter

from .test_report_aggregation import debrief, joined
from .test_report_disclosure import PREVIOUS, debrief_keys, debriefs, figures, people, people_keys, report, shown

UTC = timezone.utc
Q3 = Quarter(2026, 3)  # July to September 2026, in BST: month ends are 23:00 UTC the day before
JULY_END, AUGUST_END, _ = Q3.month_ends()
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
REQUEST_FIGURES = (("requests", "", "count"), ("by_category", "client_death", "count"))
ACCEPTED_FIGURES = (("accepted", "", "count"), ("accepted_within_target", "", "percent"),
                    ("minutes_to_accept", "", "minutes"))
HELD_FIGURES = (("held", "", "count"), ("minutes_to_debrief", "", "minutes"))


def _withheld(published, cells) -> list[bool]:
    return [shown(published.cell(*cell)) == "* comparison" for cell in cells]


# ---- stage 2: which keys each figure is compared by -------------------------------------------

@pytest.mark.parametrize(("k", "more", "withheld"), [(5, 1, True), (5, 4, True), (5, 5, False), (8, 7, True),
                                                     (8, 8, False)])
def test_a_change_of_fewer_than_k_requests_withholds_the_request_figures(k, more, withheld):
    # The same requesters and headcount; `more` requests by them since the earlier figures.
    earlier = figures(PREVIOUS, debriefs=debriefs(**debrief_keys(60 - more, 50, 45, 10, 30)))
    published = report(previous=(earlier,), k=k)
    assert _withheld(published, REQUEST_FIGURES) == [withheld] * len(REQUEST_FIGURES)
    # What was accepted and held is the same: those figures stand.
    assert _withheld(published, ACCEPTED_FIGURES + HELD_FIGURES) == [False] * 5


def test_one_more_accepted_request_withholds_only_the_accepted_figures():
    earlier = figures(PREVIOUS, debriefs=debriefs(**debrief_keys(60, 49, 45, 10, 30)))
    published = report(previous=(earlier,))
    assert _withheld(published, ACCEPTED_FIGURES) == [True] * 3
    assert _withheld(published, REQUEST_FIGURES + HELD_FIGURES) == [False] * 4
    assert shown(published.cell("escalated")) == 10


def test_one_more_escalation_or_answered_check_in_withholds_those_figures():
    earlier = figures(PREVIOUS, debriefs=debriefs(**debrief_keys(60, 50, 45, 9, 29)))
    published = report(previous=(earlier,))
    assert shown(published.cell("escalated")) == "* comparison"
    assert shown(published.cell("check_ins", "worse")) == "* comparison"
    assert _withheld(published, REQUEST_FIGURES + ACCEPTED_FIGURES + HELD_FIGURES) == [False] * 7


def test_many_requests_by_one_person_between_two_cuts_are_a_change_of_one_person():
    """Five more requests, all by one requester, since the draft's earlier cut: their figures would
    tell that person's requests apart, so they are withheld, however many requests it was."""
    cut_keys = debrief_keys(60, 50, 45, 10, 30)
    one_asked_again = cut_keys["request_keys"] | {("requester-00003", f"again-{n}") for n in range(5)}
    cut = figures(debriefs=debriefs(**cut_keys))
    now = figures(debriefs=debriefs(**{**cut_keys, "request_keys": one_asked_again}))
    published = report(now, earlier_cuts=(cut,))
    assert _withheld(published, REQUEST_FIGURES) == [True] * len(REQUEST_FIGURES)
    assert _withheld(published, ACCEPTED_FIGURES + HELD_FIGURES) == [False] * 5
    # Across quarters the requests are new anyway: the same requesters are no change.
    earlier = figures(PREVIOUS, debriefs=debriefs(**cut_keys))
    assert _withheld(report(now, previous=(earlier,)), REQUEST_FIGURES) == [False] * len(REQUEST_FIGURES)


def test_the_debrief_figures_do_not_go_by_the_headcount():
    # One link worker joined; the requests behind every debrief figure are the same.
    earlier = figures(PREVIOUS, people=people(people_keys=people_keys(59)))
    published = report(previous=(earlier,))
    assert shown(published.cell("met_standard", "month_1", "percent")) == "* comparison"
    assert _withheld(published, REQUEST_FIGURES + ACCEPTED_FIGURES + HELD_FIGURES) == [False] * 7


# ---- stage 1: every state as at the cut-off ---------------------------------------------------

@pytest.fixture
def requesters(app, make) -> tuple[Organisation, list]:
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    people_list = [make.user(Role.link_worker, organisation=organisation) for _ in range(10)]
    for person in people_list:
        joined(app, person, LONG_AGO)
    return organisation, people_list


def test_a_request_accepted_or_held_after_the_cut_off_is_not_accepted_or_held_at_it(app, requesters):
    organisation, (one, two, *_) = requesters
    # Made in August, accepted and held in September; made on the quarter's last evening and
    # accepted after its end (the issued report counts it as not accepted, for good).
    made = AUGUST_END - timedelta(hours=2)
    late = debrief(app, one, organisation, created=made, accept_after=3 * 60, held_after=24 * 60)
    debrief(app, two, organisation, created=Q3.end - timedelta(hours=1), accept_after=2 * 60)
    with app.app_context():
        august, whole = (quarter_figures(Q3, organisation.id, until=until).debriefs for until in (AUGUST_END, None))
        national = quarter_figures(Q3, None).debriefs
    assert (august.requests, august.accepted, august.accepted_within_target, august.held) == (1, 0, 0, 0)
    assert august.minutes_to_accept_median is None and august.minutes_to_debrief_median is None
    assert august.request_keys == {(str(one.id), str(late))}
    assert august.accepted_keys == august.held_keys == frozenset()
    assert (whole.requests, whole.accepted, whole.held) == (2, 1, 1)
    assert whole.minutes_to_accept_median == pytest.approx(180)
    assert whole.minutes_to_debrief_median == pytest.approx(24 * 60)
    assert whole.accepted_keys == whole.held_keys == {(str(one.id), str(late))}
    assert "keys" not in repr(whole)
    # The benchmark is never compared: it carries no keys.
    assert (national.requests, national.accepted) == (2, 1)
    assert national.request_keys == national.accepted_keys == national.held_keys == frozenset()


def test_an_escalation_or_check_in_answer_after_the_cut_off_is_not_counted_at_it(app, requesters):
    organisation, (one, two, *_) = requesters
    escalated = debrief(app, one, organisation, created=AUGUST_END - timedelta(hours=2), due_after=4 * 60,
                        escalated=True)
    checked = debrief(app, two, organisation, created=JULY_END - timedelta(days=5), accept_after=10,
                      held_after=60, check_ins=("better",))
    with app.app_context():
        db.session.execute(update(dm.DebriefCheckIn).where(dm.DebriefCheckIn.request_id == checked)
                           .values(answered_at=AUGUST_END + timedelta(days=1)))
        db.session.commit()
        august, whole = (quarter_figures(Q3, organisation.id, until=until).debriefs for until in (AUGUST_END, None))
    assert (august.escalated, august.escalated_keys) == (0, frozenset())
    assert (august.check_ins, august.check_in_people, august.check_in_keys) == (
        {"better": 0, "same": 0, "worse": 0}, 0, frozenset())
    assert (whole.escalated, whole.escalated_keys) == (1, {(str(one.id), str(escalated))})
    assert (whole.check_ins["better"], whole.check_in_people) == (1, 1)
    [(requester, check_in)] = whole.check_in_keys
    assert requester == str(two.id) and check_in.endswith(":better")


# ---- end to end: a draft's cut beside the issued quarter ---------------------------------------

@pytest.mark.parametrize(("report_k", "more", "withheld"), [(5, 1, True), (5, 5, False), (8, 5, True)])
def test_an_issued_report_withholds_requests_a_draft_showed_when_fewer_than_k_were_added(
        app, requesters, report_k, more, withheld):
    """Ten link workers each ask once in July; in September `more` of them ask again. An admin saw
    the September draft (July and August); the issued quarter differs from it by those requests,
    with the same headcount and the same requesters."""
    organisation, people_list = requesters
    with app.app_context():
        db.session.execute(update(Organisation).where(Organisation.id == organisation.id).values(report_k=report_k))
        db.session.commit()
    for day, person in enumerate(people_list, start=1):
        debrief(app, person, organisation, created=datetime(2026, 7, day, 10, tzinfo=UTC), category="other",
                accept_after=30, held_after=24 * 60)
    for day, person in enumerate(people_list[:more], start=1):
        debrief(app, person, organisation, created=datetime(2026, 9, day, 10, tzinfo=UTC), category="other")
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        draft_data = report_input(org, Q3, draft=True, now=datetime(2026, 9, 20, tzinfo=UTC))
        issued_data = report_input(org, Q3, drafted_at=datetime(2026, 9, 20, tzinfo=UTC))
    assert [cut.debriefs.requests for cut in issued_data.earlier_cuts] == [10, 10]
    assert issued_data.organisation.people.people_keys == issued_data.earlier_cuts[-1].people.people_keys
    assert issued_data.organisation.debriefs.requesters == issued_data.earlier_cuts[-1].debriefs.requesters == 10
    draft = disclose(draft_data, organisation_name="Ogmore Valleys")
    issued = disclose(issued_data, organisation_name="Ogmore Valleys")
    assert draft.k == issued.k == report_k
    assert shown(draft.cell("requests")) == 10
    assert shown(issued.cell("requests")) == ("* comparison" if withheld else 15)  # 10 + 5
    # Nothing more was accepted or held in September: those figures are as the draft showed them.
    assert shown(issued.cell("accepted")) == shown(draft.cell("accepted")) == 10
    assert shown(issued.cell("held")) == 10
