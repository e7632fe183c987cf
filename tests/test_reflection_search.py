"""Finding reflections: filters in SQL, search in Python after decryption (case and accents
ignored, the author's own rows only), pagination, and a query count that does not grow with the
number of reflections."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from supervision.accounts.models import Role, User
from supervision.extensions import db
from supervision.reflections import services
from supervision.reflections.models import Reflection, ReflectionTheme, Status, Theme
from supervision.reflections.structures import Structure

from .conftest import counting_queries, sign_in


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def titles(response) -> list[str]:
    """The reflections listed, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<a class="govuk-link" href="/reflections/\d+">([^<]*)</a>', page(response))


@pytest.fixture
def author(make):
    organisation = make.organisation(name="Ogmore Valleys")
    return make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")


@pytest.fixture
def theme_id(app, author) -> int:
    with app.app_context():
        theme = Theme(organisation_id=author.organisation.id, name_en="Carers", name_cy="Gofalwyr")
        db.session.add(theme)
        db.session.commit()
        return theme.id


def many(app, author, count: int, **fields) -> None:
    """`count` reflections in one transaction, each with a built-in and an organisation theme."""
    with app.app_context():
        theme_id = fields.pop("theme_id", None)
        for n in range(count):
            reflection = Reflection(
                author_id=author.id, status=Status.complete, structure=Structure.free, title=f"Entry {n:03d}",
                sections={"text": f"Text of entry {n}"}, practice_date=date(2026, 1, 1) + timedelta(days=n),
            )
            reflection.themes.append(ReflectionTheme(builtin="boundaries"))
            if theme_id:
                reflection.themes.append(ReflectionTheme(theme_id=theme_id))
            db.session.add(reflection)
        db.session.commit()


# --- filters --------------------------------------------------------------------------------------

def test_filters_by_theme_structure_status_and_dates(app, client, make, signed_in, author, theme_id):
    make.reflection(author, title="Boundaries in March", practice_date=date(2026, 3, 10), themes=("b:boundaries",))
    make.reflection(author, title="Carers in April", structure="driscoll", sections={"what": "x"},
                    practice_date=date(2026, 4, 2), themes=(f"t:{theme_id}",))
    make.reflection(author, title="A draft", status="draft", practice_date=None)
    signed_in(author)
    assert titles(client.get("/reflections/")) == ["A draft", "Carers in April", "Boundaries in March"]
    assert titles(client.get("/reflections/?theme=b:boundaries")) == ["Boundaries in March"]
    assert titles(client.get(f"/reflections/?theme=t:{theme_id}")) == ["Carers in April"]
    assert titles(client.get("/reflections/?structure=driscoll")) == ["Carers in April"]
    assert titles(client.get("/reflections/?status=draft")) == ["A draft"]
    assert titles(client.get("/reflections/?status=complete")) == ["Carers in April", "Boundaries in March"]
    dates = {"date_from-day": "1", "date_from-month": "4", "date_from-year": "2026"}
    assert titles(client.get("/reflections/", query_string=dates)) == ["Carers in April"]
    dates = {"date_to-day": "31", "date_to-month": "3", "date_to-year": "2026"}
    assert titles(client.get("/reflections/", query_string=dates)) == ["Boundaries in March"]
    body = page(client.get("/reflections/?theme=b:boundaries"))
    assert "1 reflection matches" in body and "Clear filters" in body
    assert "Draft</strong>" in page(client.get("/reflections/")).replace("\n", "").replace("  ", "")


@pytest.mark.parametrize("query,message", [
    ({"date_from-day": "31", "date_from-month": "2", "date_from-year": "2026"}, "Date from must be a real date"),
    ({"date_to-day": "1", "date_to-month": "", "date_to-year": "2026"}, "Date to must include a month"),
    ({"date_from-day": "2", "date_from-month": "5", "date_from-year": "2026",
      "date_to-day": "1", "date_to-month": "5", "date_to-year": "2026"}, "Date to must be the same as or after date from"),
    ({"theme": "b:nonsense"}, "Choose a theme from the list"),
    ({"structure": "<script>"}, "Choose a structure from the list"),
    ({"status": "deleted"}, "Choose what to show from the list"),
])
def test_bad_filters_are_explained_not_a_500(client, make, signed_in, author, query, message):
    make.reflection(author, title="Still listed")
    signed_in(author)
    response = client.get("/reflections/", query_string=query)
    assert response.status_code == 200
    assert message in page(response)
    assert 'class="govuk-error-summary' in response.get_data(as_text=True)
    assert "<title>Error:" in page(response)
    assert titles(response) == ["Still listed"]  # the wrong filter is left out, not the list


def test_an_archived_theme_on_a_reflection_can_still_be_filtered_on(app, client, make, signed_in, author, theme_id):
    make.reflection(author, title="Old theme", themes=(f"t:{theme_id}",))
    with app.app_context():
        from supervision.db import utcnow

        db.session.get(Theme, theme_id).archived_at = utcnow()
        db.session.commit()
    signed_in(author)
    assert f'value="t:{theme_id}"' in page(client.get("/reflections/"))
    assert titles(client.get(f"/reflections/?theme=t:{theme_id}")) == ["Old theme"]


# --- search ---------------------------------------------------------------------------------------

def test_search_ignores_case_and_accents_and_looks_everywhere(client, make, signed_in, author):
    make.reflection(author, title="Gŵyl Dewi at the hub", sections={"text": "plain"})
    make.reflection(author, title="Café visit", sections={"text": "We talked about LONELINESS"})
    make.reflection(author, title="Gibbs one", structure="gibbs",
                    sections={"description": "x", "action_plan": "Phone the Housing team"})
    make.reflection(author, title="Actions only", actions="Book a sauna session")
    signed_in(author)
    assert titles(client.get("/reflections/?q=gwyl")) == ["Gŵyl Dewi at the hub"]
    assert titles(client.get("/reflections/?q=GŴYL")) == ["Gŵyl Dewi at the hub"]
    assert titles(client.get("/reflections/?q=cafe")) == ["Café visit"]
    assert titles(client.get("/reflections/?q=Loneliness")) == ["Café visit"]
    assert titles(client.get("/reflections/?q=housing")) == ["Gibbs one"]
    assert titles(client.get("/reflections/?q=sauna")) == ["Actions only"]
    assert titles(client.get("/reflections/?q=cafe+lonely")) == []  # every word must be there
    assert titles(client.get("/reflections/?q=cafe+loneliness")) == ["Café visit"]
    empty = page(client.get("/reflections/?q=nowhere"))
    assert "0 reflections match" in empty and "No reflections match" in empty


def test_search_finds_only_the_authors_own(client, make, signed_in, author):
    other = make.user(Role.link_worker, organisation=author.organisation, name="Huw Parry")
    make.reflection(other, title="Huw writes about the allotment")
    make.reflection(author, title="My allotment day")
    signed_in(author)
    assert titles(client.get("/reflections/?q=allotment")) == ["My allotment day"]


def test_search_works_with_the_other_filters(client, make, signed_in, author):
    make.reflection(author, title="Garden group in May", practice_date=date(2026, 5, 3))
    make.reflection(author, title="Garden group in June", practice_date=date(2026, 6, 3), structure="driscoll",
                    sections={"what": "x"})
    signed_in(author)
    assert titles(client.get("/reflections/?q=garden&structure=driscoll")) == ["Garden group in June"]


def test_search_function_for_the_benchmark(app, make, author):
    make.reflection(author, title="Walking group")
    make.reflection(author, title="Choir", sections={"text": "We sang; the walking was later"})
    with app.app_context():
        user = db.session.get(User, author.id)
        result = services.search_reflections(user, services.ReflectionFilters(q="WALKING"), page=1)
        assert result.total == 2 and result.pages == 1
        assert sorted(r.title for r in result.reflections) == ["Choir", "Walking group"]
        listed = services.list_reflections(user, services.ReflectionFilters(), page=1)
        assert listed.total == 2


# --- pagination -----------------------------------------------------------------------------------

def test_pages_of_twenty_newest_first_and_out_of_range_pages_clamp(app, client, signed_in, author):
    many(app, author, 45)
    signed_in(author)
    first = titles(client.get("/reflections/"))
    assert first == [f"Entry {n:03d}" for n in range(44, 24, -1)]
    assert titles(client.get("/reflections/?page=3")) == [f"Entry {n:03d}" for n in range(4, -1, -1)]
    assert titles(client.get("/reflections/?page=99")) == titles(client.get("/reflections/?page=3"))
    assert titles(client.get("/reflections/?page=0")) == first
    assert titles(client.get("/reflections/?page=-4")) == first
    assert titles(client.get("/reflections/?page=abc")) == first
    body = page(client.get("/reflections/?page=2"))
    assert "Showing 21 to 40 of 45, newest first" in body
    assert 'class="govuk-pagination' in body and 'aria-current="page"' in body
    assert 'href="/reflections/?page=1"' in body and 'href="/reflections/?page=3"' in body


def test_page_links_keep_the_filters_and_search(app, client, signed_in, author):
    many(app, author, 25)
    signed_in(author)
    response = client.get("/reflections/?q=entry&structure=free&page=1")
    assert len(titles(response)) == 20
    raw = response.get_data(as_text=True)
    assert 'href="/reflections/?q=entry&amp;structure=free&amp;page=2"' in raw
    assert len(titles(client.get("/reflections/?q=entry&structure=free&page=2"))) == 5


def test_no_reflections_yet(client, signed_in, author):
    signed_in(author)
    body = page(client.get("/reflections/"))
    assert "You have not written any reflections yet" in body
    assert 'href="/reflections/new"' in body
    assert "Clear filters" not in body


# --- a bounded number of queries ------------------------------------------------------------------


def _client_of(app, person):
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    client.get("/reflections/")  # warm up: the first request of a session loads a little more
    return client


def _queries_for(app, client, path: str) -> int:
    with counting_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/reflections/", "/reflections/?theme=b:boundaries&structure=free",
                                  "/reflections/?page=2"])
def test_listing_uses_the_same_number_of_queries_for_5_and_60_reflections(app, make, path):
    organisation = make.organisation()
    few_author = make.user(Role.link_worker, organisation=organisation, name="Few")
    many_author = make.user(Role.link_worker, organisation=organisation, name="Many")
    with app.app_context():
        theme = Theme(organisation_id=organisation.id, name_en="Peer support", name_cy="Cymorth cymheiriaid")
        db.session.add(theme)
        db.session.commit()
        organisation_theme = theme.id
    many(app, few_author, 5, theme_id=organisation_theme)
    many(app, many_author, 60, theme_id=organisation_theme)

    few = _queries_for(app, _client_of(app, few_author), path)
    lots = _queries_for(app, _client_of(app, many_author), path)
    assert few == lots, (few, lots)
    assert lots <= 15


def test_search_uses_the_same_number_of_queries_for_5_and_200_reflections(app, make):
    organisation = make.organisation()
    few_author = make.user(Role.link_worker, organisation=organisation, name="Few")
    many_author = make.user(Role.link_worker, organisation=organisation, name="Many")
    many(app, few_author, 5)
    many(app, many_author, 200)
    few = _queries_for(app, _client_of(app, few_author), "/reflections/?q=text+of")
    lots = _queries_for(app, _client_of(app, many_author), "/reflections/?q=text+of")
    assert few == lots, (few, lots)
