"""Leave that pauses survey reminders: the service's rules, a link worker's own leave page, an
admin marking dates for one of their people (and nothing else), who may reach which page, and bad
dates answered with the GOV.UK error summary."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from supervision import ROOT
from supervision.accounts.models import Role, User
from supervision.audit.models import AuditEvent
from supervision.db import utcnow
from supervision.extensions import db
from supervision.i18n_check import untranslated_template_text
from supervision.pulse import leave as leave_service
from supervision.pulse.models import SurveyLeave

from .conftest import csrf_token, post, sign_in

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def today() -> date:
    return leave_service.london_today(utcnow())


def dates(start: date, end: date) -> dict[str, str]:
    return {"starts_on-day": str(start.day), "starts_on-month": str(start.month), "starts_on-year": str(start.year),
            "ends_on-day": str(end.day), "ends_on-month": str(end.month), "ends_on-year": str(end.year)}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def leave_rows(app, person) -> list[tuple[date, date, int | None]]:
    with app.app_context():
        return [(row.starts_on, row.ends_on, row.created_by_id) for row in db.session.scalars(
            select(SurveyLeave).where(SurveyLeave.user_id == person.id).order_by(SurveyLeave.starts_on))]


def add(app, person, start: date, end: date) -> int:
    with app.app_context():
        row = SurveyLeave(user_id=person.id, starts_on=start, ends_on=end, created_by_id=person.id)
        db.session.add(row)
        db.session.commit()
        return row.id


# --- the service ------------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, code, field", [
    (date(2026, 11, 10), date(2026, 11, 9), "end_before_start", "ends_on"),
    (date(2026, 10, 1), date(2026, 11, 1), "in_the_past", "ends_on"),
    (date(2028, 11, 10), date(2028, 11, 20), "too_far_ahead", "starts_on"),
    (date(2026, 12, 1), date(2028, 12, 1), "too_far_ahead", "ends_on"),
])
def test_add_leave_refuses_bad_periods(app, make, ctx, start, end, code, field):
    person = db.session.get(User, make.user(Role.link_worker).id)
    with pytest.raises(leave_service.LeaveError) as refused:
        leave_service.add_leave(person, start, end, person, NOW)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert db.session.scalars(select(SurveyLeave)).all() == []


def test_leave_is_inclusive_and_on_leave_answers_in_one_query(app, make, ctx):
    people = [db.session.get(User, make.user(Role.link_worker).id) for _ in range(3)]
    # Ending today is allowed; so is a period that overlaps another.
    leave_service.add_leave(people[0], date(2026, 10, 20), date(2026, 11, 2), people[0], NOW)
    leave_service.add_leave(people[1], date(2026, 11, 5), date(2026, 11, 6), people[1], NOW)
    leave_service.add_leave(people[1], date(2026, 11, 6), date(2026, 11, 9), people[1], NOW)
    ids = [p.id for p in people]
    assert leave_service.on_leave(ids, date(2026, 11, 2)) == {people[0].id}
    assert leave_service.on_leave(ids, date(2026, 11, 3)) == set()
    assert leave_service.on_leave(ids, date(2026, 11, 6)) == {people[1].id}
    assert leave_service.on_leave(ids, date(2026, 11, 9)) == {people[1].id}
    assert leave_service.on_leave([], date(2026, 11, 9)) == set()
    assert [p.ends_on for p in leave_service.leave_of(people[1], since=date(2026, 11, 7))] == [date(2026, 11, 9)]


# --- a link worker's own leave ----------------------------------------------------------------

def test_a_link_worker_adds_sees_and_removes_their_own_leave(app, client, make, signed_in):
    carys = make.user(Role.link_worker, name="Carys Jenkins")
    signed_in(carys)
    shown = page(client.get("/wellbeing/leave"))
    assert "While you are on leave we send no survey reminders. You can still answer if you want to." in shown
    start, end = today() + timedelta(days=7), today() + timedelta(days=14)
    response = post(client, "/wellbeing/leave", dates(start, end))
    assert response.status_code == 302 and response.headers["Location"] == "/wellbeing/leave"
    assert leave_rows(app, carys) == [(start, end, carys.id)]
    add(app, carys, today() - timedelta(days=30), today() - timedelta(days=20))  # over: not listed
    shown = page(client.get("/wellbeing/leave"))
    assert shown.count("/remove") == 1 and f"{end.day} " in shown
    leave_id = leave_rows_ids(app, carys)[-1]
    assert post(client, f"/wellbeing/leave/{leave_id}/remove").status_code == 302
    assert [row[:2] for row in leave_rows(app, carys)] == [(today() - timedelta(days=30), today() - timedelta(days=20))]


def leave_rows_ids(app, person) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(SurveyLeave.id).where(SurveyLeave.user_id == person.id)
                                       .order_by(SurveyLeave.starts_on)))


@pytest.mark.parametrize("data, message", [
    ({}, "Enter the first day of leave"),
    ({"starts_on-day": "31", "starts_on-month": "2"}, "First day of leave must include a year"),
    ({"starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2027"}, "First day of leave must be a real date"),
    ("reversed", "The last day of leave must be the same as or after the first day"),
    ("past", "The last day of leave must be today or in the future"),
    ("far", "Enter a date within the next 2 years"),
])
def test_bad_dates_show_the_error_summary_and_keep_what_was_typed(app, client, make, signed_in, data, message):
    carys = make.user(Role.link_worker)
    signed_in(carys)
    t = today()
    if isinstance(data, str):
        data = {"reversed": dates(t + timedelta(days=9), t + timedelta(days=8)),
                "past": dates(t - timedelta(days=9), t - timedelta(days=1)),
                "far": dates(t + timedelta(days=800), t + timedelta(days=801))}[data]
    response = post(client, "/wellbeing/leave", data)
    shown = page(response)
    assert response.status_code == 400
    assert "<title>Error: Pausing surveys during leave" in shown and "There is a problem" in shown
    assert message in shown
    for name, value in data.items():
        assert f'name="{name}" type="text" value="{value}"' in shown
    assert leave_rows(app, carys) == []


def test_someone_elses_leave_answers_404_and_stays(app, client, make, signed_in):
    carys, rhian = make.user(Role.link_worker), make.user(Role.link_worker)
    theirs = add(app, rhian, today(), today() + timedelta(days=3))
    signed_in(carys)
    assert post(client, f"/wellbeing/leave/{theirs}/remove").status_code == 404
    assert post(client, "/wellbeing/leave/987654/remove").status_code == 404
    assert len(leave_rows(app, rhian)) == 1


@pytest.mark.parametrize("role", [Role.supervisor, Role.employer, Role.admin])
def test_other_roles_cannot_reach_the_leave_page(app, client, make, role):
    person = make.user(role)
    sign_in(client, person.email)
    assert client.get("/wellbeing/leave").status_code == 403
    assert post(client, "/wellbeing/leave", dates(today(), today())).status_code == 403
    assert post(client, "/wellbeing/leave/1/remove").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_and_posts_need_a_token(app, client, make, signed_in):
    token = csrf_token(client)
    for path in ("/wellbeing/leave", "/wellbeing/leave/1/remove"):
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    assert client.get("/wellbeing/leave").headers["Location"].startswith("/sign-in?next=")
    carys = make.user(Role.link_worker)
    signed_in(carys)
    assert client.post("/wellbeing/leave", data=dates(today(), today())).status_code == 400
    assert leave_rows(app, carys) == []


# --- an admin marking leave for one of their people -------------------------------------------

@pytest.fixture
def admin_world(app, make):
    organisation = make.organisation(name="Ogmore Valleys")
    other = make.organisation(name="Teifi Valley")
    return {
        "organisation": organisation,
        "admin": make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        "carys": make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins"),
        "outsider": make.user(Role.link_worker, organisation=other, name="Owain Teifi"),
        "other_admin": make.user(Role.admin, organisation=other, name="Sioned Prys"),
    }


def _path(world, person="carys", tail="") -> str:
    return f"/admin/organisations/{world['organisation'].id}/people/{world[person].id}/survey-leave{tail}"


def test_an_admin_marks_and_removes_dates_and_each_change_is_audited(app, client, admin_world):
    sign_in(client, admin_world["admin"].email)
    people_page = page(client.get(f"/admin/organisations/{admin_world['organisation'].id}/people"))
    assert _path(admin_world) in people_page
    start, end = today() + timedelta(days=1), today() + timedelta(days=5)
    response = post(client, _path(admin_world), dates(start, end))
    assert response.status_code == 302 and response.headers["Location"] == _path(admin_world)
    assert leave_rows(app, admin_world["carys"]) == [(start, end, admin_world["admin"].id)]
    shown = page(client.get(_path(admin_world)))
    assert "Survey leave" in shown and "Carys Jenkins" in shown and "reason" in shown
    leave_id = leave_rows_ids(app, admin_world["carys"])[0]
    assert post(client, _path(admin_world, tail=f"/{leave_id}/remove")).status_code == 302
    assert leave_rows(app, admin_world["carys"]) == []
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("survey_leave_%"))
                                    .order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_id, e.organisation_id, e.target_id, e.detail) for e in events] == [
            (action, admin_world["admin"].id, admin_world["organisation"].id, admin_world["carys"].id, None)
            for action in ("survey_leave_add", "survey_leave_remove")]


def test_an_admin_gets_the_error_summary_for_bad_dates(app, client, admin_world):
    sign_in(client, admin_world["admin"].email)
    response = post(client, _path(admin_world), dates(today() + timedelta(days=3), today()))
    assert response.status_code == 200 and "There is a problem" in page(response)
    assert "<title>Error: Survey leave" in page(response)
    assert leave_rows(app, admin_world["carys"]) == []


def test_a_person_or_leave_outside_the_organisation_answers_404(app, client, admin_world):
    theirs = add(app, admin_world["outsider"], today(), today())
    mine = add(app, admin_world["carys"], today(), today())
    sign_in(client, admin_world["admin"].email)
    assert client.get(_path(admin_world, "outsider")).status_code == 404
    assert post(client, _path(admin_world, "outsider"), dates(today(), today())).status_code == 404
    assert post(client, _path(admin_world, "outsider", f"/{theirs}/remove")).status_code == 404
    assert post(client, _path(admin_world, tail=f"/{theirs}/remove")).status_code == 404
    # An admin of another organisation cannot reach this organisation's people at all.
    other = app.test_client()
    sign_in(other, admin_world["other_admin"].email)
    assert other.get(_path(admin_world)).status_code == 404
    assert post(other, _path(admin_world), dates(today(), today())).status_code == 404
    assert post(other, _path(admin_world, tail=f"/{mine}/remove")).status_code == 404
    assert len(leave_rows(app, admin_world["carys"])) == 1 and len(leave_rows(app, admin_world["outsider"])) == 1


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.employer, None])
def test_only_admins_reach_the_admin_leave_pages(app, client, make, admin_world, role):
    mine = add(app, admin_world["carys"], today(), today())
    if role is not None:
        sign_in(client, make.user(role, organisation=admin_world["organisation"]).email)
    for method, path in (("GET", _path(admin_world)), ("POST", _path(admin_world)),
                         ("POST", _path(admin_world, tail=f"/{mine}/remove"))):
        response = client.get(path) if method == "GET" else post(client, path, dates(today(), today()))
        if role is None:
            assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
        else:
            assert response.status_code == 403, (role, method, path)
    assert len(leave_rows(app, admin_world["carys"])) == 1


def test_every_page_text_is_translatable():
    for path in (ROOT / "templates" / "pulse" / "leave.html", ROOT / "templates" / "admin" / "survey_leave.html",
                 ROOT / "templates" / "admin" / "people.html"):
        assert untranslated_template_text(path) == [], path
