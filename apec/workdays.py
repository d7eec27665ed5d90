"""Working days in China: Monday to Friday, less the public holidays of the State Council's
yearly notice, plus the weekend days worked in lieu (调休). chinese_calendar carries the notices
year by year; a year it does not carry yet counts Monday to Friday."""

import datetime

import chinese_calendar


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def days_between(start: datetime.date, end: datetime.date, working_only: bool) -> int:
    """The days after `start` up to and including `end` (0 when `end` is not later): how long
    something that arrived on `start` has waited by `end`."""
    if end <= start:
        return 0
    if not working_only:
        return (end - start).days
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_working_day(start + datetime.timedelta(days=offset)))
