"""The author's export of their reflections: PDF (one or all) and JSON, theirs alone, with every
word printed as text, in their own language, in a bounded number of queries."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from supervision.accounts.models import Role
from supervision.db import utcnow
from supervision.extensions import db
from supervision.reflections.models import ShareComment, ShareView, Theme
from supervision.reflections.structures import SECTIONS, Structure

from .conftest import counting_queries, make_test_app, sign_in

ALL_PDF = "/reflections/export.pdf"
ALL_JSON = "/reflections/export.json"

# Stored-XSS and injection payloads: each must come out exactly as typed, never run or fetched.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<link rel=stylesheet href=file:///etc/passwd>",
    '<img src="file:///etc/passwd">',
    "<iframe src=http://127.0.0.1/></iframe>",
    "javascript:alert(1)",
    "{{ 7*7 }} {% raw %}",
    "&lt;b&gt; &amp;",
    "</p></section><h1>Forged</h1>",
]


def one_pdf(reflection_id: int) -> str:
    return f"/reflections/{reflection_id}/export.pdf"


def pdf_reader(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", data[:80]
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pdf_reader(data).pages)
    return re.sub(r"\s+", " ", text)


def embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in pdf_reader(data).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.fixture
def world(app, make):
    """Carys (link worker) with a finished Gibbs reflection shared with Rhodri, who viewed it twice
    and commented, and a draft; Huw, another link worker, with a reflection of his own."""
    org = make.organisation(name="Ogmore Valleys")
    carys = make.user(Role.link_worker, organisation=org, name="Carys Jenkins")
    rhodri = make.user(Role.supervisor, organisation=org, name="Rhodri Evans")
    huw = make.user(Role.link_worker, organisation=org, name="Huw Parry")
    make.assign(rhodri, carys)
    with app.app_context():
        theme = Theme(organisation_id=org.id, name_en="Working with GP practices", name_cy="Gweithio gyda meddygfeydd")
        db.session.add(theme)
        db.session.commit()
        theme_id = theme.id
    finished = make.reflection(
        carys, structure="gibbs", title="A home visit that stayed with me",
        sections={"description": "We met at the community centre.\nShe was worried about the winter.",
                  "feelings": "Anxious, then relieved.", "action_plan": "Ask for a joint visit next time."},
        practice_date=date(2026, 11, 2), actions="Book supervision\nRead the lone-working policy",
        feeling=3, themes=("b:boundaries", f"t:{theme_id}"),
    )
    draft = make.reflection(carys, status="draft", structure="driscoll", title="Half-written thoughts",
                            sections={"what": "A phone call that went badly."})
    share = make.share(finished, rhodri, created_days_ago=2)
    with app.app_context():
        now = utcnow()
        db.session.add_all([ShareView(share_id=share, viewed_at=now - timedelta(days=1)),
                            ShareView(share_id=share, viewed_at=now - timedelta(hours=3)),
                            ShareComment(share_id=share, body="Thank you for sharing this; let us talk on Tuesday.",
                                         created_at=now - timedelta(hours=2))])
        db.session.commit()
    huws = make.reflection(huw, title="Huw's private reflection", sections={"text": "Nobody else may read this."})
    return dict(org=org, carys=carys, rhodri=rhodri, huw=huw, finished=finished, draft=draft, share=share,
                huws=huws, theme_id=theme_id)


# --- who may download ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ALL_PDF, ALL_JSON])
def test_only_link_workers_export_their_reflections(client, make, signed_in, path):
    org = make.organisation()
    for role in (Role.supervisor, Role.employer, Role.admin):
        person = make.user(role, organisation=org)
        fresh = client.application.test_client()
        assert sign_in(fresh, person.email).status_code == 302
        assert fresh.get(path).status_code == 403, role


def test_another_persons_reflection_answers_404(client, signed_in, world):
    signed_in(world["huw"])
    assert client.get(one_pdf(world["finished"])).status_code == 404
    assert client.get(one_pdf(world["draft"])).status_code == 404
    assert client.get(one_pdf(987654)).status_code == 404
    # His own download holds his reflection and none of Carys's.
    document = json.loads(client.get(ALL_JSON).data)
    assert [r["title"] for r in document["reflections"]] == ["Huw's private reflection"]


def test_the_supervisor_it_was_shared_with_cannot_export_it(app, client, make, signed_in, world):
    # Even a supervisor who is also a link worker: export is the author's alone.
    with app.app_context():
        from supervision.accounts.models import Membership

        db.session.add(Membership(user_id=world["rhodri"].id, organisation_id=world["org"].id, role=Role.link_worker))
        db.session.commit()
    signed_in(world["rhodri"])
    assert client.get(one_pdf(world["finished"])).status_code == 404
    assert json.loads(client.get(ALL_JSON).data)["reflections"] == []


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for path in (ALL_PDF, ALL_JSON, one_pdf(world["finished"])):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- JSON ---------------------------------------------------------------------------------------

def test_json_holds_every_reflection_with_its_shares(client, signed_in, world):
    signed_in(world["carys"])
    response = client.get(ALL_JSON)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="cwtch-reflections-\d{4}-\d{2}-\d{2}\.json"', disposition)

    document = json.loads(response.data)
    assert document["format"] == "cwtch-reflections" and document["format_version"] == 1
    assert document["exported_at"]
    by_title = {r["title"]: r for r in document["reflections"]}
    assert set(by_title) == {"A home visit that stayed with me", "Half-written thoughts"}

    finished = by_title["A home visit that stayed with me"]
    assert finished["status"] == "complete" and finished["structure"] == "gibbs"
    assert finished["practice_date"] == "2026-11-02"
    assert [s["key"] for s in finished["sections"]] == [s.key for s in SECTIONS[Structure.gibbs]]
    description = finished["sections"][0]
    assert description["heading"] == "Description"
    assert description["prompt"].startswith("What happened?")
    assert description["text"] == "We met at the community centre.\nShe was worried about the winter."
    assert finished["sections"][2]["text"] == ""  # evaluation: not written, still listed
    assert finished["themes"] == ["Boundaries", "Working with GP practices"]
    assert finished["feeling"] == 3
    assert finished["actions"] == ["Book supervision", "Read the lone-working policy"]
    assert finished["created_at"] and finished["updated_at"]

    [share] = finished["shares"]
    assert share["supervisor_id"] == world["rhodri"].id and share["length"] == "week"
    assert share["revoked_at"] is None and share["expires_at"] > share["created_at"]
    assert len(share["views"]) == 2 and share["views"] == sorted(share["views"])
    assert [c["text"] for c in share["comments"]] == ["Thank you for sharing this; let us talk on Tuesday."]

    draft = by_title["Half-written thoughts"]
    assert draft["status"] == "draft" and draft["practice_date"] is None and draft["shares"] == []
    # Supervisors by id only; nobody else's words.
    raw = response.get_data(as_text=True)
    assert "Rhodri" not in raw and "Huw" not in raw and "Nobody else may read this" not in raw


def test_json_prompts_and_themes_are_in_the_persons_language(app, client, make, signed_in):
    org = make.organisation()
    nia = make.user(Role.link_worker, organisation=org, language="cy")
    with app.app_context():
        theme = Theme(organisation_id=org.id, name_en="Rural isolation", name_cy="Unigedd gwledig")
        db.session.add(theme)
        db.session.commit()
        theme_id = theme.id
    make.reflection(nia, structure="driscoll", title="Ymweliad â’r fferm",
                    sections={"what": "Siaradais â ffermwr unig."}, themes=(f"t:{theme_id}",))
    signed_in(nia)
    [record] = json.loads(client.get(ALL_JSON).data)["reflections"]
    assert record["themes"] == ["Unigedd gwledig"]
    with app.test_request_context(), force_locale("cy"):
        expected = [str(s.hint) for s in SECTIONS[Structure.driscoll]]
    assert [s["prompt"] for s in record["sections"]] == expected
    assert record["title"] == "Ymweliad â’r fferm"


# --- PDF ----------------------------------------------------------------------------------------

def test_pdf_of_everything(client, signed_in, world):
    signed_in(world["carys"])
    response = client.get(ALL_PDF)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="cwtch-reflections-\d{4}-\d{2}-\d{2}\.pdf"',
                        response.headers["Content-Disposition"])
    text = pdf_text(response.data)
    for expected in (
        "Your reflections", "A home visit that stayed with me", "Half-written thoughts", "Draft",
        "Description", "What happened?", "We met at the community centre.", "She was worried about the winter.",
        "Feelings", "Anxious, then relieved.", "Action plan", "Ask for a joint visit next time.",
        "Boundaries, Working with GP practices", "3 – Okay", "Book supervision", "Read the lone-working policy",
        "2 November 2026", "A phone call that went badly.", "Viewed 2 times.",
        "Thank you for sharing this; let us talk on Tuesday.",
    ):
        assert expected in text, expected
    assert "Rhodri" not in text and "Huw" not in text and "Nobody else may read this" not in text
    # Page numbers on every page.
    reader = pdf_reader(response.data)
    pages = len(reader.pages)
    assert pages >= 3  # contents, then each reflection on its own page
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {pages}" in page.extract_text()


def test_pdf_metadata_names_the_document_and_its_language_and_nobody(client, signed_in, world):
    signed_in(world["carys"])
    reader = pdf_reader(client.get(ALL_PDF).data)
    metadata = reader.metadata
    assert metadata.title == "Your reflections – Cwtch"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    values = " ".join(str(v) for v in metadata.values())
    assert "Carys" not in values and "Rhodri" not in values and metadata.author is None


def test_pdf_of_one_reflection(client, signed_in, world):
    signed_in(world["carys"])
    response = client.get(one_pdf(world["draft"]))
    assert response.status_code == 200
    assert re.fullmatch(rf'attachment; filename="cwtch-reflection-{world["draft"]}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf"',
                        response.headers["Content-Disposition"])
    text = pdf_text(response.data)
    assert "Your reflection" in text and "Half-written thoughts" in text and "Draft" in text
    assert "What?" in text and "A phone call that went badly." in text
    assert "A home visit that stayed with me" not in text
    assert pdf_reader(response.data).metadata.title == "Your reflection – Cwtch"


def test_markup_and_script_are_printed_as_text(client, make, signed_in):
    author = make.user(Role.link_worker)
    reflection = make.reflection(author, structure="free", title="<script>alert(1)</script>",
                                 sections={"text": "\n".join(PAYLOADS)}, actions="\n".join(PAYLOADS))
    signed_in(author)
    for path in (one_pdf(reflection), ALL_PDF):
        text = pdf_text(client.get(path).data)
        assert "<script>alert(1)</script>" in text
        for payload in PAYLOADS:
            assert re.sub(r"\s+", " ", payload) in text, payload
        assert "49" not in text  # {{ 7*7 }} was not evaluated
        assert "root:" not in text  # /etc/passwd was not loaded
    document = json.loads(client.get(ALL_JSON).data)
    assert document["reflections"][0]["sections"][0]["text"] == "\n".join(PAYLOADS)


def test_welsh_pdf_is_in_welsh_and_prints_every_welsh_letter_in_the_shipped_font(app, client, make, signed_in):
    nia = make.user(Role.link_worker, language="cy", name="Nia Llywelyn")
    make.reflection(nia, structure="free", title="Dŵr, tŷ a chân: ŵ ŷ â ê î ô û Ŵ Ŷ",
                    sections={"text": "Roedd hi’n ddiwrnod hir, ond dysgais lawer."}, practice_date=date(2026, 11, 2))
    signed_in(nia)
    response = client.get(ALL_PDF)
    text = pdf_text(response.data)
    assert "Dŵr, tŷ a chân: ŵ ŷ â ê î ô û Ŵ Ŷ" in text
    assert "Roedd hi’n ddiwrnod hir, ond dysgais lawer." in text
    assert "2 Tachwedd 2026" in text  # the date is written the Welsh way
    reader = pdf_reader(response.data)
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    with app.test_request_context(), force_locale("cy"):
        from flask_babel import gettext

        assert reader.metadata.title == gettext("Your reflections") + " – Cwtch"
    # Every glyph comes from the font the project ships (static/dist/fonts), not a system fallback.
    fonts = embedded_fonts(response.data)
    assert fonts and all(name.startswith("Cwtch-Print") for name in fonts), (
        f"{fonts}: is static/dist/fonts built? Run `make assets` (node static/build.mjs)")


def test_no_reflections_makes_a_short_pdf_and_an_empty_list(client, make, signed_in):
    author = make.user(Role.link_worker)
    signed_in(author)
    assert "You have no reflections yet." in pdf_text(client.get(ALL_PDF).data)
    assert json.loads(client.get(ALL_JSON).data)["reflections"] == []


# --- queries ------------------------------------------------------------------------------------

def _count_queries(app, client, path: str) -> int:
    with counting_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def _add_shared_reflections(app, make, author, supervisor, n: int) -> None:
    for i in range(n):
        reflection = make.reflection(author, title=f"Reflection {i}", themes=("b:boundaries", "b:self_care"))
        share = make.share(reflection, supervisor)
        with app.app_context():
            db.session.add_all([ShareView(share_id=share), ShareComment(share_id=share, body=f"Comment {i}")])
            db.session.commit()


@pytest.mark.parametrize("path", [ALL_JSON, ALL_PDF])
def test_export_queries_do_not_grow_with_the_number_of_reflections(app, client, make, signed_in, path):
    org = make.organisation()
    author = make.user(Role.link_worker, organisation=org)
    supervisor = make.user(Role.supervisor, organisation=org)
    make.assign(supervisor, author)
    signed_in(author)
    _add_shared_reflections(app, make, author, supervisor, 2)
    few = _count_queries(app, client, path)
    _add_shared_reflections(app, make, author, supervisor, 10)
    many = _count_queries(app, client, path)
    assert many == few, (few, many)
    assert few <= 12


# --- rate limit ---------------------------------------------------------------------------------

def test_pdf_exports_are_rate_limited_per_person(databases, tmp_path):
    from .conftest import Factory

    limited = make_test_app(databases.new("pdflimit"), str(tmp_path), RATELIMIT_REFLECTION_PDFS="2 per hour")
    with limited.app_context():
        db.create_all()
    author = Factory(limited).user(Role.link_worker)
    client = limited.test_client()
    assert sign_in(client, author.email).status_code == 302
    assert client.get(ALL_PDF).status_code == 200
    assert client.get(ALL_PDF).status_code == 200
    refused = client.get(ALL_PDF)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.get(ALL_JSON).status_code == 200  # the cheap JSON is not limited


def test_the_longest_reflection_prints_whole_and_in_reasonable_time(client, make, signed_in):
    """Every section at its limit, one of them a single unbroken word: nothing is cut off, and the
    layout stays linear (a table cell with overflow-wrap: anywhere once took minutes)."""
    import time

    from supervision.reflections.structures import MAX_ACTIONS, MAX_SECTION

    author = make.user(Role.link_worker)
    sections = {s.key: ("Word " * (MAX_SECTION // 5))[: MAX_SECTION - 20] + f" END-{s.key}"
                for s in SECTIONS[Structure.gibbs]}
    sections["analysis"] = "x" * (MAX_SECTION - 20) + " END-analysis"
    reflection = make.reflection(author, structure="gibbs", sections=sections,
                                 actions=("Try again\n" * (MAX_ACTIONS // 10))[: MAX_ACTIONS - 20] + "\nLAST-ACTION")
    signed_in(author)
    start = time.perf_counter()
    response = client.get(one_pdf(reflection))
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    text = pdf_text(response.data)
    for key in sections:
        assert f"END-{key}" in text, key
    assert "LAST-ACTION" in text
    assert elapsed < 60, elapsed
