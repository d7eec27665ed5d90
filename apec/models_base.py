"""Column helpers shared by every model."""

import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


def _clock() -> datetime.datetime:
    """The current moment, aware; tests replace this one function to move time."""
    return datetime.datetime.now(datetime.UTC)


def utcnow() -> datetime.datetime:
    return _clock().replace(tzinfo=None)


class TimestampMixin:
    """Naive UTC timestamps: the same on SQLite and PostgreSQL."""

    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.current_timestamp()
    )
