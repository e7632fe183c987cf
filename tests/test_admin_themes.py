"""Admin: an organisation's own reflection themes. Add with both names, no duplicates, archive and
restore; an archived theme is no longer offered; another organisation's admin gets 404."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from supervision.accounts.models import Role, User
from supervision.audit.models import AuditEvent
from supervision.db import utcnow
from supervision.extensions import db
from supervision.reflections.models import Theme
from supervision.reflections.themes import choices_for

from .conftest import post, sign_in


@dataclass
class Org:
    id: int
    admin: object
    link_worker: object

    def path(self, suffix: str = "") -> str:
        return f"/admin/organisations/{self.id}/themes{suffix}"


@pytest.fixture
def org(make, signed_in) -> Org:
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    signed_in(admin)
    return Org(id=organisation.id, admin=admin, link_worker=link_worker)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def themes(app, organisation_id: int) -> list[Theme]:
    with app.app_context():
        found = list(db.session.scalars(select(Theme).where(Theme.organisation_id == organisation_id)
                                        .order_by(Theme.id)))
        db.session.expunge_all()
        return found


def add(app, organisation_id: int, name_en: str, name_cy: str) -> int:
    with app.app_context():
        theme = Theme(organisation_id=organisation_id, name_en=name_en, name_cy=name_cy)
        db.session.add(theme)
        db.session.commit()
        return theme.id


def offered_to(app, user_id: int) -> list[str]:
    with app.test_request_context():
        return [choice.label for choice in choices_for(db.session.get(User, user_id))]


def test_the_people_page_links_to_themes(client, org):
    assert f'href="{org.path()}"' in page(client.get(f"/admin/organisations/{org.id}/people"))


def test_add_a_theme_with_both_names(app, client, org):
    response = post(client, org.path(), {"name_en": "  Carers'   support ", "name_cy": "Cymorth i ofalwyr"})
    assert response.status_code == 302 and response.headers["Location"] == org.path()
    [theme] = themes(app, org.id)
    assert (theme.name_en, theme.name_cy, theme.archived_at) == ("Carers' support", "Cymorth i ofalwyr", None)
    text = page(client.get(org.path()))
    assert "Theme added: Carers' support" in text
    assert "Cymorth i ofalwyr" in text and "Offered" in text
    assert "Carers' support" in offered_to(app, org.link_worker.id)
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "theme_add")).all()
        assert event.target_id == theme.id and event.actor_id == org.admin.id


@pytest.mark.parametrize("data,field_message", [
    ({"name_en": "", "name_cy": "Gofalwyr"}, "Enter the theme’s name in English"),
    ({"name_en": "Carers", "name_cy": "  "}, "Enter the theme’s name in Welsh"),
    ({"name_en": "x" * 81, "name_cy": "Gofalwyr"}, "Enter 80 characters or fewer"),
    ({"name_en": "Carers", "name_cy": "y" * 81}, "Enter 80 characters or fewer"),
])
def test_both_names_are_needed_and_limited(app, client, org, data, field_message):
    response = post(client, org.path(), data)
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and field_message in text
    assert themes(app, org.id) == []
    for value in data.values():
        if value.strip():
            assert f'value="{value}"' in text, "what was typed is kept"


@pytest.mark.parametrize("data", [
    {"name_en": "Carers", "name_cy": "Rhywbeth arall"},
    {"name_en": "  CARERS ", "name_cy": "Rhywbeth arall"},
    {"name_en": "Something else", "name_cy": "gofalwyr"},
])
def test_a_duplicate_name_is_refused_with_a_clear_message(app, client, org, data):
    add(app, org.id, "Carers", "Gofalwyr")
    response = post(client, org.path(), data)
    assert response.status_code == 200
    assert "Your organisation already has a theme with this name" in page(response)
    assert len(themes(app, org.id)) == 1


def test_a_built_in_name_is_refused(app, client, org):
    response = post(client, org.path(), {"name_en": "safeguarding", "name_cy": "Diogelu pobl"})
    assert "This is already one of the themes everyone can choose" in page(response)
    assert themes(app, org.id) == []


def test_another_organisation_may_use_the_same_name(app, client, org, make):
    other = make.organisation(name="Teifi Valley")
    add(app, other.id, "Carers", "Gofalwyr")
    assert post(client, org.path(), {"name_en": "Carers", "name_cy": "Gofalwyr"}).status_code == 302
    assert len(themes(app, org.id)) == 1


def test_archive_and_restore(app, client, org):
    theme_id = add(app, org.id, "Carers", "Gofalwyr")
    assert "Carers" in offered_to(app, org.link_worker.id)
    response = post(client, org.path(f"/{theme_id}/archive"))
    assert response.status_code == 302 and response.headers["Location"] == org.path()
    [theme] = themes(app, org.id)
    archived_at = theme.archived_at
    assert archived_at is not None
    assert "Carers" not in offered_to(app, org.link_worker.id)
    text = page(client.get(org.path()))
    assert "Archived" in text and "Restore" in text
    post(client, org.path(f"/{theme_id}/archive"))  # a second click changes nothing
    assert themes(app, org.id)[0].archived_at == archived_at

    post(client, org.path(f"/{theme_id}/restore"))
    assert themes(app, org.id)[0].archived_at is None
    assert "Carers" in offered_to(app, org.link_worker.id)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("theme_%"))).all()
    assert sorted(actions) == ["theme_archive", "theme_restore"]


def test_an_archived_theme_stays_on_offer_for_a_reflection_that_has_it(app, org):
    theme_id = add(app, org.id, "Carers", "Gofalwyr")
    with app.app_context():
        db.session.get(Theme, theme_id).archived_at = utcnow()
        db.session.commit()
    with app.test_request_context():
        person = db.session.get(User, org.link_worker.id)
        assert f"t:{theme_id}" not in [c.value for c in choices_for(person)]
        assert f"t:{theme_id}" in [c.value for c in choices_for(person, include_archived_ids={theme_id})]


def test_another_organisations_theme_answers_404(app, client, org, make):
    other = make.organisation(name="Teifi Valley")
    theirs = add(app, other.id, "Carers", "Gofalwyr")
    assert post(client, org.path(f"/{theirs}/archive")).status_code == 404
    assert post(client, org.path(f"/{theirs}/restore")).status_code == 404
    assert post(client, org.path("/987654/archive")).status_code == 404
    assert themes(app, other.id)[0].archived_at is None


def test_another_organisations_admin_gets_404(app, client, make, org):
    other = make.organisation(name="Teifi Valley")
    theme_id = add(app, org.id, "Carers", "Gofalwyr")
    stranger = make.user(Role.admin, organisation=other, name="Sioned Prys")
    theirs = app.test_client()
    sign_in(theirs, stranger.email)
    assert theirs.get(org.path()).status_code == 404
    assert post(theirs, org.path(), {"name_en": "Intruder", "name_cy": "Tresmaswr"}).status_code == 404
    assert post(theirs, org.path(f"/{theme_id}/archive")).status_code == 404
    assert [t.name_en for t in themes(app, org.id)] == ["Carers"]
    assert themes(app, org.id)[0].archived_at is None


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.employer])
def test_someone_who_is_not_an_admin_gets_403(app, make, role):
    organisation = make.organisation()
    theme_id = add(app, organisation.id, "Carers", "Gofalwyr")
    person = make.user(role, organisation=organisation)
    client = app.test_client()
    sign_in(client, person.email)
    base = f"/admin/organisations/{organisation.id}/themes"
    assert client.get(base).status_code == 403
    assert post(client, base, {"name_en": "New", "name_cy": "Newydd"}).status_code == 403
    assert post(client, f"{base}/{theme_id}/archive").status_code == 403
    assert [t.name_en for t in themes(app, organisation.id)] == ["Carers"]


def test_names_are_shown_as_text(app, client, org):
    post(client, org.path(), {"name_en": "<script>alert(1)</script>", "name_cy": "<b>Beiddgar</b>"})
    raw = client.get(org.path()).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;" in raw
    assert "<b>Beiddgar</b>" not in raw
