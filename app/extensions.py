"""Unbound Flask extensions; ``create_app`` binds them to an application.

Models derive from :data:`TableModel`, which *is* ``db.Model``; type checkers cannot
use an instance attribute as a base class, so they are shown the declarative base
it is made from.
"""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.database.base import Model

db = SQLAlchemy(model_class=Model)
if TYPE_CHECKING:
    TableModel = Model
else:
    TableModel = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: only the routes that ask for throttling are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
