"""The command line: create-org, create-admin, seed-demo and backup."""
from __future__ import annotations

import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from supervision.accounts import passwords
from supervision.accounts.models import Membership, Organisation, Role, User
from supervision.audit.models import AuditEvent
from supervision.demo import DEMO_ACCOUNTS, OGMORE, TEIFI
from supervision.extensions import db
from supervision.mfa.services import REQUIRED_ROLES as MFA_REQUIRED_ROLES

from .conftest import make_test_app, sign_in

STRONG = "granite kettle orchard lantern"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(args=list(args), catch_exceptions=False, **kwargs)

    return invoke


def organisations(app) -> dict[str, Organisation]:
    with app.app_context():
        found = db.session.scalars(select(Organisation)).all()
        db.session.expunge_all()
        return {o.name: o for o in found}


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


# --- create-org --------------------------------------------------------------------------------

def test_create_org_with_flags(app, cli):
    result = cli("create-org", "--name", "  Ogmore Valleys ", "--kind", "county_voluntary_council",
                 "--region", "cwm_taf_morgannwg", "--k", "8")
    assert result.exit_code == 0, result.output
    organisation = organisations(app)["Ogmore Valleys"]
    assert organisation.kind.value == "county_voluntary_council"
    assert organisation.region.value == "cwm_taf_morgannwg"
    assert organisation.report_k == 8
    assert f"Created organisation {organisation.id}: Ogmore Valleys" in result.output


def test_create_org_defaults_k_to_5(app, cli):
    assert cli("create-org", "--name", "Teifi", "--kind", "primary_care", "--region", "hywel_dda").exit_code == 0
    assert organisations(app)["Teifi"].report_k == 5


def test_create_org_refuses_a_duplicate_name(app, cli):
    args = ["create-org", "--name", "Teifi", "--kind", "primary_care", "--region", "hywel_dda"]
    assert cli(*args).exit_code == 0
    again = cli(*args[:2], " Teifi", *args[3:])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert len(organisations(app)) == 1


@pytest.mark.parametrize("k", ["4", "0", "-1", "abc"])
def test_create_org_refuses_k_below_5(app, cli, k):
    result = cli("create-org", "--name", "Teifi", "--kind", "primary_care", "--region", "hywel_dda", "--k", k)
    assert result.exit_code == 2
    assert "--k" in result.output
    assert organisations(app) == {}


def test_create_org_refuses_an_unknown_region(app, cli):
    result = cli("create-org", "--name", "Teifi", "--kind", "primary_care", "--region", "narnia")
    assert result.exit_code == 2
    assert organisations(app) == {}


# --- create-admin ------------------------------------------------------------------------------

def test_create_admin(app, cli, make, client):
    organisation = make.organisation(name="Ogmore Valleys")
    result = cli("create-admin", "--org", "Ogmore Valleys", "--email", " Gareth@Example.org ",
                 "--name", "Gareth Price", "--password", STRONG)
    assert result.exit_code == 0, result.output
    assert "gareth@example.org is an admin of Ogmore Valleys" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gareth@example.org"))
        assert user.name == "Gareth Price"
        assert user.password_hash.startswith("$argon2id$")
        assert STRONG not in user.password_hash
        assert passwords.verify_password(user.password_hash, STRONG)
        assert user.roles_in(organisation.id) == {Role.admin}
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role_change")).all()
        assert [(e.target_id, e.organisation_id) for e in events] == [(user.id, organisation.id)]
    response = sign_in(client, "gareth@example.org", STRONG)
    # A new admin sets up a second step to sign in before anything else.
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/second-step/set-up")
    people = f"/admin/organisations/{organisation.id}/people"
    assert client.get(people).headers["Location"] == f"/account/second-step/set-up?next={people}"


def test_create_admin_gives_an_existing_person_the_role_and_keeps_their_password(app, cli, make):
    organisation = make.organisation(name="Ogmore Valleys")
    person = make.user(Role.link_worker, organisation=organisation, email="carys@example.org")
    with app.app_context():
        old_hash = db.session.get(User, person.id).password_hash
    result = cli("create-admin", "--org", "Ogmore Valleys", "--email", "carys@example.org",
                 "--name", "Carys", "--password", STRONG)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.roles_in(organisation.id) == {Role.link_worker, Role.admin}
        assert user.password_hash == old_hash
    assert cli("create-admin", "--org", "Ogmore Valleys", "--email", "carys@example.org",
               "--name", "Carys", "--password", STRONG).exit_code == 0
    assert row_counts(app)["membership"] == 2


@pytest.mark.parametrize("password,reason", [
    ("short", "too_short"),
    ("password1234", "common"),
    ("gareth@example.org", "context"),
])
def test_create_admin_refuses_a_weak_password(app, cli, make, password, reason):
    make.organisation(name="Ogmore Valleys")
    result = cli("create-admin", "--org", "Ogmore Valleys", "--email", "gareth@example.org",
                 "--name", "Gareth Price", "--password", password)
    assert result.exit_code == 1
    assert f"Password refused ({reason})" in result.output
    assert row_counts(app)["user_account"] == 0


def test_create_admin_refuses_an_unknown_organisation(app, cli, make):
    make.organisation(name="Ogmore Valleys")
    result = cli("create-admin", "--org", "Nowhere", "--email", "gareth@example.org",
                 "--name", "Gareth Price", "--password", STRONG)
    assert result.exit_code == 1
    assert "No organisation called 'Nowhere'" in result.output
    assert row_counts(app)["user_account"] == 0


def test_create_admin_refuses_a_bad_email(app, cli, make):
    make.organisation(name="Ogmore Valleys")
    result = cli("create-admin", "--org", "Ogmore Valleys", "--email", "not-an-email",
                 "--name", "Gareth Price", "--password", STRONG)
    assert result.exit_code == 1
    assert row_counts(app)["user_account"] == 0


# --- seed-demo ---------------------------------------------------------------------------------

def _roles_by_organisation(app) -> dict[str, dict[Role, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Organisation.name, Membership.role, func.count())
            .join(Membership, Membership.organisation_id == Organisation.id)
            .group_by(Organisation.name, Membership.role)
        ).all()
    counts: dict[str, dict[Role, int]] = {}
    for name, role, count in rows:
        counts.setdefault(name, {})[role] = count
    return counts


def test_seed_demo_creates_two_organisations(app, cli):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert set(organisations(app)) == {OGMORE, TEIFI}
    counts = _roles_by_organisation(app)
    assert counts[OGMORE][Role.link_worker] == 12
    assert counts[TEIFI][Role.link_worker] == 4
    for name in (OGMORE, TEIFI):
        for role in (Role.supervisor, Role.employer, Role.admin):
            assert counts[name].get(role, 0) >= 1, (name, role)
    with app.app_context():
        senior = db.session.scalar(select(User).where(User.email == "senior@example.org"))
        assert senior.roles == {Role.link_worker, Role.supervisor}


def test_seed_demo_twice_changes_nothing(app, cli):
    assert cli("seed-demo").exit_code == 0
    first = row_counts(app)
    assert first["user_account"] > 0
    assert cli("seed-demo").exit_code == 0
    assert row_counts(app) == first


def test_seed_demo_if_empty_leaves_an_existing_install_alone(app, cli, make):
    make.user(Role.admin, name="Real Admin")
    before = row_counts(app)
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0
    assert "not seeded" in result.output
    assert row_counts(app) == before


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.email for a in DEMO_ACCOUNTS])
def test_demo_accounts_sign_in_with_the_demo_password(app, cli, account):
    assert cli("seed-demo").exit_code == 0
    client = app.test_client()
    response = sign_in(client, account.email, app.config["DEMO_PASSWORD"])
    assert response.status_code == 302
    # Admins, supervisors and employers set up a second step at their first sign-in.
    needs_second_step = account.role in MFA_REQUIRED_ROLES
    assert response.headers["Location"] == ("/account/second-step/set-up?next=/home" if needs_second_step else "/home")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == account.email))
        assert user.preferred_language == account.language
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == account.organisation))
        assert account.role in user.roles_in(organisation.id)


def test_seed_demo_refuses_outside_development_and_testing(databases, tmp_path):
    production = make_test_app(databases.new("prod"), str(tmp_path), TESTING=False,
                               SECRET_KEY="production-secret-" + "y" * 32)
    assert not production.config["DEVELOPMENT"] and not production.testing
    try:
        with production.app_context():
            db.create_all()
        result = production.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 1
        assert "only runs in development" in result.output
        with production.app_context():
            assert db.session.scalar(select(func.count()).select_from(User)) == 0
            assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    finally:
        with production.app_context():
            db.session.remove()
            db.engine.dispose()


# --- backup ------------------------------------------------------------------------------------

def test_backup(app, cli, databases, make, tmp_path):
    make.user(Role.admin, name="Gareth Price", email="gareth@example.org")
    destination = tmp_path / "nested" / "cwtch-backup.sqlite"
    result = cli("backup", str(destination))
    assert result.exit_code == 0, result.output
    if databases.backend == "postgresql":
        assert "archive readable" in result.output
        listing = subprocess.run(["pg_restore", "--list", str(destination)], capture_output=True, text=True,
                                 check=True).stdout
        assert "TABLE DATA public user_account" in listing
        data = subprocess.run(["pg_restore", "--data-only", "--table=user_account", "--file=-", str(destination)],
                              capture_output=True, text=True, check=True).stdout
        assert "gareth@example.org" in data
    else:
        assert databases.backend == "sqlite"
        assert "integrity check: ok" in result.output
        with closing(sqlite3.connect(destination)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            emails = [row[0] for row in copy.execute("SELECT email FROM user_account")]
        assert emails == ["gareth@example.org"]


def test_backup_without_a_destination(app, cli, databases):
    backups = Path(app.instance_path) / "backups"
    existed = backups.exists()
    result = cli("backup")
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("Backed up to ")[1].split(" (")[0])
    try:
        assert path.parent == backups
        if databases.backend == "postgresql":
            assert path.suffix == ".dump"
            subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, check=True)
        else:
            with closing(sqlite3.connect(path)) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:  # the test app's instance folder is the project's own
        path.unlink()
        if not existed:
            backups.rmdir()


def test_backup_finds_a_relative_sqlite_path_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the instance folder: the path must not be taken from here
    name = f"relative-{uuid.uuid4().hex[:8]}.sqlite"
    relative = make_test_app(f"sqlite:///{name}", str(tmp_path / "instance"))
    assert not (tmp_path / name).exists()
    try:
        with relative.app_context():
            db.create_all()
        result = relative.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
        assert result.exit_code == 0, result.output
        with closing(sqlite3.connect(tmp_path / "copy.sqlite")) as copy:
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "organisation" in tables
    finally:
        with relative.app_context():
            db.engine.dispose()
        (Path(relative.instance_path) / name).unlink()  # the project's instance folder


def test_pg_dump_gets_the_password_from_the_environment_never_the_command_line(tmp_path, monkeypatch):
    remote = make_test_app("postgresql+psycopg://cwtch:s3cret@db.example:5433/cwtch live", str(tmp_path))
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("supervision.cli.subprocess.run", run)
    result = remote.test_cli_runner().invoke(args=["backup", "my backup.dump"])
    assert result.exit_code == 0, result.output
    (dump, dump_env), (check, _) = calls
    assert dump == ["pg_dump", "--format=custom", "--host=db.example", "--port=5433", "--username=cwtch",
                    "--file", "my backup.dump", "cwtch live"]
    assert check == ["pg_restore", "--list", "my backup.dump"]
    assert dump_env["PGPASSWORD"] == "s3cret"
    assert all("s3cret" not in argument for command, _ in calls for argument in command)
    assert "s3cret" not in result.output


def test_a_failed_pg_dump_says_why_and_leaves_no_file(tmp_path):
    from .smtp import free_port

    closed = make_test_app(f"postgresql+psycopg://cwtch:s3cret@127.0.0.1:{free_port()}/cwtch", str(tmp_path))
    destination = tmp_path / "cwtch.dump"
    result = closed.test_cli_runner().invoke(args=["backup", str(destination)])
    assert result.exit_code == 1
    assert "pg_dump failed" in result.output
    assert "s3cret" not in result.output
    assert not destination.exists()


@pytest.mark.parametrize("name", ["   ", "x" * 201])
def test_create_org_refuses_an_empty_or_overlong_name(app, cli, name):
    result = cli("create-org", "--name", name, "--kind", "primary_care", "--region", "hywel_dda")
    assert result.exit_code == 1
    assert "1 to 200 characters" in result.output
    assert organisations(app) == {}


def test_create_admin_refuses_an_empty_name(app, cli, make):
    make.organisation(name="Ogmore Valleys")
    result = cli("create-admin", "--org", "Ogmore Valleys", "--email", "gareth@example.org",
                 "--name", "  ", "--password", STRONG)
    assert result.exit_code == 1
    assert row_counts(app)["user_account"] == 0


# --- seed-demo: reflections -------------------------------------------------------------------------

def _demo_reflections(app) -> dict[str, list]:
    from supervision.reflections.models import Reflection

    with app.app_context():
        found: dict[str, list] = {}
        for reflection in db.session.scalars(select(Reflection).order_by(Reflection.id)):
            found.setdefault(reflection.author.email, []).append(reflection)
        db.session.expunge_all()
        return found


def test_seed_demo_gives_every_demo_link_worker_a_supervisor(app, cli):
    from supervision.accounts.supervisors import supervisors_of

    assert cli("seed-demo").exit_code == 0
    with app.app_context():
        link_workers = db.session.scalars(
            select(User).join(Membership).where(Membership.role == Role.link_worker)).unique().all()
        assert len(link_workers) == 16
        for person in link_workers:
            assert supervisors_of(person), person.email
        carys = db.session.scalar(select(User).where(User.email == "linkworker@example.org"))
        assert {s.email for s in supervisors_of(carys)} == {"supervisor@example.org", "senior@example.org"}
        nia = db.session.scalar(select(User).where(User.email == "cymraeg@example.org"))
        assert [s.email for s in supervisors_of(nia)] == ["mererid.hopkin@teifi.example.org"]


def test_seed_demo_writes_reflections_with_themes_drafts_and_shares(app, cli):
    from supervision.db import utcnow
    from supervision.demo_reflection_history import WRITERS as HISTORY_WRITERS
    from supervision.reflections.models import Status, Theme
    from supervision.reflections.structures import SECTIONS

    result = cli("seed-demo")
    assert "reflections" in result.output
    found = _demo_reflections(app)
    # The three whose recent reflections the demo shows, and the past quarters' writers (the reports' history).
    assert set(found) == {"linkworker@example.org", "cymraeg@example.org", "senior@example.org", *HISTORY_WRITERS}
    with app.app_context():
        from supervision.reflections.models import Reflection

        carys = [db.session.merge(r, load=True) for r in found["linkworker@example.org"]]
        assert {r.structure.value for r in carys} == {"gibbs", "driscoll", "free"}
        assert {r.status for r in carys} == {Status.draft, Status.complete}
        assert all(r.practice_date for r in carys if r.status == Status.complete)
        assert any(link.theme_id for r in carys for link in r.themes)  # an organisation's own theme
        for reflection in db.session.scalars(select(Reflection)):
            keys = {s.key for s in SECTIONS[reflection.structure]}
            assert set(reflection.sections) <= keys, reflection.title
        now = utcnow()
        shares = [s for r in carys for s in r.shares]
        live = [s for s in shares if s.is_live(now)]
        assert len(live) == 1 and len(live[0].views) == 2 and len(live[0].comments) == 1
        assert live[0].supervisor.email == "supervisor@example.org"
        assert any(s.revoked_at is None and s.expires_at <= now for s in shares)  # expired
        assert any(s.revoked_at is not None for s in shares)  # revoked
        assert all(s.created_at >= r.created_at for r in carys for s in r.shares)
        themes = {(t.name_en, t.name_cy) for t in db.session.scalars(select(Theme))}
        assert ("Rural isolation", "Unigedd gwledig") in themes and len(themes) == 4


def test_demo_reflections_name_no_one_and_nias_are_in_welsh(app, cli):
    from supervision.identifiers import find_identifiers

    assert cli("seed-demo").exit_code == 0
    found = _demo_reflections(app)
    for reflections in found.values():
        for reflection in reflections:
            assert find_identifiers(*reflection.texts()) == [], reflection.title
    nia = " ".join(t for r in found["cymraeg@example.org"] for t in r.texts())
    for word in ("Roeddwn", "ymweliad", "dyled", "grŵp"):
        assert word.lower() in nia.lower(), word
    assert " the " not in nia


def test_the_demo_link_worker_sees_her_supervisors_comment(app, cli):
    from supervision.notifications.models import Notification

    assert cli("seed-demo").exit_code == 0
    with app.app_context():
        rows = db.session.execute(select(User.email, Notification.kind).join(User, User.id == Notification.user_id))
        kinds = {tuple(row) for row in rows}
    assert ("linkworker@example.org", "reflection_comment") in kinds
    assert ("supervisor@example.org", "reflection_shared") in kinds
    assert ("cymraeg@example.org", "reflection_comment") in kinds
