"""Column helpers shared by every model."""

import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class TimestampMixin:
    """Naive UTC timestamps: the same on SQLite and PostgreSQL."""

    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.current_timestamp()
    )
