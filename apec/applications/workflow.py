"""The one way an application changes status.

`transition(application, action, actor, …)` checks the actor's role and
enterprise or office, the current status and the province's rules, runs
the action's own work (numbering, routing, fee on submit), sets the new
status, writes a timeline event and the 消息中心 messages, and commits —
or raises WorkflowError and changes nothing.
"""

from sqlalchemy import false, select, update
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import ROLE_ENTERPRISE_ADMIN, User
from ..enterprises.models import Person
from ..extensions import db
from ..models_base import utcnow
from ..notifications.models import Message
from ..provinces.registry import get_province
from .models import Application, NumberCounter, TimelineEvent
from .numbering import next_application_number
from .requirements import missing_items
from .states import TRANSITIONS
from .statuses import STATUS_LABELS

FEE_BEARING_TYPES = ("new", "renew", "early", "replace")


class WorkflowError(Exception):
    """A refused action; nothing was changed. `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = problems or []


def status_label(application: Application, status: str | None = None) -> str:
    status = status or application.status
    province = get_province(application.province)
    return province.config.labels.get(status) or STATUS_LABELS.get(status, status)


def transition(application: Application, action: str, actor: User, *, expected_version: int | None = None,
               comment: str = "", **data) -> Application:
    rule = TRANSITIONS[action]
    _take_write_lock()
    # Lock the row (PostgreSQL) and read its current state, not what this request loaded earlier.
    current = db.session.execute(
        select(Application).where(Application.id == application.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    try:
        _check(current, rule, action, actor, expected_version)
        before = current.status
        ACTIONS.get(action, lambda *args, **kwargs: None)(current, actor, **data)
        current.status = rule.target
        db.session.add(TimelineEvent(
            application_id=current.id, actor_id=actor.id, action=action, from_status=before,
            to_status=rule.target, office_code=current.office_code, comment=comment,
        ))
        _notify(current, rule)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise WorkflowError("该申请单刚刚已被处理，请刷新页面查看最新状态。") from None
    except Exception:
        db.session.rollback()
        raise
    return current


def _take_write_lock() -> None:
    """On SQLite, begin with the database write lock, so a concurrent transition waits and then
    sees this one's result (PostgreSQL uses row locks instead, below). SQLite takes the lock at
    the start of any writing statement, even one that changes no row."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(NumberCounter).where(false()).values(last_value=NumberCounter.last_value))


def _lock_persons(application: Application) -> None:
    """Lock the members' person rows (in id order, so two submits cannot deadlock): a second
    application holding the same person waits here, then sees the first one's status."""
    person_ids = sorted(member.person_id for member in application.members)
    if person_ids:
        db.session.execute(select(Person.id).where(Person.id.in_(person_ids)).order_by(Person.id).with_for_update())


def _check(application: Application, rule, action: str, actor: User, expected_version: int | None) -> None:
    if expected_version is not None and application.version != expected_version:
        raise WorkflowError("该申请单已提交或已被更新（可能在另一个页面操作过），请刷新页面查看最新状态。")
    if actor.role not in rule.roles:
        raise WorkflowError("您的账号不能进行此操作。", status=404)
    if actor.is_enterprise_user and actor.enterprise_id != application.enterprise_id:
        raise WorkflowError("申请单不存在。", status=404)
    if application.status not in rule.sources:
        raise WorkflowError(f"申请单当前状态为“{status_label(application)}”，不能{rule.label}。")
    if rule.province_rule:
        workflow = get_province(application.province).config.workflow
        if not getattr(workflow, rule.province_rule):
            raise WorkflowError(f"本省不支持{rule.label}申请单。")


def _on_submit(application: Application, actor: User, **_) -> None:
    province = get_province(application.province)
    _lock_persons(application)
    problems = missing_items(province, application)
    if problems:
        raise WorkflowError("申请信息尚不完整，请补全后再提交。", status=422, problems=problems)
    if application.number is None:
        application.number = next_application_number()
    application.office_code = province.first_office(application.enterprise.office_code)
    per_person = province.config.fees.card_fee if application.business_type in FEE_BEARING_TYPES else 0
    application.fee = per_person * len(application.members)
    for member in application.members:
        member.snapshot = person_snapshot(member.person)
    application.submitted_at = utcnow()
    extra = dict(application.extra or {})
    extra.pop("unsaved", None)
    application.extra = extra


def person_snapshot(person: Person) -> dict:
    """The person as submitted; identity numbers stay encrypted in the snapshot."""
    return {
        "name": person.name, "surname_pinyin": person.surname_pinyin, "given_name_pinyin": person.given_name_pinyin,
        "gender": person.gender, "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "id_number_encrypted": person.id_number_encrypted, "mobile": person.mobile, "position": person.position,
        "passport_number_encrypted": person.passport_number_encrypted, "passport_type": person.passport_type,
        "passport_issue_date": person.passport_issue_date.isoformat() if person.passport_issue_date else None,
        "passport_expiry_date": person.passport_expiry_date.isoformat() if person.passport_expiry_date else None,
        "passport_authority": person.passport_authority, "passport_place": person.passport_place,
    }


# Withdrawing needs no work of its own: the batch keeps its number and last submission time.
ACTIONS = {"submit": _on_submit, "resubmit": _on_submit}


def _notify(application: Application, rule) -> None:
    """A 消息中心 message for the enterprise account and the handler who filed it."""
    recipients = {application.created_by_id}
    recipients.update(
        db.session.scalars(
            select(User.id).where(User.enterprise_id == application.enterprise_id, User.role == ROLE_ENTERPRISE_ADMIN)
        )
    )
    number = application.number or "（未编号）"
    title = f"申请单 {number} 已{rule.label}"
    body = f"当前状态：{status_label(application, rule.target)}。"
    for user_id in recipients:
        db.session.add(Message(user_id=user_id, application_id=application.id, title=title, body=body))

