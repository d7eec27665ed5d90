"""The office's 待办 and 已办: which applications, in which order, with what marks.

待办 holds what is at this office and still in its hands; 已办 what it handled that is now
elsewhere, finished, or returned by it (until it comes back, marked 重新提交).
"""

import dataclasses
import datetime
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..applications.models import Application, TimelineEvent
from ..applications.workflow import refusal
from ..applications.states import CLOSED, OFFICE_MUST_ACT, open_statuses_at, reachable_statuses
from ..enterprises.models import Enterprise
from ..extensions import db
from ..models_base import utcnow
from ..statuses import province_status_label
from ..timefmt import to_local, utc_start_of
from ..workdays import days_between

PER_PAGE = 20
# Not in an office's 待办: finished, or back with the enterprise (退回); its 已办 once it handled them.
NOT_IN_TODO = CLOSED | {"returned"}
# Where staff word a status differently from the enterprise: 已反馈审核意见 is, for the
# office, an application it sent back.
STAFF_STATUS_LABELS = {"returned": "已退回"}


@dataclass(frozen=True)
class QueueFilters:
    view: str = "todo"                    # "todo" (待办) or "done" (已办)
    status: str = ""
    business_type: str = ""
    enterprise: str = ""                  # part of the enterprise's name
    since: datetime.date | None = None    # submitted on or after (the office's dates)
    until: datetime.date | None = None
    who: str = ""                         # "mine" (认领 by me), "unassigned", or everyone's


def office_queue(actor, province, filters: QueueFilters, page_number: int, per_page: int = PER_PAGE,
                 office_code: str | None = None):
    """One page of an office's list: (page, rows, the filters as applied). 待办 lists what has
    waited longest first; 已办 what moved on most recently. The office is the actor's own, or
    (`office_code`) a city office the province office looks at, read-only."""
    view = filters.view if filters.view == "done" else "todo"
    filters = dataclasses.replace(filters, view=view)
    office_code = office_code or actor.office_code
    statement = (
        select(Application)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .where(Application.province == actor.province)
        # Each row shows the enterprise and the number of members: loaded with the page.
        .options(contains_eager(Application.enterprise), selectinload(Application.members))
    )
    if view == "done":
        # Handled here and now elsewhere, finished, or returned by this office until it comes back.
        handled = select(TimelineEvent.application_id).where(TimelineEvent.office_code == office_code)
        statement = statement.where(Application.id.in_(handled), or_(
            Application.office_code != office_code, Application.status.in_(NOT_IN_TODO)))
    else:
        statement = statement.where(Application.office_code == office_code,
                                    Application.status.not_in(NOT_IN_TODO))
    if filters.who == "mine" and view == "done":
        statement = statement.where(Application.id.in_(
            select(TimelineEvent.application_id).where(TimelineEvent.actor_id == actor.id)))
    elif filters.who == "mine":
        statement = statement.where(Application.assignee_id == actor.id)
    elif filters.who == "unassigned" and view == "todo":
        statement = statement.where(Application.assignee_id.is_(None))
    if filters.status in queue_statuses(province, office_code, view):
        statement = statement.where(Application.status == filters.status)
    if filters.business_type in dict(province.business_types()):
        statement = statement.where(Application.business_type == filters.business_type)
    if filters.enterprise:
        statement = statement.where(Enterprise.name.contains(filters.enterprise, autoescape=True))
    if filters.since:
        statement = statement.where(Application.first_submitted_at >= utc_start_of(filters.since))
    if filters.until:
        statement = statement.where(
            Application.first_submitted_at < utc_start_of(filters.until + datetime.timedelta(days=1)))
    if view == "done":
        statement = statement.order_by(Application.stage_entered_at.desc(), Application.id.desc())
    else:
        statement = statement.order_by(Application.stage_entered_at.asc(), Application.id.asc())
    page = db.paginate(statement, page=page_number, per_page=per_page, max_per_page=per_page, error_out=False)
    now = utcnow()
    resubmitted = resubmissions([application for application in page.items if application.status == "submitted"])
    rows = [QueueRow(application, overdue_days(province, application, now) if view == "todo" else 0,
                     resubmitted.get(application.id), refusal(application, "accept", actor) is None)
            for application in page.items]
    return page, rows, filters


def overdue_days(province, application: Application, now: datetime.datetime) -> int:
    """How many days past the office's time limit the application is, counted from when it came
    into the office's hands, in working days where the province counts so; 0 when not late or
    when it waits for someone else (the enterprise's fee, the economies)."""
    if application.status not in OFFICE_MUST_ACT or application.stage_entered_at is None:
        return 0
    workflow = province.config.workflow
    limit = workflow.overdue_days.get(province.office(application.office_code).stage, 10)
    waited = days_between(to_local(application.stage_entered_at).date(), to_local(now).date(),
                          workflow.overdue_in_working_days)
    return max(0, waited - limit)


def overdue_since(province, stage: str, now: datetime.datetime) -> datetime.datetime:
    """The moment before which an application that entered a stage is now overdue there (the
    waited days fall as the entry moves later, so one bound answers for every application)."""
    workflow = province.config.workflow
    limit = workflow.overdue_days.get(stage, 10)
    today = to_local(now).date()
    day = today
    while days_between(day, today, workflow.overdue_in_working_days) <= limit:
        day -= datetime.timedelta(days=1)
    return utc_start_of(day + datetime.timedelta(days=1))


@dataclass(frozen=True)
class Backlog:
    """One office's 待办 in numbers: for the province office overseeing a city, for a digest."""

    office_code: str
    name: str
    waiting: int                          # its 待办
    overdue: int                          # of those, past its time limit
    oldest: datetime.datetime | None      # when the longest-waiting of those it must act on came to it


def office_backlogs(province, offices, now: datetime.datetime) -> list[Backlog]:
    """Each of `offices` ((code, Office) pairs, all of one stage) with what it has in hand, in
    three grouped queries whatever their number."""
    if not offices:
        return []
    stage = offices[0][1].stage
    at = (Application.province == province.code, Application.office_code.in_([code for code, _ in offices]))
    waiting = dict(db.session.execute(
        select(Application.office_code, func.count())
        .where(*at, Application.status.not_in(NOT_IN_TODO)).group_by(Application.office_code)).all())
    in_hand = (*at, Application.status.in_(OFFICE_MUST_ACT))
    oldest = dict(db.session.execute(
        select(Application.office_code, func.min(Application.stage_entered_at))
        .where(*in_hand).group_by(Application.office_code)).all())
    overdue = dict(db.session.execute(
        select(Application.office_code, func.count())
        .where(*in_hand, Application.stage_entered_at < overdue_since(province, stage, now))
        .group_by(Application.office_code)).all())
    return [Backlog(code, office.name, waiting.get(code, 0), overdue.get(code, 0), oldest.get(code))
            for code, office in offices]


def city_backlogs(province, now: datetime.datetime) -> list[Backlog]:
    """Every 市外办 of the province, for 各市待办."""
    return office_backlogs(province, province.city_offices(), now)


@dataclass(frozen=True)
class QueueRow:
    application: Application
    overdue_days: int               # > 0: that many days past the office's time limit
    resubmission: TimelineEvent | None  # 重新提交 after a 退回, with what changed
    may_accept: bool                # 受理 is open to this reviewer now: it can be batched


def queue_statuses(province, office_code: str, view: str) -> dict[str, str]:
    """The status filter of a list: the statuses its applications can be in, as staff call them."""
    if view == "todo":
        codes = open_statuses_at(province, province.office(office_code).stage)
    else:
        codes = [code for code in reachable_statuses(province) if code != "draft"]
    return {code: STAFF_STATUS_LABELS.get(code) or province_status_label(province, code) for code in codes}


def resubmissions(applications) -> dict[int, TimelineEvent]:
    """For applications waiting for 受理: the 重新提交 event, when that is how they came back."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    latest = (
        select(func.max(TimelineEvent.id)).where(TimelineEvent.application_id.in_(ids),
                                                 TimelineEvent.action != "economy_decision")
        .group_by(TimelineEvent.application_id)
    )
    events = db.session.scalars(select(TimelineEvent).where(TimelineEvent.id.in_(latest)))
    return {event.application_id: event for event in events if is_resubmission(event)}


def is_resubmission(event: TimelineEvent) -> bool:
    return event.action == "submit" and event.from_status == "returned"


