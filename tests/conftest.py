"""Shared fixtures: one database per run (SQLite, or PostgreSQL from TEST_DATABASE_URL), the app,
clients, factories for organisations and people, and signing in."""
from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from supervision import create_app
from supervision.accounts import passwords
from supervision.accounts.models import Membership, Organisation, OrganisationKind, Region, Role, User
from supervision.extensions import db
from supervision.mfa.models import TotpCredential
from supervision.mfa.services import REQUIRED_ROLES as MFA_REQUIRED_ROLES
from supervision.ratelimits import LIMITS

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the second step of every person the factory enrols
_HASH_CACHE: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    # Hashing costs ~50 ms on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = passwords.hash_password(password)
    return _HASH_CACHE[password]


# --- databases -------------------------------------------------------------------------------

def postgres_server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _psycopg_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class DatabaseFactory:
    """Creates fresh, empty databases for the run and drops them all at the end."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp = tmp_path_factory.mktemp("databases")
        self.server = postgres_server_url()
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def new(self, label: str = "db") -> str:
        if not self.server:
            return f"sqlite:///{self.tmp / (label + '-' + uuid.uuid4().hex[:8] + '.sqlite')}"
        name = f"cwtch_test_{label}_{uuid.uuid4().hex[:10]}"
        admin = create_engine(_psycopg_url(self.server), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return _psycopg_url(str(make_url(_psycopg_url(self.server)).set(database=name)))

    def drop_all(self) -> None:
        if not self.server:
            return
        admin = create_engine(_psycopg_url(self.server), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory)
    yield factory
    factory.drop_all()


_EXTRA_APPS: list = []
RATE_LIMIT_SETTINGS = sorted({limit.setting for limit in LIMITS})


def make_test_app(database_url: str, instance_path: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "PULSE_RESPONDENT_KEY": "test-pulse-key-" + "p" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_OUTBOX_DIR": os.path.join(instance_path, "outbox"),
        "SERVER_NAME_FOR_EMAIL": "http://localhost",
        # Real limiters, but generous ones, so that no test trips a limit by accident;
        # tests/test_ratelimits.py builds its own app with low limits.
        **{setting: "100000 per hour" for setting in RATE_LIMIT_SETTINGS},
    }
    config.update(overrides)
    application = create_app(config, instance_path=instance_path)
    _EXTRA_APPS.append(application)
    return application


def _dispose(application) -> None:
    """Close pooled connections now, not whenever the garbage collector gets to them."""
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(databases, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = make_test_app(databases.new("app"), str(instance))
    _EXTRA_APPS.remove(application)
    with application.app_context():
        db.create_all()
    yield application
    _dispose(application)


@pytest.fixture(autouse=True)
def _dispose_extra_apps():
    """Apps a test builds for itself are closed when it ends."""
    yield
    while _EXTRA_APPS:
        _dispose(_EXTRA_APPS.pop())


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def ctx(app):
    """An application context for tests that use services and models directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """The .eml files written so far, newest last."""
    path = app.config["MAIL_OUTBOX_DIR"]
    for name in os.listdir(path) if os.path.isdir(path) else []:
        os.remove(os.path.join(path, name))

    def read() -> list:
        from email import policy
        from email.parser import BytesParser

        from supervision.db import utcnow
        from supervision.notifications.sending import send_pending_emails

        # Email goes through the outbox table; deliver what is due, as the scheduler would.
        with app.app_context():
            send_pending_emails(now=utcnow(), worker="tests")

        if not os.path.isdir(path):
            return []
        files = sorted((os.path.join(path, n) for n in os.listdir(path)), key=os.path.getmtime)
        messages = []
        for name in files:
            with open(name, "rb") as handle:
                messages.append(BytesParser(policy=policy.default).parse(handle))
        return messages

    return read


@contextmanager
def counting_queries(app) -> Iterator[list[str]]:
    """Every SQL statement run inside the block, so a test can show a page's queries stay bounded."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- factories -------------------------------------------------------------------------------

@dataclass
class Factory:
    app: object

    def organisation(self, name: str | None = None, **fields) -> Organisation:
        with self.app.app_context():
            organisation = Organisation(
                name=name or f"Organisation {uuid.uuid4().hex[:6]}",
                kind=fields.pop("kind", OrganisationKind.primary_care),
                region=fields.pop("region", Region.cardiff_and_vale),
                **fields,
            )
            db.session.add(organisation)
            db.session.commit()
            db.session.refresh(organisation)
            db.session.expunge(organisation)
            return organisation

    def user(
        self,
        *roles: Role,
        organisation: Organisation | None = None,
        email: str | None = None,
        name: str = "Test Person",
        password: str = PASSWORD,
        language: str = "en",
        active: bool = True,
        mfa: bool | None = None,
    ) -> User:
        with self.app.app_context():
            if organisation is None and roles:
                organisation = self.organisation()
            user = User(
                email=(email or f"person-{uuid.uuid4().hex[:8]}@example.org").lower(),
                name=name,
                password_hash=password_hash(password),
                preferred_language=language,
                active=active,
            )
            db.session.add(user)
            for role in roles:
                user.memberships.append(Membership(organisation_id=organisation.id, role=role))
            db.session.commit()
            # Roles that must have a second step get one, with a known secret (sign_in uses it).
            if mfa or (mfa is None and set(roles) & MFA_REQUIRED_ROLES):
                self.enrol_mfa(user.id)
            db.session.refresh(user)
            user_id, email_ = user.id, user.email
            db.session.expunge_all()
            return _Detached(user_id, email_, organisation)

    def enrol_mfa(self, user_id: int, secret: str = TOTP_SECRET) -> None:
        """Give a person a second step directly in the database, as if they had set it up."""
        with self.app.app_context():
            db.session.add(TotpCredential(user_id=user_id, secret=secret))
            db.session.commit()

    def assign(self, supervisor: "_Detached", link_worker: "_Detached",
               organisation: Organisation | None = None) -> int:
        """Make `supervisor` one of `link_worker`'s supervisors (both must hold the roles there)."""
        from supervision.accounts.models import SupervisorAssignment

        organisation = organisation or link_worker.organisation
        with self.app.app_context():
            assignment = SupervisorAssignment(organisation_id=organisation.id, supervisor_id=supervisor.id,
                                              link_worker_id=link_worker.id)
            db.session.add(assignment)
            db.session.commit()
            return assignment.id

    def reflection(self, author: "_Detached", *, status: str = "complete", structure: str = "free",
                   title: str | None = "A hard week with a client's housing case",
                   sections: dict | None = None, practice_date=None, actions: str | None = None,
                   feeling: int | None = None, themes: tuple[str, ...] = ()) -> int:
        """A reflection written directly in the database. `themes` are choice values ("b:boundaries")."""
        import datetime as _dt

        from supervision.reflections.models import Reflection, ReflectionTheme, Status
        from supervision.reflections.structures import Structure

        with self.app.app_context():
            reflection = Reflection(
                author_id=author.id, status=Status(status), structure=Structure(structure), title=title,
                sections=sections if sections is not None else {"text": "I felt out of my depth today."},
                practice_date=practice_date or (_dt.date(2026, 11, 2) if status == "complete" else None),
                actions=actions, feeling=feeling,
            )
            for value in themes:
                kind, _, ident = value.partition(":")
                reflection.themes.append(
                    ReflectionTheme(builtin=ident) if kind == "b" else ReflectionTheme(theme_id=int(ident)))
            db.session.add(reflection)
            db.session.commit()
            return reflection.id

    def share(self, reflection_id: int, supervisor: "_Detached", *, length: str = "week",
              days: float = 7, revoked: bool = False, created_days_ago: float = 0) -> int:
        """A share made directly in the database; `days` after creation it expires."""
        import datetime as _dt

        from supervision.db import utcnow
        from supervision.reflections.models import ReflectionShare, ShareLength

        with self.app.app_context():
            created = utcnow() - _dt.timedelta(days=created_days_ago)
            share = ReflectionShare(
                reflection_id=reflection_id, supervisor_id=supervisor.id, length=ShareLength(length),
                created_at=created, expires_at=created + _dt.timedelta(days=days),
                revoked_at=utcnow() if revoked else None,
            )
            db.session.add(share)
            db.session.commit()
            return share.id


@dataclass
class _Detached:
    """What tests need of a person after the session that made them is gone."""

    id: int
    email: str
    organisation: Organisation | None


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


# --- signing in ------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, path: str = "/sign-in") -> str:
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, follow: bool = False,
            totp_secret: str | None = TOTP_SECRET):
    """Sign in; when the code page follows the password, enter a fresh code from totp_secret."""
    token = csrf_token(client)
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    if totp_secret and response.status_code == 302 and response.headers["Location"] == "/sign-in/code":
        code = fresh_totp_code(client.application, email, totp_secret)
        response = client.post("/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")},
                               follow_redirects=False)
    if follow and response.status_code in (301, 302, 303):
        response = client.get(response.headers["Location"], follow_redirects=True)
    return response


def steady_totp_code(secret: str = TOTP_SECRET, margin: float = 10) -> str:
    """The code for the current step, taken at least `margin` seconds before the step ends, so that
    a test can rely on the server still seeing it as this step or the one before."""
    totp = pyotp.TOTP(secret)
    if time.time() % totp.interval > totp.interval - margin:
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    return totp.now()


def fresh_totp_code(application, email: str, secret: str = TOTP_SECRET) -> str:
    """A code the server has not seen yet: each step's code works once, so a second sign-in within
    30 seconds takes the next step (the server accepts one step either side of now)."""
    with application.app_context():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        credential = db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))
        last = credential.last_used_step if credential and credential.last_used_step is not None else -1
        db.session.remove()
    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        if now % totp.interval > totp.interval - 2:  # too near the edge of a step: wait for the next
            time.sleep(totp.interval - now % totp.interval + 0.1)
            continue
        current = totp.timecode(now)
        for step in (current - 1, current, current + 1):
            if step > last:
                return totp.generate_otp(step)
        time.sleep(totp.interval - now % totp.interval + 0.1)


def post(client, path: str, data: dict | None = None, token_from: str = "/cookies-and-privacy", **kwargs):
    """POST with a valid CSRF token taken from a page of this session."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, token_from)
    return client.post(path, data=payload, **kwargs)


@pytest.fixture
def signed_in(client):
    def _sign_in(person: _Detached, password: str = PASSWORD):
        response = sign_in(client, person.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


def pytest_report_header(config):
    # .ci/run reads this line to prove which database the run used.
    return f"database: {'postgresql' if postgres_server_url() else 'sqlite'}"


# --- booking factories -------------------------------------------------------------------------

def _booking_factories():
    """Factories for availability, session types, sessions and bookings, written straight to the
    database (no rules applied), for tests that need a calendar in a given state."""
    import datetime as _dt

    from supervision.booking import models as bm

    def supervisor_settings(self, supervisor: _Detached, **fields) -> None:
        with self.app.app_context():
            settings = db.session.scalar(select(bm.SupervisorSettings).where(bm.SupervisorSettings.user_id == supervisor.id))
            if settings is None:
                settings = bm.SupervisorSettings(user_id=supervisor.id)
                db.session.add(settings)
            for key, value in fields.items():
                setattr(settings, key, value)
            db.session.commit()

    def window(self, supervisor: _Detached, weekday: int, start: str = "09:00", end: str = "17:00") -> int:
        """A weekly window; start and end are "HH:MM" in Europe/London."""
        def minutes(hhmm: str) -> int:
            hours, _, mins = hhmm.partition(":")
            return int(hours) * 60 + int(mins)

        with self.app.app_context():
            row = bm.AvailabilityWindow(supervisor_id=supervisor.id, weekday=weekday,
                                        start_minute=minutes(start), end_minute=minutes(end))
            db.session.add(row)
            db.session.commit()
            return row.id

    def session_type(self, supervisor: _Detached, *, kind: str = "one_to_one", name: str | None = None,
                     length: int = 60, capacity: int | None = None, min_attendees: int | None = None,
                     location: str = "online", organisation: Organisation | None = None,
                     active: bool = True) -> int:
        organisation = organisation or supervisor.organisation
        group = kind == "group"
        with self.app.app_context():
            row = bm.SessionType(
                supervisor_id=supervisor.id, organisation_id=organisation.id, kind=bm.SessionKind(kind),
                name=name or ("Peer supervision group" if group else "One-to-one supervision"),
                length_minutes=length, capacity=capacity or (6 if group else 1),
                min_attendees=min_attendees or (3 if group else 1),
                location_kind=bm.LocationKind(location),
                address="Ty Cwtch, 1 Heol y Bont, Pen-y-bont" if location == "in_person" else None,
                online_link="https://meet.example.org/cwtch-room" if location == "online" else None,
                active=active,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    def block(self, supervisor: _Detached, starts_at: _dt.datetime, ends_at: _dt.datetime,
              cover_note: str | None = None) -> int:
        with self.app.app_context():
            row = bm.AvailabilityBlock(supervisor_id=supervisor.id, starts_at=starts_at, ends_at=ends_at,
                                       cover_note=cover_note)
            db.session.add(row)
            db.session.commit()
            return row.id

    def supervision_session(self, session_type_id: int, starts_at: _dt.datetime, *,
                            status: str = "active") -> int:
        """A session of this type at this start (UTC), copying the type's details."""
        with self.app.app_context():
            kind = db.session.get(bm.SessionType, session_type_id)
            row = bm.SupervisionSession(
                supervisor_id=kind.supervisor_id, organisation_id=kind.organisation_id,
                session_type_id=kind.id, kind=kind.kind, starts_at=starts_at,
                ends_at=starts_at + _dt.timedelta(minutes=kind.length_minutes), capacity=kind.capacity,
                min_attendees=kind.min_attendees, location_kind=kind.location_kind, address=kind.address,
                online_link=kind.online_link, status=bm.SessionStatus(status),
                cancelled_at=starts_at if status == "cancelled" else None,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    def booking(self, session_id: int, link_worker: _Detached, *, status: str = "confirmed",
                agenda: str | None = None, attendance: str | None = None, expires_at=None,
                created_at=None) -> int:
        from supervision.db import utcnow

        with self.app.app_context():
            row = bm.Booking(session_id=session_id, link_worker_id=link_worker.id,
                             status=bm.BookingStatus(status), agenda=agenda,
                             attendance=bm.Attendance(attendance) if attendance else None,
                             expires_at=expires_at, created_at=created_at or utcnow())
            db.session.add(row)
            db.session.commit()
            return row.id

    return {f.__name__: f for f in (supervisor_settings, window, session_type, block, supervision_session, booking)}


for _name, _function in _booking_factories().items():
    setattr(Factory, _name, _function)


# --- debrief factories -------------------------------------------------------------------------

def _debrief_factories():
    """Debrief requests and check-ins written straight to the database (no rules applied)."""
    import datetime as _dt

    from supervision.debriefs import models as dm

    def debrief_request(self, link_worker: _Detached, *, organisation: Organisation | None = None,
                        urgency: str = "three_days", category: str = "client_death",
                        description: str = "A client I had supported for months died suddenly this week.",
                        contact_way: str = "phone", status: str = "open", assigned_to: _Detached | None = None,
                        handler: _Detached | None = None, created_at: _dt.datetime | None = None,
                        half_due_at: _dt.datetime | None = None, due_at: _dt.datetime | None = None,
                        widened: bool = False, outcome: str | None = None) -> int:
        from supervision.db import utcnow

        organisation = organisation or link_worker.organisation
        created = created_at or utcnow()
        settled = status != "open"
        with self.app.app_context():
            row = dm.DebriefRequest(
                organisation_id=organisation.id, link_worker_id=link_worker.id, urgency=dm.Urgency(urgency),
                category=dm.Category(category), description=description, contact_way=dm.ContactWay(contact_way),
                status=dm.RequestStatus(status), assigned_to_id=assigned_to.id if assigned_to else None,
                handler_id=handler.id if handler else None, created_at=created,
                half_due_at=half_due_at or created + _dt.timedelta(hours=36),
                due_at=due_at or created + _dt.timedelta(hours=72),
                widened_at=created if widened else None,
                accepted_at=created if status in ("accepted", "completed") else None,
                closed_at=created if status in ("completed", "declined", "withdrawn") else None,
                outcome=dm.Outcome(outcome or "supported") if status == "completed" else None,
                held_by=dm.HeldBy.phone if status == "completed" else None,
            )
            if settled and status == "declined":
                row.decline_reason, row.alternative = "I am on leave this week.", dm.Alternative.another_supervisor
            db.session.add(row)
            db.session.commit()
            return row.id

    def check_in(self, request_id: int, day: int = 3, *, due_at: _dt.datetime | None = None,
                 answer: str | None = None) -> int:
        from supervision.db import utcnow

        with self.app.app_context():
            row = dm.DebriefCheckIn(request_id=request_id, day=day, due_at=due_at or utcnow(),
                                    answer=dm.CheckInAnswer(answer) if answer else None,
                                    answered_at=utcnow() if answer else None)
            db.session.add(row)
            db.session.commit()
            return row.id

    return {f.__name__: f for f in (debrief_request, check_in)}


for _name, _function in _debrief_factories().items():
    setattr(Factory, _name, _function)


def _pulse_factories():
    """Survey rounds, invitations and responses written straight to the database (no rules applied)."""
    import datetime as _dt

    from supervision.pulse import models as pm
    from supervision.pulse.respondent import respondent_key

    def pulse_round(self, organisation: Organisation, *, instrument: str = "monthly", year: int | None = None,
                    month: int | None = None, opens_at: _dt.datetime | None = None,
                    closes_at: _dt.datetime | None = None, closed: bool = False) -> int:
        """A round; by default one that opened two days ago and is open for twelve more."""
        from supervision.db import utcnow

        opens = opens_at or utcnow() - _dt.timedelta(days=2)
        with self.app.app_context():
            row = pm.PulseRound(organisation_id=organisation.id, instrument=pm.InstrumentKey(instrument),
                                year=year or opens.year, month=month or opens.month, opens_at=opens,
                                closes_at=closes_at or opens + _dt.timedelta(days=pm.ROUND_DAYS),
                                closed_at=(closes_at or opens) if closed else None)
            db.session.add(row)
            db.session.commit()
            return row.id

    def pulse_invitation(self, person: _Detached, round_id: int, *, answered: bool = False,
                         reminders_sent: int = 0) -> int:
        with self.app.app_context():
            row = pm.PulseInvitation(round_id=round_id, user_id=person.id, answered=answered,
                                     reminders_sent=reminders_sent)
            db.session.add(row)
            db.session.commit()
            return row.id

    def pulse_response(self, person: _Detached, round_id: int, answers: dict[str, int], *,
                       submitted: bool = True, language: str = "en", comment: str | None = None,
                       invite: bool = True) -> str:
        """A response by this person's respondent key; also their invitation, marked answered."""
        with self.app.app_context():
            pulse_round = db.session.get(pm.PulseRound, round_id)
            row = pm.PulseResponse(round_id=round_id, organisation_id=pulse_round.organisation_id,
                                   respondent_key=respondent_key(person.id), instrument=pulse_round.instrument,
                                   instrument_version="1", language=language, submitted=submitted,
                                   comment=comment,
                                   answers=[pm.PulseAnswer(item=k, value=v) for k, v in sorted(answers.items())])
            db.session.add(row)
            if invite:
                db.session.add(pm.PulseInvitation(round_id=round_id, user_id=person.id, answered=submitted))
            db.session.commit()
            return row.id

    return {"pulse_round": pulse_round, "pulse_invitation": pulse_invitation, "pulse_response": pulse_response}


for _name, _function in _pulse_factories().items():
    setattr(Factory, _name, _function)


def _report_factories():
    """Quarterly reports stored straight to the database, with hand-made published cells and, if
    asked, files under the instance folder (no aggregation, disclosure or rendering involved)."""
    import datetime as _dt

    from supervision.reports.models import FORMATS, LANGUAGES, QuarterlyReport, ReportStatus
    from supervision.reports.published import ORGANISATION, Cell, PublishedReport, Reason
    from supervision.reports.quarters import Quarter

    def published_report(organisation_name: str = "Ogmore Valleys", quarter: str = "2026-Q3", *,
                         draft: bool = False) -> PublishedReport:
        previous = tuple(q.key for q in Quarter.parse(quarter).previous_ones(4))
        return PublishedReport(
            organisation_name=organisation_name, quarter=quarter, previous_quarters=previous, k=5, draft=draft,
            standard_days=30, instrument_versions=("monthly 1",),
            cells=(Cell(ORGANISATION, quarter, "link_workers", "", "count", 10.0, None),
                   Cell(ORGANISATION, quarter, "requests", "", "count", None, Reason.small_count)))

    def quarterly_report(self, organisation: Organisation, quarter: str = "2026-Q3", *, status: str = "issued",
                         files: bool = True, generated_at: _dt.datetime | None = None) -> int:
        """A stored report; with `files`, each file holds "<stem> <language> <format>" as its bytes."""
        from supervision.db import utcnow

        period = Quarter.parse(quarter)
        report = published_report(organisation.name, quarter, draft=status == "draft")
        with self.app.app_context():
            row = QuarterlyReport(organisation_id=organisation.id, year=period.year, quarter=period.number,
                                  status=ReportStatus(status), published=report.to_json(),
                                  generated_at=generated_at or utcnow())
            db.session.add(row)
            db.session.commit()
            if files:
                folder = os.path.join(self.app.instance_path, "reports", str(organisation.id))
                os.makedirs(folder, exist_ok=True)
                for language in LANGUAGES:
                    for fmt in FORMATS:
                        with open(os.path.join(folder, row.file_name(language, fmt)), "wb") as handle:
                            handle.write(f"{row.file_stem} {language} {fmt}".encode())
            return row.id

    return {"quarterly_report": quarterly_report, "published_report": staticmethod(published_report)}


for _name, _function in _report_factories().items():
    setattr(Factory, _name, _function)
