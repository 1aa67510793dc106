"""Migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.helpers import make_app


def _schema_differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def _tables():
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_match_the_models_then_downgrade_and_upgrade_again(scratch_database_url):
    app = make_app(scratch_database_url)
    with app.app_context():
        upgrade()
        assert _schema_differences() == []
        assert _tables() == set(db.metadata.tables)

        downgrade(revision="base")
        assert _tables() == set()

        upgrade()
        assert _schema_differences() == []
        db.engine.dispose()


def test_there_is_a_single_migration_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1
