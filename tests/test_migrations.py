"""The Alembic history builds the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from supervision.extensions import db

from .conftest import make_test_app


@pytest.fixture
def fresh_app(databases, tmp_path):
    application = make_test_app(databases.new("migrations"), str(tmp_path))
    yield application
    with application.app_context():
        db.engine.dispose()


def _differences(application) -> list:
    with application.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_head_matches_models(fresh_app, databases):
    with fresh_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"user_account", "organisation", "membership", "audit_event"} <= tables
    assert _differences(fresh_app) == [], f"models and migrations disagree on {databases.backend}"


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert "user_account" in inspect(db.engine).get_table_names()
    assert _differences(fresh_app) == []


def test_a_model_change_without_migration_is_caught(fresh_app):
    """The comparison is live: a column added only to the models shows up as a difference."""
    from sqlalchemy import Column, Integer

    with fresh_app.app_context():
        upgrade()
    table = db.metadata.tables["organisation"]
    extra = Column("not_migrated", Integer)
    table.append_column(extra)
    try:
        assert any("not_migrated" in repr(d) for d in _differences(fresh_app))
    finally:
        table._columns.remove(extra)
