"""Admin: who supervises each link worker. Assigning, unassigning (which ends what was shared),
no self-supervision, only the organisation's own people, and roles removed end assignments."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from supervision.accounts.models import Membership, Organisation, Role, SupervisorAssignment, User
from supervision.accounts.supervisors import supervises
from supervision.admin import services as admin_services
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.notifications.models import Notification
from supervision.reflections.models import ReflectionShare

from .conftest import post, sign_in


@dataclass
class Org:
    organisation: Organisation
    admin: object
    link_worker: object
    supervisor: object
    second_supervisor: object
    senior: object  # a link worker who also supervises

    @property
    def id(self) -> int:
        return self.organisation.id

    def path(self, person, suffix: str = "/supervisors") -> str:
        return f"/admin/organisations/{self.id}/people/{person.id}{suffix}"


@pytest.fixture
def org(make, signed_in) -> Org:
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    found = Org(
        organisation=organisation, admin=admin,
        link_worker=make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins"),
        supervisor=make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans"),
        second_supervisor=make.user(Role.supervisor, organisation=organisation, name="Bethan Howells"),
        senior=make.user(Role.link_worker, Role.supervisor, organisation=organisation, name="Owain Davies"),
    )
    signed_in(admin)
    return found


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assignments(app, organisation_id: int | None = None) -> set[tuple[int, int]]:
    with app.app_context():
        query = select(SupervisorAssignment.supervisor_id, SupervisorAssignment.link_worker_id)
        if organisation_id is not None:
            query = query.where(SupervisorAssignment.organisation_id == organisation_id)
        return {tuple(row) for row in db.session.execute(query)}


def share_state(app, share_id: int):
    with app.app_context():
        return db.session.get(ReflectionShare, share_id).revoked_at


def notifications(app, user_id: int, kind: str = "supervisors_changed") -> int:
    with app.app_context():
        return len(db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                                 Notification.kind == kind)).all())


def test_the_page_offers_the_organisations_active_supervisors_but_not_the_person(app, client, make, org):
    make.user(Role.supervisor, organisation=org.organisation, name="Dafydd Rees", active=False)
    make.user(Role.supervisor, organisation=make.organisation(), name="Mererid Hopcyn")
    text = page(client.get(org.path(org.senior)))
    assert "Supervisors of Owain Davies" in text
    assert "Rhodri Evans" in text and "Bethan Howells" in text
    assert f'value="{org.senior.id}"' not in text, "nobody supervises themselves"
    assert "Dafydd Rees" not in text and "Mererid Hopcyn" not in text


def test_assign_and_see_it_on_the_person_page(app, client, org, outbox):
    response = post(client, org.path(org.link_worker), {"supervisors": [str(org.supervisor.id), str(org.senior.id)]})
    assert response.status_code == 302
    assert response.headers["Location"] == org.path(org.link_worker, "")
    assert assignments(app) == {(org.supervisor.id, org.link_worker.id), (org.senior.id, org.link_worker.id)}
    text = page(client.get(org.path(org.link_worker, "")))
    assert "Supervisors saved for Carys Jenkins" in text
    assert re.search(r"Supervised by:.*Owain Davies.*Rhodri Evans", text, re.S)
    assert "Change supervisors" in text
    assert notifications(app, org.link_worker.id) == 1
    text = page(client.get(org.path(org.supervisor, "")))
    assert re.search(r"Supervises:.*Carys Jenkins", text, re.S)
    # The form shows the current ones ticked.
    text = page(client.get(org.path(org.link_worker)))
    assert re.search(rf'value="{org.supervisor.id}"\s+checked', text)
    assert not re.search(rf'value="{org.second_supervisor.id}"\s+checked', text)
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "supervisors_change")).all()
        assert event.target_id == org.link_worker.id
        assert event.detail == f"added: {min(org.supervisor.id, org.senior.id)}, " \
                               f"{max(org.supervisor.id, org.senior.id)}; removed: none"


def test_saving_the_same_supervisors_changes_nothing(app, client, make, org):
    make.assign(org.supervisor, org.link_worker, org.organisation)
    post(client, org.path(org.link_worker), {"supervisors": [str(org.supervisor.id)]})
    assert notifications(app, org.link_worker.id) == 0
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "supervisors_change")).all() == []


def test_unassigning_ends_what_was_shared_with_that_supervisor(app, client, make, org, outbox):
    make.assign(org.supervisor, org.link_worker, org.organisation)
    make.assign(org.second_supervisor, org.link_worker, org.organisation)
    reflection_id = make.reflection(org.link_worker, title="Private title")
    to_removed = make.share(reflection_id, org.supervisor)
    to_kept = make.share(reflection_id, org.second_supervisor)
    response = post(client, org.path(org.link_worker), {"supervisors": [str(org.second_supervisor.id)]})
    assert response.status_code == 302
    assert assignments(app) == {(org.second_supervisor.id, org.link_worker.id)}
    assert share_state(app, to_removed) is not None
    assert share_state(app, to_kept) is None
    assert notifications(app, org.link_worker.id) == 1
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "supervisors_change")).all()
        assert event.detail == f"added: none; removed: {org.supervisor.id}"
    for message in outbox():
        assert "Private title" not in message.as_string()


def test_a_supervisor_in_another_organisation_too_keeps_the_share(app, client, make, org):
    teifi = make.organisation(name="Teifi Valley")
    with app.app_context():
        for person, role in ((org.link_worker, Role.link_worker), (org.supervisor, Role.supervisor)):
            db.session.add(Membership(user_id=person.id, organisation_id=teifi.id, role=role))
        db.session.commit()
    make.assign(org.supervisor, org.link_worker, org.organisation)
    make.assign(org.supervisor, org.link_worker, teifi)
    share_id = make.share(make.reflection(org.link_worker), org.supervisor)
    post(client, org.path(org.link_worker), {"supervisors": []})
    assert assignments(app, org.id) == set()
    assert assignments(app, teifi.id) == {(org.supervisor.id, org.link_worker.id)}
    assert share_state(app, share_id) is None, "they still supervise them through Teifi Valley"


@pytest.mark.parametrize("who", ["self", "link_worker", "other_org", "unknown", "junk"])
def test_only_the_organisations_supervisors_can_be_chosen(app, client, make, org, who):
    stranger = make.user(Role.supervisor, organisation=make.organisation(), name="Mererid Hopcyn")
    value = {"self": str(org.senior.id), "link_worker": str(org.link_worker.id), "other_org": str(stranger.id),
             "unknown": "987654", "junk": "1e309"}[who]
    response = post(client, org.path(org.senior), {"supervisors": [str(org.supervisor.id), value]})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text
    expected = "A person cannot supervise themselves" if who == "self" else "Select supervisors from the list"
    assert expected in text
    assert assignments(app) == set()


def test_the_database_refuses_self_supervision_too(app, org):
    with app.app_context():
        db.session.add(SupervisorAssignment(organisation_id=org.id, supervisor_id=org.senior.id,
                                            link_worker_id=org.senior.id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_someone_who_is_not_a_link_worker_here_has_no_supervisors(app, client, org):
    text = page(client.get(org.path(org.supervisor)))
    assert "Rhodri Evans is not a link worker here" in text
    assert 'name="supervisors"' not in text
    assert post(client, org.path(org.supervisor), {"supervisors": [str(org.second_supervisor.id)]}).status_code == 200
    assert assignments(app) == set()
    assert "Change supervisors" not in page(client.get(org.path(org.supervisor, "")))


def test_another_organisations_person_or_admin_gets_404(app, client, make, org):
    other = make.organisation(name="Teifi Valley")
    their_worker = make.user(Role.link_worker, organisation=other, name="Huw Parry")
    assert client.get(org.path(their_worker)).status_code == 404
    assert post(client, org.path(their_worker), {"supervisors": [str(org.supervisor.id)]}).status_code == 404
    assert client.get(f"/admin/organisations/{other.id}/people/{their_worker.id}/supervisors").status_code == 404
    assert assignments(app) == set()

    stranger = make.user(Role.admin, organisation=other, name="Sioned Prys")
    theirs = app.test_client()
    sign_in(theirs, stranger.email)
    assert theirs.get(org.path(org.link_worker)).status_code == 404
    assert post(theirs, org.path(org.link_worker), {"supervisors": [str(org.supervisor.id)]}).status_code == 404
    assert assignments(app) == set()


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.employer])
def test_someone_who_is_not_an_admin_gets_403(app, make, org, role):
    person = make.user(role, organisation=org.organisation)
    client = app.test_client()
    sign_in(client, person.email)
    assert client.get(org.path(org.link_worker)).status_code == 403
    assert post(client, org.path(org.link_worker), {"supervisors": [str(org.supervisor.id)]}).status_code == 403
    assert assignments(app) == set()


@pytest.mark.parametrize("removed", [Role.supervisor, Role.link_worker])
def test_removing_a_role_ends_its_assignments_and_shares(app, client, make, org, removed):
    make.assign(org.supervisor, org.senior, org.organisation)  # Owain is supervised by Rhodri...
    make.assign(org.senior, org.link_worker, org.organisation)  # ...and supervises Carys
    as_supervisor = make.share(make.reflection(org.link_worker), org.senior)
    as_link_worker = make.share(make.reflection(org.senior), org.supervisor)
    kept = {Role.link_worker, Role.supervisor} - {removed}
    response = post(client, org.path(org.senior, ""), {"roles": [r.value for r in kept]})
    assert response.status_code == 302
    if removed == Role.supervisor:
        assert assignments(app) == {(org.supervisor.id, org.senior.id)}
        assert share_state(app, as_supervisor) is not None and share_state(app, as_link_worker) is None
        assert notifications(app, org.link_worker.id) == 1
    else:
        assert assignments(app) == {(org.senior.id, org.link_worker.id)}
        assert share_state(app, as_link_worker) is not None and share_state(app, as_supervisor) is None
        assert notifications(app, org.senior.id) == 1


def test_removing_someone_from_the_organisation_ends_everything(app, make, org):
    make.assign(org.supervisor, org.senior, org.organisation)
    make.assign(org.senior, org.link_worker, org.organisation)
    with app.app_context():
        admin_services.set_roles(organisation=db.session.get(Organisation, org.id),
                                 user=db.session.get(User, org.senior.id), roles=set(),
                                 actor=db.session.get(User, org.admin.id))
        db.session.commit()
        assert not supervises(org.senior.id, org.link_worker.id)
    assert assignments(app) == set()
