"""Database foundations, one module per concern.

:mod:`.base` holds the declarative base, its naming convention and the UTC timestamp
type, re-exported here because every models module needs them; :mod:`.concurrency`
the SQLite connection settings, write intent and write phases; :mod:`.session` the
session helpers. Nothing here imports a feature.
"""

from app.database.base import NAMING_CONVENTION, Model, UTCDateTime, utcnow

__all__ = ["NAMING_CONVENTION", "Model", "UTCDateTime", "utcnow"]
