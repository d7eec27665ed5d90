"""Times are stored as naive UTC and shown in China Standard Time."""

import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def to_local(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.UTC).astimezone(CHINA)


def format_local(moment: datetime.datetime | None, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    local = to_local(moment)
    return local.strftime(pattern) if local else ""


def china_today() -> datetime.date:
    """Today's date in China (the server's clock may run on UTC)."""
    from .models_base import utcnow

    return to_local(utcnow()).date()


def utc_start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of a China date, as the naive UTC the database stores."""
    local = datetime.datetime.combine(day, datetime.time.min, tzinfo=CHINA)
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan → 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(day.year + year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)
