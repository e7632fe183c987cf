"""Reflections shared "until the next session" follow the bookings, and a new booking's agenda is
pre-filled from the link worker's own shared actions and the last session's agreed actions."""
from __future__ import annotations

from datetime import timedelta

from supervision.accounts.models import Role
from supervision.booking import bookings
from supervision.booking.models import Booking, SessionRecord
from supervision.extensions import db
from supervision.reflections import sharing
from supervision.reflections.models import ReflectionShare, ShareLength

from .test_booking_rules import NOW, SLOT, cal  # noqa: F401  (cal is a fixture)

SESSION_END = SLOT + timedelta(hours=1)


def make_share(reflection_id: int, supervisor_id: int, length: ShareLength = ShareLength.next_session, *,
               created=NOW - timedelta(days=1), days: float = 90, revoked: bool = False) -> int:
    share = ReflectionShare(reflection_id=reflection_id, supervisor_id=supervisor_id, length=length,
                            created_at=created, expires_at=created + timedelta(days=days),
                            revoked_at=created if revoked else None)
    db.session.add(share)
    db.session.commit()
    return share.id


def share_state(share_id: int) -> tuple:
    db.session.expire_all()
    share = db.session.get(ReflectionShare, share_id)
    return share.expires_at, share.ended_by_session


def test_next_session_shares_follow_booking_moving_and_cancelling(cal, ctx):
    reflection = cal.make.reflection(cal.link_worker)
    share_id = make_share(reflection, cal.supervisor.id)
    week_id = make_share(reflection, cal.supervisor.id, ShareLength.week, days=7)
    cap = NOW - timedelta(days=1) + sharing.NEXT_SESSION_CAP
    assert share_state(share_id) == (cap, False)
    booking = cal.book()
    assert share_state(share_id) == (SESSION_END, True)
    assert share_state(week_id) == (NOW - timedelta(days=1) + timedelta(days=7), False)
    bookings.reschedule(booking=db.session.get(Booking, booking.id), actor=cal.user(cal.link_worker),
                        starts_at=SLOT + timedelta(days=1), reason="Clinic moved", now=NOW)
    db.session.commit()
    assert share_state(share_id) == (SESSION_END + timedelta(days=1), True)
    bookings.cancel_booking(booking=db.session.get(Booking, booking.id), actor=cal.user(cal.link_worker),
                            reason="Unwell", now=NOW)
    db.session.commit()
    assert share_state(share_id) == (cap, False)


def test_a_request_counts_only_once_approved(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, requires_approval=True)
    share_id = make_share(cal.make.reflection(cal.link_worker), cal.supervisor.id)
    booking = cal.book()
    assert share_state(share_id)[1] is False
    bookings.approve(booking=booking, supervisor=cal.user(cal.supervisor), now=NOW)
    db.session.commit()
    assert share_state(share_id) == (SESSION_END, True)


def test_only_shares_to_that_supervisor_from_that_author_change(cal, ctx):
    other_supervisor = cal.make.user(Role.supervisor, organisation=cal.link_worker.organisation)
    colleague = cal.another_link_worker()
    elsewhere = make_share(cal.make.reflection(cal.link_worker), other_supervisor.id)
    theirs = make_share(cal.make.reflection(colleague), cal.supervisor.id)
    revoked = make_share(cal.make.reflection(cal.link_worker), cal.supervisor.id, revoked=True)
    before = [share_state(i) for i in (elsewhere, theirs, revoked)]
    cal.book()
    assert [share_state(i) for i in (elsewhere, theirs, revoked)] == before


def test_a_session_later_than_the_cap_leaves_the_cap(cal, ctx):
    share_id = make_share(cal.make.reflection(cal.link_worker), cal.supervisor.id, created=NOW - timedelta(days=89),
                          days=90)
    cal.book()
    assert share_state(share_id) == (NOW + timedelta(days=1), False)


def test_next_session_end_and_new_shares(cal, ctx):
    assert sharing.next_session_end(cal.link_worker.id, cal.supervisor.id, NOW) is None
    cal.book()
    assert sharing.next_session_end(cal.link_worker.id, cal.supervisor.id, NOW) == SESSION_END
    assert sharing.next_session_end(cal.link_worker.id, cal.supervisor.id, SESSION_END) is None
    assert sharing.expiry_for(ShareLength.next_session, author_id=cal.link_worker.id,
                              supervisor_id=cal.supervisor.id, now=NOW) == SESSION_END


def test_agenda_prefill_from_own_live_shares_and_the_last_record(cal, ctx):
    live = cal.make.reflection(cal.link_worker, actions="Call the housing team\n- Ask about a walking group")
    also = cal.make.reflection(cal.link_worker, actions="call the housing team\nRest on Fridays")
    gone = cal.make.reflection(cal.link_worker, actions="Revoked secret")
    old = cal.make.reflection(cal.link_worker, actions="Expired action")
    others = cal.make.reflection(cal.another_link_worker(), actions="Someone else's action")
    elsewhere = cal.make.reflection(cal.link_worker, actions="For another supervisor")
    make_share(live, cal.supervisor.id, ShareLength.week, days=7)
    make_share(also, cal.supervisor.id)
    make_share(gone, cal.supervisor.id, revoked=True)
    make_share(old, cal.supervisor.id, created=NOW - timedelta(days=10), days=7)
    make_share(others, cal.supervisor.id)
    make_share(elsewhere, cal.make.user(Role.supervisor, organisation=cal.link_worker.organisation).id)
    earlier = cal.make.supervision_session(cal.type_id, NOW - timedelta(days=30))
    latest = cal.make.supervision_session(cal.type_id, NOW - timedelta(days=7))
    for session_id, actions in ((earlier, "Old agreed action"), (latest, "Agreed: refer to the debt service\nRest on Fridays")):
        booking_id = cal.make.booking(session_id, cal.link_worker)
        db.session.add(SessionRecord(booking_id=booking_id, actions=actions))
    db.session.commit()
    agenda = bookings.agenda_prefill(link_worker=cal.user(cal.link_worker), supervisor=cal.user(cal.supervisor),
                                     now=NOW)
    assert agenda.splitlines() == ["- Call the housing team", "- Ask about a walking group", "- Rest on Fridays",
                                   "- Agreed: refer to the debt service"]


def test_agenda_prefill_is_empty_without_shares_or_records(cal, ctx):
    assert bookings.agenda_prefill(link_worker=cal.user(cal.link_worker), supervisor=cal.user(cal.supervisor),
                                   now=NOW) == ""
