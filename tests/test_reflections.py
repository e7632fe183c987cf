"""The author's reflection pages: only the author reaches them; writing drafts and finished
reflections keeps everything typed through every error; the client-identifier warning; changing
structure moves text, never drops it; deleting leaves an audit event with no text; any HTML typed
is shown as text; and the database holds no plaintext."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import func, select, text

from supervision.accounts.models import Role
from supervision.audit.models import AuditEvent
from supervision.db import utcnow
from supervision.extensions import db
from supervision.reflections.models import (
    Reflection,
    ReflectionShare,
    ReflectionTheme,
    ShareComment,
    ShareView,
    Status,
    Theme,
)
from supervision.reflections.structures import MAX_SECTION, MAX_TITLE, Structure

from .conftest import counting_queries, post

VALID_NHS_NUMBER = "943 476 5919"  # passes the modulus-11 check
TITLE = "Rent arrears and a long phone call"
SECRET = "I kept thinking about the eviction letter all evening"


@dataclass
class World:
    author: object
    other_link_worker: object
    supervisor: object
    employer: object
    admin: object
    own_id: int  # the author's, shared with the supervisor
    others_id: int  # the other link worker's
    theme_id: int  # the organisation's own theme

    def person(self, role: str):
        return {"author": self.author, "other_link_worker": self.other_link_worker, "supervisor": self.supervisor,
                "employer": self.employer, "admin": self.admin}[role]


@pytest.fixture
def world(app, make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    author = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    other = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    employer = make.user(Role.employer, organisation=organisation, name="Siân Morgan")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    make.assign(supervisor, author, organisation)
    own_id = make.reflection(author, title=TITLE, sections={"text": SECRET}, themes=("b:boundaries",))
    make.share(own_id, supervisor)  # a live share still gives no way into the author's pages
    others_id = make.reflection(other, title="Huw's own reflection")
    with app.app_context():
        theme = Theme(organisation_id=organisation.id, name_en="Carers", name_cy="Gofalwyr")
        db.session.add(theme)
        db.session.commit()
        theme_id = theme.id
    return World(author, other, supervisor, employer, admin, own_id, others_id, theme_id)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_summary(response) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page(response), re.DOTALL)
    assert match, "no error summary"
    return match.group(0)


def reflections_of(app, user_id: int) -> list[Reflection]:
    with app.app_context():
        rows = db.session.scalars(select(Reflection).where(Reflection.author_id == user_id)
                                  .order_by(Reflection.id)).all()
        for row in rows:
            _ = [link.choice for link in row.themes]
        db.session.expunge_all()
        return list(rows)


def count_reflections(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reflection))


def writing(shown: str = "free", action: str | None = "complete", **fields) -> dict:
    """A post of the writing form, as the page showing `shown`'s prompts sends it."""
    data = {"shown_structure": shown, "structure": shown, "title": TITLE,
            "practice_date-day": "3", "practice_date-month": "11", "practice_date-year": "2026"}
    if action:
        data["action"] = action
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# --- every role against every route -----------------------------------------------------------

ROUTES = [
    ("GET", "reflections.index", False),
    ("GET", "reflections.new", False),
    ("POST", "reflections.new", False),
    ("GET", "reflections.view", True),
    ("GET", "reflections.edit", True),
    ("POST", "reflections.edit", True),
    ("GET", "reflections.delete", True),
    ("POST", "reflections.delete", True),
]
ROLES = ["author", "other_link_worker", "supervisor", "employer", "admin", "anonymous"]


def _path(app, endpoint: str, reflection_id: int | None) -> str:
    with app.test_request_context():
        return url_for(endpoint, **({"reflection_id": reflection_id} if reflection_id else {}))


def _send(client, method: str, path: str, data: dict | None = None):
    return client.get(path) if method == "GET" else post(client, path, data or {})


def test_the_route_list_is_complete(app):
    author_pages = {rule.endpoint for rule in app.url_map.iter_rules()
                    if rule.endpoint in {"reflections.index", "reflections.new", "reflections.view",
                                         "reflections.edit", "reflections.delete"}}
    assert author_pages == {endpoint for _, endpoint, _ in ROUTES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,endpoint,by_id", ROUTES, ids=[f"{m}-{e}" for m, e, _ in ROUTES])
def test_route_by_role_for_the_authors_reflection(app, client, signed_in, world, role, method, endpoint, by_id):
    path = _path(app, endpoint, world.own_id if by_id else None)
    if role != "anonymous":
        signed_in(world.person(role))
    response = _send(client, method, path)
    if role == "anonymous":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/sign-in"
    elif role == "author":
        assert response.status_code in (200, 302)
    elif by_id:
        # Whoever they are, even the supervisor it is shared with: it does not exist for them.
        assert response.status_code == 404
        assert TITLE not in page(response)
    elif role == "other_link_worker":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
    if role != "author":
        assert [r.id for r in reflections_of(app, world.author.id)] == [world.own_id]
        assert reflections_of(app, world.author.id)[0].title == TITLE


@pytest.mark.parametrize("method,endpoint", [(m, e) for m, e, by_id in ROUTES if by_id])
def test_another_persons_reflection_answers_404_to_the_author(app, client, signed_in, world, method, endpoint):
    signed_in(world.author)
    response = _send(client, method, _path(app, endpoint, world.others_id), writing(title="Taken over"))
    assert response.status_code == 404
    assert "Huw" not in page(response)
    assert _send(client, method, _path(app, endpoint, 987654)).status_code == 404
    others = reflections_of(app, world.other_link_worker.id)
    assert [r.title for r in others] == ["Huw's own reflection"]


def test_the_list_shows_only_the_authors_own(client, signed_in, world):
    signed_in(world.author)
    body = page(client.get("/reflections/"))
    assert TITLE in body
    assert "Huw's own reflection" not in body


# --- writing ------------------------------------------------------------------------------------

def test_a_new_reflection_starts_with_its_structure(app, client, signed_in, world):
    signed_in(world.author)
    first = page(client.get("/reflections/new"))
    assert "How do you want to structure your reflection?" in first
    assert "Gibbs reflective cycle" in first and "Six steps" in first

    response = post(client, "/reflections/new", {"structure": "nonsense", "action": "structure"})
    assert response.status_code == 200
    assert "Choose how to structure your reflection" in error_summary(response)

    response = post(client, "/reflections/new", {"structure": "gibbs", "action": "structure"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/reflections/new?structure=gibbs"
    form = page(client.get(response.headers["Location"]))
    for label in ("Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"):
        assert f">\n    {label}\n  </label>" in form
    assert "What were you thinking and feeling at the time?" in form
    assert count_reflections(app) == 2  # only the world's


def test_save_draft_with_only_a_title(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing("driscoll", "draft", title="Half a thought",
                                                        **{"practice_date-day": "", "practice_date-month": "",
                                                           "practice_date-year": ""}))
    assert response.status_code == 302
    saved = reflections_of(app, world.author.id)[-1]
    assert response.headers["Location"] == f"/reflections/{saved.id}/edit"  # carry on writing
    assert (saved.status, saved.structure, saved.title, saved.practice_date) == (
        Status.draft, Structure.driscoll, "Half a thought", None)
    assert "Your draft has been saved" in page(client.get(response.headers["Location"]))


def test_save_a_finished_reflection_with_everything(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing(
        "gibbs", "complete",
        section_description="We met at the library.\r\nIt went well.",
        section_analysis="  Listening first helped.  ",
        section_what="not on this page, so never saved",
        themes=["b:risk", f"t:{world.theme_id}", "b:not-a-theme", "t:999999"],
        feeling="4",
        actions="Book supervision\r\n\r\nTake lunch away from my desk\r\n",
    ))
    assert response.status_code == 302
    saved = reflections_of(app, world.author.id)[-1]
    assert response.headers["Location"] == f"/reflections/{saved.id}"
    assert saved.status == Status.complete and saved.structure == Structure.gibbs
    assert saved.practice_date == date(2026, 11, 3)
    assert saved.sections == {"description": "We met at the library.\nIt went well.",
                              "analysis": "Listening first helped."}
    assert sorted(link.choice for link in saved.themes) == ["b:risk", f"t:{world.theme_id}"]
    assert saved.feeling == 4
    assert saved.action_list == ["Book supervision", "Take lunch away from my desk"]

    view = page(client.get(response.headers["Location"]))
    assert "Your reflection has been saved" in view
    assert "We met at the library.<br>It went well." in view
    assert "Risk and safety, Carers" in view or "Carers, Risk and safety" in view
    assert "<li>Book supervision</li>" in view
    assert "brought to your next supervision" in view
    with app.test_request_context():
        assert f'href="{url_for("reflections.export_one_pdf", reflection_id=saved.id)}"' in view


def test_an_empty_reflection_cannot_be_saved(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing("free", "draft", title="   ", section_text=" \r\n ",
                                                        actions=""))
    assert response.status_code == 200
    assert "An empty reflection cannot be saved" in error_summary(response)
    assert count_reflections(app) == 2


@pytest.mark.parametrize("field,limit", [("title", MAX_TITLE), ("section_text", MAX_SECTION)])
def test_too_long_keeps_what_was_typed(app, client, signed_in, world, field, limit):
    signed_in(world.author)
    typed = "ŵ" * (limit + 1)
    other = "Something else I typed"
    fields = {"title": other, "section_text": other, field: typed}
    response = post(client, "/reflections/new", writing("free", "draft", **fields))
    assert response.status_code == 200
    assert f"Enter {limit} characters or fewer" in error_summary(response)
    body = page(response)
    assert typed in body and other in body
    assert count_reflections(app) == 2


def test_a_finished_reflection_needs_a_title_a_date_and_some_text(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing(
        "driscoll", "complete", title="", section_so_what="What I learned about pacing",
        actions="Slow down", **{"practice_date-day": "", "practice_date-month": "", "practice_date-year": ""}))
    summary = error_summary(response)
    assert "Enter a title" in summary and "Enter the date of practice" in summary
    assert "What I learned about pacing" in page(response)
    assert "Slow down" in page(response)

    response = post(client, "/reflections/new", writing("driscoll", "complete"))
    assert "Write something in at least one section" in error_summary(response)
    assert 'href="#section_what"' in response.get_data(as_text=True)
    assert count_reflections(app) == 2


@pytest.mark.parametrize("day,month,year,message,focus", [
    ("31", "2", "2026", "Date of practice must be a real date", "practice_date-day"),
    ("3", "", "2026", "Date of practice must include a month", "practice_date-month"),
    ("", "", "2026", "Date of practice must include a day and month", "practice_date-day"),
    ("3", "11", "26", "Year must include 4 numbers", "practice_date-year"),
    ("three", "11", "2026", "Date of practice must be a real date", "practice_date-day"),
    ("3", "11", "99999999999999999999", "Year must include 4 numbers", "practice_date-year"),
    ("٣", "11", "2026", "Date of practice must be a real date", "practice_date-day"),
])
def test_impossible_dates_are_explained_and_kept(app, client, signed_in, world, day, month, year, message, focus):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing(
        "free", "draft", section_text=SECRET,
        **{"practice_date-day": day, "practice_date-month": month, "practice_date-year": year}))
    assert response.status_code == 200
    assert message in error_summary(response)
    raw = response.get_data(as_text=True)
    assert f'href="#{focus}"' in raw
    for name, value in (("day", day), ("month", month), ("year", year)):
        if value:  # GOV.UK's input leaves out an empty value
            assert re.search(rf'name="practice_date-{name}" type="text" value="{re.escape(html.escape(value))}"', raw)
    assert SECRET in page(response)
    assert count_reflections(app) == 2


def test_the_date_cannot_be_in_the_future(app, client, signed_in, world):
    signed_in(world.author)
    tomorrow = date.today() + timedelta(days=2)
    response = post(client, "/reflections/new", writing(
        "free", "complete", section_text=SECRET,
        **{"practice_date-day": str(tomorrow.day), "practice_date-month": str(tomorrow.month),
           "practice_date-year": str(tomorrow.year)}))
    assert "Date of practice must be today or in the past" in error_summary(response)
    assert f'value="{tomorrow.year}"' in response.get_data(as_text=True)
    assert count_reflections(app) == 2


def test_an_unknown_feeling_is_refused_and_prefer_not_to_say_is_none(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing("free", "complete", section_text=SECRET, feeling="9"))
    assert "Choose how you feel now" in error_summary(response)
    response = post(client, "/reflections/new", writing("free", "complete", section_text=SECRET, feeling="none"))
    assert response.status_code == 302
    assert reflections_of(app, world.author.id)[-1].feeling is None


# --- the client-identifier warning ----------------------------------------------------------------

def _hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', response.get_data(as_text=True))
    assert match, f"no hidden {name}"
    return html.unescape(match.group(1))


def test_an_identifier_is_warned_about_and_nothing_is_saved_until_confirmed(app, client, signed_in, world):
    signed_in(world.author)
    typed = writing("free", "draft", section_text=f"Her NHS number is {VALID_NHS_NUMBER}, I wrote it down.")
    response = post(client, "/reflections/new", typed)
    assert response.status_code == 200
    body = page(response)
    assert "This may identify someone you support" in body
    assert f"<q>{VALID_NHS_NUMBER}</q>" in body
    assert "disclosed in court" in body
    assert 'name="confirm_identifiers" value="1"' in body
    assert "Save draft" in body and "Save reflection" in body  # they may edit and try again
    assert f"Her NHS number is {VALID_NHS_NUMBER}" in body  # nothing typed is lost
    assert count_reflections(app) == 2
    assert _hidden(response, "intent") == "draft"

    # "Save anyway": no save button in the post, the hidden intent says which one it was.
    confirm = {**typed, "action": None, "confirm_identifiers": "1", "intent": _hidden(response, "intent"),
               "identifiers_seen": _hidden(response, "identifiers_seen")}
    response = post(client, "/reflections/new", {k: v for k, v in confirm.items() if v is not None})
    assert response.status_code == 302
    saved = reflections_of(app, world.author.id)[-1]
    assert saved.status == Status.draft
    assert VALID_NHS_NUMBER in saved.sections["text"]


def test_an_invalid_nhs_number_is_not_warned_about(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing("free", "complete", section_text="Ref 943 476 5918 on file"))
    assert response.status_code == 302


def test_confirming_does_not_cover_an_identifier_added_after_the_warning(app, client, signed_in, world):
    signed_in(world.author)
    first = post(client, "/reflections/new", writing("free", "complete", title="Visit near CF10 1EP",
                                                     section_text="A calm visit"))
    assert "<q>CF10 1EP</q>" in page(first)
    seen = _hidden(first, "identifiers_seen")
    response = post(client, "/reflections/new", {
        **writing("free", None, title="Visit near CF10 1EP", section_text=f"NHS {VALID_NHS_NUMBER}"),
        "confirm_identifiers": "1", "intent": "complete", "identifiers_seen": seen})
    assert response.status_code == 200
    assert f"<q>{VALID_NHS_NUMBER}</q>" in page(response)
    assert count_reflections(app) == 2


def test_pressing_save_again_checks_again(app, client, signed_in, world):
    signed_in(world.author)
    typed = writing("free", "complete", section_text="Call her on 07700 900123")
    assert post(client, "/reflections/new", typed).status_code == 200
    assert "This may identify someone you support" in page(post(client, "/reflections/new", typed))
    edited = writing("free", "complete", section_text="Call her back tomorrow")
    assert post(client, "/reflections/new", edited).status_code == 302
    assert reflections_of(app, world.author.id)[-1].sections == {"text": "Call her back tomorrow"}


# --- changing structure ---------------------------------------------------------------------------

def test_changing_structure_moves_the_text_and_saves_nothing(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing(
        "gibbs", "structure", structure="driscoll", section_description="What happened at the surgery",
        section_feelings="I felt anxious", section_action_plan="Ask for a debrief", actions="Rest"))
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert re.search(r'name="section_what"[^>]*>\s*What happened at the surgery\n\nI felt anxious</textarea>', raw)
    assert re.search(r'name="section_now_what"[^>]*>\s*Ask for a debrief</textarea>', raw)
    assert 'name="section_description"' not in raw
    assert _hidden(response, "shown_structure") == "driscoll"
    assert "We moved your text into the prompts" in page(response)
    assert "Rest" in page(response)
    assert count_reflections(app) == 2

    # To free text, everything lands in the one box, in order.
    response = post(client, "/reflections/new", writing(
        "driscoll", "structure", structure="free", section_what="One", section_so_what="Two", section_now_what="Three"))
    assert re.search(r'name="section_text"[^>]*>\s*One\n\nTwo\n\nThree</textarea>', response.get_data(as_text=True))


def test_a_changed_structure_with_a_save_button_is_shown_first_not_saved(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing("free", "complete", structure="gibbs",
                                                        section_text="All of it in one go"))
    assert response.status_code == 200
    assert re.search(r'name="section_description"[^>]*>\s*All of it in one go</textarea>',
                     response.get_data(as_text=True))
    assert count_reflections(app) == 2


# --- editing ------------------------------------------------------------------------------------

def test_edit_shows_what_was_saved_and_saves_changes(app, client, signed_in, world):
    signed_in(world.author)
    form = page(client.get(f"/reflections/{world.own_id}/edit"))
    assert TITLE in form and SECRET in form
    assert 'value="b:boundaries" checked' in form

    response = post(client, f"/reflections/{world.own_id}/edit", writing(
        "free", "complete", title="A better title", section_text="Rewritten", themes=["b:risk"], feeling="2"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reflections/{world.own_id}"
    saved = reflections_of(app, world.author.id)[0]
    assert (saved.title, saved.sections, saved.feeling) == ("A better title", {"text": "Rewritten"}, 2)
    assert [link.choice for link in saved.themes] == ["b:risk"]


def test_editing_keeps_an_archived_theme_the_reflection_already_has(app, client, signed_in, world):
    with app.app_context():
        reflection = db.session.get(Reflection, world.own_id)
        reflection.themes.append(ReflectionTheme(theme_id=world.theme_id))
        db.session.get(Theme, world.theme_id).archived_at = utcnow()
        db.session.commit()
    signed_in(world.author)
    form = page(client.get(f"/reflections/{world.own_id}/edit"))
    assert f'value="t:{world.theme_id}" checked' in form
    response = post(client, f"/reflections/{world.own_id}/edit", writing(
        "free", "draft", section_text=SECRET, themes=["b:boundaries", f"t:{world.theme_id}"]))
    assert response.status_code == 302
    saved = reflections_of(app, world.author.id)[0]
    assert sorted(link.choice for link in saved.themes) == ["b:boundaries", f"t:{world.theme_id}"]
    assert saved.status == Status.draft


def test_edit_changing_structure_keeps_the_saved_text(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, f"/reflections/{world.own_id}/edit",
                    writing("free", "structure", structure="driscoll", section_text=SECRET))
    assert re.search(rf'name="section_what"[^>]*>\s*{SECRET}</textarea>', response.get_data(as_text=True))
    assert reflections_of(app, world.author.id)[0].structure == Structure.free  # not saved yet


# --- deleting -----------------------------------------------------------------------------------

def test_delete_asks_then_removes_shares_views_comments_and_audits_without_text(app, client, signed_in, world):
    with app.app_context():
        share = db.session.scalar(select(ReflectionShare).where(ReflectionShare.reflection_id == world.own_id))
        db.session.add_all([ShareView(share_id=share.id), ShareComment(share_id=share.id, body="Well noticed")])
        db.session.commit()
    signed_in(world.author)
    confirm = page(client.get(f"/reflections/{world.own_id}/delete"))
    assert "Are you sure you want to delete this reflection?" in confirm
    assert count_reflections(app) == 2  # asking deletes nothing

    response = post(client, f"/reflections/{world.own_id}/delete", {})
    assert response.status_code == 302 and response.headers["Location"] == "/reflections/"
    assert "Your reflection has been deleted" in page(client.get("/reflections/"))
    with app.app_context():
        assert db.session.get(Reflection, world.own_id) is None
        for model in (ReflectionShare, ShareView, ShareComment):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert db.session.get(Reflection, world.others_id) is not None
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reflection_deleted")).all()
        assert [(e.actor_id, e.target_type, e.target_id) for e in events] == [
            (world.author.id, "reflection", world.own_id)]
        row = db.session.execute(text("SELECT * FROM audit_event WHERE action = 'reflection_deleted'")).mappings().one()
        everything = " ".join(str(value) for value in row.values())
        for word in ("Rent", "arrears", "eviction", "Well noticed"):
            assert word not in everything
    assert client.get(f"/reflections/{world.own_id}").status_code == 404


# --- HTML typed is shown as text ---------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "javascript:alert(1)",
    "'><iframe src=javascript:alert(1)>",
    "</textarea><script>alert(2)</script>",
    "{{ 7 * 7 }}<b>bold</b>",
]


@pytest.mark.parametrize("payload", XSS)
def test_html_in_any_field_is_shown_as_text(app, client, make, signed_in, world, payload):
    reflection_id = make.reflection(world.author, title=f"T {payload}", sections={"text": f"S {payload}"},
                                    actions=f"A {payload}", themes=("b:risk",))
    signed_in(world.author)
    pages = {
        "list": client.get("/reflections/"),
        "search": client.get("/reflections/", query_string={"q": payload}),
        "view": client.get(f"/reflections/{reflection_id}"),
        "edit": client.get(f"/reflections/{reflection_id}/edit"),
        "delete": client.get(f"/reflections/{reflection_id}/delete"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        raw = response.get_data(as_text=True)
        if "<" in payload or '"' in payload:
            assert payload not in raw, name
        assert str(escape(f"T {payload}")) in raw, name  # the title, escaped
    for name in ("view", "edit"):
        raw = pages[name].get_data(as_text=True)
        assert str(escape(f"S {payload}")) in raw and str(escape(f"A {payload}")) in raw, name
    assert "1 reflection matches" in page(pages["search"])


# --- encryption at rest --------------------------------------------------------------------------

def test_the_database_row_holds_no_plaintext(app, client, signed_in, world):
    signed_in(world.author)
    response = post(client, "/reflections/new", writing(
        "gibbs", "complete", title="Zebra crossing conversation", section_description="Marmalade sandwiches",
        actions="Quokka practice"))
    assert response.status_code == 302
    reflection_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        row = db.session.execute(text("SELECT title, sections, actions FROM reflection WHERE id = :id"),
                                 {"id": reflection_id}).one()
    raw = " ".join(str(value) for value in row)
    for word in ("Zebra", "crossing", "Marmalade", "sandwiches", "Quokka", "description"):
        assert word not in raw
    assert reflections_of(app, world.author.id)[-1].title == "Zebra crossing conversation"


# --- the view page's queries do not grow with its shares ------------------------------------------

def _view_queries(app, client, reflection_id: int) -> int:
    with counting_queries(app) as statements:
        assert client.get(f"/reflections/{reflection_id}").status_code == 200
    return len(statements)


def test_the_view_page_uses_the_same_number_of_queries_for_one_share_or_many(app, client, make, signed_in, world):
    supervisors = [make.user(Role.supervisor, organisation=world.author.organisation, name=f"Supervisor {n}")
                   for n in range(4)]
    for supervisor in supervisors:
        make.assign(supervisor, world.author)
    busy_id = make.reflection(world.author, title="Shared widely", themes=("b:risk", f"t:{world.theme_id}"))
    quiet_id = make.reflection(world.author, title="Shared once", themes=("b:risk", f"t:{world.theme_id}"))
    with app.app_context():
        for reflection_id, people in ((busy_id, supervisors), (quiet_id, supervisors[:1])):
            for supervisor in people:
                share = ReflectionShare(reflection_id=reflection_id, supervisor_id=supervisor.id, length="week",
                                        created_at=utcnow(), expires_at=utcnow() + timedelta(days=7))
                db.session.add(share)
                db.session.flush()
                db.session.add_all([ShareView(share_id=share.id), ShareView(share_id=share.id),
                                    ShareComment(share_id=share.id, body="Thanks for sharing")])
        db.session.commit()
    signed_in(world.author)
    client.get("/reflections/")  # the first request of a session loads a little more
    quiet = _view_queries(app, client, quiet_id)
    busy = _view_queries(app, client, busy_id)
    assert quiet == busy, (quiet, busy)
    body = page(client.get(f"/reflections/{busy_id}"))
    assert all(f"Supervisor {n}" in body for n in range(4))


def test_every_page_opens_in_welsh(app, client, make, world):
    cymraeg = make.user(Role.link_worker, organisation=world.author.organisation, name="Nia Rhys", language="cy")
    reflection_id = make.reflection(cymraeg, title="Gŵyl", themes=("b:risk", f"t:{world.theme_id}"), feeling=3,
                                    actions="Siarad â fy ngoruchwyliwr")
    from .conftest import sign_in

    assert sign_in(client, cymraeg.email).status_code == 302
    for path in ("/reflections/", "/reflections/?q=gwyl", "/reflections/new", "/reflections/new?structure=gibbs",
                 f"/reflections/{reflection_id}", f"/reflections/{reflection_id}/edit",
                 f"/reflections/{reflection_id}/delete"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="cy"' in response.get_data(as_text=True), path
    assert "Gofalwyr" in page(client.get(f"/reflections/{reflection_id}"))  # the theme's Welsh name
    response = post(client, "/reflections/new", writing("free", "complete", title="", section_text="Testun"))
    assert response.status_code == 200 and 'class="govuk-error-summary' in response.get_data(as_text=True)


# --- the whole writing form, fuzzed ---------------------------------------------------------------

def test_the_full_writing_form_survives_fuzzing(app, make):
    """tests/test_fuzz_forms.py fuzzes the first step of "new" and the edit form; this fuzzes the
    form for each structure of a new reflection, which only a ?structure= address shows."""
    import logging

    from hypothesis import HealthCheck, example, given, settings

    from .form_fuzzing import (
        build_world,
        encode,
        explicit_examples,
        forms_on,
        payloads,
        sign_in_as,
        snapshot,
        unexplained_changes,
    )
    from .test_fuzz_forms import EFFECTS

    class Errors(logging.Handler):
        def __init__(self) -> None:
            super().__init__(level=logging.ERROR)
            self.records: list[logging.LogRecord] = []

        def emit(self, record):
            self.records.append(record)

    errors = Errors()
    app.logger.addHandler(errors)
    try:
        world = build_world(app, make)
        client = sign_in_as(app, world, "link_worker")
        for structure in Structure:
            _, forms = forms_on(app, client, f"/reflections/new?structure={structure.value}")
            [(_, action, form)] = [found for found in forms if found[0] == "reflections.new"]
            assert {"title", "practice_date-day", "action", "themes", "feeling", "actions"} <= set(form.fields)

            @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(payload=payloads(form, world))
            def send(payload):
                pairs, injected = payload
                before = snapshot(app)
                response = client.post(action, data=encode(pairs), content_type="application/x-www-form-urlencoded")
                assert response.status_code < 500
                assert not errors.records, [r.getMessage() for r in errors.records]
                assert not unexplained_changes(before, snapshot(app), effects=EFFECTS["reflections.new"], form=form,
                                               injected=injected, world=world)

            for payload in explicit_examples(form):
                send = example(payload=payload)(send)
            send()
    finally:
        app.logger.removeHandler(errors)
