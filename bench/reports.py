"""Quarterly-report benchmarks against targets, on a synthetic national dataset: 50 organisations,
2,000 link workers and 200 supervisors with two years of surveys (at least 60,000 responses),
supervision sessions, debriefs and reflections (tests/report_world.py builds it, with bulk inserts).

Run with `make bench` (after the page benchmarks) or `python -m bench.reports`. A throwaway SQLite
database by default; BENCH_DATABASE_URL names another (it must be empty and disposable: its tables
are created and dropped). Prints, and fails (exit 1) when a target is missed:
- the aggregation (quarter_figures) of the largest organisation and of the national benchmark,
  beside bare `SELECT count(*) ... GROUP BY` queries over the same rows, in the same run;
- the PDF of the largest organisation's report: its time and peak memory, in a fresh process;
- the SQL queries one report takes, for the smallest and the largest organisation: the same number.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, func, select

from supervision import create_app
from supervision.accounts.models import Membership, Organisation, Role
from supervision.booking.models import Booking, SupervisionSession
from supervision.debriefs.models import DebriefCheckIn, DebriefRequest
from supervision.extensions import db
from supervision.pulse.models import PulseAnswer, PulseResponse, PulseRound
from supervision.reflections.models import Reflection
from supervision.reports.aggregate import quarter_figures, report_input
from supervision.reports.disclosure import disclose
from supervision.reports.quarters import Quarter
from tests.report_world import Plan, build_world

ORGANISATIONS = 50
LINK_WORKERS = 2_000
SUPERVISORS_EACH = 4  # 200 in all
QUARTERS = 8  # two years
LAST = Quarter(2026, 3)
MIN_RESPONSES = 60_000
ROUNDS = 7
# Targets: aggregation within 5 times the bare grouped counts; the PDF under 2 s and 300 MB.
AGGREGATION_RATIO = 5.0
PDF_SECONDS = 2.0
PDF_MEGABYTES = 300


def plans() -> list[Plan]:
    """One large organisation, one of 4, and 48 between, 2,000 link workers in all; nearly everyone
    answers, so that two years hold at least 60,000 survey responses."""
    sizes = [150, 4] + [38 + (number % 5 - 2) * 6 for number in range(ORGANISATIONS - 2)]
    sizes[-1] += LINK_WORKERS - sum(sizes)
    return [Plan(f"bench{number:02d}", size, supervisors=SUPERVISORS_EACH, monthly_participation=0.97,
                 cbi_participation=0.97) for number, size in enumerate(sizes)]


def make_app(database_url: str, instance: Path):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench-reports-" + "x" * 32, "PULSE_RESPONDENT_KEY": "bench-" + "p" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_OUTBOX_DIR": str(instance / "outbox"),
    }, instance_path=str(instance))


@contextmanager
def counting(statements: list[str]):
    engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", count)


def timed(function, rounds: int = ROUNDS) -> float:
    """The median of `rounds` runs, in milliseconds, after one to warm the caches."""
    function()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(timings)


def bare_counts(quarter: Quarter, organisation_id: int | None) -> list:
    """Plain `SELECT ..., count(*) ... GROUP BY organisation` over the rows the aggregation reads for
    the quarter: survey answers (with their responses and rounds), bookings (with their sessions),
    debrief requests (with their check-ins), reflections and memberships."""
    def scoped(query, column):
        return query.where(column == organisation_id) if organisation_id is not None else query

    return [
        scoped(select(PulseRound.organisation_id, func.count())
               .join(PulseResponse, PulseResponse.round_id == PulseRound.id)
               .join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id)
               .where(PulseRound.year == quarter.year, PulseRound.month.in_(quarter.months)),
               PulseRound.organisation_id).group_by(PulseRound.organisation_id),
        scoped(select(SupervisionSession.organisation_id, func.count())
               .join(Booking, Booking.session_id == SupervisionSession.id)
               .where(SupervisionSession.starts_at >= quarter.start, SupervisionSession.starts_at < quarter.end),
               SupervisionSession.organisation_id).group_by(SupervisionSession.organisation_id),
        scoped(select(DebriefRequest.organisation_id, func.count())
               .outerjoin(DebriefCheckIn, DebriefCheckIn.request_id == DebriefRequest.id)
               .where(DebriefRequest.created_at >= quarter.start, DebriefRequest.created_at < quarter.end),
               DebriefRequest.organisation_id).group_by(DebriefRequest.organisation_id),
        scoped(select(Membership.organisation_id, func.count())
               .join(Reflection, Reflection.author_id == Membership.user_id)
               .where(Membership.role == Role.link_worker, Reflection.created_at >= quarter.start,
                      Reflection.created_at < quarter.end),
               Membership.organisation_id).group_by(Membership.organisation_id),
        scoped(select(Membership.organisation_id, func.count()).where(Membership.role == Role.link_worker),
               Membership.organisation_id).group_by(Membership.organisation_id),
    ]


def run_all(queries: list) -> None:
    for query in queries:
        db.session.execute(query).all()


def analyse() -> None:
    """PostgreSQL's autovacuum gathers statistics on freshly loaded tables within a minute or so;
    without them its planner guesses at row counts. Gather them at once, as it soon would. (SQLite
    plans from its indexes alone unless ANALYZE is run, which a deployment would not do.)"""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def line(label: str, value: str, target: str, ok: bool) -> bool:
    print(f"{label:58} {value:>22}   target {target:14} {'ok' if ok else 'MISSED'}")
    return ok


def measure_aggregation(largest: int) -> bool:
    ok = True
    for label, organisation_id in (("largest organisation", largest), ("national benchmark", None)):
        aggregation = timed(lambda: quarter_figures(LAST, organisation_id))
        queries = bare_counts(LAST, organisation_id)
        bare = timed(lambda: run_all(queries))
        survey_only = timed(lambda: run_all(queries[:1]))
        ratio = aggregation / bare
        print(f"  {label}: quarter_figures {aggregation:.1f} ms; bare grouped counts over the same rows "
              f"{bare:.1f} ms (of which survey answers alone {survey_only:.1f} ms, "
              f"{aggregation / survey_only:.1f}x)")
        ok &= line(f"aggregation, {label}, vs bare SQL", f"{ratio:.1f}x", f"<= {AGGREGATION_RATIO:.0f}x",
                   ratio <= AGGREGATION_RATIO)
    return ok


def measure_queries(smallest: int, largest: int) -> bool:
    counts = []
    for organisation_id in (smallest, largest):
        organisation = db.session.get(Organisation, organisation_id)
        statements: list[str] = []
        with counting(statements):
            disclose(report_input(organisation, LAST), organisation_name=organisation.name)
        counts.append(len(statements))
        db.session.rollback()
    return line("SQL queries per report, smallest / largest organisation", f"{counts[0]} / {counts[1]}",
                "equal", counts[0] == counts[1])


def _render_in_child(database_url: str, instance: str, published: str, results) -> None:
    """In a fresh interpreter, so that its peak memory is the PDF's, not the dataset build's."""
    from supervision.reports.published import PublishedReport
    from supervision.reports.render_pdf import render_pdf

    app = make_app(database_url, Path(instance))
    report = PublishedReport.from_json(published)
    with app.app_context():
        render_pdf(report, "en")  # the first print loads fonts and templates
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            pdf = render_pdf(report, "en")
            timings.append(time.perf_counter() - start)
        # Traced apart from the timings: tracing every allocation slows Python down several times.
        tracemalloc.start()
        render_pdf(report, "en")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    results.put((statistics.median(timings), peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(pdf)))


def measure_pdf(database_url: str, instance: Path, largest: int) -> bool:
    organisation = db.session.get(Organisation, largest)
    published = disclose(report_input(organisation, LAST), organisation_name=organisation.name).to_json()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_render_in_child, args=(database_url, str(instance), published, results))
    child.start()
    seconds, peak, maxrss_kb, size = results.get(timeout=600)
    child.join()
    print(f"  PDF of the largest organisation's report: {size / 1024:.0f} KB; tracemalloc peak "
          f"{peak / 2**20:.1f} MB; the rendering process's maximum resident set {maxrss_kb / 1024:.0f} MB")
    ok = line("PDF render time, largest organisation", f"{seconds:.2f} s", f"< {PDF_SECONDS:.0f} s",
              seconds < PDF_SECONDS)
    return line("PDF peak memory (process maximum resident set)", f"{maxrss_kb / 1024:.0f} MB",
                f"< {PDF_MEGABYTES} MB", maxrss_kb / 1024 < PDF_MEGABYTES) and ok


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance / 'reports.sqlite'}"
        app = make_app(database_url, instance)
        with app.app_context():
            db.create_all()
            try:
                started = time.perf_counter()
                world = build_world(plans(), seed=2026, quarters=QUARTERS, last=LAST)
                analyse()
                link_workers = db.session.scalar(select(func.count()).select_from(Membership)
                                                 .where(Membership.role == Role.link_worker))
                supervisors = db.session.scalar(select(func.count()).select_from(Membership)
                                                .where(Membership.role == Role.supervisor))
                answers = db.session.scalar(select(func.count()).select_from(PulseAnswer))
                print(f"reports: {len(world.organisations)} organisations, {link_workers} link workers, "
                      f"{supervisors} supervisors, {world.survey_responses} survey responses with {answers} "
                      f"answers over {QUARTERS} quarters, built in {time.perf_counter() - started:.0f} s "
                      f"({db.engine.dialect.name})")
                ok = line("survey responses in the dataset", str(world.survey_responses), f">= {MIN_RESPONSES}",
                          world.survey_responses >= MIN_RESPONSES)
                largest = world.organisations["bench00"].id
                smallest = world.organisations["bench01"].id
                ok &= measure_aggregation(largest)
                ok &= measure_queries(smallest, largest)
                ok &= measure_pdf(database_url, instance, largest)
            finally:
                db.session.remove()
                if os.environ.get("BENCH_DATABASE_URL"):
                    db.drop_all()
                db.engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
