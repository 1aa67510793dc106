"""The health check's own row: what the write check writes, one row per app host."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime
from app.extensions import TableModel


class HealthProbe(TableModel):
    """When the write check last committed from a host (its name is the key)."""

    __tablename__ = "health_probes"

    host: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
