"""Generating and storing a report: the published cells in the database, PDF and CSV in English and
Welsh under instance/reports/<organisation id>/; an issued report made once and never replaced
(same row, same bytes, same file times), even by a racing run; a draft rewritten each time, its
old files removed; and an admin's draft made from the reports page, marked "Draft – not final"."""
from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from flask import current_app, render_template_string
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from supervision.accounts.models import Organisation, Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.pulse.models import PulseResponse, PulseRound
from supervision.reports import generation
from supervision.reports.aggregate import quarter_figures
from supervision.reports.generation import file_path, generate, reports_folder
from supervision.reports.sealed import fingerprint
from supervision.reports.models import FORMATS, LANGUAGES, QuarterlyReport, ReportStatus
from supervision.reports.disclosure import disclose
from supervision.reports.published import NATIONAL, PublishedReport, Reason
from supervision.reports.quarters import Quarter
from supervision.reports.render_html import report_context

from .conftest import post
from .test_report_aggregation import joined
from .report_world import Plan, build_world

UTC = timezone.utc
Q3 = Quarter(2026, 3)
ISSUED_AT = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def organisation(make) -> Organisation:
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    for _ in range(3):
        make.user(Role.link_worker, organisation=organisation)
    return organisation


def _org(organisation: Organisation) -> Organisation:
    return db.session.get(Organisation, organisation.id)


def _files(report: QuarterlyReport) -> dict[tuple[str, str], tuple[bytes, int]]:
    return {(language, fmt): (file_path(report, language, fmt).read_bytes(),
                              os.stat(file_path(report, language, fmt)).st_mtime_ns)
            for language in LANGUAGES for fmt in FORMATS}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(QuarterlyReport))


def test_an_issued_report_stores_its_cells_and_four_files(app, ctx, organisation):
    report = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    published = report.report()
    assert isinstance(published, PublishedReport)
    assert (published.organisation_name, published.quarter, published.draft) == ("Ogmore Valleys", "2026-Q3", False)
    assert (report.year, report.quarter, report.status, report.generated_at) == (2026, 3, ReportStatus.issued,
                                                                                 ISSUED_AT)
    # Stage 2's output only: never the respondent or people keys stage 1 carries for rule 5.
    assert "keys" not in report.published
    folder = reports_folder(organisation.id)
    assert str(folder) == os.path.join(app.instance_path, "reports", str(organisation.id))
    # (The folder is shared by the whole run's tests, and SQLite may give a later organisation the same id.)
    assert {report.file_name(language, fmt) for language in LANGUAGES for fmt in FORMATS} <= set(os.listdir(folder))
    for language in LANGUAGES:
        assert file_path(report, language, "pdf").read_bytes().startswith(b"%PDF")
        rows = list(csv.reader(io.StringIO(file_path(report, language, "csv").read_bytes().decode("utf-8-sig"))))
        assert len(rows) > 1
    # The two languages are two different documents.
    assert file_path(report, "en", "csv").read_bytes() != file_path(report, "cy", "csv").read_bytes()


def test_issuing_again_returns_the_same_report_and_replaces_nothing(app, ctx, make, organisation):
    first = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    files, published, stem = _files(first), first.published, first.file_stem
    db.session.rollback()  # end this session's read, so that SQLite lets the factory write
    make.user(Role.link_worker, organisation=organisation)  # the data changes meanwhile
    second = generate(_org(organisation), Q3, status=ReportStatus.issued, now=datetime(2026, 10, 2, tzinfo=UTC))
    db.session.commit()
    assert second.id == first.id and _count() == 1
    assert (second.published, second.file_stem, second.generated_at) == (published, stem, ISSUED_AT)
    assert _files(second) == files


def test_a_racing_run_that_stored_the_report_first_wins_and_the_session_goes_on(app, ctx, organisation):
    winner = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    late = QuarterlyReport(organisation_id=organisation.id, year=2026, quarter=3, status=ReportStatus.issued,
                           published=winner.published)
    assert generation._insert(late) is False  # the unique constraint, caught in a savepoint
    assert _count() == 1
    assert db.session.get(QuarterlyReport, winner.id).file_stem == winner.file_stem


def test_a_draft_is_rewritten_each_time_and_its_old_files_removed(app, ctx, organisation):
    now = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)
    first = generate(_org(organisation), Q3, status=ReportStatus.draft, now=now)
    db.session.commit()
    assert first.report().draft is True
    old_paths = [file_path(first, language, fmt) for language in LANGUAGES for fmt in FORMATS]
    old_stem = first.file_stem
    later = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    second = generate(_org(organisation), Q3, status=ReportStatus.draft, now=later)
    db.session.commit()
    assert second.id == first.id and _count() == 1
    assert second.file_stem != old_stem and second.generated_at == later
    assert not any(path.exists() for path in old_paths)
    assert all(file_path(second, language, fmt).exists() for language in LANGUAGES for fmt in FORMATS)
    assert not [name for name in os.listdir(reports_folder(organisation.id)) if name.startswith(".part-")]


def test_issuing_a_quarter_removes_its_draft(app, ctx, organisation):
    draft = generate(_org(organisation), Q3, status=ReportStatus.draft, now=datetime(2026, 9, 1, tzinfo=UTC))
    db.session.commit()
    draft_paths = [file_path(draft, language, fmt) for language in LANGUAGES for fmt in FORMATS]
    issued = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    assert db.session.scalars(select(QuarterlyReport.id)).all() == [issued.id]
    assert not any(path.exists() for path in draft_paths)


def test_an_admin_makes_a_draft_from_the_reports_page_and_sees_it_marked(app, client, signed_in, make, organisation,
                                                                          monkeypatch):
    # A draft needs a whole month of the quarter behind it: the page's clock is put in a second month.
    monkeypatch.setattr("supervision.reports.routes.utcnow", lambda: datetime(2026, 8, 10, 9, 0, tzinfo=UTC))
    admin = make.user(Role.admin, organisation=organisation)
    employer = make.user(Role.employer, organisation=organisation)
    signed_in(admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Make a draft of this quarter so far" in page
    response = post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    assert response.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(QuarterlyReport))
        assert draft.status == ReportStatus.draft and draft.period == Quarter.containing(draft.generated_at)
        draft_id = draft.id
    assert response.headers["Location"] == f"/reports/{draft_id}"
    view = client.get(f"/reports/{draft_id}").get_data(as_text=True)
    assert "Draft – not final" in view
    assert f"/reports/{draft_id}" in client.get("/reports/").get_data(as_text=True)
    # Again: the same draft, made anew.
    assert post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/").headers[
        "Location"] == f"/reports/{draft_id}"
    with app.app_context():
        assert _count() == 1
        made = db.session.execute(select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.target_id)
                                  .where(AuditEvent.action == "report.draft")).all()
        assert made == [(admin.id, "report.draft", draft_id)] * 2
    other = app.test_client()
    from .conftest import sign_in

    sign_in(other, employer.email)
    assert other.get(f"/reports/{draft_id}").status_code == 404
    assert f"/reports/{draft_id}" not in other.get("/reports/").get_data(as_text=True)


def test_in_a_quarters_first_month_the_page_says_when_a_draft_can_be_made_and_refuses_one(
        app, client, signed_in, make, organisation, monkeypatch):
    # 20 July 2026: the quarter's first month has not ended, so there is no whole month to draft.
    monkeypatch.setattr("supervision.reports.routes.utcnow", lambda: datetime(2026, 7, 20, 9, 0, tzinfo=UTC))
    signed_in(make.user(Role.admin, organisation=organisation))
    page = client.get("/reports/").get_data(as_text=True)
    assert "You can make a draft from 1 August 2026" in page
    response = post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "govuk-error-summary" in refused and "the first draft can be made on 1 August 2026" in refused
    assert f'href="#draft-{organisation.id}"' in refused and f'id="draft-{organisation.id}"' in refused
    with app.app_context():
        assert _count() == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "report.draft")) == 0

    # In Welsh, through the same error summary, with the date in Welsh.
    welsh = app.test_client()
    from .conftest import sign_in

    assert sign_in(welsh, make.user(Role.admin, organisation=organisation, language="cy").email).status_code == 302
    refused = post(welsh, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "govuk-error-summary" in text
    assert "1 Awst 2026" in text and "the first draft can be made" not in text


# --- a draft has no national benchmark --------------------------------------------------------------

BENCHMARK_LATER = "The national benchmark is shown when the quarter’s report is issued."


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _pdf_text(content: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages)


def _page_text(report: PublishedReport, language: str) -> str:
    with current_app.test_request_context("/"), force_locale(language):
        page = render_template_string('{% include "reports/_report_body.html" %}', **report_context(report))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_draft_shows_no_national_benchmark_and_says_when_it_will_be_shown(app, ctx):
    # Three organisations of a size: the issued report shows the benchmark (test_report_national).
    world = build_world([Plan("a", 20), Plan("b", 20), Plan("c", 20)], seed=29)
    organisation = db.session.get(Organisation, world.organisations["a"].id)
    draft = generate(organisation, world.quarter, status=ReportStatus.draft, now=datetime(2026, 9, 5, tzinfo=UTC))
    db.session.commit()
    published = draft.report()
    assert published.draft and not [cell for cell in published.cells if cell.scope == NATIONAL]

    page = _page_text(published, "en")
    assert BENCHMARK_LATER in page
    assert "National benchmark:" not in page  # neither a key figure's benchmark nor a table's column
    assert "A national benchmark figure is shown only when" not in page
    rows = _csv_rows(file_path(draft, "en", "csv").read_bytes())
    national = [row for row in rows if row[0] == "National benchmark"]
    assert national == [["National benchmark", "2026-Q3", "", "", "", "", "", "Yes", BENCHMARK_LATER, "5"]]
    # Where the benchmark's rows would be: after the quarter's own, before the trend's.
    quarters = [row[1] for row in rows[1:]]
    assert quarters.index("2026-Q3") == 0 and rows.index(national[0]) == quarters.count("2026-Q3")
    printed = _pdf_text(file_path(draft, "en", "pdf").read_bytes())
    assert BENCHMARK_LATER in printed and "National benchmark:" not in printed
    # Welsh: every file was written, and the page renders.
    assert _page_text(published, "cy") and file_path(draft, "cy", "pdf").exists()
    assert len(_csv_rows(file_path(draft, "cy", "csv").read_bytes())) == len(rows)

    issued = generate(organisation, world.quarter, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    shown = [cell for cell in issued.report().cells if cell.scope == NATIONAL and not cell.suppressed]
    assert shown
    page = _page_text(issued.report(), "en")
    assert BENCHMARK_LATER not in page and "National benchmark:" in page
    rows = _csv_rows(file_path(issued, "en", "csv").read_bytes())
    assert len([row for row in rows if row[0] == "National benchmark" and row[7] == "No"]) == len(shown)
    printed = _pdf_text(file_path(issued, "en", "pdf").read_bytes())
    assert BENCHMARK_LATER not in printed and "National benchmark:" in printed


def test_a_trend_shows_an_earlier_quarter_as_its_own_report_published_it_though_someone_left(app, ctx):
    """The September report's trend holds April to June. Worked out again today, June has lost a
    link worker who left since, and its headcount would round to 20, not 25. The trend shows June
    exactly as June's own report published it, value and reason alike: which figures changed
    would tell the leaver's part."""
    world = build_world([Plan("a", 25)], seed=31, quarters=2)
    organisation = db.session.get(Organisation, world.organisations["a"].id)
    june = generate(organisation, Q3.previous_ones(1)[0], status=ReportStatus.issued,
                    now=datetime(2026, 7, 1, 8, tzinfo=UTC))
    db.session.commit()
    before = _own_cells(june.report())
    counted = quarter_figures(Q3.previous_ones(1)[0], organisation.id).people.people_keys
    assert len(counted) == 23 and before[("link_workers", "", "count")].value == 25  # rounded to 5
    leaver = db.session.get(User, min(counted))
    leaver.active = False
    db.session.commit()
    assert quarter_figures(Q3.previous_ones(1)[0], organisation.id).people.link_workers == 22  # would show 20
    september = generate(organisation, Q3, status=ReportStatus.issued, now=ISSUED_AT).report()
    trend = {(c.measure, c.category, c.kind): c for c in september.cells
             if c.scope == "organisation" and c.quarter == "2026-Q2"}
    assert trend[("link_workers", "", "count")].value == 25
    for key, cell in trend.items():
        assert (cell.value, cell.reason) in ((before[key].value, before[key].reason), (None, Reason.comparison)), key
    assert sum(not cell.suppressed for cell in trend.values()) > 1


def _own_cells(report: PublishedReport) -> dict:
    return {(c.measure, c.category, c.kind): c for c in report.cells
            if c.scope == "organisation" and c.quarter == report.quarter}


@pytest.mark.parametrize("then", ["issue", "draft again"])
def test_a_figure_that_changed_under_the_admins_draft_is_withheld_next_time(app, ctx, then):
    """An admin saw a draft; then a link worker deleted their account, taking their answers with them.
    The draft's cut worked out again no longer matches what the admin saw, and the difference is
    that person's: the issued report, or a draft made again the same month, withholds each figure
    that changed."""
    world = build_world([Plan("a", 25)], seed=37, quarters=2)
    organisation = db.session.get(Organisation, world.organisations["a"].id)
    seen = generate(organisation, Q3, status=ReportStatus.draft, now=datetime(2026, 9, 5, tzinfo=UTC), files=False)
    db.session.commit()
    seen_cells = _own_cells(seen.report())
    # As account deletion does: every survey response of one person who answered in July goes.
    july = db.session.scalar(select(PulseRound.id).where(PulseRound.organisation_id == organisation.id,
                                                         PulseRound.month == 7, PulseRound.instrument == "monthly"))
    leaver = db.session.scalar(select(PulseResponse.respondent_key).where(PulseResponse.round_id == july,
                                                                          PulseResponse.submitted.is_(True)))
    db.session.execute(delete(PulseResponse).where(PulseResponse.respondent_key == leaver))
    db.session.commit()
    again = _own_cells(disclose(generation._input(_org(organisation), Q3, draft=True,
                                                  now=datetime(2026, 9, 5, tzinfo=UTC)), organisation_name="x"))
    changed = {(m, c) for (m, c, k), cell in seen_cells.items() if again[(m, c, k)].value != cell.value}
    assert changed  # the leaver's answers moved at least one figure the admin saw

    if then == "issue":
        report = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT, files=False).report()
    else:
        report = generate(_org(organisation), Q3, status=ReportStatus.draft, now=datetime(2026, 9, 20, tzinfo=UTC),
                          files=False).report()
    cells = _own_cells(report)
    for (measure, category, kind), cell in cells.items():
        if (measure, category) in changed:
            assert cell.suppressed, (measure, category, kind)
    assert any(not cell.suppressed for key, cell in cells.items() if key[:2] not in changed)


def test_a_report_keeps_its_keys_sealed_and_the_next_quarter_compares_with_them(app, ctx, make):
    """Ten link workers in June; one leaves in July and nobody joins. Worked out again today, June
    has the nine who are left, as September does: the same people. But June's report had ten, and
    September's beside it would differ by the one who left: it is compared with June's kept keys."""
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    people = [make.user(Role.link_worker, organisation=organisation) for _ in range(10)]
    for person in people:
        joined(app, person, LONG_AGO)
    june = generate(_org(organisation), Quarter(2026, 2), status=ReportStatus.issued,
                    now=datetime(2026, 7, 1, 8, tzinfo=UTC), files=False)
    db.session.commit()
    kept = june.comparison_keys
    people_kept = json.loads(kept)["keys"]["people"]
    # Sealed: no user id, no respondent key as the database holds it.
    assert not any(f'"{person.id}"' in kept or f"[{person.id}," in kept for person in people)
    assert len(people_kept) == 10 and ["people", "month_1", 10] in json.loads(kept)["bases"]
    assert not any(key in june.published for key in people_kept)  # never in what is shown
    leaver = db.session.get(User, people[0].id)
    leaver.active = False
    db.session.commit()

    september = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT, files=False).report()
    assert september.cell("met_standard", "month_1").reason == Reason.comparison
    # Without June's kept keys the two would look like the same nine people.
    data = generation._input(_org(organisation), Q3, draft=False, now=ISSUED_AT)
    forgetful = disclose(replace(data, keys_before=None), organisation_name="Ogmore Valleys")
    assert not forgetful.cell("met_standard", "month_1").suppressed


def test_keys_kept_under_another_secret_are_known_not_to_compare(app, ctx, make):
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    june = Quarter(2026, 2)
    generate(_org(organisation), june, status=ReportStatus.issued, now=datetime(2026, 7, 1, 8, tzinfo=UTC), files=False)
    db.session.commit()
    assert generation.keys_before(organisation.id, [june], fingerprint())[june.key] is not None
    current_app.config["PULSE_RESPONDENT_KEY"] = "another-secret-" + "z" * 32
    assert generation.keys_before(organisation.id, [june], fingerprint()) == {june.key: None}


def test_a_report_issued_under_a_lower_k_is_not_shown_in_a_later_trend(app, ctx, make):
    """Its figures may rest on fewer people than the organisation now requires."""
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    for _ in range(10):
        joined(app, make.user(Role.link_worker, organisation=organisation), LONG_AGO)
    generate(_org(organisation), Quarter(2026, 2), status=ReportStatus.issued,
             now=datetime(2026, 7, 1, 8, tzinfo=UTC), files=False)
    db.session.commit()
    assert not generation.published_before(organisation.id, [Quarter(2026, 2)], 5)["2026-Q2"][
        ("link_workers", "", "count")].suppressed
    _org(organisation).report_k = 8
    db.session.commit()
    september = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT, files=False).report()
    june = [c for c in september.cells if c.scope == "organisation" and c.quarter == "2026-Q2"]
    assert june and all(c.reason == Reason.comparison for c in june)


def test_each_draft_an_admin_saw_is_kept_once_and_carried_into_the_issued_report(app, ctx, make):
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    for _ in range(6):
        joined(app, make.user(Role.link_worker, organisation=organisation), LONG_AGO)
    for day in (5, 6):  # the same month, the same data: one draft kept
        draft = generate(_org(organisation), Q3, status=ReportStatus.draft, now=datetime(2026, 8, day, tzinfo=UTC),
                         files=False)
    db.session.commit()
    assert len(json.loads(draft.comparison_keys)) == 1
    generate(_org(organisation), Q3, status=ReportStatus.draft, now=datetime(2026, 9, 5, tzinfo=UTC), files=False)
    db.session.commit()
    kept_drafts = json.loads(draft.comparison_keys)
    assert len(kept_drafts) == 2
    issued = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT, files=False)
    db.session.commit()
    assert json.loads(issued.comparison_keys)["drafts"] == kept_drafts
    later = generation._input(_org(organisation), Quarter(2026, 4), draft=False, now=datetime(2027, 1, 4, tzinfo=UTC))
    assert len(later.drafts_before) == 2 and all(kept is not None for kept in later.drafts_before)
    # A draft stored before drafts kept their keys cannot be compared: it is not taken for nothing.
    draft_row = QuarterlyReport(organisation_id=organisation.id, year=2026, quarter=4, status=ReportStatus.draft,
                                published=issued.published, comparison_keys=None)
    assert generation._input(_org(organisation), Quarter(2026, 4), draft=True, now=datetime(2026, 11, 5, tzinfo=UTC),
                             seen=draft_row).seen_drafts == (None,)
