"""The office's 待办 and 已办: which applications, in which order, with what marks.

待办 holds what is at this office and still in its hands; 已办 what it handled that is now
elsewhere, finished, or returned by it (until it comes back, marked 重新提交).
"""

import dataclasses
import datetime
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..applications.models import Application, TimelineEvent
from ..applications.states import CLOSED, OFFICE_MUST_ACT, reachable_statuses
from ..enterprises.models import Enterprise
from ..extensions import db
from ..models_base import utcnow
from ..statuses import province_status_label
from ..timefmt import utc_start_of

PER_PAGE = 20
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


def office_queue(actor, province, filters: QueueFilters, page_number: int):
    """One page of the office's list: (page, rows, the filters as applied)."""
    view = filters.view if filters.view == "done" else "todo"
    filters = dataclasses.replace(filters, view=view)
    last_event = (
        select(TimelineEvent.application_id, func.max(TimelineEvent.created_at).label("last_at"))
        .group_by(TimelineEvent.application_id).subquery()
    )
    statement = (
        select(Application)
        .join(last_event, last_event.c.application_id == Application.id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .where(Application.province == actor.province)
    )
    if view == "done":
        # Handled here and now elsewhere, finished, or returned by this office until it comes back.
        handled = select(TimelineEvent.application_id).where(TimelineEvent.office_code == actor.office_code)
        statement = statement.where(Application.id.in_(handled), or_(
            Application.office_code != actor.office_code, Application.status.in_(CLOSED | {"returned"})))
    else:
        statement = statement.where(Application.office_code == actor.office_code,
                                    Application.status.not_in(CLOSED | {"returned"}))
    if filters.status in queue_statuses(province, view):
        statement = statement.where(Application.status == filters.status)
    if filters.business_type in dict(province.business_types()):
        statement = statement.where(Application.business_type == filters.business_type)
    if filters.enterprise:
        statement = statement.where(Enterprise.name.contains(filters.enterprise, autoescape=True))
    if filters.since:
        statement = statement.where(Application.submitted_at >= utc_start_of(filters.since))
    if filters.until:
        statement = statement.where(
            Application.submitted_at < utc_start_of(filters.until + datetime.timedelta(days=1)))
    statement = statement.order_by(last_event.c.last_at.asc(), Application.id.asc())
    page = db.paginate(statement, page=page_number, per_page=PER_PAGE, error_out=False)
    office = province.office(actor.office_code)
    overdue_days = province.config.workflow.overdue_days.get(office.stage, 10)
    now = utcnow()
    ids = [application.id for application in page.items]
    last_at = dict(db.session.execute(
        select(TimelineEvent.application_id, func.max(TimelineEvent.created_at))
        .where(TimelineEvent.application_id.in_(ids)).group_by(TimelineEvent.application_id)
    ).all()) if ids else {}
    resubmitted = resubmissions([application for application in page.items if application.status == "submitted"])
    rows = []
    for application in page.items:
        waited = (now - last_at[application.id]).days
        office_must_act = application.status in OFFICE_MUST_ACT
        overdue = waited if view == "todo" and office_must_act and waited > overdue_days else 0
        rows.append(QueueRow(application, overdue, resubmitted.get(application.id)))
    return page, rows, filters


@dataclass(frozen=True)
class QueueRow:
    application: Application
    overdue_days: int               # > 0 when the office is late with it
    resubmission: TimelineEvent | None  # 重新提交 after a 退回, with what changed


def queue_statuses(province, view: str) -> dict[str, str]:
    """The status filter of a list: the statuses its applications can be in, as staff call them."""
    if view == "todo":
        codes = [code for code in reachable_statuses(province) if code not in CLOSED | {"returned"}]
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


