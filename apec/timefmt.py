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


# Dates people type: outside these a year is a typo (0001, 9999), and adding a day or five years
# to it would overflow.
EARLIEST_DATE, LATEST_DATE = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
# A list's date filter: anything earlier or later means "from the start" or "up to now".
FILTER_EARLIEST, FILTER_LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def _iso_date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime.date | None:
    """A typed 年-月-日 within 1900–2100; None when it is not one."""
    day = _iso_date(text)
    return day if day is not None and EARLIEST_DATE <= day <= LATEST_DATE else None


def filter_date(text: str | None) -> datetime.date | None:
    """A list filter's date, clamped to 2000–2100; None when absent or not a date."""
    day = _iso_date(text)
    return min(max(day, FILTER_EARLIEST), FILTER_LATEST) if day is not None else None
