"""Admin pages: people and roles, invitations, deactivation and organisation settings."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from supervision.accounts import services as account_services
from supervision.accounts.models import Invitation, Membership, Organisation, Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db

from .conftest import counting_queries, post, sign_in


@dataclass
class Org:
    id: int
    admin: object
    member: object

    def path(self, suffix: str) -> str:
        return f"/admin/organisations/{self.id}/{suffix}"


@pytest.fixture
def org(make, signed_in) -> Org:
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price", email="gareth@example.org")
    member = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins",
                       email="carys@example.org")
    signed_in(admin)
    return Org(id=organisation.id, admin=admin, member=member)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_summary(response) -> str:
    text = page(response)
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', text, re.DOTALL)
    assert match, "no error summary"
    return match.group(0)


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def roles_of(app, user_id: int, organisation_id: int) -> set[Role]:
    with app.app_context():
        return db.session.get(User, user_id).roles_in(organisation_id)


def is_active(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).active


# --- people ------------------------------------------------------------------------------------

def test_people_page_lists_people_with_their_roles(client, org, make):
    make.user(Role.link_worker, Role.supervisor, organisation=org.admin.organisation, name="Owain Davies")
    make.user(Role.employer, organisation=make.organisation(), name="Someone Elsewhere")
    text = page(client.get(org.path("people")))
    assert re.search(r"Carys Jenkins</a></th>\s*<td[^>]*>carys@example.org</td>\s*<td[^>]*>Link worker</td>", text)
    assert re.search(r"Gareth Price</a></th>\s*<td[^>]*>gareth@example.org</td>\s*<td[^>]*>Admin</td>", text)
    assert "Link worker, Supervisor" in text
    assert "3 people" in text
    assert "Someone Elsewhere" not in text



def test_people_page_query_count_does_not_grow_with_the_organisation(app, client, org, make):
    post(client, org.path("invite"), {"email": "one@example.org", "roles": ["link_worker"]})
    client.get(org.path("people"))  # warm up: first-request work is not the page's
    with counting_queries(app) as before:
        assert client.get(org.path("people")).status_code == 200
    roles = [Role.link_worker, Role.supervisor, Role.employer, Role.admin]
    for n in range(20):
        make.user(roles[n % 4], roles[(n + 1) % 4], organisation=org.admin.organisation, name=f"Person {n:02d}")
    for n in range(5):
        post(client, org.path("invite"), {"email": f"new{n}@example.org", "roles": ["supervisor", "employer"]})
    with counting_queries(app) as after:
        response = client.get(org.path("people"))
    assert "22 people" in page(response)
    assert "new4@example.org" in page(response)
    assert len(after) == len(before), '\n'.join(s[:150] for s in after)


def test_person_page_shows_roles_ticked(client, org):
    text = page(client.get(org.path(f"people/{org.member.id}")))
    assert "<h1" in text and "Carys Jenkins" in text
    assert re.search(r'value="link_worker"\s+checked', text)
    assert not re.search(r'value="admin"\s+checked', text)


# --- invitations -------------------------------------------------------------------------------

def test_invite_creates_an_invitation_and_sends_an_email(app, client, org, outbox):
    response = post(client, org.path("invite"),
                    {"email": "  New.Person@Example.org ", "roles": ["link_worker", "supervisor"]})
    assert response.status_code == 302
    assert response.headers["Location"] == org.path("people")
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.email == "new.person@example.org"
        assert invitation.organisation_id == org.id
        assert invitation.role_set == {Role.link_worker, Role.supervisor}
        assert invitation.invited_by_id == org.admin.id
    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["To"] == "new.person@example.org"
    assert "You have been invited to Cwtch" in messages[0]["Subject"]
    assert "http://localhost/invitation/" in messages[0].get_body(("plain",)).get_content()
    assert [e.detail for e in audit(app, "invite")] == ["roles: link_worker, supervisor"]
    people = page(client.get(org.path("people")))
    assert "Invitation sent to new.person@example.org" in people
    assert "new.person@example.org" in people.split("Invitations not yet accepted")[-1]


@pytest.mark.parametrize("data,message", [
    ({"email": "", "roles": ["link_worker"]}, "Enter an email address"),
    ({"email": "not-an-email", "roles": ["link_worker"]},
     "Enter an email address in the correct format, like name@example.com"),
    ({"email": "someone@example.org"}, "Select at least one role"),
    ({"email": "someone@example.org", "roles": ["overlord"]}, None),
])
def test_invite_validation_errors_appear_in_the_error_summary(app, client, org, outbox, data, message):
    response = post(client, org.path("invite"), data)
    assert response.status_code == 200
    summary = error_summary(response)
    if message:
        assert message in summary
    assert "<title>Error:" in page(response)
    with app.app_context():
        assert db.session.scalars(select(Invitation)).all() == []
    assert outbox() == []


def test_inviting_someone_who_already_has_the_roles_is_refused(app, client, org, outbox):
    response = post(client, org.path("invite"), {"email": "Carys@example.org", "roles": ["link_worker"]})
    assert "This person already has these roles in this organisation" in error_summary(response)
    assert outbox() == []


def test_revoking_twice_or_after_use_changes_nothing(app, client, org, make):
    post(client, org.path("invite"), {"email": "new@example.org", "roles": ["employer"]})
    with app.app_context():
        invitation_id = db.session.scalars(select(Invitation.id)).one()
    post(client, org.path(f"invitations/{invitation_id}/revoke"))
    post(client, org.path(f"invitations/{invitation_id}/revoke"))
    assert len(audit(app, "invitation_revoke")) == 1

    post(client, org.path("invite"), {"email": "used@example.org", "roles": ["employer"]})
    with app.app_context():
        used = db.session.scalar(select(Invitation).where(Invitation.email == "used@example.org"))
        account_services.accept_invitation(invitation=used, name="Used", password="granite kettle orchard",
                                           language="en")
        db.session.commit()
        used_id = used.id
    response = post(client, org.path(f"invitations/{used_id}/revoke"), follow_redirects=True)
    assert "This invitation has already been used" in page(response)
    with app.app_context():
        assert db.session.get(Invitation, used_id).revoked_at is None
    assert len(audit(app, "invitation_revoke")) == 1


def test_revoke_an_invitation(app, client, org):
    post(client, org.path("invite"), {"email": "new@example.org", "roles": ["employer"]})
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        token = account_services.invitation_token(invitation)
    response = post(client, org.path(f"invitations/{invitation.id}/revoke"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, invitation.id).revoked_at is not None
    assert [e.target_id for e in audit(app, "invitation_revoke")] == [invitation.id]
    people = page(client.get(org.path("people")))
    assert "The invitation to new@example.org has been cancelled" in people
    assert "There are no invitations waiting." in people
    assert app.test_client().get(f"/invitation/{token}").status_code == 400


# --- roles -------------------------------------------------------------------------------------

def test_change_roles(app, client, org):
    response = post(client, org.path(f"people/{org.member.id}"), {"roles": ["link_worker", "supervisor"]})
    assert response.status_code == 302
    assert roles_of(app, org.member.id, org.id) == {Role.link_worker, Role.supervisor}
    events = audit(app, "role_change")
    assert [(e.actor_id, e.target_id, e.organisation_id, e.detail) for e in events] == [
        (org.admin.id, org.member.id, org.id, "roles: link_worker, supervisor")
    ]
    assert "Roles saved for Carys Jenkins" in page(client.get(org.path("people")))


def test_the_last_admin_cannot_be_removed(app, client, org):
    response = post(client, org.path(f"people/{org.admin.id}"), {"roles": ["link_worker"]})
    assert response.status_code == 200
    assert "An organisation must keep at least one active admin" in error_summary(response)
    assert roles_of(app, org.admin.id, org.id) == {Role.admin}
    assert audit(app, "role_change") == []


def test_a_deactivated_admin_does_not_count_as_the_other_admin(app, client, org, make):
    make.user(Role.admin, organisation=org.admin.organisation, name="Gone Admin", active=False)
    response = post(client, org.path(f"people/{org.admin.id}"), {"roles": []})
    assert "An organisation must keep at least one active admin" in error_summary(response)
    assert roles_of(app, org.admin.id, org.id) == {Role.admin}


def test_an_admin_can_step_down_when_another_remains(app, client, org, make):
    make.user(Role.admin, organisation=org.admin.organisation, name="Second Admin")
    response = post(client, org.path(f"people/{org.admin.id}"), {"roles": ["supervisor"]})
    assert response.headers["Location"] == "/home"  # not to admin pages they can no longer open
    assert roles_of(app, org.admin.id, org.id) == {Role.supervisor}
    assert "Roles saved for Gareth Price" in page(client.get("/home"))
    assert client.get(org.path("people")).status_code == 403


def test_removing_every_role_removes_the_person_from_the_organisation(app, client, org, make):
    elsewhere = make.organisation(name="Teifi Valley")
    with app.app_context():
        db.session.add(Membership(user_id=org.member.id, organisation_id=elsewhere.id, role=Role.supervisor))
        db.session.commit()
    response = post(client, org.path(f"people/{org.member.id}"), {})
    assert response.status_code == 302
    assert roles_of(app, org.member.id, org.id) == set()
    assert roles_of(app, org.member.id, elsewhere.id) == {Role.supervisor}
    people = page(client.get(org.path("people")))
    assert "Carys Jenkins has been removed from Ogmore Valleys" in people
    assert "carys@example.org" not in people
    assert client.get(org.path(f"people/{org.member.id}")).status_code == 404
    assert [e.detail for e in audit(app, "role_change")] == ["roles: none"]


# --- deactivation ------------------------------------------------------------------------------

def test_deactivate_and_reactivate(app, client, org):
    theirs = app.test_client()
    assert sign_in(theirs, org.member.email).status_code == 302
    assert theirs.get("/home").status_code == 200

    response = post(client, org.path(f"people/{org.member.id}/deactivate"))
    assert response.headers["Location"] == org.path(f"people/{org.member.id}")
    assert not is_active(app, org.member.id)
    assert "Carys Jenkins can no longer sign in" in page(client.get(response.headers["Location"]))
    assert theirs.get("/home").headers["Location"].startswith("/sign-in")  # their session has ended
    refused = sign_in(app.test_client(), org.member.email)
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in page(refused)
    assert [(e.actor_id, e.target_id) for e in audit(app, "deactivate")] == [(org.admin.id, org.member.id)]
    assert "Deactivated" in page(client.get(org.path("people")))

    response = post(client, org.path(f"people/{org.member.id}/reactivate"))
    assert response.status_code == 302
    assert is_active(app, org.member.id)
    assert [(e.actor_id, e.target_id) for e in audit(app, "reactivate")] == [(org.admin.id, org.member.id)]
    assert sign_in(app.test_client(), org.member.email).status_code == 302


def test_an_admin_cannot_deactivate_themselves(app, client, org, make):
    make.user(Role.admin, organisation=org.admin.organisation, name="Second Admin")
    response = post(client, org.path(f"people/{org.admin.id}/deactivate"), follow_redirects=True)
    assert "You cannot deactivate your own account" in page(response)
    assert is_active(app, org.admin.id)
    assert audit(app, "deactivate") == []
    assert client.get("/home").status_code == 200


def test_someone_who_also_belongs_elsewhere_cannot_be_deactivated(app, client, org, make):
    elsewhere = make.organisation(name="Teifi Valley")
    with app.app_context():
        db.session.add(Membership(user_id=org.member.id, organisation_id=elsewhere.id, role=Role.link_worker))
        db.session.commit()
    response = post(client, org.path(f"people/{org.member.id}/deactivate"), follow_redirects=True)
    assert "This person also belongs to another organisation" in page(response)
    assert is_active(app, org.member.id)
    assert audit(app, "deactivate") == []


def test_deactivate_without_a_csrf_token_changes_nothing(app, client, org):
    response = client.post(org.path(f"people/{org.member.id}/deactivate"))
    assert response.status_code == 400
    assert is_active(app, org.member.id)


# --- settings ----------------------------------------------------------------------------------

SETTINGS = {
    "name": "Ogmore Valleys Community Connectors",
    "kind": "county_voluntary_council",
    "region": "cwm_taf_morgannwg",
    "report_k": "7",
    "job_title_en": "community connector",
    "job_title_cy": "cysylltydd cymunedol",
}


def organisation(app, organisation_id: int) -> Organisation:
    with app.app_context():
        found = db.session.get(Organisation, organisation_id)
        db.session.expunge(found)
        return found


def test_settings_page_shows_current_values(client, org):
    text = page(client.get(org.path("settings")))
    assert 'value="Ogmore Valleys"' in text
    assert re.search(r'value="primary_care"\s+selected', text)
    assert re.search(r'value="cardiff_and_vale"\s+selected', text)
    assert 'value="5"' in text
    assert re.search(r'value="county_voluntary_council"[^>]*>County voluntary council</option>', text)
    assert re.search(r'value="powys"[^>]*>Powys Teaching Health Board</option>', text)


def test_invite_page_offers_every_role_under_the_organisations_job_title(client, org):
    post(client, org.path("settings"), SETTINGS)
    text = page(client.get(org.path("invite")))
    labels = re.findall(r'<label class="govuk-label govuk-checkboxes__label"[^>]*>\s*(.*?)\s*</label>', text)
    assert labels == ["Community connector", "Supervisor", "Employer", "Admin"]


def test_settings_are_saved(app, client, org):
    response = post(client, org.path("settings"), SETTINGS)
    assert response.status_code == 302
    saved = organisation(app, org.id)
    assert (saved.name, saved.kind.value, saved.region.value, saved.report_k) == (
        "Ogmore Valleys Community Connectors", "county_voluntary_council", "cwm_taf_morgannwg", 7)
    assert (saved.job_title_en, saved.job_title_cy) == ("community connector", "cysylltydd cymunedol")
    assert [e.target_id for e in audit(app, "organisation_settings")] == [org.id]
    assert "Organisation settings saved" in page(client.get(response.headers["Location"]))


def test_the_link_worker_job_title_appears_on_the_people_page(app, client, org):
    post(client, org.path("settings"), SETTINGS)
    text = page(client.get(org.path("people")))
    assert re.search(r"carys@example.org</td>\s*<td[^>]*>Community connector</td>", text)
    assert "Link worker" not in text
    post(client, org.path("settings"), {**SETTINGS, "job_title_en": "  ", "job_title_cy": ""})
    assert organisation(app, org.id).job_title_en is None
    assert re.search(r"carys@example.org</td>\s*<td[^>]*>Link worker</td>", page(client.get(org.path("people"))))


@pytest.mark.parametrize("k,message", [
    ("4", "The smallest group size must be between 5 and 100"),
    ("0", "The smallest group size must be between 5 and 100"),
    ("-5", "The smallest group size must be between 5 and 100"),
    ("101", "The smallest group size must be between 5 and 100"),
    ("abc", "Enter the smallest group size, as a whole number"),
    ("5.5", "Enter the smallest group size, as a whole number"),
    ("", "Enter the smallest group size, as a whole number"),
])
def test_a_bad_k_is_refused_clearly_and_keeps_what_was_typed(app, client, org, k, message):
    response = post(client, org.path("settings"), {**SETTINGS, "report_k": k})
    assert response.status_code == 200
    assert message in error_summary(response)
    text = page(response)
    assert f'name="report_k" type="text" value="{k}"' in text or (k == "" and 'name="report_k"' in text)
    assert 'value="Ogmore Valleys Community Connectors"' in text
    assert 'value="community connector"' in text
    assert re.search(r'value="county_voluntary_council"\s+selected', text)
    saved = organisation(app, org.id)
    assert (saved.name, saved.report_k, saved.job_title_en) == ("Ogmore Valleys", 5, None)


def test_another_organisations_name_is_refused(app, client, org, make):
    make.organisation(name="Teifi Valley")
    response = post(client, org.path("settings"), {**SETTINGS, "name": " Teifi Valley "})
    assert response.status_code == 200
    assert "Another organisation already has this name" in error_summary(response)
    assert organisation(app, org.id).name == "Ogmore Valleys"


def test_unknown_kind_is_refused(app, client, org):
    response = post(client, org.path("settings"), {**SETTINGS, "kind": "secret_society"})
    assert response.status_code == 200
    error_summary(response)
    assert organisation(app, org.id).kind.value == "primary_care"


# --- an admin never sees wellbeing content -----------------------------------------------------

# Reports are anonymised figures for the organisation, which admins may see (DESIGN.md).
ADMIN_CAN_REACH = ("admin.", "accounts.", "main.", "notifications.", "reports.", "static")


def test_admin_pages_link_only_to_admin_account_and_general_pages(app, client, org):
    """Wellbeing areas (reflections, pulse, debriefs, session notes) must never be linked from here."""
    adapter = app.url_map.bind("localhost")
    seen = set()
    for suffix in ["people", "invite", f"people/{org.member.id}", "settings"]:
        text = page(client.get(org.path(suffix)))
        for target in re.findall(r'(?:href|action)="(/[^"?#]*)', text):
            endpoint, _ = adapter.match(target, method="POST" if "/revoke" in target or
                                        target.endswith(("deactivate", "reactivate", "sign-out", "language"))
                                        else "GET")
            assert endpoint.startswith(ADMIN_CAN_REACH), (suffix, target, endpoint)
            seen.add(endpoint)
    assert {"admin.people", "admin.invite", "admin.settings", "admin.person", "admin.deactivate"} <= seen


# --- the supervision standard ------------------------------------------------------------------

def test_the_supervision_standard_is_shown_with_its_hint_and_saved(app, client, org):
    text = page(client.get(org.path("settings")))
    assert 'name="supervision_standard_days" type="text" value="30"' in text
    assert "30 days is about once a month" in text
    response = post(client, org.path("settings"), {**SETTINGS, "supervision_standard_days": " 14 "})
    assert response.status_code == 302
    assert organisation(app, org.id).supervision_standard_days == 14
    post(client, org.path("settings"), {**SETTINGS, "supervision_standard_days": ""})
    assert organisation(app, org.id).supervision_standard_days == 30


@pytest.mark.parametrize("days,message", [
    ("6", "The supervision standard must be between 7 and 92 days"),
    ("93", "The supervision standard must be between 7 and 92 days"),
    ("-30", "The supervision standard must be between 7 and 92 days"),
    ("a month", "Enter how often link workers should have supervision, as a whole number of days"),
    ("14.5", "Enter how often link workers should have supervision, as a whole number of days"),
])
def test_a_bad_supervision_standard_is_refused_and_keeps_what_was_typed(app, client, org, days, message):
    post(client, org.path("settings"), {**SETTINGS, "supervision_standard_days": "21"})
    response = post(client, org.path("settings"), {**SETTINGS, "name": "Changed name",
                                                   "supervision_standard_days": days})
    assert response.status_code == 200
    assert message in error_summary(response)
    assert f'name="supervision_standard_days" type="text" value="{days}"' in page(response)
    saved = organisation(app, org.id)
    assert (saved.name, saved.supervision_standard_days) == ("Ogmore Valleys Community Connectors", 21)
