"""Rule 5 (DESIGN.md) for the supervision and reflection figures: each is compared by the bookings
(or reflections) behind it, as (link worker, booking) or (author, reflection): across quarters by
the people, and between cuts of a quarter by those whose bookings changed, not by the headcount,
which hardly changes within a quarter where a month's attendance, no-shows and reflections do.
The months' standard is counted at fixed month ends over the headcount, and stays compared by it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from supervision.accounts.models import Organisation, Role
from supervision.booking.events import Action
from supervision.extensions import db
from supervision.reports.aggregate import quarter_figures, report_input
from supervision.reports.disclosure import disclose
from supervision.reports.quarters import Quarter

from .test_report_aggregation import booking_event, joined, reflection
from .test_report_disclosure import (PREVIOUS, figures, people, people_keys, reflection_keys, report, shown,
                                     supervision, supervision_keys)

UTC = timezone.utc
Q3 = Quarter(2026, 3)  # July to September 2026, in BST: month ends are 23:00 UTC the day before
JULY_END, AUGUST_END, _ = Q3.month_ends()
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
ATTENDED_FIGURES = (("sessions_held", "", "count"), ("people_attending", "", "count"),
                    ("people_attending", "", "percent"), ("hours_per_link_worker", "", "hours"))
CANCELLED_FIGURES = (("cancelled_by_link_worker", "", "count"), ("cancelled_by_supervisor", "", "count"))
NO_SHOW_FIGURES = (("no_shows", "", "count"),)
REFLECTING_FIGURES = (("reflecting", "", "count"), ("reflecting", "", "percent"))
STANDARD_FIGURES = (("met_standard", "month_1", "percent"),)


def _withheld(published, cells) -> list[bool]:
    return [shown(published.cell(*cell)) == "* comparison" for cell in cells]


def _one_more(keys: frozenset[tuple[str, str]], what: str, count: int = 1) -> frozenset[tuple[str, str]]:
    """`count` more bookings (or reflections), all by link-worker-00003, who already has one."""
    return keys | {("link-worker-00003", f"{what}-again-{n}") for n in range(count)}


# ---- stage 2: which keys each figure is compared by -------------------------------------------

def test_one_more_no_show_between_a_draft_cut_and_the_issued_quarter_withholds_only_the_no_shows():
    keys = supervision_keys(50, 20, 10)
    cut = figures(supervision=supervision(**keys))
    now = figures(supervision=supervision(**{**keys, "no_show_keys": _one_more(keys["no_show_keys"], "no-show")},
                                          no_shows=11))
    published = report(now, earlier_cuts=(cut,))
    assert _withheld(published, NO_SHOW_FIGURES) == [True]
    assert _withheld(published, ATTENDED_FIGURES + CANCELLED_FIGURES + REFLECTING_FIGURES + STANDARD_FIGURES) == [
        False] * 9


def test_one_more_attended_session_between_two_cuts_withholds_only_the_attended_figures():
    keys = supervision_keys(50, 20, 10)
    cut = figures(supervision=supervision(**keys))
    now = figures(supervision=supervision(**{**keys, "attended_keys": _one_more(keys["attended_keys"], "attended")},
                                          sessions_held=91, attended_hours=124.0))
    published = report(now, earlier_cuts=(cut,))
    assert _withheld(published, ATTENDED_FIGURES) == [True] * 4
    assert _withheld(published, CANCELLED_FIGURES + NO_SHOW_FIGURES + REFLECTING_FIGURES + STANDARD_FIGURES) == [
        False] * 6


def test_one_more_reflection_between_two_cuts_withholds_only_the_reflecting_figures():
    cut = figures()
    now = figures(reflection_keys=_one_more(reflection_keys(40), "reflection"))
    published = report(now, earlier_cuts=(cut,))
    assert _withheld(published, REFLECTING_FIGURES) == [True] * 2
    assert _withheld(published, ATTENDED_FIGURES + CANCELLED_FIGURES + NO_SHOW_FIGURES) == [False] * 7


@pytest.mark.parametrize(("k", "more", "withheld"), [(5, 1, True), (5, 4, True), (5, 5, False), (8, 7, True),
                                                     (8, 8, False)])
def test_a_change_of_fewer_than_k_people_between_cuts_withholds_the_cancellations(k, more, withheld):
    # `more` link workers with a cancellation since the cut, each new; however many bookings.
    keys = supervision_keys(50, 20, 10)
    cut = figures(supervision=supervision(**keys))
    cancelled = keys["cancelled_keys"] | {(f"link-worker-{n:05d}", f"cancelled-late-{n}-{again}")
                                          for n in range(100, 100 + more) for again in range(2)}
    now = figures(supervision=supervision(**{**keys, "cancelled_keys": cancelled}))
    published = report(now, earlier_cuts=(cut,), k=k)
    assert _withheld(published, CANCELLED_FIGURES) == [withheld] * 2
    assert _withheld(published, ATTENDED_FIGURES + NO_SHOW_FIGURES) == [False] * 5


def test_across_quarters_the_same_people_attending_are_no_change():
    """Every booking is new each quarter: a quarter is compared with another by the people behind
    it, so more sessions by the same link workers are no change."""
    keys = supervision_keys(50, 20, 10)
    now = figures(supervision=supervision(**{**keys, "attended_keys": _one_more(keys["attended_keys"], "attended", 5),
                                             "no_show_keys": _one_more(keys["no_show_keys"], "no-show")}),
                  reflection_keys=_one_more(reflection_keys(40), "reflection"))
    earlier = figures(PREVIOUS, supervision=supervision(**keys))
    published = report(now, previous=(earlier,))
    assert _withheld(published, ATTENDED_FIGURES + NO_SHOW_FIGURES + REFLECTING_FIGURES) == [False] * 7
    # One more person attending is a change of one.
    newcomer = keys["attended_keys"] | {("link-worker-09999", "attended-new")}
    published = report(figures(supervision=supervision(**{**keys, "attended_keys": newcomer})), previous=(earlier,))
    assert _withheld(published, ATTENDED_FIGURES) == [True] * 4


def test_the_supervision_figures_do_not_go_by_the_headcount_but_the_standard_does():
    # One link worker joined; the bookings and reflections behind the figures are the same.
    earlier = figures(PREVIOUS, people=people(people_keys=people_keys(59)))
    published = report(previous=(earlier,))
    assert _withheld(published, STANDARD_FIGURES) == [True]
    assert _withheld(published, ATTENDED_FIGURES + CANCELLED_FIGURES + NO_SHOW_FIGURES + REFLECTING_FIGURES) == [
        False] * 9


# ---- stage 1: the keys, as at the cut-off ------------------------------------------------------

@pytest.fixture
def link_workers(app, make) -> tuple[Organisation, object, list]:
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    supervisor = make.user(Role.supervisor, organisation=organisation)
    people_list = [make.user(Role.link_worker, organisation=organisation) for _ in range(10)]
    for person in (supervisor, *people_list):
        joined(app, person, LONG_AGO)
    return organisation, supervisor, people_list


def test_the_keys_are_the_bookings_and_reflections_before_the_cut_off(app, make, link_workers):
    organisation, supervisor, (one, two, three, *_) = link_workers
    kind = make.session_type(supervisor, length=60)
    july = make.supervision_session(kind, datetime(2026, 7, 7, 10, tzinfo=UTC))
    attended = make.booking(july, one, attendance="attended")
    no_show = make.booking(make.supervision_session(kind, datetime(2026, 7, 8, 10, tzinfo=UTC)), two,
                           attendance="no_show")
    cancelled = make.booking(make.supervision_session(kind, datetime(2026, 8, 4, 10, tzinfo=UTC), status="cancelled"),
                             three, status="cancelled")
    booking_event(app, cancelled, Action.cancelled, three)
    # After August's cut: one's second session, and their second reflection.
    later = make.booking(make.supervision_session(kind, AUGUST_END + timedelta(days=2)), one, attendance="attended")
    reflection(app, make, one, datetime(2026, 7, 20, tzinfo=UTC))
    reflection(app, make, one, AUGUST_END + timedelta(days=3))
    with app.app_context():
        august, whole = (quarter_figures(Q3, organisation.id, until=until) for until in (AUGUST_END, None))
        national = quarter_figures(Q3, None)
    assert august.supervision.attended_keys == {(str(one.id), str(attended))}
    assert august.supervision.no_show_keys == {(str(two.id), str(no_show))}
    assert august.supervision.cancelled_keys == {(str(three.id), str(cancelled))}
    assert whole.supervision.attended_keys == {(str(one.id), str(attended)), (str(one.id), str(later))}
    assert (whole.supervision.sessions_held, whole.supervision.people_attending) == (2, 1)
    assert whole.supervision.no_show_keys == august.supervision.no_show_keys
    assert whole.supervision.cancelled_keys == august.supervision.cancelled_keys
    [(author, _first)] = august.reflection.reflection_keys
    assert author == str(one.id)
    assert len(whole.reflection.reflection_keys) == 2 and whole.reflection.link_workers_reflecting == 1
    assert august.reflection.reflection_keys < whole.reflection.reflection_keys
    assert "keys" not in repr(whole)
    # The benchmark is never compared: it carries no keys.
    assert (national.supervision.sessions_held, national.supervision.no_shows) == (2, 1)
    assert national.supervision.attended_keys == national.supervision.cancelled_keys == frozenset()
    assert national.supervision.no_show_keys == national.reflection.reflection_keys == frozenset()
    assert national.reflection.link_workers_reflecting == 1


# ---- end to end: a draft's cut beside the issued quarter ---------------------------------------

def test_an_issued_report_withholds_the_no_shows_a_draft_showed_when_one_person_no_showed_since(
        app, make, link_workers):
    """Ten link workers each attend a session and miss another in July; in September one of them
    misses one more. An admin saw the September draft (July and August); the issued quarter differs
    from it by that one person's no-show, with the same headcount and the same people attending."""
    organisation, supervisor, people_list = link_workers
    kind = make.session_type(supervisor, length=60)
    for day, person in enumerate(people_list, start=1):
        make.booking(make.supervision_session(kind, datetime(2026, 7, day, 10, tzinfo=UTC)), person,
                     attendance="attended")
        make.booking(make.supervision_session(kind, datetime(2026, 7, day, 14, tzinfo=UTC)), person,
                     attendance="no_show")
    make.booking(make.supervision_session(kind, datetime(2026, 9, 2, 10, tzinfo=UTC)), people_list[0],
                 attendance="no_show")
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        assert org.report_k == 5
        draft_data = report_input(org, Q3, draft=True, now=datetime(2026, 9, 20, tzinfo=UTC))
        issued_data = report_input(org, Q3, drafted_at=datetime(2026, 9, 20, tzinfo=UTC))
    assert [cut.supervision.no_shows for cut in issued_data.earlier_cuts] == [10, 10]
    assert issued_data.organisation.supervision.no_shows == 11
    assert issued_data.organisation.people.people_keys == issued_data.earlier_cuts[-1].people.people_keys
    draft = disclose(draft_data, organisation_name="Ogmore Valleys")
    issued = disclose(issued_data, organisation_name="Ogmore Valleys")
    assert draft.k == issued.k == 5
    assert shown(draft.cell("no_shows")) == 10
    assert shown(issued.cell("no_shows")) == "* comparison"  # 11; rule 5 goes by who changed, not by how it rounds
    # Nobody attended anything more in September: those figures are as the draft showed them.
    assert shown(issued.cell("sessions_held")) == shown(draft.cell("sessions_held")) == 10
    assert shown(issued.cell("people_attending")) == 10
    assert shown(issued.cell("hours_per_link_worker", kind="hours")) == 1.0
