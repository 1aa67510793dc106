"""Presales Academy: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import BaseConfig, config_from_environment

# The largest id a URL may carry: id columns are INTEGER, 32-bit on PostgreSQL.
MAX_URL_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """The default ``int`` converter, bounded: a larger number is no route (404).

    Without the bound, /exams/attempts/99999999999999999999 reached the database and
    answered 500 from an integer overflow; with it every ``<int:...>`` route refuses
    such a URL before any view runs.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_URL_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: BaseConfig | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, errors, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    config = config if config is not None else config_from_environment()
    config.finalise(Path(app.instance_path))
    app.config.from_object(config)
    app.config["ENV_NAME"] = config.ENV_NAME
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        # Client addresses (login throttling) and https come from the proxy's headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented middleware hook
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import i18n, security, templating
    from app.auth import login
    from app.database.concurrency import configure_engine
    from app.database.session import commit_at_end_of_request
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    commit_at_end_of_request(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login.init_app(app, login_manager)  # its sign-in gate runs before the CSRF check
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)


def register_models() -> None:
    """Import every feature's models so the metadata (and Alembic) knows all tables."""
    from app.assessments import models as _assessments  # noqa: F401
    from app.audit import models as _audit  # noqa: F401
    from app.auth import models as _auth  # noqa: F401
    from app.banks import models as _banks  # noqa: F401
    from app.complaints import models as _complaints  # noqa: F401
    from app.courses import models as _courses  # noqa: F401
    from app.evaluations import models as _evaluations  # noqa: F401
    from app.exams import models as _exams  # noqa: F401
    from app.main import models as _main  # noqa: F401
    from app.notifications import kinds
    from app.notifications import models as _notifications  # noqa: F401
    from app.rubrics import models as _rubrics  # noqa: F401
    from app.training import models as _training  # noqa: F401

    kinds.load()  # each feature's kinds of notice register themselves


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.assessments.views import bp as assessments_bp
    from app.auth.views import bp as auth_bp
    from app.banks.views import bp as banks_bp
    from app.complaints.views import bp as complaints_bp
    from app.courses.upload_views import bp as course_admin_bp
    from app.courses.views import bp as courses_bp
    from app.evaluations.views import bp as evaluations_bp
    from app.exams.builder_views import bp as exam_admin_bp
    from app.exams.learner_views import bp as exams_bp
    from app.exams.picker_views import bp as exam_picker_bp
    from app.exams.preview_views import bp as exam_preview_bp
    from app.exams.results_views import bp as exam_results_bp
    from app.main.views import bp as main_bp
    from app.notifications.calendar_views import bp as calendar_bp
    from app.notifications.views import bp as notifications_bp
    from app.oversight.views import bp as oversight_bp
    from app.rubrics.views import bp as rubrics_bp
    from app.training.views import bp as training_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(course_admin_bp)
    app.register_blueprint(banks_bp)
    app.register_blueprint(exams_bp)
    app.register_blueprint(exam_admin_bp)
    app.register_blueprint(exam_picker_bp)
    app.register_blueprint(exam_results_bp)
    app.register_blueprint(exam_preview_bp)
    app.register_blueprint(rubrics_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(calendar_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.main.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.audit.cli import audit_cli
    from app.auth.cli import users_cli
    from app.banks.cli import banks_cli
    from app.courses.cli import courses_cli
    from app.exams.cli import exams_cli
    from app.main.cli import demo_cli
    from app.notifications.cli import notifications_cli
    from app.rubrics.cli import rubrics_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(banks_cli)
    app.cli.add_command(exams_cli)
    app.cli.add_command(rubrics_cli)
    app.cli.add_command(notifications_cli)
