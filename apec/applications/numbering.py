"""Application numbers: APEC + yyyymmdd + 6-digit daily sequence.

The sequence comes from a counter row updated in the database (a row lock
on PostgreSQL, the database lock on SQLite), so concurrent submits on
several app servers never get the same number; it is never max+1 in Python.
"""

import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..timefmt import CHINA
from .models import NumberCounter


def _insert_ignoring_conflict():
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(NumberCounter)


def _next_in_sequence(day: str) -> int:
    # Make sure today's counter exists (a concurrent submit may create it first) …
    db.session.execute(
        _insert_ignoring_conflict().values(day=day, last_value=0).on_conflict_do_nothing(index_elements=["day"])
    )
    # … then bump it: the UPDATE holds the row lock until this transaction ends.
    return db.session.execute(
        update(NumberCounter)
        .where(NumberCounter.day == day)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
    ).scalar_one()


def next_application_number(now: datetime.datetime | None = None) -> str:
    day = (now or datetime.datetime.now(CHINA)).strftime("%Y%m%d")
    return f"APEC{day}{_next_in_sequence(day):06d}"
