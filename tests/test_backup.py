"""Backup and restore round trips on the run's database (SQLite or PostgreSQL): every table's rows
after restoring are exactly those at the time of the backup."""
from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import delete, select, update

from supervision.accounts.models import Membership, Organisation, OrganisationKind, Region, Role, User
from supervision.audit.models import AuditEvent
from supervision.audit.services import record
from supervision.extensions import db

from .conftest import Factory, make_test_app


@pytest.fixture
def fresh(databases, tmp_path):
    """An app on a database of its own, since restoring replaces the whole database."""
    application = make_test_app(databases.new("backup"), str(tmp_path / "instance"))
    with application.app_context():
        db.create_all()
    return application


def cli(app, *args: str, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def every_row(app) -> dict[str, list[tuple]]:
    with app.app_context():
        with db.engine.connect() as conn:
            return {
                table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables
            }


def make_data(app) -> None:
    make = Factory(app)
    ogmore = make.organisation(name="Ogmore Valleys", report_k=8, job_title_en="Community connector",
                               job_title_cy="Cysylltydd cymunedol")
    teifi = make.organisation(name="Teifi Valley")
    admin = make.user(Role.admin, organisation=ogmore, name="Gareth Price")
    make.user(Role.link_worker, Role.supervisor, organisation=ogmore, name="Owain Davies")
    make.user(Role.link_worker, organisation=teifi, name="Nia Llywelyn", language="cy")
    make.user(Role.employer, organisation=teifi, name="Siân Morgan", active=False)
    with app.app_context():
        for n in range(3):
            record(action="role_change", organisation_id=ogmore.id, target_type="user", target_id=admin.id,
                   detail=f"roles: admin ({n}) – ŵ ŷ 😀")
        db.session.commit()


def change_and_delete(app) -> None:
    with app.app_context():
        db.session.execute(update(Organisation).where(Organisation.name == "Ogmore Valleys")
                           .values(name="Renamed", report_k=12))
        nia = db.session.scalar(select(User.id).where(User.name == "Nia Llywelyn"))
        db.session.execute(delete(Membership).where(Membership.user_id == nia))
        db.session.execute(delete(User).where(User.id == nia))
        db.session.execute(update(User).values(active=False))
        db.session.add(Organisation(name="Added later", kind=OrganisationKind.other, region=Region.powys))
        record(action="role_change", detail="after the backup")
        db.session.commit()
        # The audit log refuses ORM deletes; a restore must bring back rows removed behind its back too.
        with db.engine.begin() as conn:
            conn.execute(delete(AuditEvent).where(AuditEvent.detail.like("%(0)%")))


def test_round_trip_restores_every_row(fresh, databases, tmp_path):
    make_data(fresh)
    before = every_row(fresh)
    assert before["organisation"] and before["user_account"] and before["membership"] and before["audit_event"]
    destination = tmp_path / ("cwtch.dump" if databases.backend == "postgresql" else "cwtch.sqlite")

    backed_up = cli(fresh, "backup", str(destination))
    assert backed_up.exit_code == 0, backed_up.output
    assert destination.stat().st_size > 0

    change_and_delete(fresh)
    changed = every_row(fresh)
    for table in ("organisation", "user_account", "membership", "audit_event"):
        assert changed[table] != before[table], table

    restored = cli(fresh, "restore", "--yes", str(destination))
    assert restored.exit_code == 0, restored.output
    assert f"Restored {make_url_database(fresh)} from {destination}" in restored.output
    assert every_row(fresh) == before
    # The restored database is in use at once: people sign in as before.
    client = fresh.test_client()
    assert client.get("/sign-in").status_code == 200
    with fresh.app_context():
        assert db.session.scalar(select(User).where(User.name == "Nia Llywelyn")).preferred_language == "cy"


def make_url_database(app) -> str:
    with app.app_context():
        return db.engine.url.database


def test_restore_asks_first_and_does_nothing_when_told_no(fresh, databases, tmp_path):
    make_data(fresh)
    destination = tmp_path / "cwtch.backup"
    assert cli(fresh, "backup", str(destination)).exit_code == 0
    change_and_delete(fresh)
    changed = every_row(fresh)
    answer = cli(fresh, "restore", str(destination), input="n\n")
    assert answer.exit_code == 1
    assert "will be replaced by" in answer.output
    assert "Aborted" in answer.output
    assert every_row(fresh) == changed


def test_restore_refuses_a_file_that_is_not_a_backup(fresh, databases, tmp_path):
    make_data(fresh)
    before = every_row(fresh)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database backup\n" * 100)
    result = cli(fresh, "restore", "--yes", str(junk))
    assert result.exit_code == 1
    if databases.backend == "postgresql":
        assert "pg_restore failed" in result.output
    else:
        assert databases.backend == "sqlite"
        assert "is not a SQLite database" in result.output
    assert every_row(fresh) == before


def test_restore_refuses_a_sqlite_file_that_is_not_cwtch(fresh, databases, tmp_path):
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE something (id INTEGER PRIMARY KEY)")
        conn.commit()
    make_data(fresh)
    before = every_row(fresh)
    result = cli(fresh, "restore", "--yes", str(other))
    assert result.exit_code == 1
    if databases.backend == "postgresql":
        assert "pg_restore failed" in result.output  # a SQLite file is not a pg_dump archive either
    else:
        assert databases.backend == "sqlite"
        assert "not a Cwtch backup" in result.output
    assert every_row(fresh) == before
