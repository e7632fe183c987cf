"""Who may reach the reports: an organisation's employers (issued reports) and admins (issued reports
and the draft), and nobody else. Everyone else gets a 404 for every report URL, including a report
id that exists in another organisation; signed out, every URL asks to sign in. The list of
endpoints comes from the app's url_map, so a new endpoint without an expectation fails here."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from supervision.accounts.models import Membership, Role, User
from supervision.extensions import db
from supervision.reports.models import QuarterlyReport

from .conftest import counting_queries, post

ROLES = ["anonymous", "link_worker", "supervisor", "employer", "admin", "other_employer", "other_admin",
         "inactive_employer"]
ENDPOINTS = {"reports.index", "reports.view", "reports.download", "reports.make_draft"}
DOWNLOADS = [(language, fmt) for language in ("en", "cy") for fmt in ("pdf", "csv")]


@dataclass
class World:
    people: dict
    issued: int  # this organisation's issued report
    draft: int  # this organisation's draft of the quarter so far
    elsewhere: int  # the other organisation's issued report
    org_id: int
    other_id: int


@pytest.fixture
def world(make) -> World:
    here, there = make.organisation(name="Ogmore Valleys"), make.organisation(name="Teifi Valley")
    people = {
        "link_worker": make.user(Role.link_worker, organisation=here, name="Carys Jenkins"),
        "supervisor": make.user(Role.supervisor, organisation=here, name="Rhodri Evans"),
        "employer": make.user(Role.employer, organisation=here, name="Siân Morgan"),
        "admin": make.user(Role.admin, organisation=here, name="Gareth Price"),
        "other_employer": make.user(Role.employer, organisation=there, name="Alun Vaughan"),
        "other_admin": make.user(Role.admin, organisation=there, name="Sioned Prys"),
        "inactive_employer": make.user(Role.employer, organisation=here, name="Former Employer"),
    }
    return World(people=people, issued=make.quarterly_report(here, "2026-Q2"),
                 draft=make.quarterly_report(here, "2026-Q3", status="draft"),
                 elsewhere=make.quarterly_report(there, "2026-Q2"), org_id=here.id, other_id=there.id)


def _path(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _sign_in(app, signed_in, world: World, role: str) -> None:
    if role == "anonymous":
        return
    signed_in(world.people[role])
    if role == "inactive_employer":  # signed in, then deactivated: the session no longer counts
        with app.app_context():
            db.session.get(User, world.people[role].id).active = False
            db.session.commit()


def _requests(app, world: World) -> list[tuple[str, str, str]]:
    """(label, method, path) for every report URL, on this organisation's and the other's objects."""
    requests = [("index", "GET", _path(app, "reports.index"))]
    for label, report_id in (("issued", world.issued), ("draft", world.draft), ("elsewhere", world.elsewhere)):
        requests.append((f"view-{label}", "GET", _path(app, "reports.view", report_id=report_id)))
        for language, fmt in DOWNLOADS:
            requests.append((f"download-{label}-{language}-{fmt}", "GET",
                             _path(app, "reports.download", report_id=report_id, language=language, fmt=fmt)))
    requests.append(("draft-here", "POST", _path(app, "reports.make_draft", organisation_id=world.org_id)))
    requests.append(("draft-elsewhere", "POST", _path(app, "reports.make_draft", organisation_id=world.other_id)))
    return requests


def _expected(role: str, label: str) -> int:
    if role == "anonymous":
        return 302
    if role in ("link_worker", "supervisor"):
        return 404
    mine = "here" if role in ("employer", "admin") else "elsewhere"
    admin = role.endswith("admin")
    if label == "index":
        return 200
    if label.startswith("draft-"):  # the POST that makes a draft, for one organisation or the other
        return 302 if admin and label == f"draft-{mine}" else 404
    kind = label.split("-")[1]  # issued, draft or elsewhere
    if ("elsewhere" if kind == "elsewhere" else "here") != mine:
        return 404
    return 404 if kind == "draft" and not admin else 200


def test_every_report_endpoint_has_an_expectation(app):
    actual = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reports.")}
    assert actual == ENDPOINTS


@pytest.mark.parametrize("role", ROLES)
def test_report_urls_by_role(app, client, signed_in, world, role):
    _sign_in(app, signed_in, world, role)
    for label, method, where in _requests(app, world):
        response = client.get(where) if method == "GET" else post(client, where, {})
        said = (role, label, response.status_code)
        expected = 302 if role == "inactive_employer" else _expected(role, label)
        assert response.status_code == expected, said
        if role in ("anonymous", "inactive_employer"):
            assert urlsplit(response.headers["Location"]).path == "/sign-in", said


def test_an_unknown_report_id_and_a_made_up_format_answer_404(app, client, signed_in, world):
    signed_in(world.people["admin"])
    assert client.get(_path(app, "reports.view", report_id=987654)).status_code == 404
    for language, fmt in (("fr", "pdf"), ("en", "docx"), ("cy", "PDF")):
        where = _path(app, "reports.download", report_id=world.issued, language=language, fmt=fmt)
        assert client.get(where).status_code == 404, (language, fmt)
    assert post(client, _path(app, "reports.make_draft", organisation_id=987654), {}).status_code == 404


def test_the_list_shows_only_the_persons_own_organisations_reports(app, client, signed_in, world):
    signed_in(world.people["other_employer"])
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/{world.elsewhere}" in page
    assert f"/reports/{world.issued}" not in page and "Ogmore Valleys" not in page
    assert f"/reports/{world.draft}" not in page


def test_an_employer_sees_issued_reports_but_neither_the_draft_nor_its_form(app, client, signed_in, world):
    signed_in(world.people["employer"])
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/{world.issued}\"" in page
    assert f"/reports/{world.draft}\"" not in page
    assert "Make a draft of this quarter so far" not in page
    assert _path(app, "reports.make_draft", organisation_id=world.org_id) not in page


def test_a_person_who_stopped_being_employer_loses_access(app, client, signed_in, world):
    signed_in(world.people["employer"])
    where = _path(app, "reports.view", report_id=world.issued)
    with app.app_context():
        db.session.execute(db.delete(Membership).where(Membership.user_id == world.people["employer"].id))
        db.session.commit()
    assert client.get(where).status_code == 404
    assert client.get("/reports/").status_code == 404


def test_the_draft_form_without_a_csrf_token_is_a_400_page_and_makes_nothing(app, client, signed_in, world):
    signed_in(world.people["admin"])
    response = client.post(_path(app, "reports.make_draft", organisation_id=world.org_id), data={})
    assert response.status_code == 400
    assert "The form you sent had expired or could not be checked" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuarterlyReport)) == 3


def test_the_navigation_and_home_lead_employers_and_admins_to_reports(client, signed_in, world, make):
    signed_in(world.people["employer"])
    assert 'href="/reports/"' in client.get("/home").get_data(as_text=True)
    link_worker_client = client.application.test_client()
    from .conftest import sign_in

    sign_in(link_worker_client, world.people["link_worker"].email)
    assert 'href="/reports/"' not in link_worker_client.get("/home").get_data(as_text=True)


def test_the_list_asks_a_bounded_number_of_queries(app, client, signed_in, make, world):
    here = world.people["admin"].organisation

    def queries() -> int:
        with counting_queries(app) as statements:
            assert client.get("/reports/").status_code == 200
        return len(statements)

    signed_in(world.people["admin"])
    few = queries()
    for year in (2023, 2024, 2025):
        for number in (1, 2, 3, 4):
            make.quarterly_report(here, f"{year}-Q{number}", files=False)
    assert queries() == few


def test_an_employers_home_says_when_the_latest_quarters_report_is_ready(app, client, signed_in, make):
    from supervision.db import utcnow
    from supervision.reports.quarters import Quarter

    organisation = make.organisation(name="Ogmore Valleys")
    employer = make.user(Role.employer, organisation=organisation)
    signed_in(employer)
    assert "a new report is ready" not in client.get("/home").get_data(as_text=True)
    make.quarterly_report(organisation, Quarter.containing(utcnow()).previous().previous().key)
    assert "a new report is ready" not in client.get("/home").get_data(as_text=True)  # an older one
    make.quarterly_report(organisation, Quarter.containing(utcnow()).previous().key)
    assert "Ogmore Valleys: a new report is ready" in client.get("/home").get_data(as_text=True)
