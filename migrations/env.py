import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def render_item(type_, obj, autogen_context):
    """Render our column types as the plain SQLAlchemy types they store as."""
    if type_ == "type" and obj.__class__.__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


@contextmanager
def sqlite_foreign_keys_off(connection):
    """Run the migrations with SQLite's foreign keys off, and put them back on after.

    A batch operation rebuilds a table (new table, copy, drop, rename). With foreign
    keys on, dropping the old table deletes its rows first: that fails on a RESTRICT
    reference and cascade-deletes the rows of an ON DELETE CASCADE one (questions of a
    rebuilt question bank). The pragma is a no-op inside a transaction, so it is set on
    the driver's connection before Alembic begins one; check_foreign_keys() then checks
    each revision before it commits.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver_connection = connection.connection.driver_connection
    driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if connection.in_transaction():
            # Left open when there was nothing to run (Alembic's read of the version);
            # the pragma would be a no-op inside it, and closing rolls it back anyway.
            connection.rollback()
        # The connection goes back to the pool: the app expects foreign keys on.
        driver_connection.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(ctx, step, heads, run_args):
    """Refuse a revision that leaves a dangling reference (SQLite, foreign keys off).

    Called after each revision, inside its transaction: raising rolls it back.
    """
    if ctx.connection.dialect.name != "sqlite":
        return
    problems = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        shown = ", ".join(f"{table} row {rowid} -> {parent}"
                          for table, rowid, parent, _ in problems[:10])
        raise RuntimeError(f"{_describe(step)}: {len(problems)} rows break a foreign key: "
                           f"{shown}; nothing of this revision was committed")


def _describe(step):
    direction = "upgrade" if step.is_upgrade else "downgrade"
    source = ",".join(step.source_revision_ids) or "base"
    destination = ",".join(step.destination_revision_ids) or "base"
    return f"{direction} {source} -> {destination}"


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True,
        render_item=render_item, compare_type=True,
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("on_version_apply", (check_foreign_keys,))

    connectable = get_engine()

    with connectable.connect() as connection, sqlite_foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
