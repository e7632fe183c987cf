"""Making and storing a quarterly report: stage 1 (aggregate), stage 2 (disclose), then the
published cells in the database and the PDF and CSV in both languages under
instance/reports/<organisation id>/. Services flush; the caller commits.

An issued report is made once: if one exists for the organisation and quarter, it is returned and
nothing is replaced. A draft (the quarter's whole months so far: aggregate.draft_cutoff) is one row
per organisation and quarter that each regeneration rewrites, under a new file stem, removing the
old draft's files. In a quarter's first month there is nothing to draft (NothingToDraft). Since an
admin may have seen the quarter cut at earlier month ends, a draft, and the issued report of a
quarter that had one, are compared with those cuts (rule 5).

Files are written before the caller commits. If that commit never happens, the new files are
orphans under random names that nothing points to, and a row whose files are gone gets them back
from its own stored cells (ensure_file), never from fresh data.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organisation
from ..extensions import db
from .aggregate import draft_cutoff, report_input
from .disclosure import disclose
from .disclosure_figures import UNKNOWN_KEPT, Kept, kept, kept_from_dict, kept_to_dict
from .figures import ReportInput
from .models import FORMATS, LANGUAGES, QuarterlyReport, ReportStatus, _file_stem
from .published import ORGANISATION, Cell, CellKey, PublishedReport
from .quarters import Quarter
from .render_csv import render_csv
from .render_pdf import render_pdf
from .sealed import fingerprint, sealed

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


class NothingToDraft(Exception):
    """A draft counts the quarter's whole months so far, and none has ended yet."""

    def __init__(self, quarter: Quarter) -> None:
        super().__init__(f"{quarter.key} has no whole month to draft yet")
        self.quarter = quarter


def reports_folder(organisation_id: int) -> Path:
    return Path(current_app.instance_path) / "reports" / str(organisation_id)


def file_path(report: QuarterlyReport, language: str, fmt: str) -> Path:
    return reports_folder(report.organisation_id) / report.file_name(language, fmt)


def download_name(report: QuarterlyReport, language: str, fmt: str) -> str:
    """What the person's browser saves it as: no organisation name, nothing finer than the quarter."""
    draft = "-draft" if report.status == ReportStatus.draft else ""
    return f"cwtch-wellbeing-report-{report.period.key}{draft}-{language}.{fmt}"


def render(published: PublishedReport, language: str, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(published, language)
    if fmt == "csv":
        return render_csv(published, language)
    raise ValueError(fmt)


def _write_atomically(path: Path, content: bytes) -> None:
    """A reader, or a crash, never meets half a file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_files(report: QuarterlyReport, published: PublishedReport) -> None:
    for language in LANGUAGES:
        for fmt in FORMATS:
            _write_atomically(file_path(report, language, fmt), render(published, language, fmt))


def _remove_files(organisation_id: int, file_stem: str) -> None:
    folder = reports_folder(organisation_id)
    for language in LANGUAGES:
        for fmt in FORMATS:
            (folder / f"{file_stem}-{language}.{fmt}").unlink(missing_ok=True)


def ensure_file(report: QuarterlyReport, language: str, fmt: str) -> Path:
    """The report's file, written back first if it is missing (a lost disk, a restored database)
    from the cells stored with it, so that a download shows what was issued, never today's data."""
    path = file_path(report, language, fmt)
    if not path.exists():
        _write_atomically(path, render(report.report(), language, fmt))
    return path


def stored(organisation_id: int, quarter: Quarter, status: ReportStatus, *, lock: bool = False
           ) -> QuarterlyReport | None:
    """The stored report; with `lock`, its row locked until the transaction ends (PostgreSQL;
    SQLite has one writer at a time anyway)."""
    query = select(QuarterlyReport).where(
        QuarterlyReport.organisation_id == organisation_id, QuarterlyReport.year == quarter.year,
        QuarterlyReport.quarter == quarter.number, QuarterlyReport.status == status)
    return db.session.scalar(query.with_for_update() if lock else query)


def _input(organisation: Organisation, quarter: Quarter, *, draft: bool, now: datetime,
           drafted_at: datetime | None = None, seen: QuarterlyReport | None = None) -> ReportInput:
    """Stage 1's figures, their keys sealed (sealed.py), beside what the earlier quarters' issued
    reports published and the keys they kept, and the keys of the quarter's drafts its admins saw
    (kept in `seen`, the quarter's stored draft)."""
    data = report_input(organisation, quarter, draft=draft, now=now, drafted_at=drafted_at)
    issued = _issued(organisation.id, [f.quarter for f in data.previous])
    seal = fingerprint()
    return replace(data, organisation=sealed(data.organisation), previous=tuple(sealed(f) for f in data.previous),
                   earlier_cuts=tuple(sealed(f) for f in data.earlier_cuts),
                   published_before=_cells_of(issued, data.k), **_kept_of(issued, seal),
                   seen_drafts=tuple(kept_from_dict(one, seal) for one in _drafts_kept(seen)))


def _drafts_kept(draft: QuarterlyReport | None) -> list[dict]:
    """What the quarter's drafts kept, each as stored: every draft made this quarter, since each
    replaced the one before but its admins saw them all. A draft stored before drafts kept their
    keys stands as one whose keys cannot be compared (kept_from_dict: None), so that what its
    admins saw is never taken for nothing."""
    if draft is None:
        return []
    return [UNKNOWN_KEPT] if draft.comparison_keys is None else json.loads(draft.comparison_keys)


def _issued(organisation_id: int, quarters: list[Quarter]) -> list[QuarterlyReport]:
    """The organisation's issued reports of these quarters. One query."""
    if not quarters:
        return []
    return list(db.session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.organisation_id == organisation_id, QuarterlyReport.status == ReportStatus.issued,
        or_(*(and_(QuarterlyReport.year == q.year, QuarterlyReport.quarter == q.number) for q in quarters)))))


def _kept_of(issued: list[QuarterlyReport], seal: str) -> dict:
    """ReportInput's keys_before (each issued quarter's own keys and bases, None if sealed with
    another secret) and drafts_before (the drafts of those quarters their admins saw, which the
    issued reports carried on)."""
    kept_rows = [(row.period.key, json.loads(row.comparison_keys)) for row in issued if row.comparison_keys]
    return {"keys_before": {quarter: kept_from_dict(stored_keys, seal) for quarter, stored_keys in kept_rows},
            "drafts_before": tuple(kept_from_dict(draft, seal) for _, stored_keys in kept_rows
                                   for draft in stored_keys.get("drafts", []))}


def keys_before(organisation_id: int, quarters: list[Quarter], seal: str) -> dict[str, Kept | None]:
    """For each of these quarters issued for the organisation with its keys kept, those keys and
    bases (None if sealed with another secret)."""
    return _kept_of(_issued(organisation_id, quarters), seal)["keys_before"]


def _cells_of(issued: list[QuarterlyReport], k: int) -> dict[str, dict[CellKey, Cell]]:
    """Each issued report's cells of its own figures, by (measure, category, kind): what it
    published, and what it withheld and why (see disclosure._compare_quarters and
    disclosure._as_published). A report issued under a k lower than `k` is left out, as if never
    issued: some of its figures rest on fewer people than the organisation now requires, and which
    would show its own cells cannot tell."""
    published = {}
    for row in issued:
        report = row.report()
        if report.k >= k:
            published[report.quarter] = {(cell.measure, cell.category, cell.kind): cell for cell in report.cells
                                         if cell.scope == ORGANISATION and cell.quarter == report.quarter}
    return published


def published_before(organisation_id: int, quarters: list[Quarter], k: int = 0) -> dict[str, dict[CellKey, Cell]]:
    """For each of these quarters issued for the organisation under k or more, its own cells (_cells_of)."""
    return _cells_of(_issued(organisation_id, quarters), k)


def _insert(report: QuarterlyReport) -> bool:
    """Add the row in a savepoint; False when another run stored the same one first."""
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        return False
    return True


def generate(organisation: Organisation, quarter: Quarter, *, status: ReportStatus, now: datetime,
             files: bool = True) -> QuarterlyReport:
    """`files=False` leaves the PDF and CSV to be written at their first download (ensure_file),
    for the demo, which many tests seed: rendering is most of the cost of a report."""
    if status == ReportStatus.issued:
        return _issue(organisation, quarter, now=now, files=files)
    return _draft(organisation, quarter, now=now, files=files)


def _issue(organisation: Organisation, quarter: Quarter, *, now: datetime, files: bool) -> QuarterlyReport:
    existing = stored(organisation.id, quarter, ReportStatus.issued)
    if existing is not None:
        return existing
    # Found before the report is made: admins have seen the quarter as its drafts cut it, and the
    # report must not stand beside those cuts across a change of fewer than k people.
    draft = stored(organisation.id, quarter, ReportStatus.draft)
    data = _input(organisation, quarter, draft=False, now=now, drafted_at=None if draft is None else draft.generated_at,
                  seen=draft)
    published = disclose(data, organisation_name=organisation.name)
    # The quarter's own keys and bases, sealed, kept for the reports of later quarters to compare
    # with: the people behind what this report published, even once some have gone from the data.
    report = QuarterlyReport(organisation_id=organisation.id, year=quarter.year, quarter=quarter.number,
                             status=ReportStatus.issued, published=published.to_json(), generated_at=now,
                             comparison_keys=json.dumps(kept_to_dict(kept(data.organisation), fingerprint())
                                                        | {"drafts": _drafts_kept(draft)}))
    if not _insert(report):
        return stored(organisation.id, quarter, ReportStatus.issued)  # type: ignore[return-value]
    if files:
        _write_files(report, published)
    # Once the quarter is issued, an admin's draft of it says nothing the report does not.
    if draft is not None:
        _remove_files(draft.organisation_id, draft.file_stem)
        db.session.delete(draft)
        db.session.flush()
    return report


def _draft(organisation: Organisation, quarter: Quarter, *, now: datetime, files: bool) -> QuarterlyReport:
    if draft_cutoff(quarter, now) is None:
        raise NothingToDraft(quarter)
    # Locked, so that two admins making a draft at once each compare with, and keep, the other's.
    report = stored(organisation.id, quarter, ReportStatus.draft, lock=True)
    data = _input(organisation, quarter, draft=True, now=now, seen=report)
    published = disclose(data, organisation_name=organisation.name)
    # What its admins will see, kept beside what they saw in the drafts it replaces (rule 5 for the
    # next draft and for the issued report); a draft the same as the last one adds nothing.
    earlier, own = _drafts_kept(report), kept_to_dict(kept(data.organisation), fingerprint())
    seen = json.dumps(earlier if earlier and earlier[-1] == own else [*earlier, own])
    if report is None:
        report = QuarterlyReport(organisation_id=organisation.id, year=quarter.year, quarter=quarter.number,
                                 status=ReportStatus.draft, published=published.to_json(), generated_at=now,
                                 comparison_keys=seen)
        if _insert(report):
            if files:
                _write_files(report, published)
            return report
        # Another admin made one at the same moment: start again from theirs, to compare with it.
        return _draft(organisation, quarter, now=now, files=files)
    old_stem = report.file_stem
    # A new stem, so that the files of the draft being replaced are never mistaken for this one's.
    report.file_stem = _file_stem()
    report.published = published.to_json()
    report.comparison_keys = seen
    report.generated_at = now
    db.session.flush()
    if files:
        _write_files(report, published)
    _remove_files(report.organisation_id, old_stem)
    return report
